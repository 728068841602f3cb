"""The real ``intake`` command: bad config or input is one line on stderr and exit 2, never a
traceback, and a command refused for its settings leaves nothing behind (no database, no logs).
"""

import contextlib
import os
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.integration.cli import INTAKE, intake

# Valid Slack settings whose API is a closed port: ``serve`` must fail before it calls Slack.
SLACK = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "abc",
    "SLACK_API_BASE_URL": "http://127.0.0.1:9/",
}


def assert_refused(result: subprocess.CompletedProcess[str], line: str) -> None:
    """Exit 2 and, as the last line of stderr (after any start-up logs), exactly ``line``."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == line


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else is listening on for the whole test."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port: int = holder.getsockname()[1]
        yield port


def test_serve_on_a_port_in_use_names_the_port(tmp_path: Path, taken_port: int) -> None:
    result = intake(["serve"], tmp_path, INTAKE_HTTP_PORT=str(taken_port), **SLACK)
    assert_refused(result, f"intake: INTAKE_HTTP_PORT {taken_port} is already in use on 127.0.0.1")


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("999.1.1.1", "INTAKE_HTTP_HOST '999.1.1.1' can't be resolved to an address"),
        # TEST-NET-1 (RFC 5737): a well-formed address no machine here has.
        ("192.0.2.1", "INTAKE_HTTP_HOST '192.0.2.1' is not an address of this machine"),
    ],
)
def test_serve_on_a_bad_host_names_the_host(tmp_path: Path, host: str, says: str) -> None:
    result = intake(["serve"], tmp_path, INTAKE_HTTP_HOST=host, INTAKE_HTTP_PORT="0", **SLACK)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"intake: {says}")


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({}, "intake: nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or "),
        ({"SLACK_BOT_TOKEN": "nope"}, "intake: SLACK_BOT_TOKEN must be a bot token starting"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "intake: SLACK_SIGNING_SECRET is missing"),
        (
            {**SLACK, "INTAKE_TEAM_CHANNEL": "discord:123"},
            "intake: INTAKE_TEAM_CHANNEL is on discord, which this instance doesn't serve: set "
            "DISCORD_TOKEN, or name a channel on slack",
        ),
        (
            {**SLACK, "INTAKE_KB_DIR": "/nonexistent"},
            "intake: INTAKE_KB_DIR / --kb-dir: /nonexistent is not a folder of guides",
        ),
    ],
)
def test_serve_checks_platform_settings_before_the_database_and_any_log(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    data = tmp_path / "data"
    result = intake(["serve"], tmp_path, INTAKE_DATA_DIR=str(data), **env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(line), result.stderr
    assert not data.exists()  # no database created, nothing migrated


@pytest.mark.parametrize(
    ("args", "line"),
    [
        ([], "intake: the following arguments are required: COMMAND (see intake --help)"),
        (["hours", "--bogus"], "intake: unrecognized arguments: --bogus (see intake hours --help)"),
        (["kb"], "intake: the following arguments are required: KB_COMMAND (see intake kb --help)"),
        (
            ["kb", "search", "-k", "0", "x"],
            "intake: argument -k: must be a whole number of at least 1, not '0' "
            "(see intake kb search --help)",
        ),
    ],
)
def test_a_usage_error_is_one_line_pointing_at_help(
    tmp_path: Path, args: list[str], line: str
) -> None:
    result = intake(args, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", line + "\n")


def test_an_unknown_command_is_one_line(tmp_path: Path) -> None:
    result = intake(["nosuch"], tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("intake: argument COMMAND: invalid choice: 'nosuch'")
    assert result.stderr.endswith(" (see intake --help)\n")


def test_help_still_prints_usage_and_exits_0(tmp_path: Path) -> None:
    result = intake(["hours", "--help"], tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: intake hours")


class _ProxyErrorPage(BaseHTTPRequestHandler):
    """What a misconfigured proxy answers: an HTML error page labelled as JSON."""

    status, content_type = 502, "application/json"

    def _answer(self) -> None:
        body = b"<html>proxy error</html>"
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class _WebPage(_ProxyErrorPage):
    """What a website answers: a page, as a page."""

    status, content_type = 200, "text/html"


def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture
def proxy_error_page() -> Iterator[str]:
    yield from _serving(_ProxyErrorPage)


@pytest.fixture(params=[_ProxyErrorPage, _WebPage], ids=["proxy-error", "web-page"])
def not_an_api(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _serving(request.param)


def test_a_discord_api_address_that_is_not_discord_is_one_line(
    tmp_path: Path, not_an_api: str
) -> None:
    result = intake(
        ["serve"],
        tmp_path,
        INTAKE_HTTP_PORT="0",
        DISCORD_TOKEN="abc",
        DISCORD_API_BASE=not_an_api,
    )
    says = "did not answer like the Discord API: is DISCORD_API_BASE right?"
    assert_refused(result, f"intake: {not_an_api} {says}")


def _without_our_settings() -> dict[str, str]:
    """This process's environment without any setting of ours that could leak into a test."""
    ours = ("INTAKE_", "SLACK_", "DISCORD_")
    return {name: value for name, value in os.environ.items() if not name.startswith(ours)}


