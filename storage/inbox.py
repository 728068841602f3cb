"""The inbox: platform events accepted (and acknowledged) before they are handled."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from storage.queue import claim_heads, finish, postpone
from storage.rows import InboxRow
from storage.statements import (
    ADD_INBOX,
    CLAIM_INBOX,
    INBOX_DONE,
    LEASE_INBOX_IF_FIRST,
    TAKE_TURN,
)


class Accepted(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    platform: str
    message_id: str
    payload: dict[str, Any]
    attempts: int


class InboxEvent(BaseModel):
    """A platform event as the inbox stores it: ``payload`` is what its handler reads back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: str
    message_id: str
    ordering_key: str
    payload: dict[str, Any]
    at: datetime


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def take_turn(self, ordering_key: str) -> None:
        """Wait for any other arrival of this conversation to commit, so whether something of
        it is still waiting is decided once (SQLite's single writer already takes turns)."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(TAKE_TURN, {"key": ordering_key})

    def enqueue(self, event: InboxEvent) -> int | None:
        """Store an event once, due now; its id, or None for a redelivery."""
        item_id: int | None = (
            self._session.connection()
            .execute(
                ADD_INBOX,
                {
                    "platform": event.platform,
                    "message_id": event.message_id,
                    "ordering_key": event.ordering_key,
                    "payload": event.payload,
                    "created_at": event.at,
                    "next_attempt_at": event.at,
                },
            )
            .scalar()
        )
        return item_id

    def add(self, event: InboxEvent, lease: timedelta) -> Accepted | None:
        """Store an event once, and lease it to the caller when nothing of its conversation is
        still waiting before it. None for a redelivery, or when it must wait its turn."""
        self.take_turn(event.ordering_key)
        item_id = self.enqueue(event)
        if item_id is None:
            return None
        leased = (
            self._session.connection()
            .execute(LEASE_INBOX_IF_FIRST, {"item_id": item_id, "until": event.at + lease})
            .scalar()
        )
        if leased is None:
            return None
        return Accepted(
            id=item_id,
            platform=event.platform,
            message_id=event.message_id,
            payload=event.payload,
            attempts=1,
        )

    def done_by_message(self, platform: str, message_id: str, at: datetime) -> None:
        """The event behind this platform message was handled (in the caller's transaction)."""
        self._session.connection().execute(
            INBOX_DONE, {"the_platform": platform, "the_message_id": message_id, "at": at}
        )

    def claim_due(
        self, now: datetime, platforms: set[str], limit: int, lease: timedelta
    ) -> list[Accepted]:
        rows = claim_heads(self._session, CLAIM_INBOX, now, platforms, limit, lease)
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
