"""testkit's driver-level requests: ``ExecuteQuery`` (answered with an ``EagerResult``) and the
bookmark managers it and sessions may name (``NewBookmarkManager``, whose supplier and consumer
are testkit's callbacks, and ``BookmarkManagerClose``). A mixin of :class:`Backend`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asyncbolt.client.driver import BookmarkManager, Driver
from asyncbolt.client.eager import Query

from .values import from_testkit, to_testkit

__all__ = ["DriverLevelRequests"]


def _ms(value: Any) -> float | None:
    return None if value is None else value / 1000


def _params(params: Any) -> dict[str, Any]:
    return {k: from_testkit(v) for k, v in (params or {}).items()}


class DriverLevelRequests:
    """Handlers for the requests above; the Backend supplies the tables and testkit callbacks."""

    drivers: dict[int, Driver]
    bookmark_managers: dict[int, BookmarkManager]
    #: (NotificationRequests's, another base of the Backend)
    notification_options: Callable[..., dict[str, Any]]

    def _new_id(self) -> int:
        raise NotImplementedError

    async def _callback(self, name: str, data: dict, answer: str) -> dict:
        raise NotImplementedError

    def _not_supported(self, what: str) -> Exception:
        raise NotImplementedError

    # -- bookmark managers ------------------------------------------------------------------

    async def on_NewBookmarkManager(self, data: dict) -> dict:
        manager_id = self._new_id()

        async def supplier() -> list[str]:
            got = await self._callback("BookmarksSupplierRequest",
                                       {"bookmarkManagerId": manager_id},
                                       "BookmarksSupplierCompleted")
            return list(got.get("bookmarks") or [])

        async def consumer(bookmarks: list[str]) -> None:
            await self._callback("BookmarksConsumerRequest",
                                 {"bookmarkManagerId": manager_id, "bookmarks": bookmarks},
                                 "BookmarksConsumerCompleted")

        manager = BookmarkManager(
            data.get("initialBookmarks"),
            bookmarks_supplier=supplier if data.get("bookmarksSupplierRegistered") else None,
            bookmarks_consumer=consumer if data.get("bookmarksConsumerRegistered") else None)
        self.bookmark_managers[manager_id] = manager
        return {"name": "BookmarkManager", "data": {"id": manager_id}}

    async def on_BookmarkManagerClose(self, data: dict) -> dict:
        self.bookmark_managers.pop(data["id"], None)
        return {"name": "BookmarkManager", "data": {"id": data["id"]}}

    def bookmark_manager(self, manager_id: Any, default: Any) -> Any:
        """The manager testkit names: ``default`` for none, None for -1."""
        if manager_id is None:
            return default
        if manager_id == -1:
            return None
        return self.bookmark_managers[manager_id]

    # -- execute_query ----------------------------------------------------------------------

    async def on_ExecuteQuery(self, data: dict) -> dict:
        from .server import summary_data  # (server imports this module)
        driver = self.drivers[data["driverId"]]
        config = data.get("config") or {}
        from .server import _auth

        manager = self.bookmark_manager(config.get("bookmarkManagerId"),
                                        driver.execute_query_bookmark_manager)
        query = Query(data["cypher"], _params(config.get("txMeta")) or None,
                      _ms(config.get("timeout")))
        seen: dict[str, Any] = {}

        async def transform(result: Any) -> Any:
            conn = result._s.conn
            seen["address"] = f"{conn.host}:{conn.port}"
            return await result.to_eager_result()

        records, summary, keys = await driver.execute_query(
            query, _params(data.get("params")), routing_=config.get("routing") or "w",
            database_=config.get("database"), impersonated_user_=config.get("impersonatedUser"),
            bookmark_manager_=manager, result_transformer_=transform,
            auth_=_auth(config.get("authorizationToken")),
            **self.notification_options(config, "_"))
        return {"name": "EagerResult", "data": {
            "keys": keys,
            "records": [{"values": [to_testkit(v) for v in r]} for r in records],
            "summary": summary_data(summary, seen["address"]),
        }}
