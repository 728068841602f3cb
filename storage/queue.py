"""The durable queue both the inbox and the outbox are: ordered per key, leased, retried.

Only the oldest unfinished item of an ``ordering_key`` can be claimed, so a retry never lets a
later item overtake. Claiming leases the item (pushes ``next_attempt_at`` forward) and counts the
attempt: an instance that dies holding it only delays it by the lease. The attempt count is the
claim's fencing token, so a holder whose lease ran out can't extend it over a newer claim. On
PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED`` so concurrent instances never take the same
item.
"""

from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Update, update
from sqlalchemy.orm import Session

from storage.rows import InboxRow, OutboxRow
from storage.statements import IN_LINE

Row = TypeVar("Row", InboxRow, OutboxRow)


class InLine(NamedTuple):
    """What of one ordering key is still unfinished, in and out."""

    events: bool
    messages: bool


def in_line(session: Session, key: str) -> InLine:
    events, messages = session.connection().execute(IN_LINE, {"key": key}).one()
    return InLine(bool(events), bool(messages))


def claim_heads(
    session: Session,
    claim: Update,
    now: datetime,
    platforms: set[str],
    limit: int,
    lease: timedelta,
) -> list[Any]:
    """Lease up to ``limit`` due items, the oldest unfinished of each key only, in one
    statement (``CLAIM_INBOX`` or ``CLAIM_OUTBOX``); returns their rows (with the new lease),
    oldest first."""
    claimed = session.connection().execute(
        claim,
        {"now": now, "platforms": sorted(platforms), "limit": limit, "until": now + lease},
    )
    return sorted(claimed, key=lambda row: row.id)


def finish(
    session: Session, table: type[Row], item_id: int, at: datetime, error: str | None
) -> None:
    """Done with an item: handled, or given up on with ``error`` (kept for inspection)."""
    session.execute(update(table).where(table.id == item_id).values(done_at=at, last_error=error))


def postpone(session: Session, table: type[Row], item_id: int, until: datetime, error: str) -> None:
    session.execute(
        update(table)
        .where(table.id == item_id)
        .values(next_attempt_at=until, last_error=error[:2000])
    )


def extend_lease(
    session: Session, table: type[Row], item_id: int, attempts: int, until: datetime
) -> bool:
    """Keep a claimed item leased while its work runs; False when it was claimed again since."""
    extended = session.execute(
        update(table)
        .where(table.id == item_id, table.attempts == attempts, table.done_at.is_(None))
        .values(next_attempt_at=until)
        .returning(table.id)
    ).scalar()
    return extended is not None
