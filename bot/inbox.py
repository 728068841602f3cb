"""Handling accepted platform events, in order per conversation, after they were acknowledged.

An adapter accepts an event (``IntakeService.accept``: one insert) before acknowledging it, then
this worker hands each event back to the adapter's handler. A handler that fails is retried with
backoff; one that keeps failing is recorded and skipped so it never blocks the conversation.

The lease on a claimed event is short: an instance killed while holding it delays that
conversation by seconds, not minutes. Handling twice is harmless (the service claims each
message id once, in the same transaction as its effects), so a lease that runs out under a slow
handler costs a little repeated work, never a repeated answer.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.polling import Poller
from bot.service import IntakeService
from storage.inbox import Accepted

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class InboxWorker:
    def __init__(
        self,
        service: IntakeService,
        platform: str,
        handler: Handler,
        clock: Callable[[], datetime],
        *,
        batch: int = 50,
        lease: timedelta = timedelta(seconds=10),
        max_attempts: int = 8,
    ) -> None:
        self._service = service
        self._platform = platform
        self._handler = handler
        self._clock = clock
        self._batch = batch
        self._lease = lease
        self._max_attempts = max_attempts
        self._poller = Poller(self.handle_due)
        self._someone_waits = False

    def wake(self) -> None:
        self._poller.wake()

    def queued(self) -> None:
        """An event was accepted behind another of its conversation: take it once that is done."""
        self._someone_waits = True
        self.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await self._poller.run(stop)

    async def drain(self) -> None:
        await self._poller.drain()

    async def handle_due(self) -> int:
        claimed = await asyncio.to_thread(
            self._service.claim_inbox, self._platform, self._clock(), self._batch, self._lease
        )
        await asyncio.gather(*(self.handle(item) for item in claimed))
        return len(claimed)

    @property
    def lease(self) -> timedelta:
        return self._lease

    async def handle(self, item: Accepted) -> None:
        """Handle an event this instance holds the lease of (claimed here, or by its adapter's
        ``accept``). The handler's transaction marks it done; a failure is retried later."""
        try:
            await self._handler(item.payload)
        except Exception as error:
            if item.attempts >= self._max_attempts:
                log.exception("%s event %s given up", self._platform, item.message_id)
                await asyncio.to_thread(
                    self._service.inbox_done, item.id, self._clock(), repr(error)
                )
                return
            log.warning(
                "%s event %s failed; retrying", self._platform, item.message_id, exc_info=True
            )
            delay = timedelta(seconds=min(0.2 * 2**item.attempts, 60))
            await asyncio.to_thread(
                self._service.inbox_retry, item.id, self._clock() + delay, repr(error)
            )
        finally:
            if self._someone_waits:
                # An event was queued behind one being handled: it may go now.
                self._someone_waits = False
                self.wake()
