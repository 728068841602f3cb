"""The outbox: messages written with the change that caused them, sent later by the relay.

Order is kept per ``ordering_key`` (one customer conversation, or one ticket thread): only the
oldest unsent message of a key can be claimed, so a retry never lets a later message overtake.
On PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so each message goes to one instance.
"""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from intake.addresses import Address
from intake.outgoing import Outgoing
from storage.rows import OutboxRow


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

    def add(
        self,
        platform: str,
        ordering_key: str,
        destination: Destination,
        message: Outgoing,
        at: datetime,
    ) -> None:
        self._session.execute(
            insert(OutboxRow),
            [
                {
                    "ordering_key": ordering_key,
                    "platform": platform,
                    "destination": destination.model_dump(mode="json"),
                    "payload": message.model_dump(mode="json"),
                    "created_at": at,
                    "next_attempt_at": at,
                    "attempts": 0,
                }
            ],
        )

    def claim_due(
        self, now: datetime, platforms: set[str], limit: int, lease: timedelta
    ) -> list[Pending]:
        """Take up to ``limit`` due messages, the head of each key only, and lease them.

        Leasing pushes ``next_attempt_at`` forward, so a message whose sender crashed mid-send
        becomes due again after the lease instead of being lost.
        """
        older = aliased(OutboxRow)
        head_of_key = ~(
            select(older.id)
            .where(
                older.ordering_key == OutboxRow.ordering_key,
                older.sent_at.is_(None),
                older.id < OutboxRow.id,
            )
            .exists()
        )
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.sent_at.is_(None),
                OutboxRow.next_attempt_at <= now,
                OutboxRow.platform.in_(platforms),
                head_of_key,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxRow)
        )
        rows = list(self._session.scalars(query))
        for row in rows:
            row.next_attempt_at = now + lease
            row.attempts += 1
        return [_pending(row) for row in rows]

    def mark_sent(
        self, outbox_id: int, at: datetime, sent_ref: str | None, error: str | None = None
    ) -> None:
        """Done with this message: delivered (``sent_ref``), or dropped with ``error``."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == outbox_id)
            .values(sent_at=at, sent_ref=sent_ref, last_error=error)
        )

    def retry_later(self, outbox_id: int, at: datetime, error: str) -> None:
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == outbox_id)
            .values(next_attempt_at=at, last_error=error[:2000])
        )

    def depth(self) -> tuple[int, datetime | None]:
        """Unsent messages, and when the oldest was written."""
        count, oldest = self._session.execute(
            select(func.count(OutboxRow.id), func.min(OutboxRow.created_at)).where(
                OutboxRow.sent_at.is_(None)
            )
        ).one()
        return int(count), oldest

    def next_due(self, platforms: set[str]) -> datetime | None:
        return self._session.scalar(
            select(func.min(OutboxRow.next_attempt_at)).where(
                OutboxRow.sent_at.is_(None), OutboxRow.platform.in_(platforms)
            )
        )


def _pending(row: OutboxRow) -> Pending:
    payload: dict[str, Any] = row.payload
    return Pending(
        id=row.id,
        platform=row.platform,
        destination=Destination.model_validate(row.destination),
        message=Outgoing.model_validate(payload),
        attempts=row.attempts,
    )
