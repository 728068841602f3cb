"""The statements of the per-message path, built once on the plain tables.

Every message runs these; building a statement costs more Python than running it, and the
ORM's bulk paths cost more again, so they are made once here and executed with parameters.
"""

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.sql.dml import Update

from storage.rows import (
    ConversationRow,
    CursorRow,
    CustomerRow,
    GapRow,
    InboxRow,
    MessageRow,
    OutboxRow,
    ProcessedInboundRow,
    TicketEventRow,
    TicketRow,
)

inbox: Table = InboxRow.__table__  # type: ignore[assignment]
outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
messages: Table = MessageRow.__table__  # type: ignore[assignment]
conversations: Table = ConversationRow.__table__  # type: ignore[assignment]
processed: Table = ProcessedInboundRow.__table__  # type: ignore[assignment]
cursors: Table = CursorRow.__table__  # type: ignore[assignment]

customers: Table = CustomerRow.__table__  # type: ignore[assignment]
tickets: Table = TicketRow.__table__  # type: ignore[assignment]
ticket_events: Table = TicketEventRow.__table__  # type: ignore[assignment]
gaps: Table = GapRow.__table__  # type: ignore[assignment]

ADD_MESSAGE = insert(messages)
ADD_OUTBOX = insert(outbox)
ADD_LEASED_OUTBOX = insert(outbox).returning(outbox.c.id, sort_by_parameter_order=True)
ADD_TICKET_EVENT = insert(ticket_events)
ADD_GAP = insert(gaps)
# These return what the caller goes on with: the new id, or the whole new ticket.
ADD_CUSTOMER = insert(customers).returning(customers.c.id)
ADD_CONVERSATION = insert(conversations).returning(conversations.c.id)
ADD_TICKET = insert(tickets).returning(*tickets.c)

# Parameters: the_platform, the_user_id, the_address_key. The customer's row, locked for this
# transaction, with their newest unfinished conversation at that address (if any).
LOCK_CUSTOMER_AND_CONVERSATION = (
    select(
        customers.c.id,
        customers.c.display_name,
        conversations.c.id.label("conversation_id"),
        conversations.c.state,
    )
    .select_from(
        customers.outerjoin(
            conversations,
            and_(
                conversations.c.customer_id == customers.c.id,
                conversations.c.address_key == bindparam("the_address_key"),
                conversations.c.finished.is_(False),
            ),
        )
    )
    .where(
        customers.c.platform == bindparam("the_platform"),
        customers.c.platform_user_id == bindparam("the_user_id"),
    )
    .order_by(conversations.c.id.desc())
    .limit(1)
    .with_for_update(of=customers)
)

# The upserts are written out: SQLAlchemy cannot cache its dialect-specific ON CONFLICT
# constructs, and this SQL is the same on PostgreSQL and SQLite (3.35+).

# Parameters: the inbox row's columns. Returns the new id, or nothing for a redelivery.
ADD_INBOX = text(
    "INSERT INTO inbox (platform, message_id, ordering_key, payload, created_at, "
    "next_attempt_at, attempts) VALUES (:platform, :message_id, :ordering_key, :payload, "
    ":created_at, :next_attempt_at, 0) ON CONFLICT DO NOTHING RETURNING id"
).bindparams(
    bindparam("payload", type_=inbox.c.payload.type),
    bindparam("created_at", type_=inbox.c.created_at.type),
    bindparam("next_attempt_at", type_=inbox.c.next_attempt_at.type),
)

# Parameters: platform, message_id, processed_at. Returns a row only the first time.
CLAIM_MESSAGE = text(
    "INSERT INTO processed_inbound (platform, message_id, processed_at) "
    "VALUES (:platform, :message_id, :processed_at) ON CONFLICT DO NOTHING RETURNING message_id"
).bindparams(bindparam("processed_at", type_=processed.c.processed_at.type))

# Parameters: name, value. Creates a counter at its starting value unless it exists.
CREATE_COUNTER = text(
    "INSERT INTO counters (name, value) VALUES (:name, :value) ON CONFLICT DO NOTHING"
)

