"""``intake serve``: run the Slack and/or Discord bot, whichever is configured."""

import argparse
import asyncio
import contextlib
import signal

from bot.app import App, build_app
from bot.commands.kb import add_kb_dir_option, with_kb_dir
from bot.errors import UserFacingError
from bot.logs import configure_logging
from bot.platform import Platform, PlatformBuilder
from bot.server import serve
from bot.settings import Settings, load_settings


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("serve", help="run the Slack and/or Discord bot")
    add_kb_dir_option(parser)
    parser.set_defaults(handler=run)


def configured_platforms(settings: Settings) -> list[PlatformBuilder]:
    """The platforms whose settings are present, checked: one clear line when half-configured,
    before any database is opened or anything logged."""
    builders: list[PlatformBuilder] = []
    served: set[str] = set()
    if settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token:
        from bot.slack.platform import slack_platform

        builders.append(slack_platform(settings))
        served.add("slack")
    if settings.discord_token:
        from bot.discord.platform import discord_platform

        builders.append(discord_platform(settings))
        served.add("discord")
    if not builders:
        raise UserFacingError(
            "nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or DISCORD_TOKEN"
        )
    team = settings.team_channel
    if team is not None and team.platform not in served:
        needs = "SLACK_BOT_TOKEN" if team.platform == "slack" else "DISCORD_TOKEN"
        raise UserFacingError(
            f"INTAKE_TEAM_CHANNEL is on {team.platform}, which this instance doesn't serve: "
            f"set {needs}, or name a channel on {' or '.join(sorted(served))}"
        )
    return builders


def run(args: argparse.Namespace) -> int:
    configure_logging()
    settings = with_kb_dir(load_settings(), args.kb_dir)
    builders = configured_platforms(settings)
    app = build_app(settings)
    try:
        asyncio.run(_serve_until_signal(app, [build(app) for build in builders]))
    finally:
        app.close()
    return 0


async def _serve_until_signal(app: App, platforms: list[Platform]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await serve(app, platforms, stop)
