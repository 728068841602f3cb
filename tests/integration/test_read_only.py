"""Reading while the bot writes: health checks, metrics and the CLI never wait behind a turn."""

import threading
from pathlib import Path

import pytest

from bot.commands.tickets import run_list
from intake.addresses import Address
from storage.database import is_current
from storage.unit_of_work import UnitOfWork
from tests.integration.intake_driver import FULL_INTAKE, Customer, make_app

# Far above what a read takes, far below SQLite's own 30 s wait for a writer.
_PATIENCE = 10.0


def test_reads_go_on_while_a_write_is_open(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'intake.db'}")
    Customer(app).intake(FULL_INTAKE)
    depth = app.outbox_depth()
    writing, release = threading.Event(), threading.Event()

    def hold_a_write() -> None:
        with UnitOfWork(app.sessions) as uow:
            # A turn mid-way: this process's writer turn and SQLite's write lock are held.
            uow.conversations.advance_cursor(Address(platform="slack", channel="D1"), "1.0")
            writing.set()
            release.wait()
            uow.commit()

    writer = threading.Thread(target=hold_a_write)
    writer.start()
    try:
        assert writing.wait(_PATIENCE)
        results: dict[str, object] = {}

        def read() -> None:
            results["depth"] = app.outbox_depth()
            results["current"] = is_current(app.engine)
            with UnitOfWork(app.sessions, read_only=True) as uow:
                results["tickets"] = [t.public_id for t in uow.tickets.list()]

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(_PATIENCE)
        assert not reader.is_alive(), "a read waited for the open write"
        assert results == {"depth": depth, "current": True, "tickets": ["MCP-1001"]}
    finally:
        release.set()
        writer.join()
        app.close()


def test_a_read_only_unit_of_work_refuses_to_commit(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'intake.db'}")
    try:
        with UnitOfWork(app.sessions, read_only=True) as uow, pytest.raises(RuntimeError):
            uow.commit()
    finally:
        app.close()


def test_tickets_list_answers_while_the_bot_is_mid_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    app = make_app(url)
    Customer(app).intake(FULL_INTAKE)
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    with app.engine.connect() as bot:  # BEGIN IMMEDIATE: the write lock, as a turn holds it
        bot.exec_driver_sql("SELECT 1")
        listing = threading.Thread(target=run_list, args=(_Args(),))
        listing.start()
        listing.join(_PATIENCE)
        assert not listing.is_alive(), "intake tickets list waited for the bot's write"
    app.close()
    assert "MCP-1001" in capsys.readouterr().out


class _Args:
    status = None
