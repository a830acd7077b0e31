"""What a server process holds, read from Linux's /proc: open file descriptors, sockets, RSS."""

from __future__ import annotations

import os

__all__ = ["fd_count", "socket_count", "rss_bytes", "available"]


def available(pid: int | None = None) -> bool:
    """Whether /proc describes ``pid`` (Linux)."""
    return os.path.isdir(f"/proc/{pid or os.getpid()}/fd")


def fd_count(pid: int) -> int:
    """Open file descriptors of ``pid``."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def socket_count(pid: int) -> int:
    """Open sockets of ``pid`` (listening ones included)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:  # closed meanwhile
            pass
    return count


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` in bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no VmRSS for pid {pid}")
