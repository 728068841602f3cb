"""The port a chat platform plugs into ``intake serve`` with (Slack, Discord)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.delivery import Sender

if TYPE_CHECKING:
    from bot.app import App


class Platform(Protocol):
    """One connected chat platform. Implemented by ``bot.slack.SlackPlatform`` and
    ``bot.discord.DiscordPlatform``."""

    @property
    def name(self) -> str: ...

    @property
    def sender(self) -> Sender: ...

    def mount(self, web_app: web.Application) -> None:
        """Add HTTP routes (before the server starts); platforms without webhooks add none."""

    async def start(self, wake_relay: Callable[[], None]) -> None:
        """Connect; call ``wake_relay`` after each handled message so replies go out at once."""

    async def stop(self) -> None: ...

    def ready(self) -> bool:
        """Connected and able to send (for ``/readyz``)."""
        ...


PlatformBuilder = Callable[["App"], Platform]
"""A platform whose settings were checked, built once the app (database, guides) is open."""
