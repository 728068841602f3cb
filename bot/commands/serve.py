"""``intake serve``: run the Slack and/or Discord bot, whichever is configured."""

import argparse
import asyncio
import contextlib
import signal
from typing import Any, cast

from bot.app import App, build_app
from bot.commands.kb import add_kb_dir_option, with_kb_dir
from bot.errors import UserFacingError
from bot.logs import configure_logging
from bot.platform import Platform
from bot.server import serve
from bot.settings import Settings, load_settings


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("serve", help="run the Slack and/or Discord bot")
    add_kb_dir_option(parser)
    parser.set_defaults(handler=run)


def configured_platforms(settings: Settings, app: App) -> list[Platform]:
    """The platforms whose settings are present; one clear line when half-configured."""
    platforms: list[Platform] = []
    if settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token:
        from bot.slack.platform import slack_platform

        platforms.append(slack_platform(settings, app))
    if settings.discord_token:
        from bot.discord.platform import discord_platform

        platforms.append(discord_platform(settings, app))
    if not platforms:
        raise UserFacingError(
            "nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or DISCORD_TOKEN"
        )
    return platforms


def run(args: argparse.Namespace) -> int:
    configure_logging()
    settings = with_kb_dir(load_settings(), args.kb_dir)
    app = _AppOnFirstUse(settings)
    try:
        platforms = configured_platforms(settings, cast(App, app))
        asyncio.run(_serve_until_signal(app.built(), platforms))
    finally:
        app.close()
    return 0


class _AppOnFirstUse:
    """The app, built when a platform factory first reaches for it.

    ``slack_platform`` and ``discord_platform`` check their settings before they touch the
    app, so a bad or missing token is one line before the database is opened or migrated and
    before anything is logged, without repeating their checks here. Should a factory use the
    app sooner, it is simply built sooner.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: App | None = None

    def built(self) -> App:
        if self._app is None:
            self._app = build_app(self._settings)
        return self._app

    def close(self) -> None:
        """Close the app if it was built; nothing to do when settings stopped us first."""
        if self._app is not None:
            self._app.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.built(), name)


async def _serve_until_signal(app: App, platforms: list[Platform]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await serve(app, platforms, stop)
