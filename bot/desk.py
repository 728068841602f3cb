"""The ticket desk: what agents do in a ticket thread, and the posts each side of a ticket gets.

Shared by the customer flow (a ticket opens, a customer adds to it or reopens it) and the
agents' flow (replies, notes, commands), so both write transcript and outbox the same way.
"""

import logging
from datetime import datetime

from bot.cards import ticket_card
from intake.actions import AmendTicket
from intake.addresses import Address
from intake.answers import clean_text
from intake.conversation import Step, reopened
from intake.events import TicketClosed
from intake.fields import fields_of
from intake.guides import GuideSearch
from intake.inbound import TeamMessage, as_edit, as_stored, original_id
from intake.machine import step
from intake.outgoing import Outgoing
from intake.policy import Policy
from intake.team import (
    COMMAND_HELP,
    InternalNote,
    RelayToCustomer,
    TicketCommand,
    Unclear,
    read_team_message,
)
from intake.texts import consent_word, shorten
from intake.tickets import Action as TicketAction
from intake.tickets import Status, Ticket, customer_notice, next_status
from storage.outbox import Destination
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

NOT_AN_AGENT = "Only support agents can reply to or change tickets."
EDIT_STAYS_A_NOTE = (
    "That edit stays a note: the customer never saw the message. To send it to them, write "
    "it again as a new message."
)
UNDELIVERED = "Not delivered to the customer: {excerpt} ({reason})"
NOT_IN_THE_THREAD = "Not posted in the ticket's thread: {excerpt} ({reason})"
_EXCERPT = 200  # characters of an undelivered message the thread shows
ALREADY_YOURS = "You already have this ticket."
SAID_TO_THE_BOT = (
    "That was addressed to me, so the customer didn't get it; it is kept as a note. To reply "
    f"to the customer, write without mentioning me. {COMMAND_HELP}"
)


