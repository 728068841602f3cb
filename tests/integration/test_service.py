"""The service loop on SQLite and PostgreSQL: what a customer and an admin would notice."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from bot.cli import main
from intake import texts
from intake.addresses import Address
from intake.tickets import Status
from storage.rows import OutboxRow
from storage.unit_of_work import UnitOfWork
from tests.integration.intake_driver import FULL_INTAKE, FULL_INTAKE_PROBLEM, Customer, make_app


def outbox_texts(app_sessions: object, address_key: str | None = None) -> list[str]:
    with app_sessions() as session:  # type: ignore[operator]
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
    return [
        row.payload["text"]
        for row in rows
        if address_key is None or row.ordering_key == address_key
    ]


def test_a_full_intake_stores_a_complete_ticket(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    customer.intake()
    with UnitOfWork(app.sessions) as uow:
        [ticket] = uow.tickets.list()
        transcript = uow.conversations.transcript(uow.tickets.conversation_of(ticket.public_id))
    assert ticket.public_id == "MCP-1001" and ticket.status is Status.OPEN
    assert ticket.problem == FULL_INTAKE_PROBLEM
    assert ticket.details["error_messages"] == FULL_INTAKE[2]
    assert ticket.details["steps_to_reproduce"] == FULL_INTAKE[3]
    assert ticket.details["environment"] == FULL_INTAKE[4]
    assert ticket.consent is True and ticket.consent_at is not None
    assert ticket.guides and not ticket.out_of_hours and ticket.missing == ()
    assert ticket.customer.display_name == "Dana"
    customer_lines = [line.text for line in transcript if line.direction == "customer"]
    assert customer_lines == FULL_INTAKE
    assert "Your ticket MCP-1001 is open" in transcript[-1].text
    replies = outbox_texts(app.sessions, customer.address.key)
    assert replies == [line.text for line in transcript if line.direction == "bot"]
    app.close()


def test_a_redelivered_message_is_ignored(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    assert customer.say("My storefront is very slow since yesterday", message_id="same")
    assert not customer.say("My storefront is very slow since yesterday", message_id="same")
    assert [line.direction for line in customer.transcript()] == ["customer", "bot"]
    assert len(outbox_texts(app.sessions)) == 1
    app.close()


def test_a_database_restart_costs_no_message(postgres_url: str) -> None:
    name = f"intake-{uuid.uuid4().hex[:8]}"
    app = make_app(f"{postgres_url}&application_name={name}")
    customer = Customer(app)
    assert customer.say(FULL_INTAKE[0])
    # What a server restart does to the connections the instance keeps open.
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        cut = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert cut
    assert customer.say("no")
    assert "exact error" in outbox_texts(app.sessions)[-1]
    app.close()


def test_a_restart_resumes_the_conversation_where_it_was(database_url: str) -> None:
    first = make_app(database_url)
    customer = Customer(first)
    customer.intake(FULL_INTAKE[:3])
    first.close()
    second = make_app(database_url)
    customer.app = second
    customer.intake(FULL_INTAKE[3:])
    with UnitOfWork(second.sessions) as uow:
        [ticket] = uow.tickets.list()
    assert ticket.details["error_messages"] == FULL_INTAKE[2]
    second.close()


def test_ticket_ids_are_sequential_and_status_shows_only_your_own(database_url: str) -> None:
    app = make_app(database_url)
    dana, lee = Customer(app, "Dana"), Customer(app, "Lee")
    dana.intake()
    lee.intake()
    lee.say("status")
    with UnitOfWork(app.sessions) as uow:
        ids = [ticket.public_id for ticket in uow.tickets.list()]
    assert ids == ["MCP-1002", "MCP-1001"]
    status_reply = outbox_texts(app.sessions, lee.address.key)[-1]
    assert "MCP-1002" in status_reply and "MCP-1001" not in status_reply
    app.close()


def test_status_in_a_public_channel_does_not_show_tickets_from_a_dm(database_url: str) -> None:
    app = make_app(database_url)
    dana = Customer(app, "Dana")
    dana.intake()
    dana.address = Address(platform="console", channel="general", thread="1700000000.000100")
    dana.say("status")
    in_public = outbox_texts(app.sessions, dana.address.key)[-1]
    # The answer starts with the count alone: no line for the DM ticket or its problem.
    assert in_public.startswith(texts.status([], elsewhere=1)) and "MCP-1001" not in in_public
    assert texts.status([], elsewhere=1) == "Started elsewhere: 1 ticket (ask there to see them)."
    app.close()


def test_card_numbers_and_passwords_are_never_stored(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    customer.say("I was charged twice, card 4242 4242 4242 4242 cvv 123, my password: hunter2xyz")
    stored = " ".join(line.text for line in customer.transcript())
    everything = stored + " ".join(outbox_texts(app.sessions))
    assert (
        "4242 4242 4242 4242" not in everything
        and "hunter2xyz" not in everything
        and "123," not in everything
    )
    assert "4242" in stored  # the mask keeps the last four
    assert "removed card details" in everything
    app.close()


def test_problems_no_guide_solved_are_recorded_for_admins(database_url: str) -> None:
    app = make_app(database_url)
    Customer(app, "Dana").intake(FULL_INTAKE[:2])  # guides offered, "no"
    Customer(app, "Lee").say("The quantum flux capacitor widget hums loudly at night")
    with UnitOfWork(app.sessions) as uow:
        gaps = uow.conversations.gaps()
    assert gaps == [FULL_INTAKE_PROBLEM, "The quantum flux capacitor widget hums loudly at night"]
    app.close()


def test_self_served_and_cancelled_conversations_are_counted(database_url: str) -> None:
    app = make_app(database_url)
    Customer(app, "Dana").intake([FULL_INTAKE[0], "1", "yes"])
    Customer(app, "Lee").intake([FULL_INTAKE[0], "cancel"])
    Customer(app, "Kim").intake()
    with UnitOfWork(app.sessions) as uow:
        assert uow.conversations.outcomes() == {"self_served": 1, "cancelled": 1, "ticket": 1}
    app.close()


def test_a_guide_that_did_not_help_after_all_continues_the_request(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    customer.intake([FULL_INTAKE[0], "1", "yes"])
    customer.say("Sorry, it didn't help after all")
    assert outbox_texts(app.sessions)[-1].endswith('(or say "no error" if nothing is shown).')
    customer.intake(FULL_INTAKE[2:])
    with UnitOfWork(app.sessions) as uow:
        [ticket] = uow.tickets.list()
        assert uow.conversations.outcomes() == {"self_served": 1, "ticket": 1}
    assert ticket.problem == FULL_INTAKE_PROBLEM
    app.close()


def test_a_cancel_taken_back_continues_the_request(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    customer.intake([*FULL_INTAKE[:3], "never mind"])
    customer.say("no wait, I still need help")
    assert outbox_texts(app.sessions)[-1].startswith(texts.NOT_CANCELLED)
    customer.intake(FULL_INTAKE[3:])
    with UnitOfWork(app.sessions) as uow:
        [ticket] = uow.tickets.list()
    assert (
        ticket.problem == FULL_INTAKE_PROBLEM
        and "PAYMENT_FAILED" in ticket.details["error_messages"]
    )
    app.close()


def test_a_finished_conversation_is_followed_by_a_fresh_one(database_url: str) -> None:
    app = make_app(database_url)
    customer = Customer(app)
    customer.intake([FULL_INTAKE[0], "cancel"])
    customer.say("hello again")
    assert "Hi! This is MyCartPro support." in outbox_texts(app.sessions)[-1]
    app.close()


def test_kb_gaps_lists_unsolved_problems_and_the_deflection_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'gaps.db'}"
    app = make_app(database)
    Customer(app, "Dana").intake([FULL_INTAKE[0], "1", "yes"])
    Customer(app, "Lee").say("The quantum flux widget hums loudly at night")
    Customer(app, "Kim").say("the quantum flux widget is humming loudly every night")
    Customer(app, "Ash").intake()
    app.close()
    monkeypatch.setenv("INTAKE_DATABASE_URL", database)
    assert main(["kb", "gaps"]) == 0
    out = capsys.readouterr().out
    assert "    2  " in out and "quantum flux widget" in out
    assert "Deflection rate: 50% (1 of 2 conversations closed by a guide)" in out


def test_catch_up_cursors_only_move_forward(database_url: str) -> None:
    app = make_app(database_url)
    thread = Address(platform="discord", channel="111", thread="222")
    with UnitOfWork(app.sessions) as uow:
        for message_id in [
            "1000000000000000009",
            "999999999999999999",
            "1000000000000000010",
            "1000000000000000002",
        ]:
            uow.conversations.advance_cursor(thread, message_id)
        uow.commit()
    assert app.service.resume_points("discord") == [(thread, "1000000000000000010")]
    app.close()


def test_a_message_with_nothing_to_read_leaves_no_transcript_line(database_url: str) -> None:
    app = make_app(database_url)
    try:
        customer = Customer(app)
        customer.intake(FULL_INTAKE[:2])
        before = customer.transcript()
        assert customer.say("\u200b\u2060")  # handled: the bot asks for words
        after = customer.transcript()
        assert [line.direction for line in after[len(before) :]] == ["bot"]
    finally:
        app.close()
