"""Leadership leases: exactly one instance holds a named role (the Discord gateway session).

On PostgreSQL the lease is a session-level advisory lock held on its own connection: if the
holder dies, its connection drops, the lock is released, and another instance's next try
succeeds. SQLite serves one process, which always holds every lease.
"""

import hashlib
import logging

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class Lease:
    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._name = name
        # Advisory lock keys are 64-bit integers; derive a stable one from the name.
        self._key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._connection: Connection | None = None
        self._shared = engine.dialect.name != "postgresql"

    def try_acquire(self) -> bool:
        """Take the lease if it is free; True if this instance holds it now."""
        if self._shared:
            return True
        if self._connection is not None:
            return self.held()
        try:
            connection = self._engine.connect()
            acquired = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            ).scalar()
        except SQLAlchemyError:
            log.warning("lease %s: database unreachable", self._name)
            return False
        if acquired:
            connection.commit()  # leave no transaction open on the held connection
            self._connection = connection
            log.info("lease %s acquired", self._name)
            return True
        connection.close()
        return False

    def held(self) -> bool:
        """Still ours? False once the holding connection is gone (the lock went with it)."""
        if self._shared:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except SQLAlchemyError:
            log.warning("lease %s lost with its database connection", self._name)
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            self._connection.commit()
        except SQLAlchemyError:
            pass  # the lock ends with the connection anyway
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None
