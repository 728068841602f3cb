"""One support team for both platforms: a Discord customer answered from a Slack team channel,
with the real discord.py client and the real Slack app in the same ``intake serve``."""

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.slack.platform import slack_platform
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.network import free_port
from tests.fakes.slack_api import (
    BOT_USER_ID,
    FakeSlack,
    event_envelope,
    message_event,
    signed_headers,
)
from tests.integration.conftest import DiscordServe
from tests.integration.intake_driver import FULL_INTAKE
from tests.integration.test_discord_adapter import say

SECRET = "8f14e45fceea167a5a36dedd4bea2543"
TEAM = "C0SUPPORT"
AGENT = "U0DANA"


@pytest.fixture
async def slack_fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user(AGENT, "Dana")
        slack.set_members(TEAM, [BOT_USER_ID, AGENT])
        yield slack


async def test_a_discord_customer_is_served_from_a_slack_team_channel(
    discord_fake: FakeDiscord,
    discord_settings: Settings,
    discord_serve: DiscordServe,
    slack_fake: FakeSlack,
) -> None:
    fake = discord_fake
    settings = discord_settings.model_copy(
        update={
            "team_channel": discord_settings.team_channel.model_copy(  # type: ignore[union-attr]
                update={"platform": "slack", "channel": TEAM}
            ),
            "slack_bot_token": SecretStr("xoxb-0000-test"),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_base_url": slack_fake.base_url,
            "http_port": free_port(),
            "agent_ids": frozenset({AGENT}),
        }
    )
    customer = fake.make_user("Priya")
    dm = fake.dm_channel(customer)
    async with discord_serve(settings, lambda app: [slack_platform(settings)(app)]):
        for text in FULL_INTAKE[:-1]:
            await say(fake, customer, text)
        opened = await say(fake, customer, "send")
        assert "MCP-1001 is open" in opened["content"]

        # The card is on Slack, from the Discord customer.
        [card] = await slack_fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == TEAM)
        assert "MCP-1001" in card.args["text"]
        assert "discord" in card.args["text"]
        assert not fake.posts(fake.team_channel_id)

        # A Slack agent's reply in the ticket thread reaches the customer in Discord DMs.
        mark = len(fake.calls)
        ts = f"{int(time.time())}.000900"
        event = message_event(
            TEAM,
            AGENT,
            "Hi Priya, Dana here from support.",
            ts,
            channel_type="channel",
            thread_ts=card.ts,
        )
        body = json.dumps(event_envelope(event))
        headers = {"Content-Type": "application/json", **signed_headers(SECRET, body)}
        url = f"http://{settings.http_host}:{settings.http_port}/slack/events"
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
            assert r.status == 200
        reply = await fake.wait_for_post(dm, "Dana here", after=mark)
        assert "Dana" in reply["content"]

        # And the customer's answer in Discord shows up in the Slack thread.
        await fake.user_dm(customer, "Thanks Dana, the error is still there.")
        await slack_fake.wait_for(
            "chat.postMessage",
            lambda c: c.args.get("thread_ts") == card.ts and "still there" in c.args["text"],
        )
