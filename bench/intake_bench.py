"""Complete intake conversations through the real service loop, timed per message.

    python -m bench.intake_bench [--conversations 300] [--database-url URL]

Defaults to a fresh SQLite file; pass a PostgreSQL URL to measure that instead (in a private
schema, dropped afterwards). Each conversation is the seven messages of a full intake ending
in a ticket.
"""

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_app
from bot.errors import UserFacingError
from bot.settings import Settings
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage
from storage.database import shown, with_driver
from tests.fakes.postgres import private_schema

MESSAGES = [
    "Customers get an error when they pay with PayPal at checkout",
    "no",
    'The page says "PAYMENT_FAILED: gateway timeout (code 504)"',
    "Open the store, add any product to the cart, click Checkout, choose PayPal",
    "Pro plan, hosted by MyCartPro, Chrome 131 on Windows 11, PayPal Checkout",
    "yes",
    "send",
]


def run(conversations: int, database_url: str) -> dict[str, float]:
    app = build_app(Settings.model_validate({"INTAKE_DATABASE_URL": database_url}))
    start_at = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    latencies: list[float] = []
    # Fresh customers and message ids on every run, so a database used before still works.
    run_id = uuid.uuid4().hex[:8]
    began = time.perf_counter()
    for number in range(conversations):
        person = Person(
            platform="bench", user_id=f"{run_id}-u{number}", display_name=f"Customer {number}"
        )
        address = Address(platform="bench", channel=f"{run_id}-dm{number}")
        for index, text in enumerate(MESSAGES):
            message = CustomerMessage(
                message_id=f"{run_id}-{number}-{index}",
                author=person,
                address=address,
                text=text,
                at=start_at + timedelta(seconds=number * 10 + index),
            )
            sent = time.perf_counter()
            assert app.service.handle_customer(message)
            latencies.append(time.perf_counter() - sent)
    elapsed = time.perf_counter() - began
    app.close()
    ordered = sorted(latencies)
    return {
        "messages": len(latencies),
        "messages_per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.conversations < 1:
        parser.error("--conversations must be at least 1")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as cleanup:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        if url.startswith("postgres"):  # a private schema, dropped afterwards
            url = cleanup.enter_context(private_schema(with_driver(url), prefix="bench"))
        try:
            result = run(args.conversations, url)
        except UserFacingError as error:  # a bad --database-url: one line, as intake says it
            raise SystemExit(f"intake_bench: {error}") from None
    machine = f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    print(f"machine: {machine}")
    print(
        f"database: {shown(args.database_url) if args.database_url else 'sqlite (temporary file)'}"
    )
    print(
        f"{result['messages']:.0f} messages: {result['messages_per_second']:.0f} messages/s, "
        f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms"
    )


if __name__ == "__main__":
    main()