class TicketDesk:
    def __init__(self, policy: Policy, guides: GuideSearch, team_address: Address | None) -> None:
        self._policy = policy
        self._guides = guides
        self.team_address = team_address

    def open_card(self, uow: UnitOfWork, ticket: Ticket, at: datetime) -> None:
        """Post a new ticket's card to the team channel; its thread becomes the ticket."""
        if self.team_address is not None:
            card = ticket_card(ticket, self._policy, at)
            self.to_team(uow, ticket.public_id, Destination(address=self.team_address), card, at)

    def forward(
        self,
        uow: UnitOfWork,
        public_id: str,
        text: str,
        author: str,
        at: datetime,
        reopens: bool,
    ) -> None:
        """A customer added to their ticket: show the agents, and reopen it if it was resolved
        (unless ``reopens`` is False: a thank-you)."""
        ticket = uow.tickets.get(public_id)
        if reopens and ticket.status is Status.RESOLVED:
            self.change_status(uow, ticket, Status.OPEN, "reopened", author, at)
        elif reopens and ticket.status is Status.PENDING:  # the wait for the customer is over
            self.change_status(uow, ticket, Status.OPEN, "answered", author, at)
        thread = Destination(ticket_thread=ticket.public_id)
        self.to_team(uow, ticket.public_id, thread, Outgoing(text=text, author=author), at)

    def amend(self, uow: UnitOfWork, change: AmendTicket, author: str, at: datetime) -> None:
        """The customer gave, after their ticket opened, what it lacked: the ticket and its
        card say so, and the agents are told in the thread."""
        ticket = uow.tickets.get(change.ticket_id)
        labels = {field.key: field.label for field in fields_of(self._policy)}
        said = {self._policy.detail_label(key): value for key, value in change.details.items()}
        if change.problem is not None:
            said[labels["problem"]] = change.problem
        if change.kind is not None:
            said[labels["kind"]] = self._policy.kind_label(change.kind)
        if change.consent is not None:
            said[labels["consent"]] = consent_word(change.consent, change.consent_terms)
        uow.tickets.amend(
            change.ticket_id,
            at,
            details={**ticket.details, **change.details},
            missing=[label for label in ticket.missing if label not in said],
            consent=change.consent,
            consent_terms=change.consent_terms,
            problem=change.problem,
            kind=change.kind,
        )
        announcement = f"Added by {author}: " + "; ".join(f"{k}: {v}" for k, v in said.items())
        self._record_change(uow, ticket, "amended", author, announcement, at)

    def team_turn(self, uow: UnitOfWork, message: TeamMessage) -> bool:
        """One message in a team thread; False when it is not a ticket's or was seen before."""
        ticket = uow.tickets.by_team_thread(message.address)
        if ticket is None or not uow.conversations.first_time_seen(
            message.address.platform, message.message_id, message.at
        ):
            return False
        if message.catch_up and not message.edited:  # an edit's id is not a history position
            uow.conversations.advance_cursor(message.address, message.message_id)
        self._team_input(uow, ticket, message)
        return True

    def _team_input(self, uow: UnitOfWork, ticket: Ticket, message: TeamMessage) -> None:
        at, agent = message.at, message.author.display_name
        thread = Destination(ticket_thread=ticket.public_id)
        if not message.is_agent:
            if not message.edited:  # told once, not again for each edit
                self.to_team(uow, ticket.public_id, thread, Outgoing(text=NOT_AN_AGENT), at)
            return
        text = as_stored(message.text).text
        conversation_id = uow.tickets.conversation_of(ticket.public_id)
        ticket_row = uow.tickets.row_id(ticket.public_id)
        parsed = read_team_message(text)
        if not message.edited and not isinstance(parsed, RelayToCustomer):
            uow.conversations.mark_team_only(message.address.platform, message.message_id)
        if message.edited:
            # A corrected reply or note goes on marked as an edit; an edited command ran once.
            if not isinstance(parsed, RelayToCustomer | InternalNote) or not parsed.text:
                return
            if isinstance(parsed, RelayToCustomer) and _was_not_for_the_customer(uow, message):
                # "note: customer seems angry" edited to drop "note:": still the team's alone.
                self.to_team(uow, ticket.public_id, thread, Outgoing(text=EDIT_STAYS_A_NOTE), at)
                parsed = InternalNote(text=parsed.text)
            parsed = parsed.model_copy(update={"text": as_edit(parsed.text)})
        if isinstance(parsed, RelayToCustomer) and message.to_the_bot and parsed.text:
            # "@intake what plan is this customer on?": kept for the team, never relayed.
            self._note(uow, ticket, parsed.text, agent, at)
            self.to_team(uow, ticket.public_id, thread, Outgoing(text=SAID_TO_THE_BOT), at)
        elif isinstance(parsed, RelayToCustomer):
            if parsed.text:
                if ticket.status is Status.CLOSED:
                    # Writing to the customer again: their answer should come back here.
                    self.change_status(uow, ticket, Status.OPEN, "reopened", agent, at)
                self.to_customer(
                    uow,
                    conversation_id,
                    ticket.customer_address,
                    Outgoing(text=parsed.text, author=agent),
                    "agent",
                    agent,
                    at,
                    ticket_row,
                )
                _answers_go_to_the_agent(uow, conversation_id, at)
        elif isinstance(parsed, InternalNote):
            self._note(uow, ticket, parsed.text, agent, at)
        elif isinstance(parsed, Unclear):
            self.to_team(uow, ticket.public_id, thread, Outgoing(text=parsed.reason), at)
        else:
            self._command(uow, ticket, parsed, agent, at)
            if parsed.note:
                self._note(uow, ticket, parsed.note, agent, at)

    @staticmethod
    def _note(uow: UnitOfWork, ticket: Ticket, text: str, agent: str, at: datetime) -> None:
        """For the team only: in the ticket's history and transcript, never to the customer."""
        conversation_id = uow.tickets.conversation_of(ticket.public_id)
        ticket_row = uow.tickets.row_id(ticket.public_id)
        uow.tickets.add_event(ticket_row, "note", agent, text, at)
        uow.conversations.record(conversation_id, "note", agent, text, at, ticket_row)

    def _command(
        self, uow: UnitOfWork, ticket: Ticket, command: TicketCommand, agent: str, at: datetime
    ) -> None:
        target = next_status(command.action, ticket.status)
        thread = Destination(ticket_thread=ticket.public_id)
        if not isinstance(target, Status):
            self.to_team(
                uow, ticket.public_id, thread, Outgoing(text=f"Can't do that: {target.reason}."), at
            )
            return
        if command.action is TicketAction.CLAIM:
            if ticket.assignee == agent:
                self.to_team(uow, ticket.public_id, thread, Outgoing(text=ALREADY_YOURS), at)
                return
            taken = f" from {ticket.assignee}" if ticket.assignee else ""
            uow.tickets.change(ticket.public_id, at, assignee=agent, status=target.value)
            announcement = f"{agent} took this ticket{taken}."
            self._record_change(uow, ticket, "claimed", agent, announcement, at)
        elif command.action is TicketAction.PRIORITY and command.priority is not None:
            uow.tickets.change(ticket.public_id, at, priority=command.priority.value)
            self._record_change(
                uow,
                ticket,
                "priority",
                agent,
                f"Priority set to {command.priority.value} by {agent}.",
                at,
            )
        else:
            self.change_status(uow, ticket, target, command.action.value, agent, at)

    def change_status(
        self, uow: UnitOfWork, ticket: Ticket, status: Status, kind: str, actor: str, at: datetime
    ) -> None:
        uow.tickets.change(ticket.public_id, at, status=status.value)
        self._record_change(
            uow,
            ticket,
            kind,
            actor,
            f"Ticket {ticket.public_id} is now {status.value} ({kind} by {actor}).",
            at,
        )
        conversation_id = uow.tickets.conversation_of(ticket.public_id)
        by_command = kind == TicketAction.REOPEN.value  # not the customer's own message
        notice = customer_notice(ticket.public_id, status, reopened=by_command)
        if notice:
            self.to_customer(
                uow,
                conversation_id,
                ticket.customer_address,
                Outgoing(text=notice),
                "bot",
                "bot",
                at,
                uow.tickets.row_id(ticket.public_id),
            )
        if status not in (Status.CLOSED, Status.OPEN):
            return  # the conversation itself only changes when the ticket closes or reopens
        state = uow.conversations.load(conversation_id)
        if status is Status.CLOSED and not state.finished:
            state, _ = step(state, TicketClosed(at=at), self._policy, self._guides)
            uow.conversations.save(conversation_id, state, at)
        elif status is Status.OPEN and state.step is Step.CLOSED:
            # Reopened after a close: what the customer writes goes to this ticket again.
            uow.conversations.save(conversation_id, reopened(state), at)
            self._fold_in_later_requests(uow, ticket, conversation_id, at)

    def _fold_in_later_requests(
        self, uow: UnitOfWork, ticket: Ticket, conversation_id: int, at: datetime
    ) -> None:
        """A request the customer started after the close and never sent (often an answer to
        the agent, taken for a new problem) gives way to the reopened ticket: what they wrote
        there goes to the ticket's thread, and their next message to the ticket."""
        for later_id, later in uow.conversations.started_since(conversation_id):
            if later.ticket_id:
                continue  # a ticket of its own
            for line in uow.conversations.transcript(later_id):
                if line.direction == "customer":
                    self.forward(uow, ticket.public_id, line.text, line.author, at, False)
            folded = later.model_copy(update={"step": Step.CANCELLED})
            uow.conversations.save(later_id, folded, at, "cancelled")

    def _record_change(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        kind: str,
        actor: str,
        announcement: str,
        at: datetime,
    ) -> None:
        uow.tickets.add_event(uow.tickets.row_id(ticket.public_id), kind, actor, announcement, at)
        self.to_team(
            uow,
            ticket.public_id,
            Destination(ticket_thread=ticket.public_id),
            Outgoing(text=announcement),
            at,
        )
        if self.team_address is not None:
            refreshed = ticket_card(uow.tickets.get(ticket.public_id), self._policy, at)
            card = Destination(ticket_card=ticket.public_id)
            self.to_team(uow, ticket.public_id, card, refreshed, at)

    def to_customer(
        self,
        uow: UnitOfWork,
        conversation_id: int,
        address: Address,
        message: Outgoing,
        direction: str,
        author: str,
        at: datetime,
        ticket_row: int | None,
    ) -> None:
        uow.conversations.record(conversation_id, direction, author, message.text, at, ticket_row)
        uow.outbox.add(address.platform, address.key, Destination(address=address), message, at)

    def to_team(
        self,
        uow: UnitOfWork,
        public_id: str,
        destination: Destination,
        message: Outgoing,
        at: datetime,
    ) -> None:
        if self.team_address is not None:
            _to_ticket_team(uow, self.team_address.platform, public_id, destination, message, at)


