"""The relay and the agents' side, platform-neutral: a recording sender stands in for a platform."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.delivery import NotAllowedYet, PermanentFailure, RateLimited, TemporaryFailure
from bot.relay import Relay
from intake.addresses import Address, Person
from intake.inbound import TeamMessage
from intake.outgoing import Outgoing
from intake.tickets import Priority, Status
from storage.unit_of_work import UnitOfWork
from tests.integration.intake_driver import (
    FULL_INTAKE,
    FULL_INTAKE_PROBLEM,
    OPEN_TIME,
    Customer,
    make_app,
    team_message,
)

TEAM = "slack:CTEAM"


class RecordingSender:
    """Delivers into a list; ``failures`` are raised, one per send, before succeeding."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[Address, Outgoing, str]] = []
        self.edits: list[tuple[str, Outgoing]] = []
        self.failures: list[Exception] = []

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, message, key))
        return f"{self.platform}-msg-{len(self.sent)}"

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        self.edits.append((message_ref, message))

    def texts_to(self, channel: str) -> list[str]:
        return [message.text for address, message, _ in self.sent if address.channel == channel]


class Clock:
    def __init__(self) -> None:
        self.now = OPEN_TIME + timedelta(hours=2)  # after every message the tests write

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    app = make_app(database_url, team=TEAM)
    yield app
    app.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def relay_for(app: App, clock: Clock, *senders: RecordingSender) -> Relay:
    return Relay(app.sessions, {s.platform: s for s in senders}, clock)


async def open_ticket(
    app: App, clock: Clock
) -> tuple[Customer, RecordingSender, RecordingSender, Address]:
    customer = Customer(app)
    customer.intake()
    console, slack = RecordingSender("console"), RecordingSender("slack")
    await relay_for(app, clock, console, slack).drain()
    ticket_thread = Address(platform="slack", channel="CTEAM", thread="slack-msg-1")
    return customer, console, slack, ticket_thread


