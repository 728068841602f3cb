"""Settings: secrets from files, never shown, and one clear line on a bad value."""

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import UserFacingError
from bot.settings import load_settings


def test_secrets_come_from_a_folder_of_files_and_are_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "SLACK_BOT_TOKEN").write_text("xoxb-123-hunter2\n", "utf-8")
    (tmp_path / "DISCORD_TOKEN").write_text("discord-hunter2", "utf-8")
    monkeypatch.setenv("INTAKE_SECRETS_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.slack_bot_token is not None and settings.discord_token is not None
    assert settings.slack_bot_token.get_secret_value().strip() == "xoxb-123-hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)


def test_a_missing_secrets_folder_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTAKE_SECRETS_DIR", str(tmp_path / "nope"))
    with pytest.raises(UserFacingError, match=r"^INTAKE_SECRETS_DIR: "):
        load_settings()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.symlink_to(p.parent / "gone"), "a link to a missing file"),
        (lambda p: p.write_bytes(b"\xff\xfe secret"), "is not UTF-8 text"),
        (lambda p: p.mkdir(), "is a folder, not a file"),
    ],
)
def test_a_secret_file_that_cant_be_read_is_named_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    make: Callable[[Path], object],
    says: str,
) -> None:
    secret = tmp_path / "SLACK_SIGNING_SECRET"
    make(secret)
    monkeypatch.setenv("INTAKE_SECRETS_DIR", str(tmp_path))
    with pytest.raises(UserFacingError, match=f"^INTAKE_SECRETS_DIR: .*{secret}.*") as raised:
        load_settings()
    assert says in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("INTAKE_TEAM_CHANNEL", "teams:123"),
        ("INTAKE_TEAM_CHANNEL", "discord:support"),
        ("INTAKE_TEAM_CHANNEL", "slack:#support-tickets"),
        ("INTAKE_TEAM_CHANNEL", "slack:support-tickets"),
        ("INTAKE_TEAM_CHANNEL", "slack:C0123:1234.5"),
        ("INTAKE_AGENT_IDS", "@dana,U1;U2"),
        ("INTAKE_AGENT_IDS", "dana"),
        ("INTAKE_DISCORD_AGENT_ROLE", "Support Agents"),
        ("INTAKE_HTTP_PORT", "eighty"),
        ("INTAKE_HTTP_PORT", "70000"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UserFacingError, match=rf"^{variable}: "):
        load_settings()


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("U012AB3CD,U045EF6GH", {"U012AB3CD", "U045EF6GH"}),
        (" U1 , ,U2 ", {"U1", "U2"}),
        ("1234567890", {"1234567890"}),
        ("", set()),
        ('["U1", "U2"]', {"U1", "U2"}),
    ],
)
def test_agent_ids_are_read_from_the_environment_as_the_readme_writes_them(
    monkeypatch: pytest.MonkeyPatch, value: str, ids: set[str]
) -> None:
    monkeypatch.setenv("INTAKE_AGENT_IDS", value)
    monkeypatch.setenv("INTAKE_TEAM_CHANNEL", "slack:C0123")
    settings = load_settings()
    assert settings.agent_ids == ids
    assert settings.team_channel is not None and settings.team_channel.channel == "C0123"


@pytest.mark.parametrize(
    ("variable", "field"), [("INTAKE_POLICY_FILE", "policy_file"), ("INTAKE_KB_DIR", "kb_dir")]
)
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_path_setting_means_the_bundled_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str, value: str
) -> None:
    # As a compose file's `INTAKE_POLICY_FILE: ${POLICY:-}` passes it: not the current folder.
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), field) is None


@pytest.mark.parametrize(
    ("variable", "field"),
    [("DISCORD_TOKEN", "discord_token"), ("SLACK_BOT_TOKEN", "slack_bot_token")],
)
def test_a_blank_token_is_no_token(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str
) -> None:
    monkeypatch.setenv(variable, "   ")  # not sent to the platform as a token
    assert getattr(load_settings(), field) is None


def test_an_empty_host_listens_where_the_default_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_HTTP_HOST", "")
    assert load_settings().http_host == "127.0.0.1"  # not every network interface


@pytest.mark.parametrize(
    ("variable", "field", "default"),
    [
        ("INTAKE_HTTP_PORT", "http_port", 3000),
        ("INTAKE_KB_EMBEDDINGS", "kb_embeddings", False),
        ("SLACK_API_BASE_URL", "slack_api_base_url", "https://slack.com/api/"),
    ],
)
def test_an_empty_value_means_the_default_for_every_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str, default: object
) -> None:
    # "INTAKE_HTTP_PORT=" in a compose file: the default, as for the path settings above.
    monkeypatch.setenv(variable, "")
    assert getattr(load_settings(), field) == default
