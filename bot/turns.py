"""Taking turns per conversation inside one process, in the order events arrived."""

import asyncio
import contextlib
from collections.abc import AsyncIterator


class KeyedLocks:
    """One FIFO lock per key (a channel, a conversation), dropped when nobody holds or waits
    for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
