"""Opening a connection: :func:`connect`, Bolt URIs (:func:`parse_uri`), the version proposals
of the handshake, the TLS context of a scheme, and the second attempt with legacy proposals."""

from __future__ import annotations

import asyncio
import ssl as _ssl
from collections.abc import Generator, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from asyncbolt._generated.versions import MANIFEST_ONLY, since
from asyncbolt.client.auth import auth_token
from asyncbolt.client.connection import (
    AUTO,
    DEFAULT_FETCH_SIZE,
    DEFAULT_MAX_BUFFERED_BYTES,
    DEFAULT_MAX_BUFFERED_RECORDS,
    DEFAULT_PORT,
    USER_AGENT,
    Connection,
    Version,
)
from asyncbolt.client.deadline import expired_error
from asyncbolt.client.notifications import NotificationFilters
from asyncbolt.client.opening import keep_alive_idle
from asyncbolt.client.tls import TrustStore, connect_failure, tls_settings
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.errors import HandshakeError, ServiceUnavailable
from asyncbolt.security import redact_uri, require_tls12

__all__ = ["connect", "parse_uri", "DEFAULT_PROPOSALS", "LEGACY_PROPOSALS"]


#: What we offer by default: the manifest (reaches 6.x), then 5.8-5.0, 4.4-4.2 and 3.0, as the
#: official 6.x drivers: four slots, and Bolt 3.0 (Neo4j 3.5) is far more common than 4.1.
DEFAULT_PROPOSALS = [(5, 8, 8), (4, 4, 2), (3, 0)]
#: Offered on a second attempt when a server took none of the above: 4.1 (Neo4j 4.1, and a 4.2
#: that reads no version ranges), 4.0, 2.0 and 1.0 (Neo4j 3.0-3.4), each spelled out.
LEGACY_PROPOSALS = [(4, 1), (4, 0), (2, 0), (1, 0)]


def parse_uri(uri: str) -> tuple[str, str, int, dict[str, str]]:
    """``scheme://host:port?routing=context`` -> (scheme, host, port, query parameters)."""
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower()
    known = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc", "tcp")
    if scheme not in known:
        raise ValueError(f"unsupported URI scheme {scheme!r} in {redact_uri(uri)!r}; "
                         f"use one of {', '.join(known)}")
    if parsed.path not in ("", "/"):
        raise ValueError(f"a Bolt URI has no path: {redact_uri(uri)!r}")
    host = parsed.hostname or "localhost"
    port = parsed.port or DEFAULT_PORT
    query = dict(parse_qsl(parsed.query, keep_blank_values=False))
    if parsed.username and parsed.password is not None:
        query.setdefault("_user", unquote(parsed.username))
        query.setdefault("_password", unquote(parsed.password))
    return scheme, host, port, query


def _ssl_for(scheme: str, ssl: _ssl.SSLContext | bool | None) -> _ssl.SSLContext | None:
    """The TLS context for a scheme (or the user's own), never below TLS 1.2."""
    if isinstance(ssl, _ssl.SSLContext):
        return require_tls12(ssl)
    if scheme.endswith("+s"):
        return require_tls12(_ssl.create_default_context())
    if scheme.endswith("+ssc"):
        context = _ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = _ssl.CERT_NONE
        return require_tls12(context)
    if ssl:
        return require_tls12(_ssl.create_default_context())
    return None


