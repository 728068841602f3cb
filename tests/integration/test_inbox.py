"""The inbox: accepted events survive a crash, keep their order, and are never handled twice."""

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.inbox import InboxWorker
from intake.inbound import CustomerMessage
from storage.rows import InboxRow
from tests.integration.intake_driver import Customer, inbox_event, make_app
from tests.integration.test_relay_and_team import Clock

LEASE = timedelta(seconds=10)


def handler_for(app: App, failures: list[str]) -> Any:
    """What an adapter does with an accepted event: hand it to the service (failing on cue)."""

    async def handle(payload: dict[str, Any]) -> None:
        message = CustomerMessage.model_validate(payload)
        if message.text in failures:
            failures.remove(message.text)
            raise RuntimeError("database briefly unavailable")
        await asyncio.to_thread(app.service.handle_customer, message)

    return handle


def accepted(message: CustomerMessage) -> CustomerMessage:
    """The message as an adapter that accepts into the inbox hands it on."""
    return message.model_copy(update={"accepted": True})


def accept(app: App, message: CustomerMessage) -> bool:
    """Accept like an adapter; True when the caller was handed the event to handle now."""
    leased = app.service.accept(inbox_event(message), LEASE)
    return leased is not None


def transcript(customer: Customer) -> list[str]:
    return [line.text for line in customer.transcript() if line.direction == "customer"]


async def test_accepted_events_are_handled_after_a_crash_in_order_once(database_url: str) -> None:
    first = make_app(database_url)
    customer = Customer(first)
    texts = ["hi", "My storefront takes 20 seconds to load", "no"]
    messages = [accepted(customer.message(text)) for text in texts]
    assert [accept(first, m) for m in messages] == [True, False, False]  # only the first may go now
    assert not accept(first, messages[0])  # a redelivery
    first.close()  # acknowledged, then the process died before handling anything

    second = make_app(database_url)
    customer.app = second
    clock = Clock()
    worker = InboxWorker(
        second.service, "console", handler_for(second, [texts[1]]), clock, lease=LEASE
    )
    await worker.drain()
    assert transcript(customer) == ["hi"]  # the second failed once; the third waits behind it
    clock.now += timedelta(seconds=5)
    await worker.drain()
    assert transcript(customer) == texts
    clock.now += timedelta(minutes=5)
    await worker.drain()
    assert transcript(customer) == texts
    second.close()


async def test_an_event_that_keeps_failing_is_set_aside(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    poison = accepted(customer.message("poison"))
    fine = accepted(customer.message("My storefront is slow today"))
    accept(app, poison)
    accept(app, fine)
    clock = Clock()
    failures = ["poison"] * 10
    worker = InboxWorker(app.service, "console", handler_for(app, failures), clock, max_attempts=3)
    for _ in range(5):
        await worker.drain()
        clock.now += timedelta(minutes=2)
    assert transcript(customer) == ["My storefront is slow today"]
    # Three attempts: the lease taken when it was accepted (never handled), then two failures.
    assert failures.count("poison") == 8
    with app.sessions() as session:
        row = session.scalars(
            select(InboxRow).where(InboxRow.message_id == poison.message_id)
        ).one()
    assert row.done_at is not None and "database briefly unavailable" in (row.last_error or "")
    app.close()
