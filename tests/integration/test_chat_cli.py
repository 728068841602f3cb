"""End to end through the real command: `intake chat` with piped stdin, then `intake tickets`."""

import contextlib
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli import INTAKE, intake

CONVERSATION = """\
hello
Our store's checkout page gives customers an error when they pay with a credit card
no
"Your card was declined. Error code: card_declined_generic (402)"
Go to the storefront, add any product to the cart, click Checkout, pay with a Visa card
Business plan, hosted by MyCartPro, Safari 17 on macOS 14, Stripe payment gateway
yes
send
"""


def test_a_piped_chat_ends_in_a_stored_ticket_that_admins_can_read(tmp_path: Path) -> None:
    chat = intake(
        ["chat", "--user", "Priya", "--now", "2026-11-27T18:30:00-05:00"], tmp_path, CONVERSATION
    )
    assert chat.returncode == 0, chat.stderr
    assert "Traceback" not in chat.stderr
    out = chat.stdout
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in out
    assert "to read it, or no to continue" in out
    assert "Your ticket MCP-1001 is open" in out
    assert out.index("Your ticket MCP-1001") > out.index("Here's your request:")
    assert "data/intake.db" in chat.stderr  # where the database is, said at start

    listing = intake(["tickets", "list"], tmp_path)
    assert (
        listing.returncode == 0 and "MCP-1001  open" in listing.stdout and "Priya" in listing.stdout
    )

    shown = intake(["tickets", "show", "mcp-1001"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    for expected in (
        "MCP-1001  [open]",
        "Kind of help: Troubleshooting",
        "Customer: Priya (console:Priya)",
        "Problem: Our store's checkout page gives customers an error",
        'Error messages: "Your card was declined.',
        "Steps to reproduce: Go to the storefront",
        "System and configuration: Business plan",
        "Access consent: yes (at 2026-11-27 18:3",
        "(arrived out of hours)",
        "Due: 2026-11-30 09:00:00 EST",
        "opened by customer: Troubleshooting",
        "customer Priya: hello",
        "  bot: Your ticket MCP-1001 is open",
    ):
        assert expected in shown.stdout, expected
    transcript = shown.stdout.split("\nTranscript:\n")[1]
    # Every line of a message is indented under it, so the transcript reads by who said what.
    assert all(line.startswith("  ") for line in transcript.splitlines() if line), transcript


def test_a_ticket_opened_in_hours_is_due_by_the_end_of_that_window(tmp_path: Path) -> None:
    intake(
        ["chat", "--user", "Priya", "--now", "2026-11-26T11:00:00-05:00"], tmp_path, CONVERSATION
    )
    shown = intake(["tickets", "show", "MCP-1001"], tmp_path)
    assert "Due: 2026-11-26 17:00:00 EST (arrived during hours, 2026-11-26 11:00:" in shown.stdout


def test_a_killed_chat_resumes_where_it_stopped(tmp_path: Path) -> None:
    lines = CONVERSATION.splitlines(keepends=True)
    intake(["chat", "--user", "Priya"], tmp_path, "".join(lines[:4]))
    resumed = intake(["chat", "--user", "Priya"], tmp_path, "".join(lines[4:]))
    assert "Your ticket MCP-1001 is open" in resumed.stdout
    assert "hello" not in resumed.stdout and "Hi!" not in resumed.stdout


@pytest.mark.parametrize(
    "stdin",
    [
        "\n\n   \n",
        "x" * 50_000 + "\n",
        "🙂🛒💳 ¿Dónde está mi pedido? 我的订单在哪里\n",
        "<script>alert(1)</script> **bold** \x1b[2J\x00\n",
    ],
)
def test_awkward_input_gets_an_answer_never_a_traceback(tmp_path: Path, stdin: str) -> None:
    chat = intake(["chat", "--user", "Sam"], tmp_path, stdin)
    assert chat.returncode == 0 and "Traceback" not in chat.stderr
    assert chat.stdout.count("bot>") >= 1


def test_an_unknown_ticket_is_one_clear_line(tmp_path: Path) -> None:
    assert intake(["db", "upgrade"], tmp_path).returncode == 0
    shown = intake(["tickets", "show", "MCP-9999"], tmp_path)
    assert shown.returncode == 2 and shown.stderr.strip() == "intake: no ticket MCP-9999"


def test_a_broken_policy_file_is_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "policy.yaml"
    broken.write_text("product: [unclosed\n", "utf-8")
    chat = intake(["chat"], tmp_path, "hi\n", INTAKE_POLICY_FILE=str(broken))
    [line] = chat.stderr.strip().splitlines()
    assert chat.returncode == 2 and line.startswith(
        f"intake: policy file {broken}:2 is not valid YAML"
    )
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("product: MyCartPro\nticket_prefix: 12\n", "utf-8")
    chat = intake(["chat"], tmp_path, "hi\n", INTAKE_POLICY_FILE=str(invalid))
    assert chat.returncode == 2 and len(chat.stderr.strip().splitlines()) == 1
    assert "policy file" in chat.stderr and "Traceback" not in chat.stderr
    missing = intake(["chat"], tmp_path, "hi\n", INTAKE_POLICY_FILE=str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "can't read policy file" in missing.stderr


def test_an_unwritable_database_path_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    chat = intake(["chat"], tmp_path, "hi\n", INTAKE_DATA_DIR=str(blocker / "data"))
    assert chat.returncode == 2
    assert chat.stderr.strip() == (
        f"intake: {blocker} is a file, not a folder: can't keep {blocker / 'data' / 'intake.db'} "
        "there"
    )
    bad_url = intake(["tickets", "list"], tmp_path, INTAKE_DATABASE_URL="nonsense://")
    assert bad_url.returncode == 2 and len(bad_url.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["tickets", "list"], ["db", "upgrade"]])
def test_a_database_path_that_is_a_folder_says_so(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "data" / "intake.db"
    folder.mkdir(parents=True)
    result = intake(command, tmp_path, INTAKE_DATA_DIR=str(tmp_path / "data"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"intake: {folder} is a folder, not a database file"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres:hunter2pw@127.0.0.1:notaport/x",  # a port that is no number
        "postgresql+psycopg://postgres:pa@ss:hunter2pw@127.0.0.1:5432/x",  # @ and : unescaped
        "postgresql+psycopg://postgres:pa@hunter2pw@127.0.0.1/x",  # a second @
        "postgresql+psycopg://postgres@[::1/x",
    ],
)
def test_a_malformed_database_url_is_one_line_without_its_password(
    tmp_path: Path, url: str
) -> None:
    result = intake(["tickets", "list"], tmp_path, INTAKE_DATABASE_URL=url)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("intake: INTAKE_DATABASE_URL is not a database URL")
    assert len(result.stderr.strip().splitlines()) == 1 and "hunter2pw" not in result.stderr


def test_an_empty_user_name_is_refused(tmp_path: Path) -> None:
    result = intake(["chat", "--user", " "], tmp_path, "hi\n")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "intake: --user is empty: give the name to chat as, or leave it out"
    )


def test_a_bad_setting_names_the_variable(tmp_path: Path) -> None:
    result = intake(["tickets", "list"], tmp_path, INTAKE_TEAM_CHANNEL="teams:123")
    assert result.returncode == 2
    assert result.stderr.startswith("intake: INTAKE_TEAM_CHANNEL:")


def test_the_chat_uses_an_admins_own_guides_folder(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    guides.mkdir()
    (guides / "gift-cards.md").write_text(
        "---\ntitle: Sell gift cards\naliases: [gift card not working, gift voucher]\n---\n"
        "1. Open Products → Gift cards.\n2. Click New gift card.\n",
        "utf-8",
    )
    chat = intake(
        ["chat", "--kb-dir", str(guides)], tmp_path, "My gift card is not working at checkout\n"
    )
    assert "1. Sell gift cards" in chat.stdout
    missing = intake(["chat", "--kb-dir", str(tmp_path / "nope")], tmp_path, "hi\n")
    assert missing.returncode == 2 and missing.stderr.startswith(
        "intake: INTAKE_KB_DIR / --kb-dir: "
    )


def test_a_script_may_type_faster_than_a_person(tmp_path: Path) -> None:
    lines = ["hi"] * 12 + CONVERSATION.splitlines()[1:]
    chat = intake(["chat", "--user", "Bot"], tmp_path, "\n".join(lines) + "\n")
    assert "faster than I can read" not in chat.stdout
    assert "Your ticket MCP-1001 is open" in chat.stdout


def intake_into_a_closed_pipe(
    args: list[str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe nobody reads any more, as ``intake … | head`` after head quit."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    try:
        process = subprocess.Popen(
            [INTAKE, *args],
            stdin=subprocess.PIPE,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=environment,
        )
    finally:
        os.close(write_end)
    _, err = process.communicate(stdin, timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, "", err)


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    assert intake(["chat", "--user", "Priya"], tmp_path, CONVERSATION).returncode == 0

    for args, stdin in (
        (["tickets", "show", "MCP-1001"], ""),
        (["chat", "--user", "Sam"], "hello\nmy checkout is broken\n"),
    ):
        done = intake_into_a_closed_pipe(args, tmp_path, stdin)
        assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, args
        assert done.returncode == 141, (args, done.stderr)  # 128 + SIGPIPE, like head's writers


def _read_until(master: int, seen: bytearray, wanted: bytes, count: int = 1) -> bool:
    deadline = time.monotonic() + 30
    while seen.count(wanted) < count and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                seen.extend(os.read(master, 4096))
            except OSError:  # the chat ended and closed the terminal
                break
    return seen.count(wanted) >= count


@contextlib.contextmanager
def chat_in_a_terminal(cwd: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``intake chat`` on a pseudo-terminal, as a person runs it; yields it and the terminal's
    other end (what the person types into and sees)."""
    import pty

    master, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    process = subprocess.Popen(
        [INTAKE, "chat", "--user", "Sam"],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=environment,
    )
    os.close(terminal)
    try:
        yield process, master
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_ends_an_interactive_chat(tmp_path: Path) -> None:
    seen = bytearray()
    with chat_in_a_terminal(tmp_path) as (process, master):
        assert _read_until(master, seen, b"you> "), seen
        os.write(master, b"hello\n")  # typed lines are read and answered
        assert _read_until(master, seen, b"you> ", count=2), seen
        assert b"What can we help you with?" in seen

        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        code = process.wait(timeout=15)
    assert process.stderr is not None
    err = process.stderr.read().decode()
    assert code == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Bye!")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_pasted_stack_trace_is_one_message(tmp_path: Path) -> None:
    seen = bytearray()
    paste = (
        b"Checkout crashes when customers pay, here is the log:\n"
        b"TypeError: Cannot read properties of undefined (reading 'total')\n"
        b"    at renderCart (checkout.js:88:14)\n"
    )
    with chat_in_a_terminal(tmp_path) as (process, master):
        assert _read_until(master, seen, b"you> "), seen
        os.write(master, paste)  # one write: how a terminal delivers a paste
        assert _read_until(master, seen, b"you> ", count=2), seen
        os.write(master, b"\x04")  # Ctrl-D at the prompt ends the chat
        assert process.wait(timeout=15) == 0
        _read_until(master, seen, b"never printed")  # the rest of the output, to the end
    # One answer and one prompt for the whole paste, not one per line.
    assert seen.count(b"you> ") == 2, seen.decode(errors="replace")


def test_now_without_an_offset_is_support_time_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    # Friday 2026-11-27 18:30 in Toronto: closed until Monday, whatever the machine's zone.
    chat = intake(["chat", "--now", "2026-11-27T18:30"], tmp_path, "hello\n", TZ="Asia/Tokyo")
    assert chat.returncode == 0, chat.stderr
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in chat.stdout

    bad = intake(["chat", "--now", "friday evening"], tmp_path, "hello\n")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().startswith("intake: --now 'friday evening' is not an ISO-8601")


def test_reading_commands_never_make_a_database_where_there_is_none(tmp_path: Path) -> None:
    typo = tmp_path / "dta"
    for command in (["tickets", "list"], ["tickets", "show", "MCP-1001"], ["kb", "gaps"]):
        result = intake(command, tmp_path, INTAKE_DATA_DIR=str(typo))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.strip() == (
            f"intake: no database at {typo / 'intake.db'} (intake chat, intake serve or intake "
            "db upgrade creates it; check INTAKE_DATA_DIR or INTAKE_DATABASE_URL)"
        )
    assert not typo.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_blank_line_a_marked_paste_and_a_long_line_at_a_terminal(tmp_path: Path) -> None:
    seen = bytearray()
    story = "Checkout fails for customers who pay with PayPal. " * 180  # ~9,000 characters
    log = "Stripe said: No signatures found\nRequest id: req_8fK2aLq"
    with chat_in_a_terminal(tmp_path) as (process, master):
        assert _read_until(master, seen, b"you> "), seen
        os.write(master, b"\r")  # Enter on an empty line: the prompt again, nothing sent
        assert _read_until(master, seen, b"you> ", count=2), seen
        os.write(master, story.encode() + b"\n")
        assert _read_until(master, seen, b"you> ", count=3), seen
        os.write(master, b"no\n")
        assert _read_until(master, seen, b"you> ", count=4), seen
        # A terminal marks a paste; the copied text has no newline at its end, Enter sends it.
        os.write(master, b"\x1b[200~" + log.encode() + b"\x1b[201~")
        os.write(master, b"\r")
        assert _read_until(master, seen, b"you> ", count=5), seen
        os.write(master, b"\x04")
        assert process.wait(timeout=15) == 0
    with sqlite3.connect(tmp_path / "data" / "intake.db") as database:
        said = [
            text
            for (text,) in database.execute(
                "SELECT text FROM messages WHERE direction = 'customer' ORDER BY id"
            )
        ]
    assert said == [story.strip(), "no", log]  # not cut at 4,095 characters; a paste is one
    assert seen.count(b"What steps lead to the problem?") == 1, seen.decode(errors="replace")
    assert b"I can only read words" not in seen


def test_an_empty_data_dir_setting_means_the_default_folder(tmp_path: Path) -> None:
    result = intake(["chat"], tmp_path, stdin="hello\n", INTAKE_DATA_DIR="")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "intake.db").is_file()
