import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

SKIPPED = "this file is skipped"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken_folder(tmp_path: Path) -> Path:
    (tmp_path / "ok.md").write_text("---\ntitle: Refund an order\n---\n1. Click Refund.\n")
    (tmp_path / "list.md").write_text("---\n- a\n---\nbody\n")
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    return tmp_path


def test_check_passes_on_the_bundled_guides(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTAKE_KB_DIR", raising=False)

    code, out, _ = run(capsys, "kb", "check")

    assert code == 0
    assert out.strip().endswith("guides, no problems")


def test_check_lists_every_problem_as_file_line(
    capsys: pytest.CaptureFixture[str], broken_folder: Path
) -> None:
    code, out, err = run(capsys, "kb", "check", str(broken_folder))

    assert code == 1
    assert out.splitlines() == [
        f"note: {broken_folder}/image.png: ignored, not a markdown (.md) file",
        f"{broken_folder}/binary.md:1: not UTF-8 text (byte 0xff); save it as UTF-8; {SKIPPED}",
        f"{broken_folder}/list.md:2: front matter must be fields like 'title: ...', not a list; "
        f"{SKIPPED}",
    ]
    assert "2 problem(s)" in err


def test_check_takes_the_folder_as_kb_dir_too(
    capsys: pytest.CaptureFixture[str], broken_folder: Path
) -> None:
    code, out, _ = run(capsys, "kb", "check", "--kb-dir", str(broken_folder))

    assert code == 1 and f"{broken_folder}/list.md:2:" in out


def test_check_of_a_missing_folder_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "kb", "check", str(tmp_path / "nope"))

    assert code == 2
    assert err == f"intake: {tmp_path}/nope: no such folder (set --kb-dir or $INTAKE_KB_DIR)\n"


def test_search_prints_the_best_guides(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "search", "paypall not wroking", "-k", "1")

    assert code == 0
    assert out.startswith("1. Set up PayPal  [setup-paypal, ")
    assert len(out.splitlines()) == 2


def test_search_reads_a_message_as_the_bot_does(capsys: pytest.CaptureFixture[str]) -> None:
    # A greeting and system details around the problem: the bot searches with the problem's
    # words alone, and so does kb search, so it finds what the chat would offer.
    said = (
        "Hi there, good morning! Emails to my customers are not arriving. "
        "I'm on the Pro plan with Chrome 120 on Windows 11."
    )
    code, out, _ = run(capsys, "kb", "search", said, "--json")

    assert code == 0
    answer = json.loads(out)
    assert answer["query"] == said
    assert answer["matches"][0]["id"] == "emails-not-arriving"


def test_search_json_and_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "search", "tell me a joke", "--json")

    assert code == 0
    assert json.loads(out) == {"query": "tell me a joke", "matches": []}


def test_search_uses_what_loaded_from_a_broken_folder(
    capsys: pytest.CaptureFixture[str], broken_folder: Path
) -> None:
    code, out, err = run(
        capsys, "kb", "search", "refund an order", "--kb-dir", str(broken_folder), "--json"
    )

    assert code == 0
    assert [m["id"] for m in json.loads(out)["matches"]] == ["ok"]
    assert "2 problem(s)" in err


def test_search_rejects_an_empty_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "kb", "search", "   ")

    assert code == 2
    assert err.startswith("intake: the query is empty")


def test_batch_answers_one_line_per_query(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ['{"query": "chekout is broken"}', "not json", "", '{"query": "hello"}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))

    code, out, err = run(capsys, "kb", "search", "--batch", "-k", "2")

    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [a["query"] for a in answers] == ["chekout is broken", None, "hello"]
    assert answers[0]["matches"][0]["id"] == "checkout-errors"
    assert set(answers[0]["matches"][0]) == {"id", "title", "score"}
    assert len(answers[0]["matches"]) <= 2
    assert answers[1]["error"].startswith("line 2:")
    assert answers[2]["matches"] == []
    assert "1 input line(s)" in err


def test_the_installed_command_runs_a_batch() -> None:
    intake = Path(sys.executable).with_name("intake")
    queries = "".join(json.dumps({"query": q}) + "\n" for q in ["ssl eror", "pizza"])

    done = subprocess.run(
        [str(intake), "kb", "search", "--batch"],
        input=queries,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert answers[0]["matches"][0]["id"] == "ssl-certificate-errors"
    assert answers[1]["matches"] == []


def test_search_refuses_a_missing_folder_like_chat(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope"
    monkeypatch.setenv("INTAKE_KB_DIR", str(missing))
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"query": "paypal"}\n'))
    expected = f"intake: {missing}: no such folder (set --kb-dir or $INTAKE_KB_DIR)\n"

    for argv in (["paypal"], ["--batch"], ["paypal", "--kb-dir", str(missing)]):
        code, out, err = run(capsys, "kb", "search", *argv)

        assert (code, out, err) == (2, "", expected), argv


def test_check_reports_every_problem_of_every_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "refund.md").write_text(
        "---\ntitle: Refund an order\ncategory: refunds\n---\n1. See [this](nowhere.md).\n"
    )
    (tmp_path / "repeat.md").write_text("---\ntitle: refund an order\n---\n1. Refund.\n")
    (tmp_path / "tags.md").write_text(
        "---\ntitle: Tags\ncategory: [bug-fix]\ntags: {a: 1}\n---\n1. Read [it](refund.md).\n"
    )

    code, out, err = run(capsys, "kb", "check", str(tmp_path))

    allowed = "bug-fix, installation-setup, technical-assistance, troubleshooting"
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path}/refund.md:3: unknown category 'refunds' (use one of: {allowed}); {SKIPPED}",
        f"{tmp_path}/refund.md:5: link to a guide that does not exist: nowhere.md",
        f"{tmp_path}/repeat.md:1: duplicate title 'refund an order', "
        f"already used by {tmp_path}/refund.md",
        f"{tmp_path}/tags.md:3: category must be one word (use one of: {allowed}); {SKIPPED}",
        f"{tmp_path}/tags.md:4: 'tags' must be a list of words or phrases",
        f"{tmp_path}/tags.md:6: link to a guide that is left out for its own problems: refund.md",
    ]
    assert err == f"6 problem(s) in {tmp_path}\n"