def _answers_go_to_the_agent(uow: UnitOfWork, conversation_id: int, at: datetime) -> None:
    """The agent wrote last: a plain yes or no now answers them, not the access question the
    bot asked before."""
    state = uow.conversations.load(conversation_id)
    if state.access_asked:
        uow.conversations.save(
            conversation_id, state.model_copy(update={"access_asked": False}), at
        )


def report_undelivered(
    uow: UnitOfWork, address: Address, text: str, reason: str, at: datetime
) -> None:
    """A message to a customer was given up: tell their ticket's thread, so the agents don't
    believe the customer has it. Only a customer's address can have a ticket, so a failed post
    to the team (this note included) never reports itself."""
    found = uow.tickets.at_customer_address(address)
    if found is None:
        return
    public_id, team_platform = found
    note = UNDELIVERED.format(excerpt=shorten(text, _EXCERPT), reason=reason)
    uow.tickets.add_event(uow.tickets.row_id(public_id), "undelivered", "bot", note, at)
    if team_platform is not None:
        thread = Destination(ticket_thread=public_id)
        _to_ticket_team(uow, team_platform, public_id, thread, Outgoing(text=note), at)


def report_not_in_thread(
    uow: UnitOfWork, public_id: str, text: str, reason: str, at: datetime
) -> None:
    """A post to a ticket's thread was given up (the thread deleted, the bot removed): kept in
    the ticket's history, where ``intake tickets show`` finds it, since the thread can't."""
    note = NOT_IN_THE_THREAD.format(excerpt=shorten(text, _EXCERPT), reason=reason)
    uow.tickets.add_event(uow.tickets.row_id(public_id), "undelivered", "bot", note, at)


def _to_ticket_team(
    uow: UnitOfWork,
    platform: str,
    public_id: str,
    destination: Destination,
    message: Outgoing,
    at: datetime,
) -> None:
    """Everything for one ticket's thread and card shares one ordering key: sent in order."""
    uow.outbox.add(platform, f"ticket:{public_id}", destination, message, at)


def _was_not_for_the_customer(uow: UnitOfWork, message: TeamMessage) -> bool:
    """An edit of a note or a command, which the customer never saw: by the words before, when
    the platform gives them, else by what became of the message when it was handled."""
    if message.before is not None:
        return not isinstance(read_team_message(clean_text(message.before)), RelayToCustomer)
    original = original_id(message.message_id)
    return uow.conversations.was_team_only(message.address.platform, original) is True
