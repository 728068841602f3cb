"""Fixtures shared by unit and integration tests."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.policy_file import load_policy
from intake.policy import Policy
from tests.fakes.postgres import private_schema

POSTGRES_ENV = "INTAKE_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


def _postgres_base_url() -> str:
    """The test server's URL; required in CI, a skip only on a laptop without the server."""
    base_url = os.environ.get(POSTGRES_ENV)
    if not base_url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} must be set in CI")
        pytest.skip(f"{POSTGRES_ENV} not set")
    return base_url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A private schema on the PostgreSQL test server, for tests that need several instances."""
    with private_schema(_postgres_base_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every storage test runs on a SQLite file and on the PostgreSQL server (required in CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.db'}"
    else:
        with private_schema(_postgres_base_url()) as url:
            yield url
