"""Prometheus metrics for ``/metrics``: one registry per app, nothing created at import time."""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from intake.guides import GuideMatch, GuideSearch


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "intake_messages_in",
            "Platform messages handled",
            ["platform", "audience"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "intake_messages_out",
            "Messages delivered by the relay",
            ["platform"],
            registry=self.registry,
        )
        self.relay_failures = Counter(
            "intake_relay_failures",
            "Failed delivery attempts",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.tickets_opened = Counter(
            "intake_tickets_opened", "Tickets opened", registry=self.registry
        )
        self.conversations_finished = Counter(
            "intake_conversations_finished",
            "Intakes that ended, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.guide_searches = Counter(
            "intake_guide_searches",
            "Knowledge-base searches, by whether a guide matched",
            ["result"],
            registry=self.registry,
        )
        self.step_seconds = Histogram(
            "intake_step_seconds",
            "Time to handle one inbound message (one transaction)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "intake_outbox_depth", "Outgoing messages not yet sent", registry=self.registry
        )
        self.outbox_age = Gauge(
            "intake_outbox_oldest_seconds",
            "Age of the oldest unsent message",
            registry=self.registry,
        )

    @contextmanager
    def timed_step(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.step_seconds.observe(time.perf_counter() - started)

    def render(self, outbox: tuple[int, datetime | None], now: datetime) -> bytes:
        """The exposition text, with the outbox gauges read fresh from the database."""
        depth, oldest = outbox
        self.outbox_depth.set(depth)
        self.outbox_age.set((now - oldest).total_seconds() if oldest else 0.0)
        return generate_latest(self.registry)


class CountedGuides:
    """A ``GuideSearch`` that counts how often a search found a guide (the KB match rate)."""

    def __init__(self, guides: GuideSearch, metrics: Metrics) -> None:
        self._guides = guides
        self._metrics = metrics

    def search(self, query: str, limit: int = 3) -> Sequence[GuideMatch]:
        matches = self._guides.search(query, limit)
        self._metrics.guide_searches.labels("match" if matches else "no_match").inc()
        return matches

    def text(self, guide_id: str) -> str | None:
        return self._guides.text(guide_id)
