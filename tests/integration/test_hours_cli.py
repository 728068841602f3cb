import json
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import pytest

from bot.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["hours", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, err = run(capsys, "--json", *argv)
    assert (code, err) == (0, "")
    report: dict[str, object] = json.loads(out)
    return report


def test_json_while_open(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--at", "2026-11-27T16:59") == {
        "open": True,
        "now": "2026-11-27T16:59:00-05:00",
        "closes_at": "2026-11-27T17:00:00-05:00",
    }


def test_json_while_closed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--at", "2026-11-27T17:00") == {
        "open": False,
        "now": "2026-11-27T17:00:00-05:00",
        "next_open": "2026-11-30T09:00:00-05:00",
    }


def test_json_keeps_the_offset_given(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--at", "2026-11-27T22:00Z")
    assert report == {
        "open": False,
        "now": "2026-11-27T22:00:00+00:00",
        "next_open": "2026-11-30T09:00:00-05:00",
    }


def test_text_while_closed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--at", "2026-11-27T18:30")
    assert code == 0
    assert out == (
        "Support is closed. Next support window: Monday, November 30 at 9:00 AM Eastern.\n"
    )


def test_text_while_open(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--at", "2026-11-26T10:00-05:00")
    assert code == 0
    assert out == "Support is open until Thursday, November 26 at 5:00 PM Eastern.\n"


def test_text_over_the_holidays(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--at", "2026-12-24T17:00")
    assert "Tuesday, December 29 at 9:00 AM Eastern" in out


def test_without_at_uses_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys)
    now = datetime.fromisoformat(str(report["now"]))
    assert now.utcoffset() is not None
    assert ("closes_at" in report) is report["open"]
    assert ("next_open" in report) is not report["open"]


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T09:00", "", "27/11/2026 09:00"])
def test_bad_at_is_one_clear_line(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, err = run(capsys, "--at", value)
    assert code == 2
    assert out == ""
    assert err.startswith("intake: --at ")
    assert "ISO-8601" in err
    assert err.count("\n") == 1


def test_a_time_skipped_by_dst_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--at", "2026-03-08T02:30")
    assert code == 2
    assert "does not exist in America/Toronto" in err
    assert err.count("\n") == 1


def test_dst_monday_after_spring_forward(capsys: pytest.CaptureFixture[str]) -> None:
    # Saturday evening is EST; Monday morning is already EDT.
    assert run_json(capsys, "--at", "2026-03-07T18:00") == {
        "open": False,
        "now": "2026-03-07T18:00:00-05:00",
        "next_open": "2026-03-09T09:00:00-04:00",
    }


def test_dst_fall_back_night(capsys: pytest.CaptureFixture[str]) -> None:
    # A naive ambiguous time means the first 01:30 (EDT).
    assert run_json(capsys, "--at", "2026-11-01T01:30") == {
        "open": False,
        "now": "2026-11-01T01:30:00-04:00",
        "next_open": "2026-11-02T09:00:00-05:00",
    }


def test_out_of_range_at_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--at", "9999-12-31T20:00")
    assert code == 2
    assert "out of range" in err


def _custom_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, old: str, new: str) -> Path:
    bundled = (files("intake") / "default_policy.yaml").read_text("utf-8")
    assert old in bundled
    custom = tmp_path / "policy.yaml"
    custom.write_text(bundled.replace(old, new), "utf-8")
    monkeypatch.setenv("INTAKE_POLICY_FILE", str(custom))
    return custom


def test_hours_come_from_the_admins_policy_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _custom_policy(monkeypatch, tmp_path, "weekdays: [0, 1, 2, 3, 4]", "weekdays: [5]")
    report = run_json(capsys, "--at", "2026-11-27T18:00")
    assert report["next_open"] == "2026-11-28T09:00:00-05:00"


def test_an_unquoted_closing_time_is_that_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _custom_policy(monkeypatch, tmp_path, 'closes: "17:00"', "closes: 16:30")  # YAML: 990
    assert run_json(capsys, "--at", "2026-11-25T16:29")["open"] is True
    assert run_json(capsys, "--at", "2026-11-25T16:31")["open"] is False


def test_a_setting_given_twice_is_named_not_silently_dropped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    twice = 'extra_closures: []\n  extra_closures: ["2026-11-25"]'
    custom = _custom_policy(monkeypatch, tmp_path, "extra_closures: []", twice)
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    line = next(n for n, text in enumerate(custom.read_text().splitlines(), 1) if '"2026' in text)
    assert err == (
        f"intake: policy file {custom}:{line} is not valid YAML ('extra_closures' is given twice)\n"
    )


def test_a_first_ticket_number_the_database_cannot_hold_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    huge = "first_ticket_number: 1000000000000000000000000000000"
    custom = _custom_policy(monkeypatch, tmp_path, "first_ticket_number: 1001", huge)
    code, _, err = run(capsys)
    assert code == 2
    assert err == (
        f"intake: policy file {custom}: first_ticket_number: "
        "Input should be less than or equal to 1000000000\n"
    )


def test_hours_that_never_open_are_refused_when_the_policy_is_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sundays = [date(2026, 11, 1) + timedelta(weeks=week) for week in range(52 * 12)]
    closures = ", ".join(f'"{day.isoformat()}"' for day in sundays)
    custom = _custom_policy(
        monkeypatch,
        tmp_path,
        "weekdays: [0, 1, 2, 3, 4]",
        f"weekdays: [6]\n  extra_closures: [{closures}]",
    )
    custom.write_text(custom.read_text().replace("  extra_closures: []", ""), "utf-8")
    code, out, err = run(capsys)
    assert (code, out, err) == (
        2,
        "",
        f"intake: policy file {custom}: hours: support never opens\n",
    )


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "0001-01-01T00:00Z", "1800-06-01T12:00"])
def test_the_far_past_is_refused_like_the_far_future(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    # Before 1970 time-zone data is guesswork: 0001 was answered in local mean time (-05:17:32).
    code, out, err = run(capsys, "--at", value)
    assert (code, out) == (2, "")
    assert err == f"intake: --at {value!r} is out of range: give a time from 1970 to 9998\n"


def test_the_earliest_instant_answered_is_1970(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--at", "1970-01-01T00:00Z")["now"] == "1970-01-01T00:00:00+00:00"
    code, _, err = run(capsys, "--at", "1969-12-31T23:59:59Z")
    assert code == 2 and "give a time from 1970 to 9998" in err


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_policy_file_setting_means_the_bundled_policy(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("INTAKE_POLICY_FILE", value)
    assert run_json(capsys, "--at", "2026-11-27T16:59")["open"] is True