async def test_a_new_ticket_posts_one_card_and_its_thread_becomes_the_ticket(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    [(address, card_message, _)] = slack.sent
    assert address == Address(platform="slack", channel="CTEAM")
    assert card_message.card is not None and card_message.card.ticket_id == "MCP-1001"
    assert "MCP-1001" in card_message.text and "PAYMENT_FAILED" in card_message.text
    assert "Your ticket MCP-1001 is open" in console.texts_to(customer.address.channel)[-1]
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.by_team_thread(thread) is not None


async def test_without_its_card_a_ticket_s_messages_say_which_ticket(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    customer.intake()
    console, slack = RecordingSender("console"), RecordingSender("slack")
    slack.failures.append(PermanentFailure("not_in_channel"))  # the card
    relay = relay_for(app, clock, console, slack)
    await relay.drain()
    customer.say("It also fails with Stripe now")
    await relay.drain()
    [(address, message, _)] = slack.sent
    assert address == Address(platform="slack", channel="CTEAM")
    assert (message.author, message.text) == ("MCP-1001 · Dana", "It also fails with Stripe now")


async def test_agents_and_customers_talk_through_the_thread(app: App, clock: Clock) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    customer.say("It also fails with Apple Pay now")
    assert team_message(app, thread, "Thanks Dana, we're looking at the gateway logs.", agent="Sam")
    assert team_message(app, thread, "note: probably the PayPal IPN misconfig")
    await relay.drain()
    [(_, forwarded, _)] = [s for s in slack.sent if s[0].thread == "slack-msg-1"]
    assert forwarded.text == "It also fails with Apple Pay now" and forwarded.author == "Dana"
    agent_reply = [m for a, m, _ in console.sent if m.author == "Sam"]
    assert [m.text for m in agent_reply] == ["Thanks Dana, we're looking at the gateway logs."]
    assert not any("IPN" in m.text for _, m, _ in console.sent)
    with UnitOfWork(app.sessions) as uow:
        events = uow.tickets.events("MCP-1001")
    assert [e.kind for e in events] == ["opened", "note"]


async def test_status_commands_change_the_ticket_tell_the_thread_and_the_customer(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "!claim", agent="Sam")
    team_message(app, thread, "!priority urgent", agent="Sam")
    team_message(app, thread, "!resolve", agent="Sam")
    await relay.drain()
    with UnitOfWork(app.sessions) as uow:
        ticket = uow.tickets.get("MCP-1001")
        events = [e.kind for e in uow.tickets.events("MCP-1001")]
    assert (ticket.status, ticket.assignee, ticket.priority.value) == (
        Status.RESOLVED,
        "Sam",
        "urgent",
    )
    assert events == ["opened", "claimed", "priority", "resolve"]
    thread_texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert thread_texts == [
        "Sam took this ticket.",
        "Priority set to urgent by Sam.",
        "Ticket MCP-1001 is now resolved (resolve by Sam).",
    ]
    assert slack.edits and slack.edits[-1][0] == "slack-msg-1"
    final_card = slack.edits[-1][1].card
    assert final_card is not None and (final_card.status, final_card.assignee) == (
        "resolved",
        "Sam",
    )
    assert "marked resolved" in console.texts_to(customer.address.channel)[-1]


async def test_a_customer_reply_reopens_a_resolved_ticket_but_a_thank_you_does_not(
    app: App, clock: Clock
) -> None:
    customer, _console, _slack, thread = await open_ticket(app, clock)
    team_message(app, thread, "!resolve")
    for thanks in ("Thanks, that fixed it!", "great 👍", ":pray:"):
        customer.say(thanks)
        with UnitOfWork(app.sessions) as uow:
            assert uow.tickets.get("MCP-1001").status is Status.RESOLVED, thanks
    customer.say("Sorry, it is still broken for some customers")
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.OPEN
        assert [e.kind for e in uow.tickets.events("MCP-1001")][-1] == "reopened"


async def test_closing_tells_the_customer_and_their_next_message_starts_afresh(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "!close")
    customer.say("Hello, I have another question about taxes")
    await relay.drain()
    texts = console.texts_to(customer.address.channel)
    assert "is now closed" in texts[-2]
    assert texts[-1].startswith("Hi! This is MyCartPro support.")


async def test_refused_and_unknown_commands_are_explained_in_the_thread(
    app: App, clock: Clock
) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "!reopen")
    team_message(app, thread, "!frobnicate")
    team_message(app, thread, "!priority whenever")
    await relay.drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts[0] == "Can't do that: can't reopen a ticket that is open."
    assert texts[1].startswith("unknown command !frobnicate")
    assert "low, normal, high or urgent" in texts[2]
    team_message(app, thread, "!close")
    team_message(app, thread, "!priority high")
    await relay.drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts[-1] == "Can't do that: can't change the priority of a ticket that is closed."


async def test_people_who_are_not_agents_cannot_act(app: App, clock: Clock) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    assert team_message(app, thread, "!close", agent="Visitor", is_agent=False)
    assert team_message(
        app, thread, "Hey customer, try turning it off", agent="Visitor", is_agent=False
    )
    await relay.drain()
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.OPEN
    assert not any(m.author == "Visitor" for _, m, _ in console.sent)
    assert [m.text for a, m, _ in slack.sent if a.thread][
        -1
    ] == "Only support agents can reply to or change tickets."


async def test_a_non_agent_editing_their_message_is_not_told_again(app: App, clock: Clock) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    assert team_message(app, thread, "Hey customer, try turning it off", is_agent=False)
    edit = TeamMessage(
        message_id="t-visitor:edit:1",
        author=Person(platform="slack", user_id="agent-Visitor", display_name="Visitor"),
        address=thread,
        text="Hey customer, try turning it off and on",
        at=OPEN_TIME + timedelta(hours=2),
        is_agent=False,
        edited=True,
    )
    assert app.service.handle_team(edit)
    await relay.drain()
    refusals = [m.text for a, m, _ in slack.sent if a.thread and "Only support agents" in m.text]
    assert len(refusals) == 1
    assert not any("turning it off" in m.text for _, m, _ in console.sent)


async def test_a_thread_that_is_not_a_ticket_is_left_alone(app: App, clock: Clock) -> None:
    _customer, console, slack, _thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    await relay.drain()
    sent = (list(console.sent), list(slack.sent))
    elsewhere = Address(platform="slack", channel="CTEAM", thread="not-a-ticket")
    assert not team_message(app, elsewhere, "!close")
    await relay.drain()
    assert (console.sent, slack.sent) == sent  # nobody is told anything
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.OPEN


async def test_429_waits_for_retry_after_and_keeps_the_order(app: App, clock: Clock) -> None:
    customer = Customer(app)
    console = RecordingSender("console")
    relay = relay_for(app, clock, console)
    console.failures.append(RateLimited(retry_after=7))
    customer.say("hi")
    customer.say("My storefront takes 20 seconds to load every page")
    assert await relay.deliver_due() == 1 and console.sent == []
    assert await relay.deliver_due() == 0  # the second reply waits behind the first
    clock.now += timedelta(seconds=6)
    assert await relay.deliver_due() == 0
    clock.now += timedelta(seconds=2)
    await relay.drain()
    texts = console.texts_to(customer.address.channel)
    assert len(texts) == 2 and texts[0].startswith("Hi!") and "guides" in texts[1]


async def test_temporary_failures_back_off_and_permanent_ones_are_dropped(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    console = RecordingSender("console")
    relay = relay_for(app, clock, console)
    console.failures += [TemporaryFailure("502"), PermanentFailure("channel_not_found")]
    customer.say("hi")
    customer.say("My storefront takes 20 seconds to load every page")
    await relay.drain()
    clock.now += timedelta(seconds=2)
    await relay.drain()  # second attempt of the first message: dropped as permanent
    await relay.drain()
    assert len(console.sent) == 1 and "guides" in console.sent[0][1].text
    with UnitOfWork(app.sessions) as uow:
        assert uow.outbox.depth()[0] == 0


async def test_a_card_waiting_for_access_is_tried_for_as_long_as_it_takes(
    app: App, clock: Clock
) -> None:
    console, slack = RecordingSender("console"), RecordingSender("slack")
    slack.failures += [NotAllowedYet("not_in_channel")] * 60  # invited five hours later
    relay = relay_for(app, clock, console, slack)
    customer = Customer(app)
    customer.intake()
    for _ in range(61):
        await relay.drain()
        clock.now += timedelta(minutes=5)  # the longest wait between two tries
    [(_, card, _)] = slack.sent
    assert card.card is not None and card.card.ticket_id == "MCP-1001"


async def test_a_message_committed_but_not_sent_is_sent_after_a_restart(
    database_url: str, clock: Clock
) -> None:
    first = make_app(database_url, team=TEAM)
    customer = Customer(first)
    customer.say("hi")  # committed to the outbox; the process "dies" before any relay ran
    first.close()
    second = make_app(database_url, team=TEAM)
    console = RecordingSender("console")
    await relay_for(second, clock, console).drain()
    assert console.texts_to(customer.address.channel)[0].startswith("Hi!")
    second.close()


async def test_a_send_that_crashed_mid_flight_is_retried_after_its_lease(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    customer.say("hi")
    with UnitOfWork(app.sessions) as uow:  # an instance claimed it, then died
        assert len(uow.outbox.claim_due(clock(), {"console"}, 10, timedelta(seconds=60))) == 1
        uow.commit()
    console = RecordingSender("console")
    relay = relay_for(app, clock, console)
    assert await relay.deliver_due() == 0
    clock.now += timedelta(seconds=61)
    await relay.drain()
    assert len(console.sent) == 1


async def test_consent_given_after_the_ticket_lands_on_the_ticket_and_its_card(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    customer.intake(FULL_INTAKE[:5])  # up to the access question, unanswered
    assert customer.say("agent")  # the ticket opens now, without consent
    console, slack = RecordingSender("console"), RecordingSender("slack")
    relay = relay_for(app, clock, console, slack)
    await relay.drain()
    assert "Reply yes or no" in console.texts_to(customer.address.channel)[-1]

    assert customer.say("yes")
    await relay.drain()
    with UnitOfWork(app.sessions) as uow:
        ticket = uow.tickets.get("MCP-1001")
        events = [e.kind for e in uow.tickets.events("MCP-1001")]
    assert ticket.consent is True and ticket.consent_at is not None
    assert "Access consent" not in ticket.missing
    assert events == ["opened", "amended"]
    thread = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert thread == ["yes", "Added by Dana: Access consent: yes"]
    [(_, card)] = slack.edits
    assert card.card is not None and card.card.consent == "yes"
    assert "Noted on ticket MCP-1001" in console.texts_to(customer.address.channel)[-1]


async def test_after_an_early_ticket_a_plain_yes_answers_access_until_an_agent_writes(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    customer.intake(FULL_INTAKE[:2])
    assert customer.say("agent")
    assert customer.say("it started after the app updated")  # the thanks asks for access again
    assert customer.say("yes")
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").consent is True

    other = Customer(app, "Lee")
    other.intake(FULL_INTAKE[:2])
    assert other.say("agent")
    assert other.say("it started after the app updated")
    await relay_for(app, clock, RecordingSender("console"), RecordingSender("slack")).drain()
    with UnitOfWork(app.sessions) as uow:
        thread = uow.tickets.get("MCP-1002").team_address
    assert thread is not None
    team_message(app, thread, "Did you update the app yourself?")
    assert other.say("yes")  # the agent's question, not access
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1002").consent is None


async def test_details_sent_after_an_early_ticket_fill_it(app: App, clock: Clock) -> None:
    customer = Customer(app)
    customer.intake(FULL_INTAKE[:2])  # the problem, and no guide helped
    assert customer.say("agent")
    relay = relay_for(app, clock, RecordingSender("console"), RecordingSender("slack"))
    await relay.drain()
    assert customer.say("System: Pro plan, Safari 17 on macOS 14")
    assert customer.say('Now it says "PAYMENT_FAILED: gateway timeout (code 504)"')
    with UnitOfWork(app.sessions) as uow:
        ticket = uow.tickets.get("MCP-1001")
    assert ticket.details == {
        "environment": "Pro plan, Safari 17 on macOS 14",
        "error_messages": "PAYMENT_FAILED: gateway timeout (code 504)",
    }
    assert ticket.missing == ("Steps to reproduce", "Access consent")


async def test_a_reply_the_customer_cannot_get_is_told_in_the_thread(
    app: App, clock: Clock
) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    reply = "Thanks Dana, the gateway is fixed. " + "Please try a PayPal payment again. " * 8
    team_message(app, thread, reply, agent="Sam")
    console.failures.append(PermanentFailure("Cannot send messages to this user (50007)"))
    await relay.drain()
    [note] = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert note.startswith("Not delivered to the customer: Thanks Dana, the gateway is fixed.")
    assert note.endswith("… (failed: Cannot send messages to this user (50007))")
    assert len(note) < 300
    with UnitOfWork(app.sessions) as uow:
        [*_, undelivered] = uow.tickets.events("MCP-1001")
        assert uow.outbox.depth()[0] == 0
    assert (undelivered.kind, undelivered.detail) == ("undelivered", note)


async def test_a_failed_message_without_a_ticket_tells_the_team_nothing(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    console, slack = RecordingSender("console"), RecordingSender("slack")
    console.failures.append(PermanentFailure("channel_not_found"))
    customer.say("hi")
    await relay_for(app, clock, console, slack).drain()
    assert console.sent == [] and slack.sent == []


async def test_a_failed_note_in_the_thread_is_not_reported_again(app: App, clock: Clock) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "Thanks Dana, please try again.", agent="Sam")
    console.failures.append(PermanentFailure("channel_not_found"))
    slack.failures.append(PermanentFailure("is_archived"))  # the note itself
    await relay.drain()
    assert [s for s in slack.sent if s[0].thread] == []
    with UnitOfWork(app.sessions) as uow:
        events = uow.tickets.events("MCP-1001")
        assert uow.outbox.depth()[0] == 0
    # In the history only, where nothing is sent: no note about the note.
    assert [e.kind for e in events] == ["opened", "undelivered", "undelivered"]
    assert events[-1].detail.startswith("Not posted in the ticket's thread: Not delivered")


async def test_a_customer_message_the_thread_cannot_take_is_kept_in_the_history(
    app: App, clock: Clock
) -> None:
    customer, console, slack, _ = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    assert customer.say("It fails on Safari 17.4 only")
    slack.failures.append(PermanentFailure("Unknown Channel (10003)"))  # the thread deleted
    await relay.drain()
    with UnitOfWork(app.sessions) as uow:
        [*_, undelivered] = uow.tickets.events("MCP-1001")
    assert undelivered.kind == "undelivered"
    assert undelivered.detail == (
        "Not posted in the ticket's thread: It fails on Safari 17.4 only "
        "(failed: Unknown Channel (10003))"
    )


async def test_a_problem_described_after_an_early_ticket_lands_on_it_and_its_card(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    customer.say("hi")
    assert customer.say("can I talk to a real person?")
    customer.say(FULL_INTAKE[0])
    slack = RecordingSender("slack")
    await relay_for(app, clock, RecordingSender("console"), slack).drain()
    with UnitOfWork(app.sessions) as uow:
        ticket = uow.tickets.get("MCP-1001")
    assert ticket.problem == FULL_INTAKE_PROBLEM and "Problem" not in ticket.missing
    assert ticket.kind == "troubleshooting"  # guessed from the problem, no longer the default
    thread = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert thread[-1] == (
        f"Added by Dana: Problem: {FULL_INTAKE_PROBLEM}; Kind of help: Troubleshooting"
    )
    [(_, card)] = slack.edits
    assert card.card is not None and card.card.problem == FULL_INTAKE_PROBLEM
    assert card.card.kind == "Troubleshooting"


async def test_conditions_on_access_reach_the_card_and_the_ticket(app: App, clock: Clock) -> None:
    customer = Customer(app)
    customer.intake([*FULL_INTAKE[:5], "yes, but please don't touch the payment settings", "send"])
    slack = RecordingSender("slack")
    await relay_for(app, clock, RecordingSender("console"), slack).drain()
    [(_, card_message, _)] = slack.sent
    conditions = "yes, with conditions: “yes, but please don't touch the payment settings”"
    assert card_message.card is not None and card_message.card.consent == conditions
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").consent_terms == (
            "yes, but please don't touch the payment settings"
        )


async def test_a_reply_to_a_closed_ticket_reopens_it_so_the_answer_comes_back(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "!close")
    team_message(app, thread, "Is it still failing?", agent="Dana")
    await relay.drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts[-1] == "Ticket MCP-1001 is now open (reopened by Dana)."
    assert console.texts_to(customer.address.channel)[-1] == "Is it still failing?"
    customer.say("Yes, order 5567 got no email")
    await relay.drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts[-1] == "Yes, order 5567 got no email"


async def test_a_reopen_takes_in_what_the_customer_wrote_after_the_close(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    relay = relay_for(app, clock, console, slack)
    team_message(app, thread, "!close")
    await relay.drain()
    customer.say("it's priya@shop.example by the way")  # taken for a new request
    team_message(app, thread, "!reopen")
    await relay.drain()
    customer.say("did you get my email address?")
    await relay.drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts[-2:] == ["it's priya@shop.example by the way", "did you get my email address?"]
    assert console.texts_to(customer.address.channel)[-1].startswith(
        "Added to your ticket MCP-1001"
    )


async def test_a_ticket_said_to_be_urgent_is_stored_and_shown_as_high_priority(
    app: App, clock: Clock
) -> None:
    customer = Customer(app)
    assert customer.say("my whole store is down, nobody can buy anything")
    assert customer.say("agent")
    slack = RecordingSender("slack")
    await relay_for(app, clock, RecordingSender("console"), slack).drain()
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").priority is Priority.HIGH
    [card] = [m.card for _, m, _ in slack.sent if m.card is not None]
    assert card.priority == "high"


async def test_asking_for_news_leaves_a_pending_ticket_pending(app: App, clock: Clock) -> None:
    customer, _console, _slack, thread = await open_ticket(app, clock)
    team_message(app, thread, "!pending waiting for their mail logs")
    customer.say("any news?")
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.PENDING


async def test_a_pending_ticket_opens_again_when_the_customer_answers(
    app: App, clock: Clock
) -> None:
    customer, console, slack, thread = await open_ticket(app, clock)
    team_message(app, thread, "!pending waiting for their mail logs")
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.PENDING
        history = [(e.kind, e.detail) for e in uow.tickets.events("MCP-1001")]
    assert ("note", "waiting for their mail logs") in history
    customer.say("Here is the mail log: 550 rejected")
    with UnitOfWork(app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status is Status.OPEN
        assert [e.kind for e in uow.tickets.events("MCP-1001")][-1] == "answered"
    await relay_for(app, clock, console, slack).drain()
    assert not any("mail logs" in text for text in console.texts_to(customer.address.channel))


async def test_claiming_says_whose_it_was_and_a_second_claim_is_refused(
    app: App, clock: Clock
) -> None:
    _customer, console, slack, thread = await open_ticket(app, clock)
    team_message(app, thread, "!claim", agent="Dana")
    team_message(app, thread, "claim", agent="Dana")
    team_message(app, thread, "! claim", agent="Kim")
    await relay_for(app, clock, console, slack).drain()
    texts = [m.text for a, m, _ in slack.sent if a.thread == "slack-msg-1"]
    assert texts == [
        "Dana took this ticket.",
        "You already have this ticket.",
        "Kim took this ticket from Dana.",
    ]
