"""``intake serve`` as child processes pointed at the Slack fake, and Slack delivering to them.

Slack reaches a service through its load balancer: each signed event goes to one instance, and
one that is not acknowledged (refused, reset, an error status, no answer within Slack's three
seconds) is sent again with ``X-Slack-Retry-Num``, to whichever instance the balancer picks,
until one acknowledges it. ``EventsClient`` does exactly that, so the fault test and the
benchmarks drive the real command line the way production traffic does.
"""

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp

from tests.fakes.network import free_port
from tests.fakes.slack_api import FakeSlack, signed_headers

SIGNING_SECRET = "serve-process-signing-secret"
EVENTS_PATH = "/slack/events"


class ServeProcess:
    """One ``intake serve`` child process on its own port; it can be killed and started again."""

    def __init__(
        self,
        fake: FakeSlack,
        data_dir: Path,
        *,
        database_url: str | None = None,
        team_channel: str | None = None,
        log_file: Path | None = None,
        secret: str = SIGNING_SECRET,
        extra_env: Mapping[str, str] | None = None,
        profile: Path | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.starts = 0
        self.kills = 0
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-serve-process",
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_BASE_URL": fake.base_url,
            "INTAKE_DATA_DIR": str(data_dir),
            "INTAKE_HTTP_PORT": str(self.port),
            **(extra_env or {}),
        }
        for name in ("SLACK_APP_TOKEN", "DISCORD_TOKEN", "INTAKE_DATABASE_URL"):
            env.pop(name, None)
        if database_url is not None:
            env["INTAKE_DATABASE_URL"] = database_url
        if team_channel is not None:
            env["INTAKE_TEAM_CHANNEL"] = f"slack:{team_channel}"
        self._env = env
        self._log_file = log_file
        # Under cProfile, the statistics are written when the process exits on SIGTERM.
        self._profile = profile
        self._command = list(command or [str(Path(sys.executable).with_name("intake")), "serve"])
        self._process: asyncio.subprocess.Process | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        """Spawn the process; it listens once it has opened the database and the guides."""
        command = self._command
        if self._profile is not None:
            profile = f"{self._profile}.{self.starts}"
            command = [sys.executable, "-m", "cProfile", "-o", profile, "-m", "bot.cli", "serve"]
        stderr = self._log_file.open("ab") if self._log_file is not None else None
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command,
                env=self._env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr if stderr is not None else asyncio.subprocess.DEVNULL,
            )
        finally:
            if stderr is not None:
                stderr.close()
        self.starts += 1

    async def wait_ready(self, http: aiohttp.ClientSession, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"intake serve on port {self.port} exited")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(f"{self.url}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"intake serve on port {self.port} not ready after {timeout}s")

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine or container dies."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
            self.kills += 1

    async def stop(self, timeout: float = 10.0) -> None:
        if self._process is None or self._process.returncode is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._process.wait(), timeout)
        except TimeoutError:
            await self.kill()


class EventsClient:
    """Slack's side of the Events API in front of several instances (see the module docstring).

    ``deliver`` returns how many sends it took; the first goes to a random instance, or to
    ``first`` when given (a redelivery aimed at another instance than the original).
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        instances: Sequence[ServeProcess],
        rng: random.Random,
        *,
        secret: str = SIGNING_SECRET,
        ack_timeout: float = 3.0,
        resend_after: float = 0.05,
        give_up_after: float = 60.0,
    ) -> None:
        self._http = http
        self._instances = list(instances)
        self._rng = rng
        self._secret = secret
        self._timeout = aiohttp.ClientTimeout(total=ack_timeout)
        self._resend_after = resend_after
        self._give_up_after = give_up_after
        self.resent = 0

    async def deliver(
        self, body: str, *, retry: int | None = None, first: ServeProcess | None = None
    ) -> int:
        deadline = time.monotonic() + self._give_up_after
        target = first or self._rng.choice(self._instances)
        sends = 0
        while True:
            sends += 1
            if await self._post(target, body, retry):
                return sends
            if time.monotonic() > deadline:
                raise TimeoutError(f"event not acknowledged after {sends} sends")
            self.resent += 1
            retry = (retry or 0) + 1
            target = self._rng.choice(self._instances)
            await asyncio.sleep(self._resend_after)

    async def _post(self, target: ServeProcess, body: str, retry: int | None) -> bool:
        headers = {
            "Content-Type": "application/json",
            **signed_headers(self._secret, body, retry=retry),
        }
        try:
            async with self._http.post(
                f"{target.url}{EVENTS_PATH}", data=body, headers=headers, timeout=self._timeout
            ) as response:
                await response.read()
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
