"""``intake serve`` with missing or wrong Slack settings: one line naming the setting, exit 2."""

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_BASE_URL",
        "DISCORD_TOKEN",
        "INTAKE_TEAM_CHANNEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1-2"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "abc"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "abc"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "a", "SLACK_API_BASE_URL": "x"},
            "SLACK_API_BASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "a", "INTAKE_TEAM_CHANNEL": "C1"},
            "INTAKE_TEAM_CHANNEL",
        ),
    ],
)
def test_a_bad_slack_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    named: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    code = main(["serve"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("intake: ") and named in err
