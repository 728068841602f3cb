"""The loop the relay and the inbox worker share: work while there is work, then wait for a
wake-up (this instance wrote something) or the next poll (another instance did)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


# How often to look for work another instance wrote (this one's own work wakes it at once).
_POLL_SECONDS = 0.5


class Poller:
    def __init__(self, work: Callable[[], Awaitable[int]]) -> None:
        self._work = work
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> None:
        """Work until a pass finds nothing due."""
        while await self._work():
            pass

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self._work():
                    continue
            except Exception:
                log.exception(
                    "%s pass failed; trying again", getattr(self._work, "__qualname__", "poll")
                )
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
