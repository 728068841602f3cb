"""``intake serve``: one process, one event loop, the platforms that are configured, the relay,
and the health endpoints."""

import asyncio
import contextlib
import errno
import gc
import logging
import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from bot.app import App, utc_now
from bot.errors import UserFacingError
from bot.platform import Platform
from bot.relay import Relay
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
    try:
        await web.TCPSite(runner, app.settings.http_host, app.settings.http_port).start()
    except OSError as error:
        await runner.cleanup()
        raise UserFacingError(
            _cannot_listen(error, app.settings.http_host, app.settings.http_port)
        ) from None
    relay = app.relay({platform.name: platform.sender for platform in platforms})
    relay_task = asyncio.create_task(relay.run(stop))
    try:
        if not await _started(platforms, relay, stop):
            return  # asked to stop while a platform was still connecting
        # Everything loaded at start lives as long as the process: keep it out of the
        # collector's full passes (bench/production_bench.py at 100 messages/s: reply p99
        # 100–137 ms without this, 74–82 ms with it).
        gc.freeze()
        host, port = runner.addresses[0][:2]  # the port the system chose for port 0
        base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        served = ", ".join(p.name for p in platforms)
        endpoints = f"health: {base}/healthz, {base}/readyz; metrics: {base}/metrics"
        log.info("serving %s on %s (%s)", served, base, endpoints)
        await stop.wait()
    finally:
        stop.set()
        for platform in platforms:
            await platform.stop()
        await relay_task
        await runner.cleanup()


async def _started(platforms: Sequence[Platform], relay: Relay, stop: asyncio.Event) -> bool:
    """Start every platform; False when ``stop`` came first. A platform's API that accepts
    connections and never answers would otherwise hold a SIGTERM for minutes."""

    async def start_all() -> None:
        for platform in platforms:
            await platform.start(relay)

    starting = asyncio.create_task(start_all())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()  # a start's own error (a refused token) stops serve with its line
        return True
    starting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await starting
    log.info("stopped before every platform had started")
    return False


def _cannot_listen(error: OSError, host: str, port: int) -> str:
    """Why the HTTP listener can't start, naming the setting to change: the usual causes are
    another process on the port (often a second ``intake serve``) or a mistyped host."""
    if isinstance(error, socket.gaierror):
        return f"INTAKE_HTTP_HOST {host!r} can't be resolved to an address ({error.strerror})"
    if error.errno == errno.EADDRINUSE:
        return f"INTAKE_HTTP_PORT {port} is already in use on {host}"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"INTAKE_HTTP_HOST {host!r} is not an address of this machine"
    if error.errno == errno.EACCES:
        return f"INTAKE_HTTP_PORT {port} on {host} is not allowed for this user (try above 1023)"
    reason = error.strerror or str(error)
    return f"can't listen on {host}:{port} (INTAKE_HTTP_HOST, INTAKE_HTTP_PORT): {reason}"


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
