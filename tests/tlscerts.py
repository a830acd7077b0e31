"""Certificates for TLS tests, made with the openssl command (no Python package needed): CAs,
server and client certificates they sign, self-signed ones, an encrypted key."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

_LEAF_EXT = """basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = {san}
"""


def available() -> bool:
    return Path(OPENSSL).exists()


def _run(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _key(name: str, folder: Path, password: str | None = None) -> Path:
    key = folder / f"{name}.key"
    args = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.name]
    if password is not None:
        args += ["-aes-128-cbc", "-pass", f"pass:{password}"]
    _run(*args, cwd=folder)
    return key


def make_ca(name: str, folder: Path) -> tuple[Path, Path]:
    """A CA: (certificate, key)."""
    key = _key(name, folder)
    cert = folder / f"{name}.pem"
    # (openssl's default configuration gives req -x509 the v3_ca extensions: CA:TRUE, key ids)
    _run("req", "-x509", "-new", "-key", key.name, "-out", cert.name, "-days", "2",
         "-subj", f"/CN={name}", cwd=folder)
    return cert, key


def make_leaf(name: str, folder: Path, ca: tuple[Path, Path] | None, san: str = "IP:127.0.0.1",
              password: str | None = None) -> tuple[Path, Path]:
    """A certificate for ``san`` signed by ``ca`` (None: self-signed): (certificate, key)."""
    key = _key(name, folder, password)
    pass_args = [] if password is None else ["-passin", f"pass:{password}"]
    cert = folder / f"{name}.pem"
    if ca is None:
        _run("req", "-x509", "-new", "-key", key.name, *pass_args, "-out", cert.name, "-days", "2",
             "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}", cwd=folder)
        return cert, key
    csr = folder / f"{name}.csr"
    _run("req", "-new", "-key", key.name, *pass_args, "-out", csr.name, "-subj", f"/CN={name}",
         cwd=folder)
    ext = folder / f"{name}.ext"
    ext.write_text(_LEAF_EXT.format(san=san))
    _run("x509", "-req", "-in", csr.name, "-CA", str(ca[0]), "-CAkey", str(ca[1]),
         "-CAcreateserial", "-out", cert.name, "-days", "2", "-extfile", ext.name, cwd=folder)
    return cert, key
