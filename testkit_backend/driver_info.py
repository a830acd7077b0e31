"""testkit's requests that ask a driver about itself and its routing: ``GetServerInfo``,
``CheckDriverIsEncrypted``, and the backend-only ``GetRoutingTable`` and
``ForcedRoutingTableUpdate`` (testkit's ``Backend:RTFetch``/``Backend:RTForceUpdate``). A mixin of
:class:`~testkit_backend.server.Backend`."""

from __future__ import annotations

from typing import Any

from asyncbolt.client.driver import Driver
from asyncbolt.client.routing import RoutingTable

__all__ = ["DriverInfoRequests", "DRIVER_INFO_FEATURES"]

#: The testkit features these handlers serve (added to the backend's list).
DRIVER_INFO_FEATURES = [
    "Feature:API:Driver:GetServerInfo",
    "Feature:API:Driver.IsEncrypted",
    "Backend:RTFetch",
    "Backend:RTForceUpdate",
]


class DriverInfoRequests:
    """Handlers for the requests above; the Backend supplies the driver table."""

    drivers: dict[int, Driver]

    def _not_supported(self, what: str) -> Exception:
        raise NotImplementedError

    async def on_GetServerInfo(self, data: dict) -> dict:
        info = await self.drivers[data["driverId"]].get_server_info()
        version = info.protocol_version
        return {"name": "ServerInfo",
                "data": {"address": str(info.address), "agent": info.agent,
                         "protocolVersion": None if version is None else
                         ".".join(str(part) for part in version)}}

    async def on_CheckDriverIsEncrypted(self, data: dict) -> dict:
        # (testkit asks closed drivers too: the answer is configuration, no server is reached)
        return {"name": "DriverIsEncrypted",
                "data": {"encrypted": self.drivers[data["driverId"]].encrypted}}

    def _router(self, driver_id: int) -> Any:
        router = self.drivers[driver_id].router
        if router is None:
            raise self._not_supported("routing tables of a bolt:// driver")
        return router

    async def on_ForcedRoutingTableUpdate(self, data: dict) -> dict:
        driver = self.drivers[data["driverId"]]
        router = self._router(data["driverId"])
        db, marks = data.get("database"), data.get("bookmarks") or ()
        if db is None:  # the home database's: its name is learnt (and cached) too
            await router.home_database(marks, None, driver.pool.acquisition_timeout)
        else:
            await router.refresh(db, marks, None, driver.pool.acquisition_timeout)
        return {"name": "Driver", "data": {"id": data["driverId"]}}

    async def on_GetRoutingTable(self, data: dict) -> dict:
        router = self._router(data["driverId"])
        table = router.table_of(data.get("database"))
        if table is None:  # none fetched (or the fetch failed): an empty one, as a new driver's
            table = RoutingTable(data.get("database"))
        return {"name": "RoutingTable",
                "data": {"database": table.database, "ttl": table.ttl,
                         "routers": [str(a) for a in table.routers],
                         "readers": [str(a) for a in table.readers],
                         "writers": [str(a) for a in table.writers]}}
