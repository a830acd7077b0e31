"""Decoding long messages off the event loop (shared by the server and the client runtimes).

The longest message the default ``max_decoded_values`` allows takes ~0.1 s to decode with the C
codec and ~0.3 s in pure Python: on the event loop, every other connection would wait that long.
Messages longer than :data:`OFFLOAD_BYTES` are decoded in one of two worker threads instead,
where the pure-Python decoder hands the interpreter back to the loop every few milliseconds.
"""

from __future__ import annotations

import concurrent.futures

__all__ = ["OFFLOAD_BYTES", "decoder_pool"]

#: Messages longer than this are decoded in a worker thread.
OFFLOAD_BYTES = 256 * 1024
_pool: concurrent.futures.ThreadPoolExecutor | None = None


def decoder_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The two threads, shared by every server and connection of the process."""
    global _pool
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="asyncbolt-decode")
    return _pool
