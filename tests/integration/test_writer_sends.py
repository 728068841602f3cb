"""Replies written leased to the instance that handled the customer's message: it sends them
itself, in order, and they are never sent twice nor ahead of an earlier unsent message."""

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.delivery import TemporaryFailure
from bot.relay import Relay
from bot.service import Arrival
from intake.addresses import Address
from intake.outgoing import Outgoing
from storage.outbox import Destination
from storage.rows import OutboxRow
from storage.unit_of_work import UnitOfWork
from tests.integration.intake_driver import Customer, inbox_event, make_app
from tests.integration.test_relay_and_team import Clock, RecordingSender, relay_for


def arrive(app: App, customer: Customer, text: str, relay: Relay) -> Arrival:
    message = customer.message(text)
    return app.service.handle_arrival(message, inbox_event(message), relay.lease_until)


async def test_the_writer_sends_its_replies_and_no_relay_sends_them_again(
    database_url: str,
) -> None:
    app, clock, console = make_app(database_url), Clock(), RecordingSender("console")
    relay = relay_for(app, clock, console)
    customer = Customer(app)
    arrival = arrive(app, customer, "hi", relay)
    assert arrival.outcome == "handled" and len(arrival.replies) == 1
    assert not arrival.for_relay
    assert await relay.deliver_due() == 0  # leased to the writer: no relay claims it
    relay.send_now(arrival.replies)
    await relay.drain()
    assert console.texts_to(customer.address.channel)[0].startswith("Hi!")
    clock.now += timedelta(minutes=5)  # long after the lease
    await relay.drain()
    assert len(console.sent) == 1
    with UnitOfWork(app.sessions) as uow:
        assert uow.outbox.depth()[0] == 0
    app.close()


async def test_a_reply_behind_an_unsent_one_goes_to_the_relay_in_order(database_url: str) -> None:
    app, clock, console = make_app(database_url), Clock(), RecordingSender("console")
    relay = relay_for(app, clock, console)
    customer = Customer(app)
    first = arrive(app, customer, "hi", relay)  # the writer dies before sending it
    second = arrive(app, customer, "My storefront takes 20 seconds to load every page", relay)
    assert first.replies and not second.replies and second.for_relay
    await relay.drain()
    assert console.sent == []  # the first is still leased; the second waits behind it
    clock.now += timedelta(seconds=11)
    await relay.drain()
    texts = console.texts_to(customer.address.channel)
    assert len(texts) == 2 and texts[0].startswith("Hi!") and "guides" in texts[1]
    app.close()


async def test_a_failed_send_holds_back_the_replies_after_it(database_url: str) -> None:
    app, clock, console = make_app(database_url), Clock(), RecordingSender("console")
    relay = relay_for(app, clock, console)
    address = Address(platform="console", channel="dm-Lee")
    with UnitOfWork(app.sessions) as uow:
        uow.outbox.lease_to_writer(address.key, relay.lease_until())
        for text in ("first", "second"):
            uow.outbox.add(
                "console", address.key, Destination(address=address), Outgoing(text=text), clock()
            )
        uow.commit()
        replies = uow.outbox.leased()
    console.failures.append(TemporaryFailure("502"))
    relay.send_now(replies)
    await relay.drain()
    assert console.sent == []  # the second may not overtake the first
    clock.now += timedelta(seconds=3)  # past the first's backoff
    await relay.drain()
    assert console.texts_to("dm-Lee") == ["first", "second"]
    with app.sessions() as session:
        attempts = session.scalars(select(OutboxRow.attempts).order_by(OutboxRow.id)).all()
    assert attempts == [2, 1]  # the held-back one was tried once, not counted for the wait
    app.close()
