"""Opening the database: engine, sessions, and the schema brought up to date by Alembic."""

import functools
import threading
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

_MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every instance of the service.
_MIGRATION_LOCK_KEY = 7_310_245_001


_VERSION = text("SELECT version_num FROM alembic_version")

WRITE_LOCK = "write_lock"
# An execution option: the transaction only reads (see ``reading``).
READ_ONLY = "intake_read_only"


class DatabaseError(Exception):
    """The database can't be opened or upgraded; the message says which and why, in one line."""


def open_engine(url: str) -> Engine:
    parsed = parse_url(url)
    if parsed is None or "@" in (parsed.host or ""):
        # Said without the URL: what is wrong with it is often an unescaped password.
        raise DatabaseError(
            "INTAKE_DATABASE_URL is not a database URL (dialect+driver://user:password@host:port"
            "/database; a port must be a number, and @, : or / in a password must be written "
            "%40, %3A or %2F)"
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    parsed = _with_driver(parsed)
    try:
        return create_engine(parsed, pool_size=10, max_overflow=10)
    except (SQLAlchemyError, ImportError) as error:
        raise DatabaseError(f"can't use database {parsed.render_as_string()}: {error}") from error


def parse_url(url: str) -> URL | None:
    """``url`` read as a database URL; None when it isn't one (a port that is no number, a
    bracket left open)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        return None


def with_driver(url: str) -> str:
    """``url`` naming the driver this project installs, for tools that make their own engine
    (the benchmarks' private schema)."""
    return _with_driver(make_url(url)).render_as_string(hide_password=False)


def _with_driver(parsed: URL) -> URL:
    if parsed.drivername in {"postgresql", "postgres"}:
        # The usual DATABASE_URL spelling; the driver this project installs is psycopg 3.
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def shown(url: str) -> str:
    """``url`` fit to print or log: its password masked."""
    parsed = parse_url(url)
    # Not a URL: whatever follows its first @ or : may be part of a password.
    return url.split("//")[0] + "//…" if parsed is None else parsed.render_as_string(True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database, memory, or a URL that isn't one
    (``open_engine`` says what is wrong with it)."""
    parsed = parse_url(url)
    if parsed is None:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        path = Path(database)
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise DatabaseError(f"{blocking} is a file, not a folder: can't keep {path} there")
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"can't write the database file {path}: {error.strerror}"
            ) from error
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, say when transactions start (see below).
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A transaction that writes takes the write lock up front: two processes never both
        # read "no schema yet" and both create it, and no transaction fails half-way on a lock
        # it could not upgrade; a second writer waits (up to the timeout) instead. One that
        # only reads takes no lock: in WAL mode it reads a snapshot while a writer works.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reading(engine: Engine) -> Engine:
    """``engine`` for work that only reads: on SQLite it neither waits for nor blocks a writer."""
    return engine.execution_options(**{READ_ONLY: True})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for ``UnitOfWork``. On SQLite they share one writer lock (see ``UnitOfWork``)."""
    info = {WRITE_LOCK: threading.Lock()} if engine.dialect.name == "sqlite" else {}
    return sessionmaker(engine, expire_on_commit=False, info=info)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


Upgrade = Literal["created", "upgraded", "current"]


def upgrade(engine: Engine) -> Upgrade:
    """Bring the schema to the newest migration; safe when several instances start at once.
    Says what it found: no schema yet, an older one, or the newest."""
    try:
        found = schema_version(engine)
        if found == _head():
            return "current"  # nothing to do, and no write lock taken while the bot is busy
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY}
                )
            # Read again under the lock: an instance that started at the same time may have
            # done it while this one waited.
            found = _version_in(connection)
            if found == _head():
                return "current"
            if found is not None and found not in _known_versions():
                raise DatabaseError(
                    f"the database's schema ({found}) is from a newer version of MyCartPro "
                    "Intake: run that version, or restore a backup made before it"
                )
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as error:
        raise DatabaseError(f"can't open or upgrade the database: {_first_line(error)}") from error
    return "created" if found is None else "upgraded"


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest migration (for readiness checks)."""
    return schema_version(engine) == _head()


def schema_version(engine: Engine) -> str | None:
    """The migration the schema is at; None for a database without one. Alembic's own
    context would log two lines each time (every readiness probe); its table says it quietly."""
    with reading(engine).connect() as connection:
        return _version_in(connection)


def _version_in(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    version: str | None = connection.execute(_VERSION).scalar()
    return version


@functools.cache
def _known_versions() -> frozenset[str]:
    """Every migration this version has, to tell a schema from a newer version."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


@functools.cache
def _head() -> str | None:
    """The newest migration: read from the migration files once, not on every probe."""
    return _scripts().get_current_head()


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration files, read once."""
    return ScriptDirectory.from_config(_alembic_config())


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