# Parameters: platform, channel, thread, last_message_id. Ids compare by age: longer is
# newer, then larger (Discord snowflakes, Slack timestamps).
ADVANCE_CURSOR = text(
    "INSERT INTO cursors (platform, channel, thread, last_message_id) "
    "VALUES (:platform, :channel, :thread, :last_message_id) "
    "ON CONFLICT (platform, channel, thread) DO UPDATE SET last_message_id = "
    "excluded.last_message_id WHERE length(excluded.last_message_id) > "
    "length(cursors.last_message_id) OR (length(excluded.last_message_id) = "
    "length(cursors.last_message_id) AND excluded.last_message_id > cursors.last_message_id)"
)

# Parameters: key. A transaction-long lock on one conversation's arrivals (PostgreSQL).
TAKE_TURN = text("SELECT pg_advisory_xact_lock(hashtext(:key))")

# Parameters: key. Whether an event of that ordering key is still unhandled, and whether a
# message of it is still unsent.
IN_LINE = select(
    exists()
    .where(inbox.c.ordering_key == bindparam("key"), inbox.c.done_at.is_(None))
    .label("events"),
    exists()
    .where(outbox.c.ordering_key == bindparam("key"), outbox.c.done_at.is_(None))
    .label("messages"),
)

# Parameters: the_platform, the_message_id, at.
INBOX_DONE = (
    update(inbox)
    .where(
        inbox.c.platform == bindparam("the_platform"),
        inbox.c.message_id == bindparam("the_message_id"),
        inbox.c.done_at.is_(None),
    )
    .values(done_at=bindparam("at"))
)

# Parameters (many at once): the_id, done_at, sent_ref, last_error.
OUTBOX_DONE = update(outbox).where(outbox.c.id == bindparam("the_id"))

# Parameters: conversation_id, new_state, new_step, new_finished, new_updated_at, new_outcome
# (None keeps the outcome already stored).
SAVE_CONVERSATION = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(
        state=bindparam("new_state", type_=conversations.c.state.type),
        step=bindparam("new_step"),
        finished=bindparam("new_finished"),
        updated_at=bindparam("new_updated_at", type_=conversations.c.updated_at.type),
        outcome=func.coalesce(bindparam("new_outcome"), conversations.c.outcome),
    )
)


def first_in_line(table: Table) -> ColumnElement[bool]:
    """No older unfinished item of the same ordering key exists."""
    older = table.alias("older")
    return ~exists(
        select(older.c.id).where(
            older.c.ordering_key == table.c.ordering_key,
            older.c.done_at.is_(None),
            older.c.id < table.c.id,
        )
    )


def _claim_heads(table: Table) -> Update:
    """Parameters: now, platforms, limit, until. Leases the due items that are first in line,
    oldest first, skipping rows another instance has locked; returns the leased rows."""
    due = (
        select(table.c.id)
        .where(
            table.c.done_at.is_(None),
            table.c.next_attempt_at <= bindparam("now", type_=table.c.next_attempt_at.type),
            table.c.platform.in_(bindparam("platforms", expanding=True)),
            first_in_line(table),
        )
        .order_by(table.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(
            next_attempt_at=bindparam("until", type_=table.c.next_attempt_at.type),
            attempts=table.c.attempts + 1,
        )
        .returning(*table.c)
    )


CLAIM_INBOX = _claim_heads(inbox)
CLAIM_OUTBOX = _claim_heads(outbox)

# Parameters: item_id, until. Returns the id when the just-accepted inbox item was first in
# line and is now leased to its writer.
LEASE_INBOX_IF_FIRST = (
    update(inbox)
    .where(inbox.c.id == bindparam("item_id"), first_in_line(inbox))
    .values(
        next_attempt_at=bindparam("until", type_=inbox.c.next_attempt_at.type),
        attempts=inbox.c.attempts + 1,
    )
    .returning(inbox.c.id)
)
