"""Headless Chromium for the built site: ``make docs``'s screenshot and tests/test_docs.py's checks.

    python docs/screenshot.py docs/_build/html docs/_build/screenshot.png

takes a screenshot of the built front page and fails (exit 1) when it is blank. Chromium runs
with a throw-away profile, no network services of its own and a time limit; pages are opened
over file://.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

TIMEOUT = 60
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium() -> str | None:
    """The Chromium (or Chrome) executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], url: str) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="asyncbolt-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=True)


def screenshot(url: str, png: Path, size: tuple[int, int] = (1280, 1000)) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--screenshot={png}", f"--window-size={size[0]},{size[1]}"], url)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot to {png}")


def dump_dom(url: str) -> str:
    """The page's DOM after its scripts ran, as HTML."""
    return _run(["--dump-dom", "--virtual-time-budget=5000"], url).stdout


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of pixel bytes) of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    if depth != 8 or colour not in (2, 6):
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {colour})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def colours(png: Path) -> int:
    """How many distinct colours the screenshot has: 1 for a blank page, hundreds for text."""
    data = png.read_bytes()
    width, _, rows = png_pixels(data)
    bpp = len(rows[0]) // width if rows else 3
    seen: set[bytes] = set()
    for row in rows[::4]:  # every fourth row is plenty
        seen.update(row[i:i + 3] for i in range(0, len(row), bpp * 2))
    return len(seen)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    html, png = Path(argv[0]).resolve(), Path(argv[1])
    screenshot((html / "index.html").as_uri(), png)
    found = colours(png)
    if found < 16:
        print(f"{png}: the front page rendered blank ({found} colours)", file=sys.stderr)
        return 1
    print(f"screenshot of the front page: {png} ({found} colours)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
