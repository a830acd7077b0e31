"""The history of ``asyncbolt shell``: what was entered (statements and ``:commands``), this
session's and, with a history file, the earlier sessions'.

The file (``~/.asyncbolt_history`` for interactive sessions, ``$ASYNCBOLT_HISTORY`` or
``--history FILE`` to put it elsewhere, ``--history none`` for none) holds one entry per line;
an entry of several lines is written as a JSON string. Each entry is appended as it is entered
(a shell that is killed loses nothing), the file is created readable by its owner only
(statements may hold secrets), and the last :data:`LIMIT` entries are read back, into readline
too when it is there, so the arrow keys find them.
"""

from __future__ import annotations

import json
import os
from collections import deque
from typing import Any, TextIO

__all__ = ["History", "DEFAULT_FILE", "LIMIT", "history_path"]

DEFAULT_FILE = "~/.asyncbolt_history"
#: Entries kept (and read back from the file).
LIMIT = 1000


def history_path(option: str | None, interactive: bool) -> str | None:
    """The history file: ``--history`` when given (``none``/``off``: no file), else for an
    interactive session ``$ASYNCBOLT_HISTORY`` or :data:`DEFAULT_FILE`; piped input keeps its
    statements out of the file unless ``--history`` says where."""
    if option is not None:
        return None if option.strip().lower() in ("", "none", "off") else os.path.expanduser(option)
    if not interactive:
        return None
    return os.path.expanduser(os.environ.get("ASYNCBOLT_HISTORY") or DEFAULT_FILE)


def _decode(line: str) -> str:
    if line.startswith('"'):
        try:
            value = json.loads(line)
        except ValueError:
            return line
        return value if isinstance(value, str) else line
    return line


def _encode(entry: str) -> str:
    if "\n" in entry or "\r" in entry or entry.startswith('"'):
        return json.dumps(entry, ensure_ascii=False)
    return entry


class History:
    """Entries in the order entered: ``earlier`` (read from the file) then this session's."""

    def __init__(self, path: str | None = None, err: TextIO | None = None, limit: int = LIMIT) -> None:
        self.path = path
        self.err = err
        self.entries: deque[str] = deque(maxlen=limit)
        self.session: deque[str] = deque(maxlen=limit)
        self.added = 0  # entries of this session, including those no longer kept
        self.problem: str | None = None  # why the file is not used (said once)
        if path is not None:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    for line in deque(f, maxlen=limit):
                        line = line.rstrip("\r\n")
                        if line:
                            self.entries.append(_decode(line))
            except FileNotFoundError:
                pass
            except OSError as exc:
                self._give_up(f"cannot read the history file {path}: {exc.strerror or exc}")
        self.earlier = len(self.entries)

    def _give_up(self, why: str) -> None:
        self.problem = why
        self.path = None
        if self.err is not None:
            self.err.write(f"asyncbolt shell: {why} (the history is kept for this session only)\n")

    def add(self, entry: str) -> None:
        """One statement or command, as entered (kept, and appended to the file)."""
        entry = entry.strip()
        if not entry:
            return
        self.entries.append(entry)
        self.session.append(entry)
        self.added += 1
        if self.path is None:
            return
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(_encode(entry) + "\n")
        except OSError as exc:
            self._give_up(f"cannot write the history file {self.path}: {exc.strerror or exc}")

    def show(self, everything: bool = False) -> str:
        """This session's entries (``everything``: the earlier sessions' too), numbered; the
        lines after an entry's first are indented under it."""
        shown = list(self.entries) if everything else list(self.session)
        start = 1 if everything else self.earlier + self.added - len(self.session) + 1
        width = len(str(start + len(shown)))
        lines = []
        for number, entry in enumerate(shown, start):
            first, *rest = entry.split("\n")
            lines.append(f"{number:>{width}}  {first}")
            lines.extend(f"{'':>{width}}  {line}" for line in rest)
        return "\n".join(lines)

    def into_readline(self, readline: Any) -> None:
        """Hand the entries to readline (the arrow keys recall them)."""
        try:
            readline.clear_history()
            readline.set_history_length(self.entries.maxlen or LIMIT)
            for entry in self.entries:
                readline.add_history(entry)
        except (AttributeError, OSError):  # pragma: no cover - a readline without these
            pass
