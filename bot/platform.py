"""The port a chat platform plugs into ``intake serve`` with (Slack, Discord)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.delivery import Sender
from storage.outbox import Pending

if TYPE_CHECKING:
    from bot.app import App


class Outbound(Protocol):
    """Where a platform sends what its handled messages wrote to the outbox
    (``bot.relay.Relay``)."""

    def wake(self) -> None:
        """Messages were written for the relay to claim: look now, not at the next poll."""

    def lease_until(self) -> datetime:
        """When a lease on replies written now ends (``IntakeService.handle_arrival``)."""
        ...

    def send_now(self, replies: Sequence[Pending]) -> None:
        """Send replies written leased to this instance, in order, without claiming them."""


class Platform(Protocol):
    """One connected chat platform. Implemented by ``bot.slack.SlackPlatform`` and
    ``bot.discord.DiscordPlatform``."""

    @property
    def name(self) -> str: ...

    @property
    def sender(self) -> Sender: ...

    def mount(self, web_app: web.Application) -> None:
        """Add HTTP routes (before the server starts); platforms without webhooks add none."""

    async def start(self, outbound: Outbound) -> None:
        """Connect; after each handled message, hand what it wrote to ``outbound`` so replies
        go out at once."""

    async def stop(self) -> None: ...

    def ready(self) -> bool:
        """Connected and able to send (for ``/readyz``)."""
        ...


PlatformBuilder = Callable[["App"], Platform]
"""A platform whose settings were checked, built once the app (database, guides) is open."""
