"""Typed SQLAlchemy rows. They mirror intake's values but are not them: the repositories convert.

All times are stored in UTC (``UtcDateTime`` keeps them timezone-aware on SQLite too).
"""

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    platform_user_id: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_active", "customer_id", "address_key", "finished"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(100))
    thread: Mapped[str | None] = mapped_column(String(100))
    address_key: Mapped[str] = mapped_column(String(250))
    step: Mapped[str] = mapped_column(String(20))
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    public_id: Mapped[str] = mapped_column(String(30), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    customer_address: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(50))
    problem: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    missing: Mapped[list[Any]]
    consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None]
    consent_terms: Mapped[str | None] = mapped_column(Text)
    guides: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(200))
    out_of_hours: Mapped[bool] = mapped_column(Boolean)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    team_platform: Mapped[str | None] = mapped_column(String(20))
    team_channel: Mapped[str | None] = mapped_column(String(100))
    team_message: Mapped[str | None] = mapped_column(String(100))
    team_thread: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_tickets_team_thread", "team_platform", "team_channel", "team_thread"),
    )


class MessageRow(Base):
    """Every message both ways, in order: the transcript of a conversation and its ticket."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class TicketEventRow(Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class ProcessedInboundRow(Base):
    """A platform message already handled: a redelivery finds its row and is ignored."""

    __tablename__ = "processed_inbound"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime]
    team_only: Mapped[bool | None]
    """A note or command in a ticket thread: an edit of it never reaches the customer, even
    where the platform does not say what the message said before (Discord)."""


class _Queued:
    """Columns of a durable work queue, read and leased by ``storage.queue``."""

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ordering_key: Mapped[str] = mapped_column(String(250))
    platform: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxRow(_Queued, Base):
    """A message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "done_at", "ordering_key", "id"),)

    destination: Mapped[dict[str, Any]]
    sent_ref: Mapped[str | None] = mapped_column(String(100))


class InboxRow(_Queued, Base):
    """A platform event accepted before it was acknowledged, handled right after.

    Writing it is one small insert, so the platform gets its acknowledgement at once, and a
    crash after the acknowledgement cannot lose the event: it is handled when the bot is back.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        Index("ix_inbox_pending", "done_at", "ordering_key", "id"),
    )

    message_id: Mapped[str] = mapped_column(String(200))


class GapRow(Base):
    """A problem no guide solved (redacted text), for ``intake kb gaps``."""

    __tablename__ = "kb_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class CounterRow(Base):
    """Named counters; ticket numbers come from here so they stay sequential without gaps."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class CursorRow(Base):
    """The newest platform message handled per channel, where catch-up after downtime starts."""

    __tablename__ = "cursors"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    thread: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_message_id: Mapped[str] = mapped_column(String(200))
