"""A loopback fake of the Slack Web API (and of Socket Mode) that records every call.

Point the real SDK at it with ``AsyncWebClient(base_url=fake.base_url)`` (or
``SLACK_API_BASE_URL``) and assert on what Slack would have received::

    async with FakeSlack() as slack:
        slack.add_user("U1", "Dana")
        slack.set_members("CTEAM", ["U1"])
        slack.fail_next("chat.postMessage", status=429, retry_after=1)
        ...
        [reply] = await slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "D1")

Also here: the helpers that build Slack's real payloads (Events API envelopes, ``block_actions``)
and sign them the way Slack does, so tests and the benchmark send what Slack sends.
"""

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

BOT_USER_ID = "UINTAKEBOT"
BOT_ID = "BINTAKEBOT"
TEAM_ID = "T0MYCART"
APP_ID = "A0INTAKE"


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received it, and the HTTP status it answered."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int
    error: str | None = None
    answer: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def took_effect(self) -> bool:
        """Done on Slack's side: answered ok, or failed after the fact (``applied``)."""
        return self.ok or bool(self.answer.get("ok"))

    @property
    def ts(self) -> str:
        """The ``ts`` the fake gave a posted message."""
        return str(self.answer.get("ts", ""))


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str
    retry_after: float | None
    when: Callable[[dict[str, Any]], bool] | None
    applied: bool


