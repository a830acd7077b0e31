"""The driver: pooled connections, ``neo4j://`` cluster routing, sessions, retried transactions.

    driver = asyncbolt.Driver("neo4j://127.0.0.1:7687", auth=("neo4j", "pw"), max_pool_size=100)
    async with driver.session(db="neo4j", default_access_mode="r") as session:
        result = await session.run("MATCH (p:Person) RETURN p.name AS name")
        names = await result.values()
    total = await driver.execute_read(count_people, "Ada")     # count_people(tx, name)
    records, summary, keys = await driver.execute_query("RETURN $x AS x", x=1)
    await driver.close()

``bolt://`` URIs talk to one server through one pool; ``neo4j://`` ones route across a cluster
(see :mod:`asyncbolt.client.routing`). Sessions borrow a connection for each piece of work and give it
back as soon as the server is done with it (a result's summary arrived, a transaction ended).
Bookmarks flow through the driver's :class:`BookmarkManager`, so a session sees what any earlier
session of the driver wrote (causal consistency), even on another cluster member.
``execute_read``/``execute_write`` retry their function on transient failures with exponential
back-off and jitter. Sessions and their transactions are in :mod:`asyncbolt.client.session`
(their names are importable from here too).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from asyncbolt._generated.versions import has
from asyncbolt.client.auth_managers import (
    AcquireAuth,
    StaticAuthManager,
    acquiring_as,
    is_auth_manager,
)
from asyncbolt.client.connect import _open_connection, parse_uri
from asyncbolt.client.connection import (
    AUTO,
    DEFAULT_FETCH_SIZE,
    DEFAULT_MAX_BUFFERED_BYTES,
    DEFAULT_MAX_BUFFERED_RECORDS,
    TELEMETRY_DRIVER,
    USER_AGENT,
    Connection,
)
from asyncbolt.client.deadline import remaining, within
from asyncbolt.client.eager import (
    EagerResult,
    Query,
    RoutingControl,
    ServerInfo,
    query_text,
    to_eager_result,
)
from asyncbolt.client.homedb import HomeDatabaseCache, home_key, resolve_for
from asyncbolt.client.notifications import NotificationFilters, default_warn_severity
from asyncbolt.client.opening import keep_alive_idle
from asyncbolt.client.pool import Pool
from asyncbolt.client.routing import Address, Router
from asyncbolt.client.session import (
    _DEFAULT_TIMEOUT,
    ManagedTransaction,
    Session,
    SessionTransaction,
    is_retryable,
    retry_delays,
)
from asyncbolt.client.tls import TrustStore, tls_settings
from asyncbolt.codec.packstream import DEFAULT_MAX_DECODED_VALUES, DEFAULT_MAX_DEPTH
from asyncbolt.core.server import DEFAULT_MAX_MESSAGE_SIZE
from asyncbolt.errors import (
    IncompleteCommit,
    Neo4jError,
    ResultConsumedError,
    ResultFailedError,
    ServiceUnavailable,
    SessionExpired,
    TransactionError,
)
from asyncbolt.security import redact_uri

__all__ = ["Driver", "Session", "BookmarkManager", "SessionTransaction", "ManagedTransaction",
           "EagerResult", "Query", "RoutingControl", "ServerInfo", "IncompleteCommit", "ResultConsumedError", "ResultFailedError", "TransactionError",
           "is_retryable", "retry_delays", "unit_of_work"]

log = logging.getLogger(__name__)

#: The codes by which a server refuses credentials: verify_authentication answers False.
_AUTH_FAILURES = frozenset({
    "Neo.ClientError.Security.CredentialsExpired",
    "Neo.ClientError.Security.Forbidden",
    "Neo.ClientError.Security.TokenExpired",
    "Neo.ClientError.Security.Unauthorized",
})


def _one_of(name: str, value: Any, alias: str, alias_value: Any) -> Any:
    """``value`` or ``alias_value`` (the official driver's name for the same option): not both."""
    if alias_value is None:
        return value
    if value is not None and value != alias_value:
        raise ValueError(f"{name}={value!r} and {alias}={alias_value!r} name the same option: give one")
    return alias_value


def unit_of_work(metadata: dict[str, Any] | None = None, timeout: float | None = None) -> Callable:
    """Decorate a transaction function with the transaction's ``metadata`` and ``timeout``
    (seconds), as the official driver's ``unit_of_work`` does."""
    def wrap(fn: Callable) -> Callable:
        # Attributes on the user's function, as the official driver's decorator sets them.
        fn.metadata = metadata  # type: ignore[attr-defined]
        fn.timeout = timeout  # type: ignore[attr-defined]
        return fn
    return wrap


# -------------------------------------------------------------------------------------------
# Bookmarks


class BookmarkManager:
    """The bookmarks that sessions of one driver share, for causal consistency: each transaction
    waits for everything the manager knows, and its own bookmark replaces the ones it waited
    for. As the official driver's ``bookmark_manager``: ``initial_bookmarks``; a
    ``bookmarks_supplier()`` whose bookmarks are added to every ``get_bookmarks``; a
    ``bookmarks_consumer(bookmarks)`` told of every change. Both may be coroutines."""

    def __init__(self, initial_bookmarks: Iterable[str] | None = None,
                 bookmarks_supplier: Callable[[], Any] | None = None,
                 bookmarks_consumer: Callable[[list[str]], Any] | None = None) -> None:
        self._bookmarks: set[str] = set(initial_bookmarks or ())
        self._supplier = bookmarks_supplier
        self._consumer = bookmarks_consumer

    async def get_bookmarks(self) -> set[str]:
        marks = set(self._bookmarks)
        if self._supplier is not None:
            extra = self._supplier()
            if inspect.isawaitable(extra):
                extra = await extra
            marks.update(extra or ())
        return marks

    async def update_bookmarks(self, previous_bookmarks: Iterable[str],
                               new_bookmarks: Iterable[str]) -> None:
        new = [b for b in new_bookmarks if b]
        if not new:
            return
        self._bookmarks.difference_update(previous_bookmarks)
        self._bookmarks.update(new)
        if self._consumer is not None:
            done = self._consumer(sorted(self._bookmarks))
            if inspect.isawaitable(done):
                await done

    def _update_now(self, previous: list[str], new: list[str]) -> bool:
        """:meth:`update_bookmarks` done at once when nothing in it can wait (no consumer, and
        not overridden), so no task is needed for it; False: await update_bookmarks instead."""
        if self._consumer is not None or type(self).update_bookmarks is not BookmarkManager.update_bookmarks:
            return False
        new = [b for b in new if b]
        if new:
            self._bookmarks.difference_update(previous)
            self._bookmarks.update(new)
        return True

    def __repr__(self) -> str:
        return f"<BookmarkManager {sorted(self._bookmarks)!r}>"


# -------------------------------------------------------------------------------------------
# The driver

_DRIVER_MANAGER: Any = object()


class Driver:
    """Pooled, routed access to a Neo4j server or cluster (or anything speaking Bolt).

    ``uri``: ``bolt://host:port`` (one server; ``bolt+s``, ``bolt+ssc`` for TLS) or
    ``neo4j://host:port?policy=x`` (a cluster, routed; ``neo4j+s``, ``neo4j+ssc``; the query is
    the routing context). ``auth``: as :func:`asyncbolt.connect`, or an auth manager
    (:class:`~asyncbolt.client.auth_managers.AuthManagers`: a token asked for each connection,
    refreshed when it expires; see :mod:`asyncbolt.client.auth_managers`).

    Pool: ``max_pool_size`` connections per server; ``connection_acquisition_timeout`` seconds
    to get one (then :class:`~asyncbolt.client.pool.ConnectionAcquisitionTimeout`);
    ``connection_timeout`` to open one; ``liveness_check_timeout``: connections idle longer are
    checked with RESET before reuse (None: never); ``max_connection_lifetime``.

    Routing: ``resolver(address)`` maps the URI's address to the initial routers (each then
    resolved by DNS).

    Retries (``execute_read``/``execute_write``): up to ``max_retry_time`` seconds after the first
    failure, waiting ``initial_retry_delay``, then ``× retry_delay_multiplier`` each time, each
    wait moved by up to ``± retry_delay_jitter`` of itself.

    ``telemetry_disabled``: never send TELEMETRY (Bolt 5.4+: which API ran each piece of
    work, sent only to servers whose HELLO asks for it with the ``telemetry.enabled`` hint).

    ``bookmark_manager``: shared by the sessions (default: a new :class:`BookmarkManager`, also
    :attr:`bookmark_manager`); ``None`` makes sessions chain only their own bookmarks.
    TLS (see :mod:`asyncbolt.client.tls`): a ``+s`` URI verifies the server against the system's
    CAs, ``+ssc`` accepts any certificate; with ``bolt://``/``neo4j://``, ``encrypted=True``
    and ``trusted_certificates`` (``TrustSystemCAs()``, the default; ``TrustCustomCAs(*files)``;
    ``TrustAll()``), or an ``ssl_context`` of your own. ``client_certificate``: a
    ``ClientCertificate`` or a provider (``ClientCertificateProviders.static``/``rotating``),
    asked before each new connection, for mutual TLS. A ``+s``/``+ssc`` URI with
    ``encrypted``, ``trusted_certificates`` or ``ssl_context``, or options that contradict
    each other, are a ``ConfigurationError``; a missing file is one naming the file.
    ``ssl``, ``user_agent``, ``fetch_size``, ``versions`` and the limits ``max_message_size``,
    ``max_chunks``, ``max_depth``, ``max_decoded_values``, ``max_buffered_records``, ``max_buffered_bytes``,
    ``read_timeout``, ``server_agent_prefix``, ``keep_alive``, ``connection_write_timeout``: as
    :func:`asyncbolt.connect`.

    Notifications (see :mod:`asyncbolt.client.notifications`): ``notifications_min_severity``
    (``"OFF"``, ``"WARNING"``, ``"INFORMATION"`` or a ``NotificationMinimumSeverity``) and
    ``notifications_disabled_classifications`` (or the older name
    ``notifications_disabled_categories``; e.g. ``["HINT", "UNRECOGNIZED"]``) ask the server
    (Bolt 5.2+, in HELLO) to leave those out; older servers get no filter and the client drops
    them from the summaries instead. ``warn_notification_severity``: notifications at or above
    this severity are also issued as :class:`~asyncbolt.errors.NotificationWarning` (default
    None: none, but INFORMATION under ``python -X dev``; ``"OFF"``: none).
    """

    def __init__(self, uri: str, auth: Any = None, *, max_pool_size: int | None = 100,
                 connection_acquisition_timeout: float | None = 60.0,
                 connection_timeout: float | None = 30.0,
                 liveness_check_timeout: float | None = None,
                 max_connection_lifetime: float | None = 3600.0,
                 max_retry_time: float = 30.0, initial_retry_delay: float = 1.0,
                 retry_delay_multiplier: float = 2.0, retry_delay_jitter: float = 0.2,
                 resolver: Callable[[Address], Any] | None = None,
                 bookmark_manager: Any = _DRIVER_MANAGER, ssl: Any = None,
                 user_agent: str = USER_AGENT, fetch_size: int = DEFAULT_FETCH_SIZE,
                 versions: Iterable[tuple[int, int]] | None = None,
                 max_message_size: int | None = DEFAULT_MAX_MESSAGE_SIZE,
                 max_chunks: int | None = None, max_depth: int = DEFAULT_MAX_DEPTH,
                 max_buffered_records: int = DEFAULT_MAX_BUFFERED_RECORDS,
                 max_buffered_bytes: int | None = DEFAULT_MAX_BUFFERED_BYTES,
                 read_timeout: float | str | None = AUTO,
                 max_decoded_values: int | None = DEFAULT_MAX_DECODED_VALUES,
                 server_agent_prefix: str | None = None,
                 telemetry_disabled: bool = False, keep_alive: bool | float = True,
                 connection_write_timeout: float | None = 60.0,
                 notifications_min_severity: str | None = None,
                 notifications_disabled_classifications: Iterable[str] | None = None,
                 notifications_disabled_categories: Iterable[str] | None = None,
                 warn_notification_severity: str | None = None, encrypted: bool | None = None,
                 trusted_certificates: TrustStore | None = None, client_certificate: Any = None,
                 ssl_context: Any = None) -> None:
        scheme, host, port, query = parse_uri(uri)
        if scheme == "tcp":
            raise ValueError("Driver takes bolt:// or neo4j:// URIs (tcp:// is the seed API's)")
        if auth is None and "_user" in query:
            auth = (query["_user"], query["_password"])
        context = {k: v for k, v in query.items() if not k.startswith("_")}
        self.routing = scheme.startswith("neo4j")
        if self.routing:
            if "address" in context:
                raise ValueError("'address' is reserved in the routing context: the driver sets it")
            context["address"] = str(Address(host, port))
        elif context:
            raise ValueError(f"routing context parameters ({', '.join(context)}) need a neo4j:// "
                             f"URI, not {redact_uri(uri)}")
        #: The URI as given, with the password of a ``user:password@`` redacted (reprs, logs).
        self.uri = redact_uri(uri)
        self.address = Address(host, port)
        self.max_retry_time = max_retry_time
        self.initial_retry_delay = initial_retry_delay
        self.retry_delay_multiplier = retry_delay_multiplier
        self.retry_delay_jitter = retry_delay_jitter
        self.bookmark_manager = BookmarkManager() if bookmark_manager is _DRIVER_MANAGER else bookmark_manager
        #: execute_query's own bookmark manager (not the sessions'), as the official driver's.
        self.execute_query_bookmark_manager = BookmarkManager()
        self._scheme = scheme
        self._auth = auth
        #: Who gives the driver's connections their token (a static manager for a token).
        self.auth_manager = auth if is_auth_manager(auth) else StaticAuthManager(auth)
        self._tls = tls_settings(scheme, ssl=ssl, encrypted=encrypted,
                                 trusted_certificates=trusted_certificates,
                                 client_certificate=client_certificate, ssl_context=ssl_context)
        self._user_agent = user_agent
        self._fetch_size = fetch_size
        self._versions = None if versions is None else [tuple(v) for v in versions]
        self._limits = {"max_message_size": max_message_size, "max_chunks": max_chunks,
                        "max_depth": max_depth, "max_buffered_records": max_buffered_records,
                        "max_buffered_bytes": max_buffered_bytes, "read_timeout": read_timeout,
                        "max_decoded_values": max_decoded_values,
                        "server_agent_prefix": server_agent_prefix}
        if connection_write_timeout is not None and not connection_write_timeout > 0:
            raise ValueError("connection_write_timeout must be positive or None, "
                             f"got {connection_write_timeout!r}")
        keep_alive_idle(keep_alive)  # (a wrong value fails here, not at the first connection)
        self._limits.update(keep_alive=keep_alive, write_timeout=connection_write_timeout)
        notes = NotificationFilters.of(notifications_min_severity,
                                       notifications_disabled_classifications,
                                       notifications_disabled_categories)
        #: What HELLO asks of the server (Connection's options; see asyncbolt.client.notifications).
        self._hello_filters: dict[str, Any] = {
            "notifications_min_severity": notes.min_severity,
            "notifications_disabled_classifications": notes.disabled}
        #: Notifications at or above this severity are also Python warnings (None: none).
        self.warn_notification_severity = default_warn_severity(warn_notification_severity)
        self._context = context if self.routing else None
        self._acquisition_timeout = connection_acquisition_timeout
        self.telemetry_disabled = telemetry_disabled
        self._pool = Pool(self._open, max_size=max_pool_size,
                          acquisition_timeout=connection_acquisition_timeout,
                          connection_timeout=connection_timeout,
                          liveness_check_timeout=liveness_check_timeout,
                          max_lifetime=max_connection_lifetime, on_error=self._on_error)
        self._pool.auth = AcquireAuth(self.auth_manager)
        self._router = (Router(self._pool, self.address, context, resolver=resolver)
                        if self.routing else None)
        self._closed = False

    @property
    def encrypted(self) -> bool:
        """Whether the driver's connections use TLS."""
        return self._tls.encrypted

    @property
    def pool(self) -> Pool:
        return self._pool

    def pool_stats(self) -> dict[Address, dict[str, Any]]:
        """Per server address: connections ``in_use``, ``idle``, ``opening`` and ``waiting`` now;
        ``created`` and ``closed`` since the driver started, and ``closed_by_reason`` (see
        :data:`asyncbolt.client.pool.CLOSE_REASONS`)."""
        return self._pool.pool_stats()

    @property
    def router(self) -> Router | None:
        """The routing tables (``neo4j://`` only)."""
        return self._router

    async def _open(self, address: Address, timeout: float | None, auth: Any = _DRIVER_MANAGER) -> Connection:
        hostname = self._router.hostnames.get(address) if self._router is not None else None
        context, timeout = await self._tls.context_within(timeout)
        conn = await _open_connection(self._scheme, address.host, address.port, {},
                                      auth=(await self.auth_manager.get_auth()
                                            if auth is _DRIVER_MANAGER else auth),
                                      ssl=context, user_agent=self._user_agent,
                                      fetch_size=self._fetch_size, versions=self._versions,
                                      timeout=timeout, routing=self._context,
                                      server_hostname=hostname,
                                      limits={**self._limits, **self._hello_filters},
                                      connect_timeout=self._pool.connection_timeout)
        if self._router is not None:
            # A cluster member lost mid-work: the work may go on elsewhere (the official drivers'
            # SessionExpired; retried by execute_read/execute_write like any ServiceUnavailable).
            conn.lost = SessionExpired
            self._router.note_connection(address, conn)
        return conn

    def _telemetry(self, api: int) -> int | None:
        """The TELEMETRY api to announce with a piece of work (None: telemetry disabled)."""
        return None if self.telemetry_disabled else api

    def _on_error(self, address: Address, error: BaseException, db: str | None) -> None:
        if self._router is not None:
            self._router.on_error(address, error, db)
        elif isinstance(error, ServiceUnavailable):
            self._pool.deactivate(address)
        # (AuthorizationExpired: the pool re-authenticates the server's other connections)

    async def _acquire(self, readonly: bool, db: str | None, bookmarks: list[str],
                       imp_user: str | None, timeout: Any = _DEFAULT_TIMEOUT,
                       **pool_options: Any) -> Connection:
        """A connection within ``timeout`` (default: connection_acquisition_timeout), routing
        table refresh included; ``pool_options`` for :meth:`Pool.acquire`."""
        self._check_open()
        if timeout is _DEFAULT_TIMEOUT:
            timeout = self._acquisition_timeout
        router = self._router

        async def work() -> Connection:
            left = remaining(timeout)  # one deadline over it all (deadline.py)
            if router is not None:
                return await router.acquire(readonly, db, bookmarks, imp_user, left,
                                            **pool_options)
            return await self._pool.acquire(self.address, left, db=db, **pool_options)
        return await within(self.uri, timeout, work)

    async def _acquire_for(self, session: Session, readonly: bool, marks: list[str],
                           timeout: Any = _DEFAULT_TIMEOUT, **pool_options: Any) -> Connection:
        """A connection for a session's next work: its home database first when it has none
        (cached or resolved, :mod:`asyncbolt.client.homedb`), all within one deadline."""
        if timeout is _DEFAULT_TIMEOUT:
            timeout = self._acquisition_timeout

        async def work() -> Connection:
            if not session._db_known and session._db_guess is None:
                await resolve_for(session, marks, remaining(timeout))
            db = session._db if session._db_known else session._db_guess
            return await self._acquire(readonly, db, marks, session._imp_user, remaining(timeout),
                                       **pool_options)
        return await within(self.uri, timeout, work)

    async def _home_database(self, bookmarks: list[str], imp_user: str | None,
                             timeout: Any = _DEFAULT_TIMEOUT, cache_key: Any = None) -> str | None:
        """The home database's name, as the routers answer it now (None: not named, or no
        routing); cached under ``cache_key`` (None: ``imp_user``'s, which is None for the
        driver's own user)."""
        self._check_open()
        router = self._router
        if router is None:
            return None
        if timeout is _DEFAULT_TIMEOUT:
            timeout = self._acquisition_timeout
        key = home_key(imp_user) if cache_key is None else cache_key

        async def work() -> str | None:
            return await router.home_database(bookmarks, imp_user, remaining(timeout), key)
        return await within(self.uri, timeout, work)


    @property
    def home_database_cache(self) -> HomeDatabaseCache | None:
        """The home database of each user, as resolved (``neo4j://`` only; see
        :class:`~asyncbolt.client.homedb.HomeDatabaseCache`: ``stats()``, ``clear()``,
        ``ttl``, ``max_size``)."""
        return None if self._router is None else self._router.home_db

    def _check_open(self) -> None:
        if self._closed:
            raise ServiceUnavailable("the driver is closed")

    def session(self, db: str | None = None, default_access_mode: str = "w", *,
                bookmarks: Iterable[str] | None = None, bookmark_manager: Any = _DRIVER_MANAGER,
                fetch_size: int | None = None, imp_user: str | None = None,
                database: str | None = None, impersonated_user: str | None = None,
                notifications_min_severity: str | None = None,
                notifications_disabled_classifications: Iterable[str] | None = None,
                notifications_disabled_categories: Iterable[str] | None = None,
                warn_notification_severity: str | None = None, auth: Any = None) -> Session:
        """A session on ``db`` (default: the server's home database). ``default_access_mode``:
        ``"r"`` (readers) or ``"w"`` (the writer), for ``run`` and ``begin_transaction``.
        ``bookmarks``: wait for these transactions first. ``bookmark_manager``: default the
        driver's; None: none. ``imp_user``: run as this user (Bolt 4.4+). ``database`` and
        ``impersonated_user`` are the official driver's names for ``db`` and ``imp_user``. The
        notification options are the Driver's, for this session's work (sent in BEGIN/RUN; each
        one set overrides the driver's). ``auth``: a token (or ``(user, password)``) for this
        session's connections instead of the driver's: they switch to it with LOGOFF/LOGON as
        the session acquires them (Bolt 5.1+; a ConfigurationError before, see
        :meth:`supports_session_auth`), and back for the next session without it."""
        self._check_open()
        db = _one_of("db", db, "database", database)
        imp_user = _one_of("imp_user", imp_user, "impersonated_user", impersonated_user)
        manager = self.bookmark_manager if bookmark_manager is _DRIVER_MANAGER else bookmark_manager
        notes = NotificationFilters.of(notifications_min_severity,
                                       notifications_disabled_classifications,
                                       notifications_disabled_categories, warn_notification_severity)
        notes = notes.over(NotificationFilters(warn=self.warn_notification_severity))
        return Session(self, db=db, default_access_mode=default_access_mode, bookmarks=bookmarks,
                       bookmark_manager=manager, fetch_size=fetch_size, imp_user=imp_user,
                       notifications=notes, auth=auth)

    async def execute_read(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                           db_: str | None = None, **kwargs: Any) -> Any:
        """:meth:`Session.execute_read` in a session of its own on ``db_``."""
        async with self.session(db=db_, default_access_mode="r") as session:
            return await session.execute_read(transaction_function, *args, **kwargs)

    async def execute_write(self, transaction_function: Callable[..., Awaitable[Any]], *args: Any,
                            db_: str | None = None, **kwargs: Any) -> Any:
        """:meth:`Session.execute_write` in a session of its own on ``db_``."""
        async with self.session(db=db_) as session:
            return await session.execute_write(transaction_function, *args, **kwargs)

    async def execute_query(self, query_: str | Query, parameters_: dict[str, Any] | None = None,
                            routing_: RoutingControl | str = RoutingControl.WRITE,
                            database_: str | None = None, impersonated_user_: str | None = None,
                            bookmark_manager_: Any = _DRIVER_MANAGER, auth_: Any = None,
                            result_transformer_: Callable[[Any], Awaitable[Any]] = to_eager_result,
                            notifications_min_severity_: str | None = None,
                            notifications_disabled_classifications_: Iterable[str] | None = None,
                            notifications_disabled_categories_: Iterable[str] | None = None,
                            warn_notification_severity_: str | None = None,
                            **kwargs: Any) -> Any:
        """Run one query in a retried transaction (as ``execute_read``/``execute_write``) of a
        session of its own and return ``await result_transformer_(result)``: by default an
        :class:`EagerResult` ``(records, summary, keys)``.

        ``query_``: a string or a :class:`Query` (its metadata and timeout are the
        transaction's). ``parameters_`` and then ``kwargs`` (which win) are the query's
        parameters; a keyword ending in one ``_`` is a ValueError (a misspelt option).
        ``routing_``: ``RoutingControl.WRITE`` (default) or ``READ`` (or "w"/"r").
        ``database_``: default the home database. ``impersonated_user_``: Bolt 4.4+.
        ``bookmark_manager_``: default :attr:`execute_query_bookmark_manager`; None: no causal
        chaining. ``auth_``: a token for this query's session instead of the driver's (see
        :meth:`session`'s ``auth``). ``notifications_min_severity_``,
        ``notifications_disabled_classifications_`` (or ``..._categories_``),
        ``warn_notification_severity_``: the session options of :meth:`session`. Announced to
        Bolt 5.4+ servers as the driver-level API (TELEMETRY 3)."""
        self._check_open()
        wrong = [k for k in kwargs if k.endswith("_") and not k.endswith("__")]
        if wrong:
            raise ValueError(f"keyword parameters must not end with a single '_': {wrong!r} (a "
                             "misspelt option of execute_query? a query parameter of that name "
                             "goes in parameters_)")
        readonly = RoutingControl.parse(routing_) is RoutingControl.READ
        text, metadata, timeout = query_text(query_)
        parameters = {**(parameters_ or {}), **kwargs}
        manager = (self.execute_query_bookmark_manager if bookmark_manager_ is _DRIVER_MANAGER
                   else bookmark_manager_)

        @unit_of_work(metadata, timeout)
        async def work(tx: ManagedTransaction) -> Any:
            return await result_transformer_(await tx.run(text, parameters))

        async with self.session(db=database_, default_access_mode="r" if readonly else "w",
                                bookmark_manager=manager, imp_user=impersonated_user_,
                                notifications_min_severity=notifications_min_severity_,
                                notifications_disabled_classifications=notifications_disabled_classifications_,
                                notifications_disabled_categories=notifications_disabled_categories_,
                                warn_notification_severity=warn_notification_severity_,
                                auth=auth_) as session:
            return await session._run_transaction(readonly, work, (), {}, TELEMETRY_DRIVER,
                                                  eager_begin=False)

    async def get_server_info(self) -> ServerInfo:
        """Reach a server as :meth:`verify_connectivity` does and say what it is."""
        conn = await self._reader(None, liveness_check_timeout=0)
        try:
            return ServerInfo(Address(conn.host, conn.port), conn.server_agent, conn.protocol_version,
                              conn.connection_id)
        finally:
            await self._pool.release(conn)

    async def verify_authentication(self, auth: Any = None) -> bool:
        """Whether a server accepts ``auth`` (default: the driver's current token): True, or
        False when it refuses the credentials (Unauthorized, Forbidden, TokenExpired,
        CredentialsExpired); other failures (the server unreachable...) raise. A reader of the
        ``system`` database authenticates anew (LOGON on a pooled connection, or a new one), as
        a session with that ``auth`` would: another ``auth`` needs Bolt 5.1+
        (ConfigurationError before)."""
        session_auth = None if auth is None else AcquireAuth(StaticAuthManager(auth), session=True)
        try:
            with acquiring_as(session_auth):
                conn = await self._acquire(True, "system", [], None, force_auth=True)
            await self._pool.release(conn)
            return True
        except Neo4jError as exc:
            if exc.code in _AUTH_FAILURES:
                return False
            raise

    async def supports_session_auth(self) -> bool:
        """Whether the server (for ``neo4j://``, a reader of the home database) can take
        session-level auth (``session(auth=...)``): Bolt 5.1+ (LOGOFF/LOGON)."""
        conn = await self._reader(None)
        try:
            return has("logon", conn.negotiated_version)
        finally:
            await self._pool.release(conn)

    async def verify_connectivity(self, db: str | None = None) -> None:
        """Reach a server or raise: for ``neo4j://``, a reader of ``db`` (default: the home
        database, asked of the routers as a new session does). A pooled connection is checked
        with RESET first, as the official drivers do."""
        conn = await self._reader(db, liveness_check_timeout=0)
        await self._pool.release(conn)

    async def supports_multi_db(self) -> bool:
        """Whether the server (for ``neo4j://``, a reader of the home database) has several
        databases, i.e. speaks Bolt 4.0+, as the official drivers' ``supports_multi_db``."""
        conn = await self._reader(None)
        try:
            return has("multi_db", conn.negotiated_version)
        finally:
            await self._pool.release(conn)

    async def _reader(self, db: str | None, **pool_options: Any) -> Connection:
        """A connection to a reader of ``db``, found as a new session's first work finds one."""
        async def work() -> Connection:
            name = db
            if name is None:
                name = await self._home_database([], None)
            return await self._acquire(True, name, [], None, **pool_options)
        return await within(self.uri, self._acquisition_timeout, work)

    async def close(self) -> None:
        """Close every pooled connection (GOODBYE on each); the driver is unusable afterwards."""
        self._closed = True
        await self._pool.close()

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Driver:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<Driver {self.uri!r} routing={self.routing}>"
