"""The outbox relay: sends what the service stored, through the adapter of each platform.

It retries with exponential backoff, honours a platform's ``Retry-After``, keeps each
conversation's order (the outbox only hands out the oldest unsent message of a key), and
survives restarts: a message is marked sent only after the platform accepted it, so a crash
between commit and send means it is sent when the relay runs again.

A reply written as a customer's message was handled can come already leased to this instance
(``IntakeService.handle_arrival``): ``send_now`` sends it without the claim transaction.

A claimed message is leased for a few seconds only, and the lease is extended while its send is
in flight: an instance killed mid-send holds up that conversation for one short lease, never for
minutes, and a slow platform call never lets a second instance send the same message meanwhile.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import NotAllowedYet, PermanentFailure, RateLimited, Sender, TemporaryFailure
from bot.desk import report_not_in_thread, report_undelivered
from bot.metrics import Metrics
from bot.polling import Poller
from intake.addresses import Address
from storage.outbox import Pending
from storage.tickets import TicketNotFound
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(minutes=5)
_LEASE = timedelta(seconds=10)
_BATCH = 50  # messages claimed per pass
_MAX_ATTEMPTS = 10
_GIVEN_UP = frozenset({"permanent", "gave_up"})


class Relay:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        clock: Callable[[], datetime],
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self._sessions = sessions
        self._senders = dict(senders)
        self._clock = clock
        self._metrics = metrics or Metrics()
        self._poller = Poller(self.deliver_due)
        self._sending: set[asyncio.Task[None]] = set()
        # What leased sends achieved, recorded together by the recorder's next pass.
        self._finished: list[_Result] = []
        self._held_back: list[int] = []
        self._recorder = Poller(self._record_finished)

    def wake(self) -> None:
        """Something was just written to the outbox: look now instead of at the next poll."""
        self._poller.wake()

    def lease_until(self) -> datetime:
        return self._clock() + _LEASE

    def send_now(self, replies: Sequence[Pending]) -> None:
        """Send messages leased to this instance as they were written, one after another."""
        task = asyncio.create_task(self._send_in_order(replies))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_in_order(self, replies: Sequence[Pending]) -> None:
        results: list[_Result] = []
        for pending in replies:
            results.append(await self._deliver(_to_address(pending)))
            if results[-1].retry_at is not None:
                break  # the rest must not overtake it
        self._finished.extend(results)
        self._held_back.extend(pending.id for pending in replies[len(results) :])
        self._recorder.wake()

    async def _record_finished(self) -> int:
        """Record every leased send that finished since the last pass, in one transaction: under
        load, one transaction records many messages."""
        results, held_back = self._finished, self._held_back
        if not results and not held_back:
            return 0
        self._finished, self._held_back = [], []
        try:
            await asyncio.to_thread(self._record, results, held_back)
        except BaseException:
            self._finished[:0], self._held_back[:0] = results, held_back
            raise
        return len(results)

    async def deliver_due(self) -> int:
        """Send every message that is due now (one per conversation); return how many tried."""
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            results = await asyncio.gather(*(self._deliver(item) for item in claimed))
            await asyncio.to_thread(self._record, results)
        return len(claimed)

    async def drain(self) -> None:
        """Finish the leased sends under way, then deliver until nothing is due (what the
        terminal chat does after each message)."""
        await self._finish_sending()
        await self._poller.drain()

    async def run(self, stop: asyncio.Event) -> None:
        recording = asyncio.create_task(self._recorder.run(stop))
        await self._poller.run(stop)
        await recording
        await self._finish_sending()

    async def _finish_sending(self) -> None:
        """Wait for the leased sends under way and record how they went."""
        if self._sending:
            await asyncio.wait(self._sending)
        await self._recorder.drain()

    def _claim(self) -> list["_Claimed"]:
        """Lease what is due and, in the same transaction, look up where each message goes."""
        with UnitOfWork(self._sessions) as uow:
            claimed = uow.outbox.claim_due(self._clock(), set(self._senders), _BATCH, _LEASE)
            ready = [_target(uow, pending) for pending in claimed]
            uow.commit()
        return ready

    async def _deliver(self, claimed: "_Claimed") -> "_Result":
        pending = claimed.pending
        keeper = asyncio.create_task(self._keep_leased(pending))
        try:
            result = await self._deliver_leased(claimed)
        finally:
            keeper.cancel()
        if result.retry_at is None and result.error is None:
            self._metrics.messages_out.labels(pending.platform).inc()
        elif result.error is not None:
            self._metrics.relay_failures.labels(pending.platform, result.kind).inc()
        return result

    async def _keep_leased(self, pending: Pending) -> None:
        """Extend the lease every third of it until cancelled (the send finished)."""
        every = _LEASE.total_seconds() / 3
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
            held = uow.outbox.extend_lease(pending.id, pending.attempts, self._clock() + _LEASE)
            uow.commit()
        return held

    async def _deliver_leased(self, claimed: "_Claimed") -> "_Result":
        pending = claimed.pending
        sender = self._senders[pending.platform]
        try:
            if claimed.failure is not None:
                raise claimed.failure
            target = claimed.target
            if target is None:
                return _Result(pending, None, "nothing to edit yet", "skipped")
            address, edit_ref = target
            if edit_ref is not None:
                await sender.edit(address, edit_ref, pending.message)
                return _Result(pending, edit_ref, None, "sent")
            ref = await sender.send(address, pending.message, key=f"outbox-{pending.id}")
            return _Result(pending, ref, None, "sent")
        except RateLimited as limited:
            until = self._clock() + timedelta(seconds=limited.retry_after)
            return _Result(pending, None, str(limited), "rate_limited", retry_at=until)
        except (TemporaryFailure, TicketNotFound) as failure:
            if pending.attempts >= _MAX_ATTEMPTS and not isinstance(failure, NotAllowedYet):
                log.error("outbox %s given up after %s attempts", pending.id, pending.attempts)
                return _Result(pending, None, f"gave up: {failure}", "gave_up")
            # The exponent is capped first: a message waiting for access (NotAllowedYet) keeps
            # counting attempts, and 2**attempts seconds would overflow a timedelta.
            backoff = min(timedelta(seconds=2 ** min(pending.attempts, 16)), _MAX_BACKOFF)
            return _Result(pending, None, str(failure), "temporary", self._clock() + backoff)
        except PermanentFailure as failure:
            log.error("outbox %s could not be delivered: %s", pending.id, failure)
            return _Result(pending, None, f"failed: {failure}", "permanent")

    def _record(self, results: list["_Result"], held_back: Sequence[int] = ()) -> None:
        """What a pass achieved, in one transaction: sent, dropped, or due again later; and
        leased messages ``held_back`` behind a failed one, due again now."""
        now = self._clock()
        with UnitOfWork(self._sessions) as uow:
            if held_back:
                uow.outbox.release(list(held_back), now, "held back behind an earlier message")
            sent: list[tuple[int, str | None, str | None]] = []
            for result in results:
                pending = result.pending
                if result.retry_at is not None:
                    uow.outbox.retry_later(pending.id, result.retry_at, result.error or "")
                    continue
                sent.append((pending.id, result.ref, result.error))
                _report_if_undelivered(uow, result, now)
                card, address = pending.message.card, pending.destination.address
                if result.ref is not None and card is not None and address is not None:
                    # The card's thread is the ticket; catching up after downtime starts there.
                    uow.tickets.set_team_thread(
                        card.ticket_id, message_ref=result.ref, thread=result.ref
                    )
                    thread = address.model_copy(update={"thread": result.ref})
                    uow.conversations.advance_cursor(thread, result.ref)
            uow.outbox.mark_all_sent(now, sent)
            uow.commit()


def _report_if_undelivered(uow: UnitOfWork, result: "_Result", at: datetime) -> None:
    """A customer's message given up is told to their ticket's thread, a thread's message to
    the ticket's history; cards only go to the team, so they are skipped without a lookup."""
    pending = result.pending
    if result.kind not in _GIVEN_UP or pending.message.card is not None:
        return
    address, thread = pending.destination.address, pending.destination.ticket_thread
    reason = result.error or result.kind
    if address is not None:
        report_undelivered(uow, address, pending.message.text, reason, at)
    elif thread is not None:
        report_not_in_thread(uow, thread, pending.message.text, reason, at)


