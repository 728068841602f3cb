"""The service loop: load the conversation, run the pure machine, save everything at once.

For each inbound message, one transaction holds: the dedupe claim of its platform id, the
transcript line, the new conversation state, any ticket change, and every outgoing message
(the outbox). Either all of it is stored or none, so a crash never half-answers, and a
redelivered message finds its id claimed and is ignored.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.desk import TicketDesk
from bot.metrics import CountedGuides, Metrics
from intake.actions import (
    Action,
    AmendTicket,
    ForwardToTicket,
    LookUpTickets,
    OpenTicket,
    RecordGap,
    Reply,
    SelfServed,
)
from intake.addresses import Address, Person
from intake.conversation import Conversation, Step, next_conversation
from intake.events import CustomerSaid, Event, TicketLine, TicketOpened, TicketsFound
from intake.guides import GuideSearch
from intake.inbound import CustomerMessage, TeamMessage, as_edit, as_stored
from intake.machine import step
from intake.outgoing import Outgoing
from intake.policy import Policy
from storage.inbox import Accepted, InboxEvent
from storage.outbox import Pending
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_OUTCOMES = {Step.SELF_SERVED: "self_served", Step.CANCELLED: "cancelled"}


@dataclass(frozen=True)
class Arrival:
    """What became of a message that just arrived: ``handled`` now, ``ignored`` (a redelivery
    or nothing to do), or ``queued`` behind an earlier message of its conversation."""

    outcome: Literal["handled", "ignored", "queued"]
    replies: tuple[Pending, ...] = ()
    """Messages to the customer written leased to the caller, to send now and in order."""
    for_relay: bool = False
    """Messages were written that the relay sends (to the team, or behind earlier ones)."""


@dataclass
class _Turn:
    """The bookkeeping of one customer message while its transaction is open."""

    uow: UnitOfWork
    customer: Person
    customer_id: int
    conversation_id: int
    address: Address
    at: datetime
    ticket_row: int | None = None
    outcome: str | None = None


def retry_on_conflict(work: Callable[[], bool], attempts: int = 5) -> bool:
    """Run a transaction again when another instance got in the way or the connection was lost.

    Two instances can race to create the same customer (a unique violation) or deadlock on
    PostgreSQL, and a pooled connection can die with its server (connections are not pinged
    before use; a dead one fails its first statement and the pool is refreshed). The transaction
    rolls back whole, so running it again is safe and sees the winner's row.
    """
    for attempt in range(1, attempts):
        try:
            return work()
        except (IntegrityError, OperationalError) as error:
            log.info("transaction failed (%s), retrying (%s)", type(error).__name__, attempt)
            time.sleep(0.01 * attempt)
    return work()


@dataclass(frozen=True)
class _Finished:
    """A handled customer message, and how its intake ended if it just did."""

    outcome: str | None


class IntakeService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        policy: Policy,
        guides: GuideSearch,
        team_address: Address | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._sessions = sessions
        self._policy = policy
        self._metrics = metrics or Metrics()
        self._guides = CountedGuides(guides, self._metrics)
        self._desk = TicketDesk(policy, self._guides, team_address)

    # ── customers ───────────────────────────────────────────────────────────────────────

    def handle_customer(self, message: CustomerMessage) -> bool:
        """Process one customer message; False when it was a redelivery and nothing happened."""
        return self._counted("customer", message, lambda: self._handle_customer(message))

    def _counted(
        self, audience: str, message: CustomerMessage | TeamMessage, work: Callable[[], bool]
    ) -> bool:
        with self._metrics.timed_step():
            handled = retry_on_conflict(work)
        if handled:
            self._metrics.messages_in.labels(message.address.platform, audience).inc()
        return handled

    def handle_arrival(
        self,
        message: CustomerMessage,
        event: InboxEvent,
        lease_until: Callable[[], datetime] | None = None,
    ) -> Arrival:
        """Handle a message that just arrived in the same transaction that takes its turn, or
        queue its ``event`` in the inbox when an earlier one of its conversation still waits
        there. Either way it is stored when this returns, so the platform may be acknowledged:
        one transaction instead of accepting first and handling in a second one.

        With ``lease_until`` (when a lease taken now ends), the replies to the customer are
        written leased to the caller, when nothing of the conversation is still unsent: the
        caller sends them itself, which saves the relay a claim transaction per message."""
        arrival = Arrival("ignored")

        def work() -> bool:
            nonlocal arrival
            with UnitOfWork(self._sessions) as uow:
                uow.inbox.take_turn(event.ordering_key)
                line = uow.in_line(event.ordering_key)
                if line.events:
                    uow.inbox.enqueue(event)
                    uow.commit()
                    arrival = Arrival("queued")
                    return False
                if lease_until is not None and not line.messages:
                    uow.outbox.lease_to_writer(event.ordering_key, lease_until())
                handled = self._customer_unit(uow, message)
                replies = tuple(uow.outbox.leased())
                arrival = Arrival(
                    "handled" if handled else "ignored", replies, uow.outbox.wrote_for_relay
                )
                return handled

        self._counted("customer", message, work)
        return arrival

    def _handle_customer(self, message: CustomerMessage) -> bool:
        with UnitOfWork(self._sessions) as uow:
            return self._customer_unit(uow, message)

    def _customer_unit(self, uow: UnitOfWork, message: CustomerMessage) -> bool:
        """The customer's turn, committed (``uow`` is the caller's), then counted."""
        finished = self._customer_turn(uow, message)
        self._close_inbox_item(uow, message, handled=finished is not None)
        if finished is None:
            return False
        if finished.outcome is not None:
            self._metrics.conversations_finished.labels(finished.outcome).inc()
        if finished.outcome == "ticket":
            self._metrics.tickets_opened.inc()
        return True

    def _customer_turn(self, uow: UnitOfWork, message: CustomerMessage) -> "_Finished | None":
        """One customer message in ``uow``; None when there is nothing to do (redelivery,
        or a thread reply that continues no conversation)."""
        if not uow.conversations.first_time_seen(
            message.address.platform, message.message_id, message.at
        ):
            return None
        customer_id, active = uow.conversations.locate(message.author, message.address, message.at)
        if active is None and (message.continuation or message.edited):
            return None  # continues, or edits, nothing of ours
        redaction = as_stored(message.text)
        said = as_edit(redaction.text) if message.edited else redaction.text
        if active is None:
            previous = uow.conversations.latest(customer_id, message.address)
            state = next_conversation(previous, message.at)
            conversation_id = uow.conversations.start(
                customer_id, message.address, state, message.at
            )
        else:
            conversation_id, state = active
        turn = _Turn(uow, message.author, customer_id, conversation_id, message.address, message.at)
        if state.ticket_id:
            turn.ticket_row = uow.tickets.row_id(state.ticket_id)
        if message.catch_up and not message.edited:  # an edit's id is not a history position
            uow.conversations.advance_cursor(message.address, message.message_id)
        if said:  # a sticker or invisible characters leave nothing worth a transcript line
            uow.conversations.record(
                conversation_id,
                "customer",
                message.author.display_name,
                said,
                message.at,
                turn.ticket_row,
            )
        event: Event = CustomerSaid(
            text=redaction.text,
            at=message.at,
            redacted=redaction.found,
            edited=message.edited,
            answers=message.answers,
        )
        state = self._run(state, event, turn)
        outcome = turn.outcome or _OUTCOMES.get(state.step)
        uow.conversations.save(conversation_id, state, message.at, outcome)
        log.info("customer message handled", extra={"conversation_id": conversation_id})
        return _Finished(outcome)

    @staticmethod
    def _close_inbox_item(
        uow: UnitOfWork, message: CustomerMessage | TeamMessage, handled: bool
    ) -> None:
        """Commit the turn together with marking its inbox event done, so an event is never
        handled twice nor lost; what a turn that did nothing wrote is dropped first."""
        if not handled:
            uow.rollback()
        if message.accepted:
            uow.inbox.done_by_message(message.address.platform, message.message_id, message.at)
        uow.commit()

    def _run(self, state: Conversation, event: Event, turn: _Turn) -> Conversation:
        pending: list[Event] = [event]
        while pending:
            state, actions = step(state, pending.pop(0), self._policy, self._guides)
            for action in actions:
                pending.extend(self._perform(action, turn))
        return state

    def _perform(self, action: Action, turn: _Turn) -> list[Event]:
        uow, at = turn.uow, turn.at
        if isinstance(action, Reply):
            self._desk.to_customer(
                uow,
                turn.conversation_id,
                turn.address,
                Outgoing(text=action.text, choices=action.choices),
                "bot",
                "bot",
                at,
                turn.ticket_row,
            )
            return []
        if isinstance(action, OpenTicket):
            ticket = uow.tickets.open(
                action.draft,
                prefix=self._policy.ticket_prefix,
                first_number=self._policy.first_ticket_number,
                conversation_id=turn.conversation_id,
                customer_id=turn.customer_id,
                customer=turn.customer,
                customer_address=turn.address,
                team_address=self._desk.team_address,
                at=at,
            )
            turn.ticket_row = uow.tickets.row_id(ticket.public_id)
            turn.outcome = "ticket"
            self._desk.open_card(uow, ticket, at)
            log.info(
                "ticket opened",
                extra={"ticket": ticket.public_id, "conversation_id": turn.conversation_id},
            )
            return [TicketOpened(ticket_id=ticket.public_id, at=at)]
        if isinstance(action, LookUpTickets):
            tickets = uow.tickets.list(customer_id=turn.customer_id)
            here = [t for t in tickets if t.customer_address.channel == turn.address.channel]
            lines = tuple(
                TicketLine(ticket_id=t.public_id, status=t.status.value, problem=t.problem)
                for t in here
            )
            return [TicketsFound(tickets=lines, elsewhere=len(tickets) - len(here), at=at)]
        if isinstance(action, ForwardToTicket):
            author = turn.customer.display_name
            self._desk.forward(uow, action.ticket_id, action.text, author, at, action.reopens)
            return []
        if isinstance(action, AmendTicket):
            self._desk.amend(uow, action, turn.customer.display_name, at)
            return []
        if isinstance(action, SelfServed):
            return []  # the outcome follows from the step (see _OUTCOMES)
        if isinstance(action, RecordGap):
            uow.conversations.record_gap(action.text, action.kind, action.reason, at)
            return []
        raise TypeError(f"unhandled action {type(action).__name__}")

    # ── agents ──────────────────────────────────────────────────────────────────────────

    def handle_team(self, message: TeamMessage) -> bool:
        """Process a message in a ticket thread; False when ignored (redelivery, not a ticket)."""
        return self._counted("team", message, lambda: self._handle_team(message))

    def _handle_team(self, message: TeamMessage) -> bool:
        with UnitOfWork(self._sessions) as uow:
            handled = self._desk.team_turn(uow, message)
            self._close_inbox_item(uow, message, handled)
        return handled

    # ── the inbox ───────────────────────────────────────────────────────────────────────

    def accept(self, event: InboxEvent, lease: timedelta) -> Accepted | None:
        """Durably accept a platform event before acknowledging it.

        Returns the event leased to the caller when it may be handled right away (nothing of
        its conversation waits before it); None for a redelivery or when it must wait its turn
        (the inbox worker takes it then).
        """
        with UnitOfWork(self._sessions) as uow:
            accepted = uow.inbox.add(event, lease)
            uow.commit()
        return accepted

    def claim_inbox(
        self, platform: str, now: datetime, limit: int, lease: timedelta
    ) -> list[Accepted]:
        with UnitOfWork(self._sessions) as uow:
            claimed = uow.inbox.claim_due(now, {platform}, limit, lease)
            uow.commit()
        return claimed

    def inbox_done(self, item_id: int, at: datetime, error: str | None) -> None:
        with UnitOfWork(self._sessions) as uow:
            uow.inbox.done(item_id, at, error)
            uow.commit()

    def inbox_retry(self, item_id: int, until: datetime, error: str) -> None:
        with UnitOfWork(self._sessions) as uow:
            uow.inbox.retry_later(item_id, until, error)
            uow.commit()

    def resume_points(self, platform: str) -> list[tuple[Address, str]]:
        """Every channel or thread with traffic on ``platform``, and the newest message handled
        there: where to fetch history after downtime so no customer message is lost."""
        with UnitOfWork(self._sessions, read_only=True) as uow:
            return uow.conversations.cursors(platform)
