"""Discord outages: dropped connections, resumes the gateway accepts or refuses, op 7 and op 9,
restarts, rate limits and retried sends; and the one-line errors of a bad setup."""

import asyncio
import logging
import os
import re
import sys

import discord
import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.delivery import RateLimited, TemporaryFailure
from bot.discord.adapter import intents
from bot.discord.platform import DiscordPlatform, configure_endpoints
from bot.discord.sender import DiscordSender
from bot.errors import UserFacingError
from bot.server import serve
from bot.settings import Settings
from intake.addresses import Address
from intake.outgoing import Outgoing
from tests.fakes.discord_api import Failure, FakeDiscord
from tests.integration.conftest import DiscordServe, quick_discord_platform
from tests.integration.intake_driver import FULL_INTAKE
from tests.integration.test_discord_adapter import open_ticket, say

IDENTIFY = 2
# A poll as discord.py 2.7 cannot parse it: it subtracts the message's time from the expiry.
UNREADABLE_POLL = {
    "question": {"text": "Which plan are you on?"},
    "answers": [{"answer_id": 1, "poll_media": {"text": "Pro"}}],
    "expiry": None,
    "allow_multiselect": False,
    "layout_type": 1,
}


async def test_messages_sent_while_the_connection_was_down_arrive_once(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings):
        await say(fake, customer, FULL_INTAKE[0])

        # Resumed: Discord replays what was missed, on the resume_gateway_url.
        await fake.go_offline()
        await fake.user_dm(customer, "no")
        mark = len(fake.calls)
        fake.go_online()
        await fake.wait_for_op(6)
        await fake.wait_for_post(dm, "error message", after=mark)

        # Resume refused: a fresh session, and the history since the last message handled.
        fake.refuse_next_resume = True
        identified = fake.count_op(2)
        await fake.go_offline()
        await fake.user_dm(customer, FULL_INTAKE[2])
        await fake.user_dm(customer, FULL_INTAKE[3])
        mark = len(fake.calls)
        fake.go_online()
        await fake.wait_for_op(2, identified + 1)
        await fake.wait_for_post(dm, "system", after=mark)

    questions = [m["content"] for m in fake.posts(dm)]
    assert sum("error message" in q for q in questions) == 1
    assert sum("What steps" in q for q in questions) == 1
    assert sum("Which system" in q for q in questions) == 1


async def test_an_event_discord_py_cannot_read_is_skipped_and_the_session_carries_on(
    discord_fake: FakeDiscord,
    discord_settings: Settings,
    discord_serve: DiscordServe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    caplog.set_level(logging.INFO)
    async with discord_serve(discord_settings):
        identified = fake.count_op(IDENTIFY)
        await fake.user_dm(customer, "Quick poll for you", extra={"poll": UNREADABLE_POLL})
        offer = await say(fake, customer, FULL_INTAKE[0])
        assert "guides may solve it" in offer["content"]
        assert fake.count_op(IDENTIFY) == identified  # the same session, not a fresh one
    [skipped] = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert skipped.levelno == logging.ERROR
    assert "MESSAGE_CREATE" in skipped.getMessage()
    above_debug = " ".join(r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG)
    assert "Quick poll" not in above_debug
    assert "Which plan" not in above_debug


async def test_a_gateway_that_ends_is_opened_again_with_a_fresh_client(
    discord_fake: FakeDiscord, discord_settings: Settings
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    app = build_app(discord_settings)
    platform = quick_discord_platform(discord_settings, app, lease_poll_seconds=0.05)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, [platform], stop))
    try:
        await fake.wait_for_op(IDENTIFY)
        await say(fake, customer, FULL_INTAKE[0])
        assert platform.ready()

        # The Message Content intent is turned off: Discord ends the session, refuses the next.
        fake.refuse_intents = True
        identified = fake.count_op(IDENTIFY)
        await fake.drop_connection(code=4014)
        await fake.wait_for_op(IDENTIFY, identified + 1)
        assert not platform.ready()  # /readyz: not ready while Discord is disconnected

        # Turned on again: the lease holder connects once more, and customers are answered.
        fake.refuse_intents = False
        await fake.wait_for_op(IDENTIFY, identified + 2)
        reply = await say(fake, customer, "no")
        assert "error message" in reply["content"]
        assert platform.ready()
    finally:
        stop.set()
        await server
        app.close()


async def test_op_7_resumes_and_op_9_starts_a_fresh_session_that_catches_up(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings):
        await say(fake, customer, FULL_INTAKE[0])
        await fake.send_op(7, None)
        await fake.wait_for_op(6)
        await say(fake, customer, "no")

        identified = fake.count_op(2)
        await fake.send_op(9, False)
        await fake.user_dm(customer, FULL_INTAKE[2])  # written while the session is gone
        mark = len(fake.calls)
        await fake.wait_for_op(2, identified + 1)
        await fake.wait_for_post(dm, "What steps", after=mark)
        # The message written while the session was gone was handled once, not again on resume.
        assert "Which system" in (await say(fake, customer, FULL_INTAKE[3]))["content"]
    assert sum("What steps" in m["content"] for m in fake.posts(dm)) == 1


