"""python -m codegen [--spec DIR] [--out DIR] [--check] [--inline-depth N]

Validate spec/*.yaml and write asyncbolt/_generated/. With --check, write nothing and exit 1
when the committed files differ from what the spec produces. --inline-depth renders the
pure-Python fast decoder with another depth of in-place tiny containers than the committed
default (render.DEFAULT_INLINE_DEPTH), to measure it: ``--out`` elsewhere, then the benchmarks.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from .render import DEFAULT_INLINE_DEPTH, render
from .spec import SpecError, load

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    ap.add_argument("--spec", type=Path, default=ROOT / "spec")
    ap.add_argument("--out", type=Path, default=ROOT / "asyncbolt" / "_generated")
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("--inline-depth", type=int, default=DEFAULT_INLINE_DEPTH, metavar="N",
                    help="levels of tiny lists/maps the pure-Python fast decoder decodes in place "
                         f"(default {DEFAULT_INLINE_DEPTH})")
    args = ap.parse_args(argv)
    if args.inline_depth < 0:
        ap.error("--inline-depth must be 0 or more")
    try:
        spec = load(args.spec)
        files = render(spec, ["spec/packstream.yaml", "spec/bolt.yaml"],
                       inline_depth=args.inline_depth)
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = []
        for name, text in files.items():
            path = args.out / name
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                stale.append(name)
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True), f"committed/{name}", f"generated/{name}", n=1))
        extra = sorted(p.name for p in args.out.glob("*")
                       if p.suffix in (".py", ".c") and p.name not in files)
        if stale or extra:
            print(f"stale generated files: {stale + extra}; run `make generate`", file=sys.stderr)
            return 1
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
