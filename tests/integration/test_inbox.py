"""The inbox: accepted events survive a crash, keep their order, and are never taken twice."""

from datetime import timedelta
from typing import Any

from bot.inbox import InboxWorker
from tests.integration.intake_driver import OPEN_TIME, make_app
from tests.integration.test_relay_and_team import Clock


async def test_accepted_events_are_handled_after_a_restart_in_order_once(database_url: str) -> None:
    first = make_app(database_url)
    for number in range(3):
        assert first.service.accept("slack", f"C1:{number}", "slack:C1:", {"n": number}, OPEN_TIME)
    assert not first.service.accept("slack", "C1:0", "slack:C1:", {"n": 0}, OPEN_TIME)
    first.close()  # acked, then the process died before handling anything

    second = make_app(database_url)
    handled: list[int] = []
    failures = [RuntimeError("database briefly unavailable")]

    async def handler(payload: dict[str, Any]) -> None:
        if payload["n"] == 1 and failures:
            raise failures.pop()
        handled.append(payload["n"])

    clock = Clock()
    worker = InboxWorker(second.service, "slack", handler, clock)
    await worker.drain()
    assert handled == [0]  # 1 failed and waits for its retry; 2 may not overtake it
    clock.now += timedelta(seconds=5)
    await worker.drain()
    assert handled == [0, 1, 2]
    clock.now += timedelta(minutes=5)
    await worker.drain()
    assert handled == [0, 1, 2]
    second.close()


async def test_a_handler_that_keeps_failing_is_set_aside(database_url: str) -> None:
    app = make_app(database_url)
    app.service.accept("slack", "C1:poison", "slack:C1:", {"n": 0}, OPEN_TIME)
    app.service.accept("slack", "C1:next", "slack:C1:", {"n": 1}, OPEN_TIME)
    handled: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        if payload["n"] == 0:
            raise ValueError("cannot be handled")
        handled.append(payload["n"])

    clock = Clock()
    worker = InboxWorker(app.service, "slack", handler, clock, max_attempts=3)
    for _ in range(4):
        await worker.drain()
        clock.now += timedelta(minutes=2)
    assert handled == [1]
    app.close()