async def test_a_restart_catches_up_on_customers_and_agents(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings) as app:
        _, thread = await open_ticket(app, fake, customer)

    # While intake is down, the customer and the agent both write.
    await fake.user_dm(customer, "Any news? The shop is losing orders.")
    await fake.user_post(agent, int(thread), "Found it: the PayPal webhook secret changed.")
    mark = len(fake.calls)
    async with discord_serve(discord_settings):
        await fake.wait_for_post(thread, "losing orders", after=mark)
        await fake.wait_for_post(dm, "webhook secret", after=mark)
        # A second fresh session reads the same history again and changes nothing.
        identified = fake.count_op(2)
        await fake.send_op(9, False)
        await fake.wait_for_op(2, identified + 1)
        mark = len(fake.calls)
        await fake.user_dm(customer, "Great, thanks!")
        await fake.wait_for_post(thread, "Great, thanks", after=mark)
    assert sum("losing orders" in m["content"] for m in fake.posts(thread)) == 1
    assert sum("webhook secret" in m["content"] for m in fake.posts(dm)) == 1
    # Oldest first across channels: the customer's question was answered before the agent's
    # later reply reached them, whichever channel was read first. (When the team answers
    # depends on the hour the test runs: open now, or the next window.)
    seen = [m["content"] for m in fake.posts(dm)]
    when = ("will answer your ticket MCP-1001", "Your ticket MCP-1001 will be answered")
    answered = next(i for i, text in enumerate(seen) if any(w in text for w in when))
    assert answered < next(i for i, text in enumerate(seen) if "webhook secret" in text)


async def test_sends_are_idempotent_and_rate_limits_are_respected(
    discord_fake: FakeDiscord,
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    dm = str(fake.dm_channel(customer))
    configure_endpoints(fake.api_base, fake.gateway_url)
    async with discord.Client(intents=intents(), max_ratelimit_timeout=30) as client:
        await client.login(FakeDiscord.TOKEN)
        sender = DiscordSender()
        sender.attach(client.http)
        address = Address(platform="discord", channel=dm)
        message = Outgoing(text="Your ticket is being handled.")
        first = await sender.send(address, message, key="outbox-77")
        again = await sender.send(address, message, key="outbox-77")
        assert first == again
        assert sum("being handled" in m["content"] for m in fake.posts(dm)) == 1

        # A short 429 (from Discord, so with a Via header) is waited out by discord.py.
        path = re.compile(rf"/channels/{dm}/messages")
        fake.failures.append(
            Failure(
                "POST", path, 429, {"retry_after": 0.05, "global": False}, {"Via": "1.1 google"}
            )
        )
        await sender.send(address, Outgoing(text="after a short limit"), key="outbox-78")
        assert any("short limit" in m["content"] for m in fake.posts(dm))

        # A long one goes back to the outbox with its delay.
        fake.failures.append(
            Failure("POST", path, 429, {"retry_after": 120, "global": False}, {"Via": "1.1 google"})
        )
        with pytest.raises(RateLimited) as limited:
            await sender.send(address, Outgoing(text="after a long limit"), key="outbox-79")
        assert limited.value.retry_after == 120


async def test_a_rejected_token_or_missing_intent_is_one_line(
    discord_fake: FakeDiscord, discord_settings: Settings
) -> None:
    app = build_app(discord_settings)
    try:
        wrong = discord_settings.model_copy(update={"discord_token": SecretStr("wrong")})
        platform = DiscordPlatform(wrong, app.service, app.lease("discord-gateway"))
        with pytest.raises(UserFacingError, match="DISCORD_TOKEN was rejected"):
            await platform.start(app.relay({"discord": platform.sender}))
        await platform.stop()

        discord_fake.refuse_intents = True
        platform = DiscordPlatform(
            discord_settings, app.service, app.lease("discord-gateway"), guild_ready_timeout=0.05
        )
        with pytest.raises(UserFacingError, match="Message Content intent"):
            await platform.start(app.relay({"discord": platform.sender}))
        await platform.stop()
    finally:
        app.close()


async def test_intake_serve_exits_with_one_line_on_a_missing_intent(
    discord_fake: FakeDiscord, discord_settings: Settings, tmp_path: object
) -> None:
    discord_fake.refuse_intents = True
    env = {
        **os.environ,
        "INTAKE_DATABASE_URL": discord_settings.database,
        "INTAKE_HTTP_PORT": "0",
        "DISCORD_TOKEN": FakeDiscord.TOKEN,
        "DISCORD_API_BASE": discord_fake.api_base,
        "DISCORD_GATEWAY_URL": discord_fake.gateway_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    errors = [line for line in stderr.decode().splitlines() if line.startswith("intake:")]
    assert len(errors) == 1
    assert "Message Content intent" in errors[0]
    assert "Traceback" not in stderr.decode()


async def test_sends_fail_at_once_while_discord_is_out_of_reach(discord_settings: Settings) -> None:
    """Discord down at start: the relay's Discord messages fail fast and are tried later,
    instead of each pass waiting half a minute for a login (and Slack's messages with it)."""
    settings = discord_settings.model_copy(update={"discord_api_base": "http://127.0.0.1:9"})
    app = build_app(settings)
    platform = quick_discord_platform(settings, app)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, [platform], stop))
    address = Address(platform="discord", channel="123")
    try:
        for _ in range(50):  # until serve has tried to log in
            try:
                send = platform.sender.send(address, Outgoing(text="hi"), key="k")
                await asyncio.wait_for(send, 0.2)
            except TimeoutError:
                continue
            except TemporaryFailure as failure:
                assert "disconnected" in str(failure)
                break
        else:
            raise AssertionError("a send never failed fast")
    finally:
        stop.set()
        await server
        app.close()
