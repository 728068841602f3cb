"""The outbox relay: sends what the service stored, through the adapter of each platform.

It retries with exponential backoff, honours a platform's ``Retry-After``, keeps each
conversation's order (the outbox only hands out the oldest unsent message of a key), and
survives restarts: a message is marked sent only after the platform accepted it, so a crash
between commit and send means it is sent when the relay runs again.

A claimed message is leased for a few seconds only, and the lease is extended while its send is
in flight: an instance killed mid-send holds up that conversation for one short lease, never for
minutes, and a slow platform call never lets a second instance send the same message meanwhile.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import PermanentFailure, RateLimited, Sender, TemporaryFailure
from bot.polling import Poller
from intake.addresses import Address
from storage.outbox import Pending
from storage.tickets import TicketNotFound
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(minutes=5)
_LEASE = timedelta(seconds=10)


class Relay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        clock: Callable[[], datetime],
        *,
        batch: int = 50,
        lease: timedelta = _LEASE,
        max_attempts: int = 10,
    ) -> None:
        self._sessions = sessions
        self._senders = dict(senders)
        self._clock = clock
        self._batch = batch
        self._lease = lease
        self._max_attempts = max_attempts
        self._poller = Poller(self.deliver_due)

    def wake(self) -> None:
        """Something was just written to the outbox: look now instead of at the next poll."""
        self._poller.wake()

    async def deliver_due(self) -> int:
        """Send every message that is due now (one per conversation); return how many tried."""
        claimed = await asyncio.to_thread(self._claim)
        await asyncio.gather(*(self._deliver(pending) for pending in claimed))
        return len(claimed)

    async def drain(self) -> None:
        """Deliver until nothing is due (what the terminal chat does after each message)."""
        await self._poller.drain()

    async def run(self, stop: asyncio.Event) -> None:
        await self._poller.run(stop)

    def _claim(self) -> list[Pending]:
        with UnitOfWork(self._sessions) as uow:
            claimed = uow.outbox.claim_due(
                self._clock(), set(self._senders), self._batch, self._lease
            )
            uow.commit()
        return claimed

    async def _deliver(self, pending: Pending) -> None:
        keeper = asyncio.create_task(self._keep_leased(pending))
        try:
            await self._deliver_leased(pending)
        finally:
            keeper.cancel()

    async def _keep_leased(self, pending: Pending) -> None:
        """Extend the lease every third of it until cancelled (the send finished)."""
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                held = await asyncio.to_thread(self._extend, pending)
            except Exception:
                log.warning("outbox %s: lease not extended", pending.id, exc_info=True)
                continue
            if not held:
                return

    def _extend(self, pending: Pending) -> bool:
        with UnitOfWork(self._sessions) as uow:
            held = uow.outbox.extend_lease(
                pending.id, pending.attempts, self._clock() + self._lease
            )
            uow.commit()
        return held

    async def _deliver_leased(self, pending: Pending) -> None:
        sender = self._senders[pending.platform]
        try:
            target = await asyncio.to_thread(self._resolve, pending)
            if target is None:
                await asyncio.to_thread(self._finish, pending, None, "nothing to edit yet")
                return
            address, edit_ref = target
            if edit_ref is not None:
                await sender.edit(address, edit_ref, pending.message)
                ref: str | None = edit_ref
            else:
                ref = await sender.send(address, pending.message, key=f"outbox-{pending.id}")
        except RateLimited as limited:
            await asyncio.to_thread(
                self._later, pending, timedelta(seconds=limited.retry_after), str(limited)
            )
        except (TemporaryFailure, TicketNotFound) as failure:
            if pending.attempts >= self._max_attempts:
                log.error("outbox %s given up after %s attempts", pending.id, pending.attempts)
                await asyncio.to_thread(self._finish, pending, None, f"gave up: {failure}")
            else:
                backoff = min(timedelta(seconds=2**pending.attempts), _MAX_BACKOFF)
                await asyncio.to_thread(self._later, pending, backoff, str(failure))
        except PermanentFailure as failure:
            log.error("outbox %s could not be delivered: %s", pending.id, failure)
            await asyncio.to_thread(self._finish, pending, None, f"failed: {failure}")
        else:
            await asyncio.to_thread(self._finish, pending, ref, None)

    def _resolve(self, pending: Pending) -> tuple[Address, str | None] | None:
        """Where to post: a fixed address, or a ticket's thread or card looked up now."""
        destination = pending.destination
        if destination.address is not None:
            return destination.address, None
        with UnitOfWork(self._sessions) as uow:
            public_id = destination.ticket_thread or destination.ticket_card or ""
            ticket = uow.tickets.get(public_id)
        team = ticket.team_address
        if team is None:
            raise PermanentFailure(f"ticket {public_id} has no team channel")
        if destination.ticket_card is not None:
            return None if ticket.team_message is None else (team, ticket.team_message)
        return team, None

    def _finish(self, pending: Pending, ref: str | None, error: str | None) -> None:
        with UnitOfWork(self._sessions) as uow:
            uow.outbox.mark_sent(pending.id, self._clock(), ref, error)
            card = pending.message.card
            if ref is not None and card is not None and pending.destination.address is not None:
                uow.tickets.set_team_thread(card.ticket_id, message_ref=ref, thread=ref)
            uow.commit()

    def _later(self, pending: Pending, delay: timedelta, error: str) -> None:
        with UnitOfWork(self._sessions) as uow:
            uow.outbox.retry_later(pending.id, self._clock() + delay, error)
            uow.commit()
