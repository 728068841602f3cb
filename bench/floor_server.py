"""The least a Slack service on bolt can do per message: verify it, ack it, post one reply.

No database, no intake, nothing stored. ``production_bench --floor`` runs two of these behind
the same load generator and Slack fake as ``intake serve``, so the difference between the two
runs is what MyCartPro Intake itself costs, and this run alone is the ceiling the machine puts on
any bolt service measured this way. Reads the same environment as ``intake serve``.
"""

import asyncio
import os

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def floor_app() -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_BASE_URL"]
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )
    replying: set[asyncio.Task[object]] = set()

    @bolt.event("message")
    async def reply(event: dict[str, str]) -> None:
        task = asyncio.create_task(client.chat_postMessage(channel=event["channel"], text="ok"))
        replying.add(task)
        task.add_done_callback(replying.discard)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def ready(_request: web.Request) -> web.Response:
        return web.Response(text="ready")

    async def pooled(_app: web.Application) -> None:
        # One pooled session, as ``intake serve`` has, not a connection per call.
        client.session = aiohttp.ClientSession()

    async def closed(_app: web.Application) -> None:
        if client.session is not None:
            await client.session.close()

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/readyz", ready)
    app.on_startup.append(pooled)
    app.on_cleanup.append(closed)
    return app


if __name__ == "__main__":
    web.run_app(floor_app(), host="127.0.0.1", port=int(os.environ["INTAKE_HTTP_PORT"]), print=None)