def _spell_out_pre_range(slots: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Ranges as the official drivers offer them: only down to 4.2 (ranges came with 4.3 and
    were backported to 4.2); 4.1, 4.0 and older versions each get a plain slot of their own, as
    servers before ranges compare a slot with one version."""
    floor_major, floor_minor = since("handshake_ranges_read")
    out = []
    for major, minor, range_ in slots:
        low = minor - range_
        if (major, low) >= (floor_major, floor_minor):
            out.append((major, minor, range_))
            continue
        top = minor
        if major == floor_major and minor >= floor_minor:
            out.append((major, minor, minor - floor_minor))
            top = floor_minor - 1
        out.extend((major, m, 0) for m in range(top, low - 1, -1))
    return out


def _proposals(versions: Iterable[Version] | None) -> tuple[list, bool]:
    if versions is None:
        return list(DEFAULT_PROPOSALS), True
    from asyncbolt.core.handshake import compress_versions

    wanted = sorted({(int(a), int(b)) for a, b in versions}, reverse=True)
    # The manifest slot only for versions nothing else reaches: it costs a slot that 4.1 (or
    # 3.0) needs when older versions are wanted too, and a 5.7/5.8 server takes a legacy range.
    manifest = any(v in MANIFEST_ONLY for v in wanted)
    slots = [(p[0], p[1], p[2]) for p in map(tuple, compress_versions(wanted))]
    limit = 3 if manifest else 4
    plain = _spell_out_pre_range(slots)
    if len(plain) <= limit:  # else the ranges, which at least reach servers that read them
        slots = plain
    if len(slots) > limit:
        raise ValueError(f"{len(slots)} version ranges do not fit in the handshake's {limit} slots")
    return slots, manifest


_FROM_URI: Any = object()


async def _open_connection(scheme: str, host: str, port: int, query: dict, *, auth: Any,
                           ssl: Any, user_agent: str, fetch_size: int, versions: Any,
                           timeout: float | None, routing: Any = _FROM_URI,
                           server_hostname: str | None = None,
                           limits: dict[str, Any] | None = None,
                           connect_timeout: float | None = None, keep_alive: bool | float = True,
                           write_timeout: float | None = None) -> Connection:
    """Open and authenticate a connection within ``timeout`` (the connect itself also within
    ``connect_timeout``). ``routing`` (the driver's: one context, naming the URI's address, for
    every connection of a cluster) overrides the one made from the URI; ``server_hostname`` is
    what TLS verifies when ``host`` is an address resolved from it. ``keep_alive``: TCP
    keep-alive on the socket; ``write_timeout``: see :func:`connect`'s
    ``connection_write_timeout``; both may come in ``limits`` too (the driver's)."""
    limits = dict(limits or {})
    idle = keep_alive_idle(limits.pop("keep_alive", keep_alive))
    write_timeout = limits.pop("write_timeout", write_timeout)
    if write_timeout is not None and not write_timeout > 0:
        raise ValueError(f"connection_write_timeout must be positive or None, got {write_timeout!r}")
    token = auth_token(auth)
    if routing is _FROM_URI:
        routing = None
        if scheme.startswith("neo4j"):
            routing = {k: v for k, v in query.items() if not k.startswith("_")}
            routing["address"] = f"{host}:{port}"
    context = _ssl_for(scheme, ssl)
    proposals, manifest = _proposals(versions)
    attempts = [(proposals, manifest)]
    if versions is None:
        attempts.append((LEGACY_PROPOSALS, False))
    last: BaseException | None = None
    refused: list[str] = []
    for slots, use_manifest in attempts:
        conn = Connection(host=host, port=port, auth=token, user_agent=user_agent,
                          fetch_size=fetch_size, routing=routing, proposals=slots, manifest=use_manifest,
                          supported=None if versions is None else [tuple(v) for v in versions],
                          server_hostname=server_hostname, **limits)
        conn.keep_alive, conn.write_timeout = idle, write_timeout
        try:
            await conn._open(context, timeout, connect_timeout)
            return conn
        except HandshakeError as exc:
            last = exc
            await conn.close()
            if "none of the proposed" not in str(exc) and "supports none" not in str(exc):
                raise
            refused.append(", ".join(str(p) for p in conn._core.proposals))
        except (OSError, asyncio.TimeoutError) as exc:
            await conn.close()
            late = expired_error() if isinstance(exc, asyncio.TimeoutError) else None
            if late is not None:  # the acquisition's deadline, not this server's connect timeout
                raise late from exc
            if isinstance(exc, asyncio.TimeoutError) and (timeout, connect_timeout) != (None, None):
                step = ("connecting" if conn._transport is None else "the Bolt handshake"
                        if conn.protocol_version is None else "authenticating")
                limit = min(t for t in (timeout, connect_timeout if step == "connecting" else None)
                            if t is not None)
                raise ServiceUnavailable(f"connecting to {host}:{port} timed out after {limit:.3g}s "
                                         f"({step} did not finish)") from exc
            reason = connect_failure(exc, context is not None)
            raise ServiceUnavailable(f"cannot connect to {host}:{port}: {reason}") from exc
        except BaseException:
            await conn.close()
            raise
    if len(refused) > 1:
        raise HandshakeError(f"{host}:{port} supports none of the proposed versions "
                             f"({'; then '.join(refused)})") from last
    if last is None:  # (every attempt fails and keeps its error: cannot happen)
        raise ServiceUnavailable(f"cannot connect to {host}:{port}")
    raise last


class _Connect:
    """What :func:`connect` returns: await it, or use it with ``async with``."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._conn: Connection | None = None

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._factory().__await__()

    async def __aenter__(self) -> Connection:
        self._conn = await self._factory()
        return self._conn

    async def __aexit__(self, *exc: Any) -> None:
        if self._conn is not None:
            await self._conn.close()


def connect(uri: str | None = None, auth: Any = None, *,
            ssl: _ssl.SSLContext | bool | None = None, user_agent: str = USER_AGENT,
            fetch_size: int = DEFAULT_FETCH_SIZE, versions: Iterable[Version] | None = None,
            timeout: float | None = 30.0, protocol_class: Any = None, loop: Any = None,
            host: str | None = None, port: int | None = None, on_failure: Any = None,
            max_inflight: int = 2048, max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
            max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
            max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
            max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
            read_timeout: float | str | None = AUTO,
            max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
            server_agent_prefix: str | None = None, notifications_min_severity: str | None = None,
            notifications_disabled_classifications: Iterable[str] | None = None,
            keep_alive: bool | float = True, connection_write_timeout: float | None = 60.0,
            encrypted: bool | None = None, trusted_certificates: TrustStore | None = None,
            client_certificate: Any = None, ssl_context: _ssl.SSLContext | None = None,
            **kwargs: Any) -> Any:
    """Open a Bolt connection: ``conn = await connect(uri, auth=...)`` or
    ``async with connect(uri) as conn``.

    ``uri``: ``bolt://host:port`` (default ``bolt://localhost:7687``; ``bolt+s`` verified TLS,
    ``bolt+ssc`` self-signed accepted; ``neo4j://...`` sends the routing context). ``auth``:
    ``(user, password)``, a token from ``asyncbolt.bearer_auth``/``kerberos_auth``/
    ``custom_auth``, or None. ``versions``: offer only these Bolt versions (default: the highest
    common one in the spec). ``fetch_size``: records per PULL (-1: all at once). ``timeout``:
    seconds to connect, negotiate and authenticate.

    Limits on what the server may send; past one, a ``ProtocolError`` ends the connection:
    ``max_message_size`` (bytes of one message, 64 MiB; None: no limit), ``max_chunks`` (of one
    message, 65,536), ``max_depth`` (nested lists, maps and structures in a value, 256),
    ``max_decoded_values`` (values one message may decode to, counted before they are built,
    2,000,000; None: no limit),
    ``max_buffered_records`` (records received and not yet read, per result, 1,000,000: only
    reached with ``fetch_size=-1`` or when a new query makes an unread result fetch its rest),
    ``max_buffered_bytes`` (wire bytes of those records, over all results of the connection,
    64 MiB; None: no limit). A RECORD beyond what the outstanding PULL asked for (its ``n``),
    or with no PULL outstanding, is always a ``ProtocolError``, as is a well-known metadata key
    of the wrong type (spec/bolt.yaml's ``success_metadata``).
    ``read_timeout``: seconds of silence from the server, while an answer is awaited, after
    which the connection is given up with ``ServiceUnavailable``. Default ``"auto"``: the
    server's ``connection.recv_timeout_seconds`` hint if it sends one (as the official drivers
    do), else 300 s; None: no limit. Silence means no message bytes: a message stalled half-way
    is silent, and NOOP keep-alives count only while the server keeps its hint (a NOOP at least
    every hint seconds), so a hinting server keeps a long query alive indefinitely.
    ``server_agent_prefix``: refuse a server whose agent (HELLO's ``server``) does not start
    with this, raising ``UnsupportedServerProduct`` after authenticating (the official drivers
    require ``"Neo4j/"``; default None: any Bolt server is welcome).
    ``notifications_min_severity`` (``"OFF"``, ``"WARNING"``, ``"INFORMATION"``) and
    ``notifications_disabled_classifications`` (e.g. ``["HINT", "UNRECOGNIZED"]``): the
    notification filters HELLO asks the server for, Bolt 5.2+ (the key of the classifications
    is the one of the negotiated version); a server before 5.2 takes no filters, and the client
    drops what they exclude from the summaries instead.
    ``keep_alive``: TCP keep-alive on the socket, so the kernel probes a connection that idles and
    one a NAT or load balancer dropped silently is found out: True (default) probes after 60 s
    idle, then every 10 s, giving up after 6 unanswered; a number is the idle seconds before the
    first probe (set it below a load balancer's idle timeout); False turns it off.
    ``connection_write_timeout``: seconds a write may make no progress (the server reads none of
    what we send: a half-open socket, a stuck peer) before the connection is given up with
    ``ServiceUnavailable`` (default 60; None: wait forever).

    TLS: ``ssl`` (an ``SSLContext`` of your own, or True: verified against the system's CAs),
    or the official driver's options ``encrypted``, ``trusted_certificates``
    (:class:`~asyncbolt.client.tls.TrustSystemCAs`, ``TrustCustomCAs(*files)``, ``TrustAll``),
    ``client_certificate`` (a :class:`~asyncbolt.client.tls.ClientCertificate` or a provider)
    and ``ssl_context``, as :class:`asyncbolt.Driver` takes them (a ``+s``/``+ssc`` URI with
    ``encrypted``, ``trusted_certificates`` or ``ssl_context`` is a ``ConfigurationError``).

    The seed's form still works and returns a :class:`ClientSession`:
    ``await connect("tcp://localhost:7687", loop, protocol_class=MyProtocol, username=...)`` or
    ``await connect(host=..., port=..., protocol_class=...)`` (keyword arguments other than the
    above go to ``protocol_class(loop, **kwargs)``, whose ``get_init_params()`` gives the user
    agent and auth token; without a URI the seed's default port 8888 applies).
    """
    seed = (protocol_class is not None or host is not None or port is not None or bool(kwargs)
            or on_failure is not None or (uri is not None and uri.startswith("tcp://")))
    if seed:
        if isinstance(auth, asyncio.AbstractEventLoop):
            loop, auth = auth, None
        from asyncbolt.compat.client import _seed_connect

        return _Connect(lambda: _seed_connect(uri, protocol_class, loop, host, port, ssl, on_failure,
                                              max_inflight, versions, timeout, kwargs))
    scheme, host_, port_, query = parse_uri(uri or f"bolt://localhost:{DEFAULT_PORT}")
    tls = tls_settings(scheme, ssl=ssl, encrypted=encrypted,
                       trusted_certificates=trusted_certificates,
                       client_certificate=client_certificate, ssl_context=ssl_context)
    if auth is None and "_user" in query:
        auth = (query["_user"], query["_password"])

    notes = NotificationFilters.of(notifications_min_severity, notifications_disabled_classifications)
    limits = {"max_message_size": max_message_size, "max_chunks": max_chunks,
              "max_depth": max_depth, "max_buffered_records": max_buffered_records,
              "max_buffered_bytes": max_buffered_bytes, "read_timeout": read_timeout,
              "max_decoded_values": max_decoded_values,
              "server_agent_prefix": server_agent_prefix,
              "notifications_min_severity": notes.min_severity,
              "notifications_disabled_classifications": notes.disabled}

    async def factory() -> Connection:
        context, left = await tls.context_within(timeout)
        return await _open_connection(scheme, host_, port_, query, auth=auth,
                                      ssl=context, user_agent=user_agent,
                                      fetch_size=fetch_size, versions=versions, timeout=left,
                                      limits=limits, keep_alive=keep_alive,
                                      write_timeout=connection_write_timeout)

    return _Connect(factory)
