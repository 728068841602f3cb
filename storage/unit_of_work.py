"""One transaction: the unit of work owns the session; repositories never commit.

SQLite has one writer at a time, and a writer that finds the database busy sleeps in growing
steps (up to 100 ms) before it tries again. Within one process, units of work on SQLite take
turns on a lock instead, so the next one starts the moment the previous one ends. A unit of work
that only reads (``read_only=True``: health checks, metrics, the CLI's listings) takes no turn
and no lock, so it never waits behind the bot's writes.
"""

import threading
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.batch import InsertBatch
from storage.conversations import ConversationRepository
from storage.database import READ_ONLY, WRITE_LOCK
from storage.inbox import InboxRepository
from storage.outbox import OutboxRepository
from storage.queue import InLine, in_line
from storage.tickets import TicketRepository


class UnitOfWork:
    conversations: ConversationRepository
    tickets: TicketRepository
    inbox: InboxRepository
    outbox: OutboxRepository

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._sessions = sessions
        self._read_only = read_only

    def __enter__(self) -> Self:
        self._session = self._sessions()
        self._turn: threading.Lock | None = None
        if self._read_only:
            self._session.connection(execution_options={READ_ONLY: True})
        else:
            self._turn = self._session.info.get(WRITE_LOCK)
        if self._turn is not None:
            self._turn.acquire()
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
        try:
            self._session.rollback()
            self._session.close()
        finally:
            if self._turn is not None:
                self._turn.release()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work can't commit")
        connection = self._session.connection()
        for batch in self._batches():
            batch.write(connection)
        self._session.commit()

    def in_line(self, ordering_key: str) -> InLine:
        """What of ``ordering_key`` is unfinished: events in the inbox, messages in the outbox."""
        return in_line(self._session, ordering_key)

    def rollback(self) -> None:
        for batch in self._batches():
            batch.clear()
        self._session.rollback()

    def _batches(self) -> tuple[InsertBatch, ...]:
        return (self.conversations.transcript_rows, self.outbox.new_rows, self.outbox.leased_rows)
