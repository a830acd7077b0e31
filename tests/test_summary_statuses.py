"""Summary.notifications on Bolt 5.6+, where servers send GQL status objects (``statuses``)
instead of ``notifications``: the notifications among them, in the pre-5.6 form (issue 15's
summary findings), against a scripted server (the FakeServer of test_client_odd_servers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from asyncbolt.codec.messages import Record, Success

from .test_client_odd_servers import FakeServer, Peer, connect, idle

SUCCESS_STATUS = {"gql_status": "00000", "status_description": "note: successful completion",
                  "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/"}}


def warning(i: int, **record: Any) -> dict[str, Any]:
    return {"gql_status": "01N01", "status_description": f"warn: {i}", "description": f"don't {i}",
            "neo4j_code": f"Neo.ClientNotification.Foo.Bar{i}", "title": f"title {i}",
            "diagnostic_record": {"OPERATION": "", "_severity": "WARNING", "_classification": "GENERIC",
                                  **record}}


async def summary_of(pull_meta: dict[str, Any]) -> Any:
    async def script(peer: Peer) -> None:
        await peer.accept((5, 6))
        await peer.hello()
        await peer.expect("RUN", "PULL")
        await peer.send(Success({"fields": ["n"]}), Record([1]), Success({"type": "r", **pull_meta}))
        await idle(peer)

    async with FakeServer(script) as server:
        conn = await connect(server)
        result = await conn.run("RETURN 1 AS n")
        assert await result.values() == [[1]]
        summary = await result.consume()
        await conn.close()
    return summary


async def test_notifications_are_the_statuses_with_a_neo4j_code() -> None:
    position = {"column": 9, "offset": 8, "line": 1}
    statuses = [warning(1, _position=position, _status_parameters={"a": 1}), SUCCESS_STATUS,
                warning(2, _severity="ANYSEV")]
    summary = await summary_of({"statuses": statuses})
    assert summary.statuses == statuses
    assert summary.notifications == [
        {"title": "title 1", "code": "Neo.ClientNotification.Foo.Bar1", "description": "don't 1",
         "severity": "WARNING", "category": "GENERIC", "position": position},
        {"title": "title 2", "code": "Neo.ClientNotification.Foo.Bar2", "description": "don't 2",
         "severity": "ANYSEV", "category": "GENERIC"},
    ]


@pytest.mark.parametrize("pull_meta", [{}, {"statuses": [SUCCESS_STATUS]}])
async def test_no_notification_statuses_no_notifications(pull_meta: dict[str, Any]) -> None:
    assert (await summary_of(pull_meta)).notifications == []


async def test_notifications_sent_as_such_are_kept_as_sent() -> None:
    sent = [{"code": "Neo.ClientNotification.X", "severity": "WARNING"}]
    summary = await summary_of({"notifications": sent, "statuses": [warning(1)]})
    assert summary.notifications == sent
