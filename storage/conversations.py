"""Customers, their conversations, transcripts, and the ledger of handled platform messages."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from intake.addresses import Address, Person
from intake.conversation import Conversation
from intake.tickets import TranscriptLine
from storage.batch import InsertBatch
from storage.rows import (
    ConversationRow,
    CursorRow,
    CustomerRow,
    GapRow,
    MessageRow,
    ProcessedInboundRow,
)
from storage.statements import (
    ADD_CONVERSATION,
    ADD_CUSTOMER,
    ADD_GAP,
    ADD_MESSAGE,
    ADVANCE_CURSOR,
    CLAIM_MESSAGE,
    LOCK_CUSTOMER_AND_CONVERSATION,
    SAVE_CONVERSATION,
)


class ConversationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # Written when the unit of work commits.
        self.transcript_rows = InsertBatch(ADD_MESSAGE)

    def locate(
        self, person: Person, address: Address, at: datetime
    ) -> tuple[int, tuple[int, Conversation] | None]:
        """The customer's row id (created on first contact) and their unfinished conversation at
        ``address``, in one query that locks the customer's row.

        The lock serialises every message of one customer across instances, so steps of one
        conversation run one at a time and in order.
        """
        found = (
            self._session.connection()
            .execute(
                LOCK_CUSTOMER_AND_CONVERSATION,
                {
                    "the_platform": person.platform,
                    "the_user_id": person.user_id,
                    "the_address_key": address.key,
                },
            )
            .first()
        )
        if found is None:
            customer_id: int = (
                self._session.connection()
                .execute(
                    ADD_CUSTOMER,
                    {
                        "platform": person.platform,
                        "platform_user_id": person.user_id,
                        "display_name": person.display_name,
                        "created_at": at,
                    },
                )
                .scalar_one()
            )
            return customer_id, None
        if person.display_name and found.display_name != person.display_name:
            self._session.execute(
                update(CustomerRow)
                .where(CustomerRow.id == found.id)
                .values(display_name=person.display_name)
            )
        if found.conversation_id is None:
            return int(found.id), None
        return int(found.id), (
            int(found.conversation_id),
            Conversation.model_validate(found.state),
        )

    def start(self, customer_id: int, address: Address, state: Conversation, at: datetime) -> int:
        conversation_id: int = (
            self._session.connection()
            .execute(
                ADD_CONVERSATION,
                {
                    "customer_id": customer_id,
                    "platform": address.platform,
                    "channel": address.channel,
                    "thread": address.thread,
                    "address_key": address.key,
                    "step": state.step.value,
                    "finished": state.finished,
                    "state": state.model_dump(mode="json"),
                    "created_at": at,
                    "updated_at": at,
                },
            )
            .scalar_one()
        )
        return conversation_id

    def save(
        self, conversation_id: int, state: Conversation, at: datetime, outcome: str | None = None
    ) -> None:
        self._session.connection().execute(
            SAVE_CONVERSATION,
            {
                "conversation_id": conversation_id,
                "new_state": state.model_dump(mode="json"),
                "new_step": state.step.value,
                "new_finished": state.finished,
                "new_updated_at": at,
                "new_outcome": outcome,
            },
        )

    def latest(self, customer_id: int, address: Address) -> tuple[Conversation, datetime] | None:
        """The customer's newest conversation at ``address`` and when it last changed."""
        query = (
            select(ConversationRow.state, ConversationRow.updated_at)
            .where(
                ConversationRow.customer_id == customer_id,
                ConversationRow.address_key == address.key,
            )
            .order_by(ConversationRow.id.desc())
            .limit(1)
        )
        found = self._session.execute(query).first()
        if found is None:
            return None
        return Conversation.model_validate(found.state), found.updated_at

    def started_since(self, conversation_id: int) -> list[tuple[int, Conversation]]:
        """The unfinished conversations the same customer started at the same place after
        this one, oldest first."""
        this = self._session.get_one(ConversationRow, conversation_id)
        query = (
            select(ConversationRow.id, ConversationRow.state)
            .where(
                ConversationRow.customer_id == this.customer_id,
                ConversationRow.address_key == this.address_key,
                ConversationRow.id > conversation_id,
                ConversationRow.finished.is_(False),
            )
            .order_by(ConversationRow.id)
        )
        return [
            (row.id, Conversation.model_validate(row.state)) for row in self._session.execute(query)
        ]

    def load(self, conversation_id: int) -> Conversation:
        row = self._session.get_one(ConversationRow, conversation_id)
        return Conversation.model_validate(row.state)

    def record(
        self,
        conversation_id: int,
        direction: str,
        author: str,
        text: str,
        at: datetime,
        ticket_id: int | None = None,
    ) -> None:
        self.transcript_rows.add(
            {
                "conversation_id": conversation_id,
                "ticket_id": ticket_id,
                "direction": direction,
                "author": author,
                "text": text,
                "created_at": at,
            }
        )

    def transcript(self, conversation_id: int) -> list[TranscriptLine]:
        query = (
            select(MessageRow)
            .where(MessageRow.conversation_id == conversation_id)
            .order_by(MessageRow.id)
        )
        return [
            TranscriptLine(direction=r.direction, author=r.author, text=r.text, at=r.created_at)
            for r in self._session.scalars(query)
        ]

    def first_time_seen(self, platform: str, message_id: str, at: datetime) -> bool:
        """Claim a platform message id; False when it was already handled (a redelivery)."""
        values = {"platform": platform, "message_id": message_id, "processed_at": at}
        return self._session.connection().execute(CLAIM_MESSAGE, values).scalar() is not None

    def mark_team_only(self, platform: str, message_id: str) -> None:
        """The claimed message was for the team alone (a note or a command)."""
        self._session.execute(
            update(ProcessedInboundRow)
            .where(
                ProcessedInboundRow.platform == platform,
                ProcessedInboundRow.message_id == message_id,
            )
            .values(team_only=True)
        )

    def was_team_only(self, platform: str, message_id: str) -> bool | None:
        """Whether a handled message was for the team alone; None when it was never seen."""
        row = self._session.get(ProcessedInboundRow, (platform, message_id))
        return None if row is None else bool(row.team_only)

    def record_gap(self, text: str, kind: str | None, reason: str, at: datetime) -> None:
        self._session.connection().execute(
            ADD_GAP, {"text": text, "kind": kind, "reason": reason, "created_at": at}
        )

    def gaps(self) -> list[str]:
        return list(self._session.scalars(select(GapRow.text).order_by(GapRow.id)))

    def outcomes(self) -> dict[str, int]:
        """How finished intakes ended: "ticket", "self_served", "cancelled"."""
        query = (
            select(ConversationRow.outcome, func.count())
            .where(ConversationRow.outcome.is_not(None))
            .group_by(ConversationRow.outcome)
        )
        return {str(outcome): int(count) for outcome, count in self._session.execute(query)}

    def advance_cursor(self, address: Address, message_id: str) -> None:
        """Remember the newest message handled in this channel/thread (ids compare by age:
        longer is newer, then larger), in one statement."""
        self._session.connection().execute(
            ADVANCE_CURSOR,
            {
                "platform": address.platform,
                "channel": address.channel,
                "thread": address.thread or "",
                "last_message_id": message_id,
            },
        )

    def cursors(self, platform: str) -> list[tuple[Address, str]]:
        query = select(CursorRow).where(CursorRow.platform == platform)
        return [
            (
                Address(platform=row.platform, channel=row.channel, thread=row.thread or None),
                row.last_message_id,
            )
            for row in self._session.scalars(query)
        ]
