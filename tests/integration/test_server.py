"""`intake serve`'s operational endpoints: health, readiness and Prometheus metrics."""

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import App
from bot.server import serve
from tests.fakes.network import free_port
from tests.integration.intake_driver import FULL_INTAKE, Customer, make_app


@pytest.fixture
async def running(database_url: str) -> AsyncIterator[tuple[App, str]]:
    port = free_port()
    app = make_app(database_url, INTAKE_HTTP_PORT=port)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, [], stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):  # until the listener is up (bounded)
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.01)
    yield app, base
    stop.set()
    await task
    app.close()


async def test_health_and_readiness(running: tuple[App, str]) -> None:
    _, base = running
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as health:
            assert health.status == 200 and (await health.json()) == {"status": "ok"}
        async with http.get(f"{base}/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {"ready": True, "checks": {"database": True}}


async def test_metrics_count_messages_tickets_guides_and_the_outbox(
    running: tuple[App, str],
) -> None:
    app, base = running
    await asyncio.to_thread(Customer(app).intake, FULL_INTAKE)
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        text = await response.text()
    assert response.status == 200
    assert 'intake_messages_in_total{audience="customer",platform="console"} 7.0' in text
    assert "intake_tickets_opened_total 1.0" in text
    assert 'intake_conversations_finished_total{outcome="ticket"} 1.0' in text
    assert 'intake_guide_searches_total{result="match"} 1.0' in text
    assert "intake_outbox_depth 7.0" in text  # nothing relays "console" inside serve
    assert "intake_step_seconds_count 7.0" in text
