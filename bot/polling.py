"""The loop the relay and the inbox worker share: work while there is work, then wait for a
wake-up (this instance wrote something) or the next poll (another instance did)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, work: Callable[[], Awaitable[int]], poll_seconds: float = 0.5) -> None:
        self._work = work
        self._poll_seconds = poll_seconds
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
            await asyncio.wait(
                waiters, timeout=self._poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waiters:
                waiter.cancel()