class FakeSlack:
    """Answers ``auth.test``, ``chat.postMessage``, ``chat.update``, ``users.info``,
    ``conversations.members``, ``conversations.history``, ``conversations.replies`` and
    ``apps.connections.open``; anything else is recorded and answered ``unknown_method``.

    History holds what the bot posted and what a test ``write``s (a person's message sent
    while the bot was away: no event is delivered for it). As on Slack, a message's metadata
    is read back only with ``include_all_metadata``."""

    def __init__(self, *, bot_user_id: str = BOT_USER_ID, bot_id: str = BOT_ID) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.users: dict[str, dict[str, Any]] = {}
        self.private: dict[str, bool] = {}
        self.members: dict[str, list[str]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._history: dict[str, list[dict[str, Any]]] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self._held: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._last_ts = 0  # microseconds: every ts the fake hands out is later than the last
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        # Called with every call as it is recorded: cheaper than ``wait_for`` for many waiters.
        self.listeners: list[Callable[[Call], None]] = []
        self.port = 0

    # ── lifecycle ───────────────────────────────────────────────────────────────────────

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeSlack":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """The Web API base, with the trailing ``/`` slack_sdk needs."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ── arranging ───────────────────────────────────────────────────────────────────────

    def add_user(self, user_id: str, display_name: str, real_name: str | None = None) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": display_name.lower().replace(" ", "."),
            "real_name": real_name or display_name,
            "is_bot": False,
            "profile": {"display_name": display_name, "real_name": real_name or display_name},
        }

    def set_members(self, channel: str, user_ids: list[str], *, private: bool = True) -> None:
        self.members[channel] = list(user_ids)
        self.private[channel] = private

    def write(self, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> str:
        """A person writes while the bot is away: the message is in the channel's history, and
        Slack delivers no event for it. Returns its ``ts``."""
        ts = self._next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts, "team": TEAM_ID}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        self._history.setdefault(channel, []).append(message)
        return ts

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
        applied: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` fail: 429 (with ``Retry-After``), 5xx, or a
        200 with ``ok: false`` and ``error`` (``channel_not_found``…).

        ``when``: only calls whose arguments it accepts fail (the others pass meanwhile).
        ``applied``: the call takes effect and only its answer is the failure, as when Slack
        posted the message but the answer never reached the caller."""
        code = error or {429: "ratelimited"}.get(status, "internal_error")
        queue = self._failures.setdefault(method, deque())
        queue.extend(_Failure(status, code, retry_after, when, applied) for _ in range(times))

    def hold(self, method: str) -> asyncio.Event:
        """Calls of ``method`` are answered only once the returned event is set (a slow API)."""
        gate = self._holds[method] = asyncio.Event()
        return gate

    def clear_failures(self) -> None:
        self._failures.clear()

    # ── asserting ───────────────────────────────────────────────────────────────────────

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Call]:
        return [
            call
            for call in self._calls
            if (method is None or call.method == method) and (ok is None or call.ok == ok)
        ]

    def posts(self, channel: str, thread_ts: str | None = None) -> list[Call]:
        """Messages the bot got posted into ``channel`` (and thread), in order, including those
        whose answer was lost (``fail_next(applied=True)``): people see them all the same."""
        return [
            call
            for call in self.calls("chat.postMessage")
            if call.took_effect
            and call.args.get("channel") == channel
            and call.args.get("thread_ts") == thread_ts
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Wait until at least ``count`` successful calls of ``method`` match ``predicate``."""

        def matching() -> list[Call]:
            return [c for c in self.calls(method, ok=True) if predicate is None or predicate(c)]

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(matching()) >= count), timeout
                )
            except TimeoutError:
                seen = [(c.method, c.status, c.args.get("text", "")[:60]) for c in self._calls]
                raise AssertionError(
                    f"waited {timeout}s for {count} x {method}; saw {len(matching())}: {seen}"
                ) from None
            return matching()

    async def until_held(self, method: str, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` calls of ``method`` have reached its ``hold``."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self._held.get(method, 0) >= count), timeout
            )

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), timeout)

    async def socket_send(self, envelope: Mapping[str, Any]) -> None:
        """Push a Socket Mode envelope to every connected client."""
        for socket in list(self._sockets):
            await socket.send_str(json.dumps(envelope))

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(
                    lambda: any(a.get("envelope_id") == envelope_id for a in self.socket_acks)
                ),
                timeout,
            )

    # ── serving ─────────────────────────────────────────────────────────────────────────

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        for key in ("blocks", "metadata"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header else args.pop("token", None)
        gate = self._holds.get(method)
        if gate is not None:
            async with self._changed:
                self._held[method] = self._held.get(method, 0) + 1
                self._changed.notify_all()
            await gate.wait()
        failure = self._failure_for(method, args)
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = f"{failure.retry_after:g}"
            done = self._answer(method, args) if failure.applied else {}
            await self._record(Call(method, args, token, failure.status, failure.error, done))
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        body = self._answer(method, args)
        await self._record(Call(method, args, token, 200, body.get("error"), body))
        return web.json_response(body)

    def _failure_for(self, method: str, args: dict[str, Any]) -> _Failure | None:
        """The first failure queued for ``method`` that applies to this call, taken off."""
        queue = self._failures.get(method) or deque()
        for failure in queue:
            if failure.when is None or failure.when(args):
                queue.remove(failure)
                return failure
        return None

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://mycartpro.slack.com/",
                "team": "MyCartPro",
                "user": "intake",
                "team_id": TEAM_ID,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
            }
        if method == "chat.postMessage":
            return self._post(args)
        if method == "chat.update":
            key = (str(args.get("channel")), str(args.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key] = {**self.messages[key], **args}
            return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text", "")}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.members":
            return self._members(args)
        if method == "conversations.info":
            channel = str(args.get("channel"))
            if channel not in self.members:
                return {"ok": False, "error": "channel_not_found"}
            info = {"id": channel, "is_channel": True, "is_private": self.private[channel]}
            return {"ok": True, "channel": info}
        if method in ("conversations.history", "conversations.replies"):
            return self._read_history(method, args)
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if not _blocks_valid(args.get("blocks") or []):
            return {"ok": False, "error": "invalid_blocks"}
        ts = self._next_ts()
        self.messages[(str(channel), ts)] = dict(args)
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts}
        kept = ("text", "blocks", "thread_ts", "metadata")
        said = {key: args[key] for key in kept if args.get(key)}
        self._history.setdefault(str(channel), []).append({**message, **said})
        return {"ok": True, "channel": channel, "ts": ts, "message": {**message, **args}}

    def _next_ts(self) -> str:
        self._last_ts = max(time.time_ns() // 1000, self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _read_history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack pages them: a channel's top-level messages newest first, or a thread's
        parent then its replies oldest first; only those after ``oldest``."""
        channel = str(args.get("channel"))
        if channel not in self._history and channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        everything = self._history.get(channel, [])
        oldest = float(args.get("oldest") or 0)
        if method == "conversations.history":
            found = [m for m in reversed(everything) if m.get("thread_ts") in (None, m["ts"])]
        else:
            parent = str(args.get("ts"))
            found = [m for m in everything if parent in (m["ts"], m.get("thread_ts"))]
        found = [m for m in found if float(m["ts"]) > oldest]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": found[start : start + limit],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        everyone = self.members[channel]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = everyone[start : start + limit]
        more = start + limit < len(everyone)
        cursor = str(start + limit) if more else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    async def _record(self, call: Call) -> None:
        for listener in self.listeners:
            listener(call)
        async with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    async with self._changed:
                        self.socket_acks.append(json.loads(message.data))
                        self._changed.notify_all()
        finally:
            self._sockets.remove(socket)
        return socket


def _blocks_valid(blocks: list[Any]) -> bool:
    """The limits Slack enforces that a renderer is most likely to break."""
    if len(blocks) > 50:
        return False
    limits = {"header": 150, "section": 3000}
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if len(text) > limits.get(block.get("type"), 3000):
            return False
        if (
            any(len(f.get("text", "")) > 2000 for f in block.get("fields") or [])
            or len(block.get("fields") or []) > 10
        ):
            return False
        for element in block.get("elements") or []:
            label = (element.get("text") or {}).get("text", "")
            if element.get("type") == "button" and not 0 < len(label) <= 75:
                return False
    return True


# ── Slack's payloads, signed ────────────────────────────────────────────────────────────


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, retry: int | None = None
) -> dict[str, str]:
    """Headers Slack sends: ``X-Slack-Signature`` = v0 HMAC-SHA256 of ``v0:{ts}:{body}``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


_event_ids = itertools.count(1)


def event_envelope(event: Mapping[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """An Events API ``event_callback`` around ``event``."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
        ],
        "is_ext_shared_channel": False,
    }


def rich_section(*elements: dict[str, Any]) -> dict[str, Any]:
    """A ``rich_text_section`` of a message's rich text blocks, as Slack sends it."""
    return {"type": "rich_text_section", "elements": list(elements)}


def rich_words(words: str) -> dict[str, Any]:
    """A plain ``text`` element of rich text."""
    return {"type": "text", "text": words}


def rich_list(style: str, *items: str, indent: int = 0) -> dict[str, Any]:
    """A ``rich_text_list`` ("ordered" or "bullet") of plain lines."""
    found: dict[str, Any] = {
        "type": "rich_text_list",
        "style": style,
        "elements": [rich_section(rich_words(item)) for item in items],
    }
    return found | ({"indent": indent} if indent else {})


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: str,
    *,
    channel_type: str = "im",
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def mention_event(
    channel: str, user: str, text: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def block_actions(
    user: str,
    channel: str,
    message_ts: str,
    action: Mapping[str, Any],
    *,
    action_ts: str,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on a button or select in the bot's message."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    message: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "ts": message_ts}
    if thread_ts is not None:
        container["thread_ts"] = thread_ts
        message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": f"{action_ts}.trigger",
        "team": {"id": TEAM_ID, "domain": "mycartpro"},
        "channel": {"id": channel, "name": channel.lower()},
        "message": message,
        "response_url": "https://hooks.slack.com/actions/T0MYCART/1/abc",
        "actions": [{**action, "action_ts": action_ts}],
    }


def form_body(payload: Mapping[str, Any]) -> str:
    """Interactivity payloads arrive form-encoded as ``payload=<json>``."""
    return urlencode({"payload": json.dumps(payload)})
