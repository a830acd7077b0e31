"""Decode and validate a captured Bolt conversation, sans-IO (used by ``asyncbolt inspect`` and
the proxy).

Feed the bytes of each direction to a :class:`Conversation` in any slices; it returns
:class:`Event` objects (the handshake, every message decoded with the strict construct schemas,
NOOPs) and collects :class:`Problem` objects: each names the byte offset in that side's stream,
the path of the field (``RECORD.data[3].properties``) and what is wrong. Nothing raises: damaged
input is reported, and decoding resumes with the next message wherever the chunk framing allows.

When both sides are present, the server's answers are paired with the client's requests in
order and checked against the state machine the server and the client step too
(:class:`asyncbolt.core.states.StateMachine`, a transaction's qids included): a RECORD without an
open PULL, a SUCCESS or FAILURE where IGNORED was due (after a FAILURE, before RESET), a request
the state does not allow. A server message is only emitted once the request it answers has been
seen, so the events (and their problems) do not depend on how the two streams were sliced or
interleaved.

The parts: :mod:`.events` (Problem, Event, names and layouts), :mod:`.handshake` (reading the
handshake with :mod:`asyncbolt.core.handshake`'s parsers), :mod:`.conversation` (framing with
the tolerant :class:`~asyncbolt.core.framing.ChunkReader`, decoding, pairing), :mod:`.render`
(text and JSON).
"""

from asyncbolt.tools.dump.conversation import Conversation
from asyncbolt.tools.dump.events import (
    CLIENT,
    DEFAULT,
    MAX_MESSAGE_SIZE,
    MAX_PENDING_REQUESTS,
    MAX_QUEUED_BYTES,
    REFERENCE_MAX_BYTES,
    SERVER,
    Event,
    Problem,
    format_path,
    make_codec,
)
from asyncbolt.tools.dump.events import _layout as _layout  # (asyncbolt.tools.script uses it)
from asyncbolt.tools.dump.render import (
    ELIDE_BYTES,
    ELIDE_CHARS,
    ELIDE_ITEMS,
    ELIDE_PARTS,
    ELIDE_RAW,
    ELIDE_TOTAL,
    render_json,
    render_text,
)

__all__ = ["Problem", "Event", "Conversation", "render_text", "render_json", "format_path",
           "CLIENT", "SERVER", "DEFAULT", "make_codec", "MAX_MESSAGE_SIZE", "MAX_PENDING_REQUESTS",
           "MAX_QUEUED_BYTES", "REFERENCE_MAX_BYTES", "ELIDE_BYTES", "ELIDE_CHARS", "ELIDE_ITEMS",
           "ELIDE_PARTS", "ELIDE_RAW", "ELIDE_TOTAL"]
