"""A loopback Discord: the REST API and the gateway websocket, enough for a real discord.py
client to log in, connect, receive messages and post replies, threads and cards.

Every REST call is recorded; tests wait on them (``wait_for_call``, ``wait_for_post``) instead
of sleeping. The gateway keeps one session with a sequence and a replay buffer, so RESUME after
a dropped connection replays what was missed, and it can be told to refuse a resume (op 9),
ask for a reconnect (op 7), drop the socket, hold new connections while "offline", or close
with 4014 (missing privileged intent). Payloads follow Discord's documented shapes (API v10).
"""

import asyncio
import contextlib
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
Payload = dict[str, Any]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    body: Payload
    headers: dict[str, str] = field(default_factory=dict)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body only when Content-Type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FakeDiscord:
    TOKEN = "fake-bot-token"

    def __init__(self, heartbeat_interval_ms: int = 1000) -> None:
        self._ids = itertools.count()
        self._last_id = 0
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = self.snowflake()
        self.bot = self.make_user("intake", bot=True, user_id=self.application_id)
        self.guild_id = self.snowflake()
        self.agent_role_id = self.snowflake()
        self.bot_role_id = self.snowflake()  # the role Discord makes for an invited bot
        self.team_channel_id = self.snowflake()
        self.support_channel_id = self.snowflake()
        self.users: dict[int, Payload] = {self.application_id: self.bot}
        self.roles: dict[int, list[int]] = {self.application_id: [self.bot_role_id]}
        self.channels: dict[int, Payload] = {}
        self.messages: dict[int, list[Payload]] = {}
        self._deleted_nonces: set[str] = set()
        self.dm_of_user: dict[int, int] = {}
        for channel_id, name in (
            (self.team_channel_id, "support-team"),
            (self.support_channel_id, "help"),
        ):
            self.channels[channel_id] = {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(self.guild_id),
                "name": name,
                "position": 0,
                "parent_id": None,
                "topic": None,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "permission_overwrites": [],
            }
            self.messages[channel_id] = []
        self.calls: list[Call] = []
        self.gateway_log: list[tuple[int, Any]] = []  # (op, d) received from the client
        self.failures: list[Failure] = []
        self.forbid_threads_in: set[int] = set()
        self.refuse_intents = False
        self.refuse_next_resume = False
        self._changed = asyncio.Condition()
        self._online = asyncio.Event()
        self._online.set()
        self._ws: web.WebSocketResponse | None = None
        self._session_id: str | None = None
        self._seq = 0
        self._sent: list[Payload] = []  # dispatches of this session, for RESUME replay
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ── lifecycle ───────────────────────────────────────────────────────────────────────

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/resume-gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self._online.set()
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ── ids and payloads ────────────────────────────────────────────────────────────────

    def snowflake(self) -> int:
        """A real-format id: milliseconds since Discord's epoch, then an increment; always
        larger than the one before, as Discord's are."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | (next(self._ids) & 0xFFF)
        self._last_id = max(candidate, self._last_id + 1)
        return self._last_id

    def make_user(
        self, name: str, *, bot: bool = False, user_id: int | None = None, agent: bool = False
    ) -> Payload:
        number = user_id or self.snowflake()
        user = {
            "id": str(number),
            "username": name.lower(),
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }
        if hasattr(self, "users"):
            self.users[number] = user
            self.roles[number] = [self.agent_role_id] if agent else []
        return user

    def member(self, user: Payload, *, with_user: bool = True) -> Payload:
        member: Payload = {
            "roles": [str(r) for r in self.roles.get(int(user["id"]), [])],
            "joined_at": _now(),
            "nick": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
        }
        if with_user:
            member["user"] = user
        return member

    def _message(
        self,
        channel_id: int,
        author: Payload,
        content: str,
        *,
        mentions: list[Payload] | None = None,
        extra: Payload | None = None,
        message_type: int = 0,
    ) -> Payload:
        message: Payload = {
            "id": str(self.snowflake()),
            "type": message_type,
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": 0,
            **(extra or {}),
        }
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def _gateway_message(self, message: Payload) -> Payload:
        """The MESSAGE_CREATE form: guild messages carry guild_id and the author's member."""
        channel = self.channels[int(message["channel_id"])]
        event = dict(message)
        if channel.get("guild_id"):
            event["guild_id"] = channel["guild_id"]
            if not message["author"].get("bot"):
                event["member"] = self.member(message["author"], with_user=False)
        return event

    # ── what people do ──────────────────────────────────────────────────────────────────

    def dm_channel(self, user: Payload) -> int:
        user_id = int(user["id"])
        if user_id not in self.dm_of_user:
            channel_id = self.snowflake()
            self.dm_of_user[user_id] = channel_id
            self.channels[channel_id] = {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [user],
                "flags": 0,
            }
            self.messages[channel_id] = []
        return self.dm_of_user[user_id]

    async def user_dm(self, user: Payload, text: str, *, extra: Payload | None = None) -> Payload:
        """A customer writes to the bot in DMs (stored, and sent live if connected); ``extra``
        adds or overrides message fields (a poll, say)."""
        message = self._message(self.dm_channel(user), user, text, extra=extra)
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return message

    async def user_forward(
        self, user: Payload, channel_id: int, content: str, files: list[Payload] | None = None
    ) -> Payload:
        """Someone forwards a message (from a channel the bot may not see) into ``channel_id``:
        as Discord sends it, with no content of its own and the original in a snapshot."""
        source = self.snowflake()
        snapshot = {
            "type": 0,
            "content": content,
            "embeds": [],
            "attachments": files or [],
            "timestamp": _now(),
            "edited_timestamp": None,
            "flags": 0,
            "mentions": [],
            "mention_roles": [],
            "components": [],
        }
        extra = {
            "message_reference": {
                "type": 1,
                "message_id": str(self.snowflake()),
                "channel_id": str(source),
            },
            "message_snapshots": [{"message": snapshot}],
            "flags": 1 << 14,  # HAS_SNAPSHOT
        }
        message = self._message(channel_id, user, "", extra=extra)
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return message

    def attachment(self, filename: str, content_type: str = "image/png") -> Payload:
        """A file as Discord describes it in a message, with its signed CDN link."""
        file_id = self.snowflake()
        url = f"https://cdn.discordapp.com/attachments/1/{file_id}/{filename}?ex=1&is=2&hm=3"
        return {
            "id": str(file_id),
            "filename": filename,
            "size": 48213,
            "url": url,
            "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
            "content_type": content_type,
        }

    async def user_post(
        self,
        user: Payload,
        channel_id: int,
        text: str,
        *,
        mention_bot: bool = False,
        mention_bot_role: bool = False,
    ) -> Payload:
        """Someone writes in a guild channel or thread, optionally mentioning the bot, or its
        role (what Discord's autocomplete often picks instead)."""
        mentions = [self.bot] if mention_bot else []
        content = f"<@{self.bot['id']}> {text}" if mention_bot else text
        extra: Payload = {}
        if mention_bot_role:
            content = f"<@&{self.bot_role_id}> {text}"
            extra = {"mention_roles": [str(self.bot_role_id)]}
        message = self._message(channel_id, user, content, mentions=mentions, extra=extra)
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return message

    async def click(self, user: Payload, message: Payload, custom_id: str) -> Payload:
        """A button click on one of the bot's messages (INTERACTION_CREATE, component)."""
        channel = self.channels[int(message["channel_id"])]
        interaction: Payload = {
            "id": str(self.snowflake()),
            "application_id": str(self.application_id),
            "type": 3,
            "token": uuid.uuid4().hex,
            "version": 1,
            "data": {"custom_id": custom_id, "component_type": 2},
            "channel_id": channel["id"],
            "channel": {k: v for k, v in channel.items() if k != "recipients"},
            "message": message,
            "locale": "en-US",
            "app_permissions": "0",
            "attachment_size_limit": 8388608,
            "entitlements": [],
            "authorizing_integration_owners": {},
        }
        if channel.get("guild_id"):
            interaction["guild_id"] = channel["guild_id"]
            interaction["member"] = {**self.member(user), "permissions": "0"}
            interaction["guild_locale"] = "en-US"
        else:
            interaction["user"] = user
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    # ── gateway control ─────────────────────────────────────────────────────────────────

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send an event in the current session; kept for replay if the client is away."""
        if self._session_id is None:
            return
        self._seq += 1
        payload = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._sent.append(payload)
        if self._ws is not None and not self._ws.closed:
            with contextlib.suppress(ConnectionError):
                await self._ws.send_str(json.dumps(payload))

    async def drop_connection(self, code: int = 1001) -> None:
        """The connection breaks (the session stays resumable); a 4xxx ``code`` is Discord
        ending it for a reason the client may not reconnect from (4014: intent turned off)."""
        if self._ws is not None:
            ws, self._ws = self._ws, None
            await ws.close(code=code)

    async def go_offline(self) -> None:
        """Drop the connection and hold every new one until ``go_online``."""
        self._online.clear()
        await self.drop_connection()

    def go_online(self) -> None:
        self._online.set()

    async def send_op(self, op: int, data: Any) -> None:
        """Send op 7 (reconnect) or op 9 (invalid session) on the live connection."""
        if op == 9 and not data:
            self._session_id = None
        assert self._ws is not None
        await self._ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    def count_op(self, op: int) -> int:
        return sum(1 for received, _ in self.gateway_log if received == op)

    async def wait_for_op(self, op: int, count: int = 1, timeout: float = 10.0) -> None:
        await self._wait(lambda: self.count_op(op) >= count, timeout)

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        await self._online.wait()
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        self._ws = ws
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None}
            )
        )
        try:
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    break
                payload = json.loads(frame.data)
                await self._on_op(ws, payload["op"], payload.get("d"))
                await self._record_op(payload["op"], payload.get("d"))
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
        return ws

    async def _on_op(self, ws: web.WebSocketResponse, op: int, data: Any) -> None:
        if op == 1:
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            if data.get("token") != self.TOKEN:
                await ws.close(code=4004)
            elif self.refuse_intents:
                await ws.close(code=4014)
            else:
                await self._new_session(ws)
        elif op == 6:
            if self.refuse_next_resume or data.get("session_id") != self._session_id:
                self.refuse_next_resume = False
                self._session_id = None
                await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
                return
            for payload in self._sent:
                if payload["s"] > (data.get("seq") or 0):
                    await ws.send_str(json.dumps(payload))
            self._seq += 1
            await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}}))

    async def _new_session(self, ws: web.WebSocketResponse) -> None:
        self._session_id = uuid.uuid4().hex
        self._seq = 0
        self._sent = []
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": {**self.bot, "verified": True, "mfa_enabled": False, "flags": 0},
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": self._session_id,
                "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume-gateway",
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "session_type": "normal",
            },
        )
        await self.dispatch("GUILD_CREATE", self._guild())

    def _guild(self) -> Payload:
        channels = [c for c in self.channels.values() if c.get("type") == 0]
        threads = [c for c in self.channels.values() if c.get("type") == 11]
        return {
            "id": str(self.guild_id),
            "name": "MyCartPro Support",
            "icon": None,
            "owner_id": str(self.snowflake()),
            "unavailable": False,
            "large": False,
            "member_count": 2,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                self._role(self.guild_id, "@everyone", 0),
                self._role(self.agent_role_id, "Support agents", 1),
                {
                    **self._role(self.bot_role_id, "intake", 2),
                    "managed": True,
                    "tags": {"bot_id": str(self.application_id)},
                },
            ],
            "channels": channels,
            "threads": threads,
            "members": [self.member(self.bot)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": _now(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    @staticmethod
    def _role(role_id: int, name: str, position: int) -> Payload:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "hoist": False,
            "position": position,
            "permissions": "0",
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    # ── REST ────────────────────────────────────────────────────────────────────────────

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            body = await request.json()
        await self._record(Call(request.method, path, dict(request.query), body))
        if request.headers.get("Authorization") != f"Bot {self.TOKEN}":
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        for failure in self.failures:
            if failure.method == request.method and failure.path.fullmatch(path):
                self.failures.remove(failure)
                return _json(failure.body, failure.status, failure.headers)
        return await self._route(request.method, path, request.query, body)

    async def _route(self, method: str, path: str, query: Any, body: Any) -> web.Response:
        if (method, path) == ("GET", "/users/@me"):
            return _json({**self.bot, "verified": True, "mfa_enabled": False, "flags": 0})
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if (method, path) == ("POST", "/users/@me/channels"):
            user = self.users[int(body["recipient_id"])]
            return _json(self.channels[self.dm_channel(user)])
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            channel_id = int(match[1])
            if channel_id not in self.channels:
                return _json({"message": "Unknown Channel", "code": 10003}, 404)
            if method == "POST":
                return await self._post_message(channel_id, body)
            return _json(self._history(channel_id, query))
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            return await self._start_thread(int(match[1]), int(match[2]), body)
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path):
            if method == "DELETE":
                return self._delete_message(int(match[1]), int(match[2]))
            return self._edit_message(int(match[1]), int(match[2]), body)
        if match := re.fullmatch(r"/channels/(\d+)", path):
            channel = self.channels.get(int(match[1]))
            if channel is None:
                return _json({"message": "Unknown Channel", "code": 10003}, 404)
            return _json(channel)
        if match := re.fullmatch(r"/guilds/(\d+)/members/(\d+)", path):
            member = self.users.get(int(match[2]))
            if member is None:
                return _json({"message": "Unknown Member", "code": 10007}, 404)
            return _json(self.member(member))
        if re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return _json({"interaction": {"id": path.split("/")[2], "type": 3}})
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _application(self) -> Payload:
        return {
            "id": str(self.application_id),
            "name": "MyCartPro Intake",
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": {k: v for k, v in self.bot.items() if k != "bot"},
            "team": None,
            "flags": 0,
            "rpc_origins": [],
        }

    async def _post_message(self, channel_id: int, body: Payload) -> web.Response:
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            if nonce in self._deleted_nonces:  # Discord refuses a deleted message's nonce
                return _json({"message": "Unknown Message", "code": 10008}, 404)
            for earlier in self.messages[channel_id]:
                if earlier.get("nonce") == nonce and earlier["author"]["id"] == self.bot["id"]:
                    return _json(earlier)
        extra = {
            "embeds": body.get("embeds", []),
            "components": body.get("components", []),
            "nonce": nonce,
        }
        message = self._message(channel_id, self.bot, body.get("content") or "", extra=extra)
        await self.dispatch("MESSAGE_CREATE", self._gateway_message(message))
        return _json(message)

    def _edit_message(self, channel_id: int, message_id: int, body: Payload) -> web.Response:
        for message in self.messages.get(channel_id, []):
            if message["id"] == str(message_id):
                for key in ("content", "embeds", "components"):
                    if key in body:
                        message[key] = body[key]
                message["edited_timestamp"] = _now()
                return _json(message)
        return _json({"message": "Unknown Message", "code": 10008}, 404)

    def _delete_message(self, channel_id: int, message_id: int) -> web.Response:
        messages = self.messages.get(channel_id, [])
        kept = [m for m in messages if m["id"] != str(message_id)]
        if len(kept) == len(messages):
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        self._deleted_nonces |= {m["nonce"] for m in messages if m not in kept and m.get("nonce")}
        self.messages[channel_id] = kept
        return web.Response(status=204)

    async def _start_thread(self, channel_id: int, message_id: int, body: Payload) -> web.Response:
        if channel_id in self.forbid_threads_in:
            return _json({"message": "Missing Permissions", "code": 50013}, 403)
        if message_id in self.channels:
            return _json(
                {"message": "A thread has already been created for this message", "code": 160004},
                400,
            )
        thread = {
            "id": str(message_id),
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(channel_id),
            "owner_id": self.bot["id"],
            "name": body["name"],
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": _now(),
                "locked": False,
            },
        }
        self.channels[message_id] = thread
        self.messages[message_id] = []
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, 201)

    def _history(self, channel_id: int, query: Any) -> list[Payload]:
        """Like Discord: up to ``limit`` messages after ``after``, newest first."""
        limit = int(query.get("limit", 50))
        messages = sorted(self.messages[channel_id], key=lambda m: int(m["id"]))
        if "after" in query:
            after = int(query["after"])
            chosen = [m for m in messages if int(m["id"]) > after][:limit]
        else:
            chosen = messages[-limit:]
        return list(reversed(chosen))

    # ── waiting ─────────────────────────────────────────────────────────────────────────

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _record_op(self, op: int, data: Any) -> None:
        async with self._changed:
            self.gateway_log.append((op, data))
            self._changed.notify_all()

    async def _wait(self, done: Callable[[], bool], timeout: float) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(done), timeout)

    async def wait_for_call(
        self, predicate: Callable[[Call], bool], *, after: int = 0, timeout: float = 10.0
    ) -> Call:
        found: list[Call] = []

        def check() -> bool:
            found[:] = [c for c in self.calls[after:] if predicate(c)][:1]
            return bool(found)

        await self._wait(check, timeout)
        return found[0]

    async def wait_for_post(
        self, channel_id: int | str, contains: str = "", *, after: int = 0, timeout: float = 10.0
    ) -> Payload:
        """The next message the bot posts in ``channel_id`` containing ``contains``."""
        path = f"/channels/{channel_id}/messages"

        def posted(call: Call) -> bool:
            if call.method != "POST" or call.path != path:
                return False
            text = call.body.get("content") or ""
            text += json.dumps(call.body.get("embeds", []))
            return contains.lower() in text.lower()

        call = await self.wait_for_call(posted, after=after, timeout=timeout)
        nonce = call.body.get("nonce")
        for message in reversed(self.messages[int(channel_id)]):
            if message.get("nonce") == nonce:
                return message
        raise AssertionError("posted message not stored")

    def posts(self, channel_id: int | str) -> list[Payload]:
        """What the bot posted in a channel, oldest first."""
        return [
            m for m in self.messages.get(int(channel_id), []) if m["author"]["id"] == self.bot["id"]
        ]