_Target = tuple[Address, str | None] | None
"""Where to post, and the message to edit instead (a card); None: a card not posted yet."""


@dataclass(frozen=True)
class _Claimed:
    """A leased message with where it goes, or why that could not be found."""

    pending: Pending
    target: _Target
    failure: PermanentFailure | TicketNotFound | None = None


def _to_address(pending: Pending) -> _Claimed:
    """A message to a known address: every reply to a customer."""
    address = pending.destination.address
    if address is None:
        return _Claimed(pending, None, PermanentFailure(f"outbox {pending.id} has no address"))
    return _Claimed(pending, (address, None))


def _target(uow: UnitOfWork, pending: Pending) -> _Claimed:
    """A ticket's thread or card is looked up as the message is claimed: only the oldest unsent
    message of a ticket is claimed, so its card's reference is already stored."""
    destination = pending.destination
    if destination.address is not None:
        return _to_address(pending)
    public_id = destination.ticket_thread or destination.ticket_card or ""
    try:
        team, card = uow.tickets.team_place(public_id)
    except TicketNotFound as missing:
        return _Claimed(pending, None, missing)
    if team is None:
        return _Claimed(pending, None, PermanentFailure(f"ticket {public_id} has no team channel"))
    if destination.ticket_card is not None:
        return _Claimed(pending, None if card is None else (team, card))
    if team.thread is None:
        # The card never made it (the bot was not in the channel then): without its thread,
        # the message says which ticket it is about.
        message = pending.message
        label = (
            {"author": f"{public_id} · {message.author}"}
            if message.author
            else {"text": f"{public_id}: {message.text}"}
        )
        pending = pending.model_copy(update={"message": message.model_copy(update=label)})
    return _Claimed(pending, (team, None))


@dataclass(frozen=True)
class _Result:
    """How one send went; ``retry_at`` set means try again then."""

    pending: Pending
    ref: str | None
    error: str | None
    kind: str
    retry_at: datetime | None = None
