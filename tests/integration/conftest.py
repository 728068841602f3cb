# ── Discord: the loopback fake and ``intake serve`` running against it ──────────────────────

import asyncio as _asyncio
from collections.abc import AsyncIterator as _AsyncIterator
from collections.abc import Callable as _Callable
from contextlib import AbstractAsyncContextManager as _AsyncContext
from contextlib import asynccontextmanager as _asynccontextmanager
from pathlib import Path as _Path
from typing import Any as _Any

import pytest as _pytest

from bot.app import App as _App
from bot.app import build_app as _build_app
from bot.discord.platform import DiscordPlatform as _DiscordPlatform
from bot.platform import Platform as _Platform
from bot.server import serve as _serve
from bot.settings import Settings as _Settings
from tests.fakes.discord_api import FakeDiscord as _FakeDiscord

DiscordServe = _Callable[..., _AsyncContext[_App]]


def quick_discord_platform(settings: _Settings, app: _App, **options: _Any) -> _DiscordPlatform:
    """The production Discord platform with waits cut to what the loopback fake needs."""
    return _DiscordPlatform(
        settings,
        app.service,
        app.lease("discord-gateway"),
        guild_ready_timeout=0.05,
        identify_delay=0.0,
        **options,
    )


@_pytest.fixture
async def discord_fake() -> _AsyncIterator[_FakeDiscord]:
    fake = _FakeDiscord(heartbeat_interval_ms=500)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@_pytest.fixture
def discord_settings(tmp_path: _Path, discord_fake: _FakeDiscord) -> _Settings:
    """Discord only, the team channel on Discord, agents by role."""
    return _Settings.model_validate(
        {
            "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'intake.db'}",
            "INTAKE_HTTP_PORT": 0,
            "DISCORD_TOKEN": _FakeDiscord.TOKEN,
            "DISCORD_API_BASE": discord_fake.api_base,
            "DISCORD_GATEWAY_URL": discord_fake.gateway_url,
            "INTAKE_TEAM_CHANNEL": f"discord:{discord_fake.team_channel_id}",
            "INTAKE_DISCORD_AGENT_ROLE": str(discord_fake.agent_role_id),
        }
    )


@_pytest.fixture
def discord_serve(discord_fake: _FakeDiscord) -> DiscordServe:
    """``intake serve`` built by the production wiring, with Discord (and any other platforms
    passed in), until the block ends; entered once the client has identified."""

    @_asynccontextmanager
    async def serving(
        settings: _Settings,
        others: _Callable[[_App], list[_Platform]] = lambda app: [],
        **options: _Any,
    ) -> _AsyncIterator[_App]:
        app = _build_app(settings)
        platform = quick_discord_platform(settings, app, **options)
        stop = _asyncio.Event()
        identified = discord_fake.count_op(2)
        server = _asyncio.create_task(_serve(app, [platform, *others(app)], stop))
        try:
            waiter = _asyncio.ensure_future(discord_fake.wait_for_op(2, identified + 1))
            done, _ = await _asyncio.wait({waiter, server}, return_when=_asyncio.FIRST_COMPLETED)
            if server in done:
                waiter.cancel()
                server.result()
            yield app
        finally:
            stop.set()
            try:
                await server
            finally:
                app.close()

    return serving
