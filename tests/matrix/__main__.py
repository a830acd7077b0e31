"""``python -m tests.matrix [RESULTS]``: the README's compatibility table (Markdown) from the
client matrix's results log (.matrix/results.jsonl, written by tests/test_client_matrix_*.py).

One row per (client, server), the latest outcome of each scenario: ✓ passed, ✗ failed, – the
client cannot do it (the footnote says why); a footnote also carries what a passing scenario
noted (a ``record()`` detail starting with "note: ": a value kept differently, a part the client
cannot do). A client that could not be installed gets one row saying so.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from . import RESULTS

#: Columns in this order; scenarios the log has beyond these follow in order of appearance.
ORDER = ["values", "stream", "failure", "transactions", "managed", "bookmarks", "wrong_password", "routing"]
SERVER_ORDER = {"asyncbolt": 0, "serve": 1}


def latest(lines: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(client, server) -> scenario -> its latest outcome."""
    rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for line in lines:
        scenarios = rows.setdefault((line["client"], line["server"]), {})
        if line["scenario"] != "install":
            scenarios.pop("install", None)  # installed since
        scenarios[line["scenario"]] = line
    return rows


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def table(lines: list[dict[str, Any]]) -> str:
    rows = latest(lines)
    seen = [s for line in lines for s in [line["scenario"]] if s != "install"]
    columns = [s for s in ORDER if s in seen] + [s for s in dict.fromkeys(seen) if s not in ORDER]
    notes: dict[str, int] = {}

    def note(text: str) -> str:
        text = " ".join(text.split()).removeprefix("unsupported: ")
        number = notes.setdefault(text, len(notes) + 1)
        return f"<sup>{number}</sup>"

    head = ["Client", "Server", "Bolt", *(c.replace("_", " ") for c in columns)]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (client, server), scenarios in sorted(
            rows.items(), key=lambda kv: (_natural(kv[0][0]), SERVER_ORDER.get(kv[0][1], 9), kv[0][1])):
        if "install" in scenarios:
            cells = [client, server, "–", f"not installable here{note(scenarios['install']['detail'])}"]
            cells += [""] * (len(columns) - 1)
            out.append("| " + " | ".join(cells) + " |")
            continue
        versions = sorted({s["version"] for s in scenarios.values() if s.get("version")})
        cells = [client, server, "/".join(versions) or "?"]
        for column in columns:
            result = scenarios.get(column)
            if result is None:
                cells.append("")
            elif result["ok"] is None:
                cells.append("–" + note(result["detail"]))
            elif not result["ok"]:
                cells.append("✗" + note(result["detail"]))
            elif result["detail"].startswith("note: "):
                cells.append("✓" + note(result["detail"][len("note: "):]))
            else:
                cells.append("✓")
        out.append("| " + " | ".join(cells) + " |")
    if notes:
        out.append("")
        out.extend(f"<sup>{n}</sup> {text}  " for text, n in notes.items())
    return "\n".join(out)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else RESULTS
    if not path.exists():
        print(f"no results at {path}: run make matrix (or pytest tests/test_client_matrix_*.py) first",
              file=sys.stderr)
        return 1
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    print(table(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
