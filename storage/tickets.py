"""Tickets, their numbers and their event history."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake.actions import TicketDraft
from intake.addresses import Address, Person
from intake.guides import GuideMatch
from intake.tickets import Priority, Status, Ticket, TicketEvent
from storage.rows import ConversationRow, CounterRow, CustomerRow, TicketEventRow, TicketRow
from storage.statements import ADD_TICKET, ADD_TICKET_EVENT, CREATE_COUNTER

_TICKET_COUNTER = "ticket"
_TAKE_NUMBER = (
    update(CounterRow)
    .where(CounterRow.name == _TICKET_COUNTER)
    .values(value=CounterRow.value + 1)
    .returning(CounterRow.value)
)


# Tickets are always read with their customer: one query, not one more per ticket.
_WITH_CUSTOMER = select(TicketRow, CustomerRow).join(
    CustomerRow, CustomerRow.id == TicketRow.customer_id
)


class TicketNotFound(LookupError):
    pass


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # public id -> (row id, conversation id) of tickets this unit of work has read: they
        # never change, so an agent's command needs one lookup, not one per step.
        self._keys: dict[str, tuple[int, int]] = {}

    def open(
        self,
        draft: TicketDraft,
        *,
        prefix: str,
        first_number: int,
        conversation_id: int,
        customer_id: int,
        customer: Person,
        customer_address: Address,
        team_address: Address | None,
        at: datetime,
    ) -> Ticket:
        """The new ticket. Its number holds the counter's lock until the transaction ends, so
        nothing here reads the database again."""
        number = self._next_number(first_number)
        public_id = f"{prefix}-{number}"
        row = (
            self._session.connection()
            .execute(
                ADD_TICKET,
                {
                    "number": number,
                    "public_id": public_id,
                    "conversation_id": conversation_id,
                    "customer_id": customer_id,
                    "customer_address": customer_address.model_dump(mode="json"),
                    "kind": draft.kind,
                    "problem": draft.problem,
                    "details": dict(draft.details),
                    "missing": list(draft.missing),
                    "consent": draft.consent,
                    "consent_at": draft.consent_at,
                    "consent_terms": draft.consent_terms,
                    "guides": [guide.model_dump(mode="json") for guide in draft.guides],
                    "status": Status.OPEN.value,
                    "priority": draft.priority.value,
                    "out_of_hours": draft.out_of_hours,
                    "due_at": draft.due_at,
                    "created_at": at,
                    "updated_at": at,
                    "team_platform": team_address.platform if team_address else None,
                    "team_channel": team_address.channel if team_address else None,
                },
            )
            .one()
        )
        self.add_event(row.id, "opened", "customer", draft.kind, at)
        return self._to_ticket(row, customer)

    def _next_number(self, first_number: int) -> int:
        """The next ticket number, taken under the counter row's lock: unique, no gaps."""
        value = self._session.execute(_TAKE_NUMBER).scalar()
        if value is None:  # the first ticket ever
            self._session.execute(
                CREATE_COUNTER, {"name": _TICKET_COUNTER, "value": first_number - 1}
            )
            value = self._session.execute(_TAKE_NUMBER).scalar_one()
        return int(value)

    def row_id(self, public_id: str) -> int:
        return self._key(public_id)[0]

    def get(self, public_id: str) -> Ticket:
        found = self._session.execute(
            _WITH_CUSTOMER.where(TicketRow.public_id == public_id)
        ).first()
        if found is None:
            raise TicketNotFound(public_id)
        return self._to_ticket(*found)

    def team_place(self, public_id: str) -> tuple[Address | None, str | None]:
        """The ticket's thread in the team channel and its card's message (None until posted),
        without loading the whole ticket: the relay asks for every message to a thread."""
        row = self._session.execute(
            select(
                TicketRow.team_platform,
                TicketRow.team_channel,
                TicketRow.team_thread,
                TicketRow.team_message,
            ).where(TicketRow.public_id == public_id)
        ).first()
        if row is None:
            raise TicketNotFound(public_id)
        return _team_address(row.team_platform, row.team_channel, row.team_thread), row.team_message

    def conversation_of(self, public_id: str) -> int:
        return self._key(public_id)[1]

    def _key(self, public_id: str) -> tuple[int, int]:
        """(row id, conversation id), looked up once per unit of work."""
        if public_id not in self._keys:
            found = self._session.execute(
                select(TicketRow.id, TicketRow.conversation_id).where(
                    TicketRow.public_id == public_id
                )
            ).first()
            if found is None:
                raise TicketNotFound(public_id)
            self._keys[public_id] = (found.id, found.conversation_id)
        return self._keys[public_id]

    def at_customer_address(self, address: Address) -> tuple[str, str | None] | None:
        """(public id, team platform) of the ticket of the newest conversation at a customer's
        address, None when that conversation has none: what a message there was about, in one
        query rather than loading the conversation and then its ticket."""
        found = self._session.execute(
            select(
                TicketRow.id,
                TicketRow.conversation_id,
                TicketRow.public_id,
                TicketRow.team_platform,
            )
            .select_from(ConversationRow)
            .outerjoin(TicketRow, TicketRow.conversation_id == ConversationRow.id)
            .where(ConversationRow.address_key == address.key)
            .order_by(ConversationRow.id.desc())
            .limit(1)
        ).first()
        if found is None or found.public_id is None:
            return None
        self._keys[found.public_id] = (found.id, found.conversation_id)
        return found.public_id, found.team_platform

    def by_team_thread(self, address: Address) -> Ticket | None:
        """The ticket of a team thread, locked until the transaction ends: an agent's command
        decides from the status it reads here, so two commands at once take turns."""
        found = self._session.execute(
            _WITH_CUSTOMER.where(TicketRow.team_platform == address.platform)
            .where(TicketRow.team_channel == address.channel)
            .where(TicketRow.team_thread == address.thread)
            .with_for_update(of=TicketRow)
        ).first()
        return None if found is None else self._to_ticket(*found)

    def list(self, status: Status | None = None, customer_id: int | None = None) -> list[Ticket]:
        query = _WITH_CUSTOMER.order_by(TicketRow.number.desc())
        if status is not None:
            query = query.where(TicketRow.status == status.value)
        if customer_id is not None:
            query = query.where(TicketRow.customer_id == customer_id)
        return [self._to_ticket(*found) for found in self._session.execute(query)]

    def set_team_thread(self, public_id: str, message_ref: str, thread: str) -> None:
        self._session.execute(
            update(TicketRow)
            .where(TicketRow.public_id == public_id)
            .values(team_message=message_ref, team_thread=thread)
        )

    def change(self, public_id: str, at: datetime, **values: str | None) -> None:
        self._session.execute(
            update(TicketRow)
            .where(TicketRow.public_id == public_id)
            .values(updated_at=at, **values)
        )

    def amend(
        self,
        public_id: str,
        at: datetime,
        details: dict[str, str],
        missing: Sequence[str],
        consent: bool | None,
        consent_terms: str | None,
        problem: str | None,
        kind: str | None,
    ) -> None:
        """What the customer added after the ticket opened, and what is still missing now."""
        values: dict[str, object] = {"details": details, "missing": list(missing)}
        if consent is not None:
            values |= {"consent": consent, "consent_at": at, "consent_terms": consent_terms}
        if problem is not None:
            values["problem"] = problem
        if kind is not None:
            values["kind"] = kind
        self._session.execute(
            update(TicketRow)
            .where(TicketRow.public_id == public_id)
            .values(updated_at=at, **values)
        )

    def add_event(
        self, ticket_row_id: int, kind: str, actor: str, detail: str, at: datetime
    ) -> None:
        self._session.connection().execute(
            ADD_TICKET_EVENT,
            {
                "ticket_id": ticket_row_id,
                "kind": kind,
                "actor": actor,
                "detail": detail,
                "created_at": at,
            },
        )

    def events(self, public_id: str) -> Sequence[TicketEvent]:
        query = (
            select(TicketEventRow)
            .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
            .where(TicketRow.public_id == public_id)
            .order_by(TicketEventRow.id)
        )
        return [
            TicketEvent(kind=r.kind, actor=r.actor, detail=r.detail, at=r.created_at)
            for r in self._session.scalars(query)
        ]

    def _to_ticket(self, row: Any, customer: CustomerRow | Person) -> Ticket:
        """``row``: a ``TicketRow``, or a row of the tickets table with the same names."""
        self._keys[row.public_id] = (row.id, row.conversation_id)
        return Ticket(
            public_id=row.public_id,
            kind=row.kind,
            problem=row.problem,
            details=row.details,
            missing=tuple(row.missing),
            consent=row.consent,
            consent_at=row.consent_at,
            consent_terms=row.consent_terms,
            guides=tuple(GuideMatch.model_validate(g) for g in row.guides),
            status=Status(row.status),
            priority=Priority(row.priority),
            assignee=row.assignee,
            out_of_hours=row.out_of_hours,
            due_at=row.due_at,
            created_at=row.created_at,
            customer=customer if isinstance(customer, Person) else _person(customer),
            customer_address=Address.model_validate(row.customer_address),
            team_address=_team_address(row.team_platform, row.team_channel, row.team_thread),
            team_message=row.team_message,
        )


def _person(row: CustomerRow) -> Person:
    return Person(
        platform=row.platform, user_id=row.platform_user_id, display_name=row.display_name
    )


def _team_address(platform: str | None, channel: str | None, thread: str | None) -> Address | None:
    if not (platform and channel):
        return None
    return Address(platform=platform, channel=channel, thread=thread)
