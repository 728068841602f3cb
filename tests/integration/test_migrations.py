"""Schema upgrades: applied at start, current afterwards, safe when instances start together."""

import os
import subprocess
from pathlib import Path

from sqlalchemy import inspect, make_url, text

from storage.database import is_current, open_engine
from tests.integration.cli import INTAKE, intake


def test_instances_starting_at_once_upgrade_the_schema_once(database_url: str) -> None:
    env = {**os.environ, "INTAKE_DATABASE_URL": database_url}
    starts = [
        subprocess.Popen(
            [INTAKE, "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [
        (process.wait(timeout=60), process.stderr.read() if process.stderr else "")
        for process in starts
    ]
    assert all(code == 0 for code, _ in results), results
    said = [process.stdout.read() if process.stdout else "" for process in starts]
    done = sorted(output.split(":")[0] for output in said)
    assert done == ["Database created", *["Database is up to date"] * 3], said
    engine = open_engine(database_url)
    try:
        assert is_current(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"tickets", "messages", "outbox", "inbox", "processed_inbound"} <= tables
    finally:
        engine.dispose()
    again = subprocess.run(
        [INTAKE, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0 and "up to date" in again.stdout


def test_a_plain_postgresql_url_uses_the_installed_driver() -> None:
    """``postgresql://…`` as hosting providers write DATABASE_URL: psycopg 3, not psycopg2."""
    engine = open_engine("postgresql://intake@db.example:5432/intake")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_a_schema_from_a_newer_version_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert intake(["db", "upgrade"], tmp_path, INTAKE_DATABASE_URL=url).returncode == 0
    engine = open_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    for command in (["db", "upgrade"], ["tickets", "list"]):
        result = intake(command, tmp_path, INTAKE_DATABASE_URL=url)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            "intake: the database's schema (0099) is from a newer version of MyCartPro Intake: "
            "run that version, or restore a backup made before it"
        ]


def test_the_database_password_is_never_printed(postgres_url: str, tmp_path: Path) -> None:
    with_password = make_url(postgres_url).set(password="s3cretpw")  # trust auth ignores it
    url = with_password.render_as_string(hide_password=False)
    for command in (["db", "upgrade"], ["chat", "--user", "priya"]):
        result = intake(command, tmp_path, "hi\n", INTAKE_DATABASE_URL=url)
        assert result.returncode == 0, result.stderr
        assert (
            "s3cretpw" not in result.stdout + result.stderr
            and "***" in result.stdout + result.stderr
        )
