"""Wiring: the one function that builds the service from settings, used by every entry point
and by the tests, so what is tested is what runs."""

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Sender
from bot.errors import UserFacingError
from bot.metrics import Metrics
from bot.policy_file import load_policy
from bot.relay import Relay
from bot.service import IntakeService
from bot.settings import Settings
from intake.policy import Policy
from knowledge.embeddings import Embedder, EmbeddingsError, configured_embedder
from knowledge.live import LiveGuideIndex
from knowledge.loader import configured_kb_dir
from storage.database import (
    DatabaseError,
    Upgrade,
    open_engine,
    session_factory,
    sqlite_path,
    upgrade,
)
from storage.leases import Lease
from storage.unit_of_work import UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    policy: Policy
    engine: Engine
    sessions: sessionmaker[Session]
    guides: LiveGuideIndex
    service: IntakeService
    metrics: Metrics

    def lease(self, name: str) -> Lease:
        return Lease(self.engine, name)

    def outbox_depth(self) -> tuple[int, datetime | None]:
        with UnitOfWork(self.sessions, read_only=True) as uow:
            return uow.outbox.depth()

    def relay(
        self, senders: Mapping[str, Sender], clock: Callable[[], datetime] = utc_now
    ) -> Relay:
        return Relay(self.sessions, senders, clock, metrics=self.metrics)

    def close(self) -> None:
        self.guides.stop()
        self.engine.dispose()


def open_database(
    settings: Settings, *, existing: bool = False
) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and sessions with the schema created or upgraded; one clear line on failure.

    ``existing``: for commands that only read (ticket listings, gap reports), a SQLite file
    that is not there is an error, not a new empty database in a folder made for it: a typo
    in ``INTAKE_DATA_DIR`` should say so, not answer "no tickets yet".
    """
    sqlite_file = sqlite_path(settings.database)
    if existing and sqlite_file is not None and not sqlite_file.exists():
        raise UserFacingError(
            f"no database at {sqlite_file} (intake chat, intake serve or intake db upgrade "
            "creates it; check INTAKE_DATA_DIR or INTAKE_DATABASE_URL)"
        )
    engine, _ = upgraded_database(settings.database)
    return engine, session_factory(engine)


def upgraded_database(url: str) -> tuple[Engine, Upgrade]:
    """The database at ``url`` with its schema brought up to date, and what that took; one
    clear line on failure."""
    try:
        engine = open_engine(url)
        return engine, upgrade(engine)
    except DatabaseError as error:
        raise UserFacingError(str(error)) from None


def kb_embedder(enabled: bool) -> Embedder | None:
    """The sentence embedder when ``INTAKE_KB_EMBEDDINGS`` is on; one clear line when the extra
    it needs is missing."""
    try:
        return configured_embedder(enabled)
    except EmbeddingsError as error:
        raise UserFacingError(str(error)) from None


def open_guides(settings: Settings, policy: Policy) -> LiveGuideIndex:
    """The guides folder, followed live: admins' edits show up within seconds."""
    folder = configured_kb_dir(settings.kb_dir)
    if not folder.is_dir():
        raise UserFacingError(f"INTAKE_KB_DIR / --kb-dir: {folder} is not a folder of guides")
    embedder = kb_embedder(settings.kb_embeddings)
    index = LiveGuideIndex(folder, [kind.id for kind in policy.kinds], embedder=embedder)
    index.start()
    return index


def build_app(settings: Settings, *, scripted: bool = False) -> App:
    """``scripted``: the terminal chat, whose piped input arrives faster than any person types;
    the policy's flood limit, meant for chat platforms, does not apply to it."""
    policy = load_policy(settings.policy_file)
    if scripted:
        policy = policy.model_copy(update={"flood_max_messages": sys.maxsize})
    guides = open_guides(settings, policy)  # first: a bad guides folder creates no database
    try:
        engine, sessions = open_database(settings)
    except BaseException:
        guides.stop()
        raise
    metrics = Metrics()
    service = IntakeService(sessions, policy, guides, settings.team_channel, metrics)
    return App(settings, policy, engine, sessions, guides, service, metrics)
