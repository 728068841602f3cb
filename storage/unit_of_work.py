"""One transaction: the unit of work owns the session; repositories never commit."""

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.conversations import ConversationRepository
from storage.inbox import InboxRepository
from storage.outbox import OutboxRepository
from storage.tickets import TicketRepository


class UnitOfWork:
    conversations: ConversationRepository
    tickets: TicketRepository
    inbox: InboxRepository
    outbox: OutboxRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self.conversations = ConversationRepository(self._session)
        self.tickets = TicketRepository(self._session)
        self.inbox = InboxRepository(self._session)
        self.outbox = OutboxRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._session.rollback()
        self._session.close()

    def commit(self) -> None:
        self._session.commit()

    def rollback(self) -> None:
        self._session.rollback()
