"""The inbox: platform events accepted (and acknowledged) before they are handled."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.queue import claim_heads, finish, postpone
from storage.rows import InboxRow


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
    ) -> bool:
        """Store an event once; False when this platform id was accepted before (a redelivery)."""
        values = {
            "platform": platform,
            "message_id": message_id,
            "ordering_key": ordering_key,
            "payload": payload,
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        }
        try:
            with self._session.begin_nested():
                self._session.execute(insert(InboxRow), [values])
        except IntegrityError:
            return False
        return True

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
