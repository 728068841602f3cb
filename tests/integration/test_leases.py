"""Exactly one holder of a lease on PostgreSQL, and a quick takeover when it dies."""

from pathlib import Path

from sqlalchemy import text

from storage.database import open_engine
from storage.leases import Lease


def test_sqlite_serves_one_process_which_always_holds_the_lease(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    first, second = Lease(engine, "discord-gateway"), Lease(engine, "discord-gateway")
    assert first.try_acquire() and second.try_acquire() and first.held()
    engine.dispose()


def test_one_holder_at_a_time_and_takeover_when_it_goes(postgres_url: str) -> None:
    first_engine, second_engine = open_engine(postgres_url), open_engine(postgres_url)
    first, second = Lease(first_engine, "discord-gateway"), Lease(second_engine, "discord-gateway")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.held() and not second.held()
        first.release()
        assert second.try_acquire() and not first.try_acquire()
        # The holder's connection dies (as with a killed process): the lock goes with it.
        with second_engine.connect() as killer:
            pid = second._connection.execute(text("SELECT pg_backend_pid()")).scalar()  # type: ignore[union-attr]
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not second.held()
        assert first.try_acquire()
    finally:
        first.release()
        second.release()
        first_engine.dispose()
        second_engine.dispose()
