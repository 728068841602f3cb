"""The outbox: messages written with the change that caused them, sent later by the relay.

Its ordering key is one customer conversation or one ticket thread (see ``storage.queue``).
"""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from intake.addresses import Address
from intake.outgoing import Outgoing
from storage.batch import InsertBatch
from storage.queue import claim_heads, extend_lease, postpone
from storage.rows import OutboxRow
from storage.statements import ADD_LEASED_OUTBOX, ADD_OUTBOX, CLAIM_OUTBOX, OUTBOX_DONE


class Destination(BaseModel):
    """Exactly one of: a known address, the thread of a ticket, or the ticket's card to edit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Address | None = None
    ticket_thread: str | None = None
    ticket_card: str | None = None


class Pending(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    platform: str
    destination: Destination
    message: Outgoing
    attempts: int


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # Written when the unit of work commits, in the order they were added.
        self.new_rows = InsertBatch(ADD_OUTBOX)
        self.leased_rows = InsertBatch(ADD_LEASED_OUTBOX, returning=True)
        self._writer_key: str | None = None
        self._writer_lease = datetime.min
        # Whether this transaction added messages for the relay to claim and send.
        self.wrote_for_relay = False

    def lease_to_writer(self, ordering_key: str, until: datetime) -> None:
        """Write the messages of ``ordering_key`` added from now on already claimed (leased
        until ``until``, one attempt counted): the writer sends them itself after the commit
        (``leased``), without a claim transaction. Only when nothing of that key is unsent
        (``storage.queue.in_line``): they must be first in line."""
        self._writer_key, self._writer_lease = ordering_key, until

    def add(
        self,
        platform: str,
        ordering_key: str,
        destination: Destination,
        message: Outgoing,
        at: datetime,
    ) -> None:
        row = {
            "ordering_key": ordering_key,
            "platform": platform,
            "destination": destination.model_dump(mode="json"),
            "payload": message.model_dump(mode="json"),
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        }
        if ordering_key != self._writer_key:
            self.new_rows.add(row)
            self.wrote_for_relay = True
            return
        leased = row | {"next_attempt_at": self._writer_lease, "attempts": 1}
        self.leased_rows.add(leased, (platform, destination, message))

    def leased(self) -> list[Pending]:
        """The messages written leased to the writer (after the commit), oldest first."""
        return [
            Pending(
                id=outbox_id,
                platform=platform,
                destination=destination,
                message=message,
                attempts=1,
            )
            for outbox_id, (platform, destination, message) in self.leased_rows.written
        ]

    def claim_due(
        self, now: datetime, platforms: set[str], limit: int, lease: timedelta
    ) -> list[Pending]:
        """Up to ``limit`` due messages, the oldest unsent of each conversation only, leased."""
        rows = claim_heads(self._session, CLAIM_OUTBOX, now, platforms, limit, lease)
        return [_pending(row) for row in rows]

    def mark_all_sent(self, at: datetime, sent: list[tuple[int, str | None, str | None]]) -> None:
        """Done with these (id, sent_ref, error): delivered (a ref), or dropped with an error."""
        rows = [
            {"the_id": outbox_id, "done_at": at, "sent_ref": ref, "last_error": error}
            for outbox_id, ref, error in sent
        ]
        if rows:  # one statement for a whole relay pass
            self._session.connection().execute(OUTBOX_DONE, rows)

    def release(self, outbox_ids: list[int], at: datetime, reason: str) -> None:
        """Leased messages not attempted: due at ``at`` again, the attempt not counted."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(outbox_ids))
            .values(next_attempt_at=at, attempts=OutboxRow.attempts - 1, last_error=reason)
        )

    def retry_later(self, outbox_id: int, at: datetime, error: str) -> None:
        postpone(self._session, OutboxRow, outbox_id, at, error)

    def extend_lease(self, outbox_id: int, attempts: int, until: datetime) -> bool:
        return extend_lease(self._session, OutboxRow, outbox_id, attempts, until)

    def depth(self) -> tuple[int, datetime | None]:
        """Unsent messages, and when the oldest was written."""
        count, oldest = self._session.execute(
            select(func.count(OutboxRow.id), func.min(OutboxRow.created_at)).where(
                OutboxRow.done_at.is_(None)
            )
        ).one()
        return int(count), oldest


def _pending(row: Any) -> Pending:
    payload: dict[str, Any] = row.payload
    return Pending(
        id=row.id,
        platform=row.platform,
        destination=Destination.model_validate(row.destination),
        message=Outgoing.model_validate(payload),
        attempts=row.attempts,
    )
