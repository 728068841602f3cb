"""The port every platform's sender implements, and the failures the relay understands.

Adapters map their SDK's exceptions to these at the boundary, so the relay never imports a
platform SDK and every platform gets the same retry rules.
"""

from typing import Protocol

from intake.addresses import Address
from intake.outgoing import Outgoing


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.1f}s")
        self.retry_after = retry_after


class TemporaryFailure(Exception):
    """Worth retrying with backoff: timeouts, 5xx, connection errors."""


class NotAllowedYet(TemporaryFailure):
    """Refused until someone grants access (invites the bot to the team channel, gives it a
    permission there): tried again every few minutes for as long as it takes, so the ticket's
    card, and its messages waiting behind it, go through once they do."""


class PermanentFailure(Exception):
    """Retrying won't help (channel gone, bot removed, invalid payload): recorded and dropped."""


class Sender(Protocol):
    """Delivers outgoing messages on one platform. Implemented in ``bot/slack``, ``bot/discord``
    and ``bot/console``."""

    platform: str

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        """Post ``message`` and return the platform's id for it.

        ``key`` is stable across retries of the same outbox message (a nonce where the
        platform supports one).
        """
        ...

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        """Replace a message the bot posted earlier (ticket cards showing a new status)."""
        ...
