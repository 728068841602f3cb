"""The inbox: platform events accepted (and acknowledged) before they are handled."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.queue import claim_heads, finish, postpone
from storage.rows import InboxRow
from storage.statements import ADD_INBOX, INBOX_DONE, LEASE_INBOX_IF_FIRST


class Accepted(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    platform: str
    message_id: str
    payload: dict[str, Any]
    attempts: int


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        platform: str,
        message_id: str,
        ordering_key: str,
        payload: dict[str, Any],
        at: datetime,
        lease: timedelta,
    ) -> Accepted | None:
        """Store an event once, and lease it to the caller when nothing of its conversation is
        still waiting before it. None for a redelivery, or when it must wait its turn."""
        if self._session.get_bind().dialect.name == "postgresql":
            # Accepts of one conversation take turns, so "first in line" is decided once.
            self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": ordering_key}
            )
        item_id = (
            self._session.connection()
            .execute(
                ADD_INBOX,
                {
                    "platform": platform,
                    "message_id": message_id,
                    "ordering_key": ordering_key,
                    "payload": payload,
                    "created_at": at,
                    "next_attempt_at": at,
                },
            )
            .scalar()
        )
        if item_id is None:
            return None
        leased = (
            self._session.connection()
            .execute(LEASE_INBOX_IF_FIRST, {"item_id": item_id, "until": at + lease})
            .scalar()
        )
        if leased is None:
            return None
        return Accepted(
            id=item_id, platform=platform, message_id=message_id, payload=payload, attempts=1
        )

    def done_by_message(self, platform: str, message_id: str, at: datetime) -> None:
        """The event behind this platform message was handled (in the caller's transaction)."""
        self._session.connection().execute(
            INBOX_DONE, {"the_platform": platform, "the_message_id": message_id, "at": at}
        )

    def claim_due(
        self, now: datetime, platforms: set[str], limit: int, lease: timedelta
    ) -> list[Accepted]:
        rows = claim_heads(self._session, InboxRow, now, platforms, limit, lease)
        return [
            Accepted(
                id=row.id,
                platform=row.platform,
                message_id=row.message_id,
                payload=row.payload,
                attempts=row.attempts,
            )
            for row in rows
        ]

    def done(self, item_id: int, at: datetime, error: str | None = None) -> None:
        finish(self._session, InboxRow, item_id, at, error)

    def retry_later(self, item_id: int, until: datetime, error: str) -> None:
        postpone(self._session, InboxRow, item_id, until, error)
