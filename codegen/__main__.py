"""python -m codegen [--spec DIR] [--out DIR] [--root DIR] [--check] [--inline-depth N]

Validate spec/*.yaml and write asyncbolt/_generated/, and the files generated elsewhere in the
repository (render.EXTRA_OUTPUTS, under --root: the repository by default). With --check, write nothing and exit 1
when the committed files differ from what the spec produces. --inline-depth renders the
pure-Python fast decoder with another depth of in-place tiny containers than the committed
default (render.DEFAULT_INLINE_DEPTH), to measure it: ``--out`` elsewhere, then the benchmarks.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from .render import DEFAULT_INLINE_DEPTH, render, render_extra
from .spec import SpecError, load

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    ap.add_argument("--spec", type=Path, default=ROOT / "spec")
    ap.add_argument("--out", type=Path, default=ROOT / "asyncbolt" / "_generated")
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="where the files generated outside asyncbolt/_generated/ go (default: the repository)")
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("--inline-depth", type=int, default=DEFAULT_INLINE_DEPTH, metavar="N",
                    help="levels of tiny lists/maps the pure-Python fast decoder decodes in place "
                         f"(default {DEFAULT_INLINE_DEPTH})")
    args = ap.parse_args(argv)
    if args.inline_depth < 0:
        ap.error("--inline-depth must be 0 or more")
    try:
        spec = load(args.spec)
        sources = ["spec/packstream.yaml", "spec/bolt.yaml"]
        files = render(spec, sources, inline_depth=args.inline_depth)
        extra_files = render_extra(spec, sources)
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2
    # (directory, files it should hold, whether the directory is wholly generated)
    targets = [(args.out, files, False)]
    targets += [(args.root / directory, produced, True) for directory, produced in extra_files.items()]
    if args.check:
        stale: list[str] = []
        for directory, produced, owned in targets:
            stale += _compare(directory, produced, owned)
        if stale:
            print(f"stale generated files: {stale}; run `make generate`", file=sys.stderr)
            return 1
        return 0
    count = 0
    for directory, produced, owned in targets:
        count += _write(directory, produced, owned)
    print(f"wrote {count} files to {args.out}" + (f" and {len(extra_files)} other directories" if extra_files else ""))
    return 0


def _unexpected(directory: Path, produced: dict[str, str], owned: bool) -> list[Path]:
    """Files in ``directory`` that the spec no longer produces: in a wholly generated directory
    every file; in asyncbolt/_generated/ the Python and C sources (not the compiled modules)."""
    if not directory.is_dir():
        return []
    found = (p for p in directory.rglob("*") if p.is_file()) if owned else directory.glob("*")
    return sorted(p for p in found
                  if p.relative_to(directory).as_posix() not in produced
                  and (owned or p.suffix in (".py", ".c")))


def _compare(directory: Path, produced: dict[str, str], owned: bool) -> list[str]:
    stale = []
    for name, text in produced.items():
        path = directory / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != text:
            stale.append(str(path))
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), f"committed/{name}", f"generated/{name}", n=1))
    return stale + [str(p) for p in _unexpected(directory, produced, owned)]


def _write(directory: Path, produced: dict[str, str], owned: bool) -> int:
    for path in _unexpected(directory, produced, owned):
        path.unlink()
    for name, text in produced.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(produced)


if __name__ == "__main__":
    sys.exit(main())