def serve_log_until(tmp_path: Path, environment: dict[str, str], until: str) -> str:
    """What ``intake serve`` logs up to a line with ``until``: it keeps going after it."""
    serve = subprocess.Popen(
        [INTAKE, "serve"],
        cwd=tmp_path,
        env={**_without_our_settings(), **environment},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert serve.stderr is not None
    give_up = threading.Timer(30, serve.terminate)  # the line never came: fail, don't hang
    give_up.start()
    lines = []
    try:
        for line in serve.stderr:
            assert "Traceback" not in line
            lines.append(line)
            if until in line:
                break
    finally:
        give_up.cancel()
        running = serve.poll() is None
        serve.terminate()
        serve.wait(timeout=30)
    assert running, "".join(lines)
    return "".join(lines)


def test_a_slack_api_address_that_is_not_slack_is_named_and_serve_keeps_going(
    tmp_path: Path, proxy_error_page: str
) -> None:
    environment = {**SLACK, "SLACK_API_BASE_URL": proxy_error_page, "INTAKE_HTTP_PORT": "0"}
    said = serve_log_until(tmp_path, environment, "serving slack on")
    assert "HTTP 502, not a Slack API answer: is SLACK_API_BASE_URL right?" in said
    served = re.search(r"serving slack on (http://127\.0\.0\.1:(\d+))", said)
    assert served is not None and served.group(2) != "0"  # the port the system chose
    assert f"health: {served.group(1)}/healthz, {served.group(1)}/readyz" in said


def test_slack_out_of_reach_at_start_names_where_it_was_tried(tmp_path: Path) -> None:
    unreachable = "http://127.0.0.1:9/api/"  # nothing listens on the discard port
    environment = {**SLACK, "SLACK_API_BASE_URL": unreachable, "INTAKE_HTTP_PORT": "0"}
    said = serve_log_until(tmp_path, environment, "serving slack on")
    assert f"slack not reachable yet at {unreachable}" in said


def test_discord_out_of_reach_at_start_is_tried_again_while_slack_serves(tmp_path: Path) -> None:
    unreachable = "http://127.0.0.1:9"  # nothing listens on the discard port
    environment = {
        **SLACK,
        "DISCORD_TOKEN": "abc",
        "DISCORD_API_BASE": unreachable,
        "INTAKE_HTTP_PORT": "0",
    }
    said = serve_log_until(tmp_path, environment, "serving")
    assert f"Discord not reachable yet (could not log in to Discord at {unreachable}" in said


@pytest.fixture
def silent_api() -> Iterator[tuple[str, threading.Event]]:
    """An address that accepts connections and never answers, and whether one was made."""
    listener = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # closed at the end
            while True:
                held.append(listener.accept()[0])
                connected.set()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", connected
    listener.close()
    for connection in held:
        connection.close()


@pytest.mark.parametrize(
    "platform",
    [
        {**SLACK, "SLACK_API_BASE_URL": "{api}"},
        {"DISCORD_TOKEN": "abc", "DISCORD_API_BASE": "{api}"},
    ],
    ids=["slack", "discord"],
)
def test_serve_stops_at_once_on_sigterm_while_an_api_never_answers(
    tmp_path: Path, silent_api: tuple[str, threading.Event], platform: dict[str, str]
) -> None:
    api, connected = silent_api
    environment = {name: value.format(api=api) for name, value in platform.items()}
    serve = subprocess.Popen(
        [INTAKE, "serve"],
        cwd=tmp_path,
        env={**_without_our_settings(), **environment, "INTAKE_HTTP_PORT": "0"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert connected.wait(30), "serve never called the API"
        serve.terminate()
        _, said = serve.communicate(timeout=10)  # not the minutes an HTTP timeout takes
    finally:
        serve.kill()
    assert serve.returncode == 0, said
    assert "Traceback" not in said


def test_version_names_the_installed_release(tmp_path: Path) -> None:
    result = intake(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"intake {version('mycartpro-intake')}"
