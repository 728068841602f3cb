"""``intake serve``: one process, one event loop, the platforms that are configured, the relay,
and the health endpoints."""

import asyncio
import gc
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from bot.app import App, utc_now
from bot.platform import Platform
from storage.database import is_current

log = logging.getLogger(__name__)


# Database work runs in threads so the event loop (webhooks, the Discord heartbeat) never
# waits on it. Few of them: the work is mostly Python holding the GIL, and measured on 2 cores
# (bench/production_bench.py) 4 threads beat 16 by a fifth in throughput and halved the p99.
_DATABASE_THREADS = 4


async def serve(app: App, platforms: Sequence[Platform], stop: asyncio.Event) -> None:
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(_DATABASE_THREADS, thread_name_prefix="intake-db")
    )
    web_app = web.Application()
    web_app.router.add_get("/healthz", _healthz)

    async def readyz(request: web.Request) -> web.Response:
        return await _readyz(app, platforms)

    web_app.router.add_get("/readyz", readyz)

    async def metrics(request: web.Request) -> web.Response:
        outbox = await asyncio.to_thread(app.outbox_depth)
        body = app.metrics.render(outbox, utc_now())
        return web.Response(body=body, content_type="text/plain", charset="utf-8")

    web_app.router.add_get("/metrics", metrics)
    for platform in platforms:
        platform.mount(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.http_host, app.settings.http_port)
    await site.start()
    relay = app.relay({platform.name: platform.sender for platform in platforms})
    relay_task = asyncio.create_task(relay.run(stop))
    try:
        for platform in platforms:
            await platform.start(relay.wake)
        # Everything loaded at start lives as long as the process: keep it out of the
        # collector's full passes (bench/production_bench.py at 100 messages/s: reply p99
        # 100–137 ms without this, 74–82 ms with it).
        gc.freeze()
        log.info(
            "serving %s on http://%s:%s",
            ", ".join(p.name for p in platforms),
            app.settings.http_host,
            app.settings.http_port,
        )
        await stop.wait()
    finally:
        stop.set()
        for platform in platforms:
            await platform.stop()
        await relay_task
        await runner.cleanup()


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(app: App, platforms: Sequence[Platform]) -> web.Response:
    try:
        database = await asyncio.to_thread(is_current, app.engine)
    except Exception:
        database = False
    checks = {"database": database, **{p.name: p.ready() for p in platforms}}
    status = 200 if all(checks.values()) else 503
    return web.json_response({"ready": status == 200, "checks": checks}, status=status)
