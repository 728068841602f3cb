"""The Slack adapter end to end: the real slack-bolt app inside the real ``intake serve``,
signed Events API and interactivity requests over HTTP, and a loopback fake of the Web API
that records what Slack would have received."""

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.errors import UserFacingError
from bot.server import serve
from bot.settings import Settings
from bot.slack.platform import slack_platform
from intake.actions import clicked
from intake.addresses import Address, Person
from intake.hours import is_open
from storage.rows import MessageRow
from storage.unit_of_work import UnitOfWork
from tests.fakes.network import free_port
from tests.fakes.slack_api import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    FakeSlack,
    block_actions,
    event_envelope,
    form_body,
    mention_event,
    message_event,
    rich_list,
    rich_section,
    rich_words,
    signed_headers,
)

SECRET = "e3b0c44298fc1c149afbf4c8996fb924"
TEAM = "C0SUPPORT"
DM = "D0PRIYA"
CUSTOMER = "U0PRIYA"
AGENT = "U0DANA"
OUTSIDER = "U0SAM"
DESCRIPTION = (
    "Hi, my checkout page shows a blank screen since I updated the payment plugin yesterday."
)

_ts = itertools.count(100)


def next_ts() -> str:
    return f"{int(time.time())}.{next(_ts):06d}"


class Workspace:
    """What a test sees of a running ``intake serve``: it speaks as Slack, reads the fake."""

    def __init__(self, fake: FakeSlack, app: App, url: str, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.app = app
        self.url = url
        self.http = http

    async def send(self, body: str, content_type: str, **sign: Any) -> int:
        headers = {"Content-Type": content_type, **signed_headers(SECRET, body, **sign)}
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=headers) as r:
            return r.status

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **sign: Any
    ) -> int:
        body = json.dumps(event_envelope(event, event_id))
        return await self.send(body, "application/json", **sign)

    async def click(self, payload: dict[str, Any]) -> int:
        return await self.send(form_body(payload), "application/x-www-form-urlencoded")

    async def dm(self, text: str, user: str = CUSTOMER, channel: str = DM) -> Call:
        """The customer writes in their DM; returns the bot's next reply there."""
        before = len(self.fake.posts(channel))
        assert await self.event(message_event(channel, user, text, next_ts())) == 200
        replies = await self.fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == channel, count=before + 1
        )
        return replies[before]

    async def in_thread(self, user: str, thread: str, text: str) -> int:
        event = message_event(TEAM, user, text, next_ts(), channel_type="channel", thread_ts=thread)
        return await self.event(event)

    async def next_post(self, channel: str, thread: str | None = None) -> Call:
        before = len(self.fake.posts(channel, thread))
        calls = await self.fake.wait_for(
            "chat.postMessage",
            lambda c: c.args["channel"] == channel and c.args.get("thread_ts") == thread,
            count=before + 1,
        )
        return calls[before]

    def transcript_length(self) -> int:
        with self.app.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def settings_for(tmp_path: Path, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "slack_bot_token": SecretStr("xoxb-0000-test"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_base_url": fake.base_url,
        "team_channel": "slack:" + TEAM,
        "http_port": free_port(),
    }
    values.update(extra)
    return Settings(**values)


@asynccontextmanager
async def running(settings: Settings, fake: FakeSlack) -> AsyncIterator[Workspace]:
    """``intake serve`` with Slack only, built by the production wiring, until the block ends."""
    app = build_app(settings)
    stop = asyncio.Event()
    auth_calls = len(fake.calls("auth.test"))
    server = asyncio.create_task(serve(app, [slack_platform(settings)(app)], stop))
    url = f"http://{settings.http_host}:{settings.http_port}"
    try:
        await fake.wait_for("auth.test", count=auth_calls + 1)
        async with aiohttp.ClientSession() as http:
            await _until_ready(http, url)
            yield Workspace(fake, app, url, http)
    finally:
        stop.set()
        await server
        app.close()


async def _until_ready(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(200):
        async with http.get(f"{url}/readyz") as response:
            if response.status == 200:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("intake serve never became ready")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user(CUSTOMER, "Priya Patel")
        slack.add_user(AGENT, "Dana")
        slack.add_user(OUTSIDER, "Sam")
        slack.set_members(TEAM, [BOT_USER_ID, AGENT])
        yield slack


@pytest.fixture
async def slack(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[Workspace]:
    async with running(settings_for(tmp_path, fake), fake) as workspace:
        yield workspace


async def open_ticket(slack: Workspace) -> Call:
    """A complete intake by DM; returns the summary card posted in the team channel."""
    offer = await slack.dm(DESCRIPTION)
    assert "guides may solve it" in offer.args["text"]
    buttons = offer.args["blocks"][1]["elements"]
    no = next(b for b in buttons if clicked(b["value"])[0] == "no")
    assert await slack.click(block_actions(CUSTOMER, DM, offer.ts, no, action_ts=next_ts())) == 200
    [question] = await slack.fake.wait_for(
        "chat.postMessage", lambda c: "error message" in c.args["text"]
    )
    assert question.args["channel"] == DM
    assert "exact error" in question.args["text"]
    steps = await slack.dm("Uncaught TypeError: cannot read properties of undefined")
    assert "steps" in steps.args["text"]
    system = await slack.dm("Add a product to the cart, click checkout, the page goes blank")
    assert "system" in system.args["text"]
    consent = await slack.dm("MyCartPro Business plan, Chrome 126 on Windows 11, Stripe plugin 7.9")
    assert "access" in consent.args["text"]
    summary = await slack.dm("yes")
    assert "Reply send" in summary.args["text"]
    card = asyncio.ensure_future(slack.next_post(TEAM))
    opened = await slack.dm("send")
    assert "MCP-1001 is open" in opened.args["text"]
    for earlier in slack.fake.posts(DM)[:-1]:
        assert "MCP-" not in earlier.args["text"]
    return await card


async def test_a_dm_intake_opens_a_ticket_with_its_summary_in_the_team_channel(
    slack: Workspace,
) -> None:
    card = await open_ticket(slack)

    text, blocks = card.args["text"], json.dumps(card.args["blocks"])
    for fact in (
        "MCP-1001",
        "Bug report",
        "Priya Patel",
        "blank screen since I updated the payment plugin",
        "Uncaught TypeError: cannot read properties of undefined",
        "click checkout, the page goes blank",
        "Stripe plugin 7.9",
        "Access consent",
        "Suggested guides",
        "Due",
    ):
        assert fact in text, fact
        assert fact in blocks, fact
    opened_in_hours = is_open(slack.app.policy.hours, datetime.now(UTC))
    assert ("during support hours" if opened_in_hours else "out of hours") in text
    actions = {e["action_id"] for e in card.args["blocks"][-1]["elements"]}
    assert {"ticket_claim", "ticket_resolve", "ticket_close", "ticket_priority"} <= actions


async def test_emoji_typed_in_slack_answer_as_the_emoji_do(slack: Workspace) -> None:
    offer = await slack.dm(DESCRIPTION)
    assert "guides may solve it" in offer.args["text"]
    error = await slack.dm(":-1:")  # Slack sends a typed 👎 as its name
    assert "exact error" in error.args["text"]
    await slack.dm("Uncaught TypeError: cannot read properties of undefined")
    await slack.dm("Add a product to the cart, click checkout, the page goes blank")
    await slack.dm("MyCartPro Business plan, Chrome 126 on Windows 11, Stripe plugin 7.9")
    summary = await slack.dm(":+1:")
    assert "6. Access consent: yes" in summary.args["text"]
    opened = await slack.dm(":thumbsup::skin-tone-2:")
    assert "MCP-1001 is open" in opened.args["text"]


async def test_a_button_on_an_earlier_message_is_not_taken_for_the_current_answer(
    slack: Workspace,
) -> None:
    offer = await slack.dm(DESCRIPTION)
    buttons = offer.args["blocks"][1]["elements"]
    no = next(b for b in buttons if clicked(b["value"])[0] == "no")
    question = asyncio.ensure_future(slack.next_post(DM))
    assert await slack.click(block_actions(CUSTOMER, DM, offer.ts, no, action_ts=next_ts())) == 200
    assert "exact error" in (await question).args["text"]

    again = asyncio.ensure_future(slack.next_post(DM))
    guide = buttons[0]  # guide 1 on the offer, pressed at the error question
    assert (
        await slack.click(block_actions(CUSTOMER, DM, offer.ts, guide, action_ts=next_ts())) == 200
    )
    reply = (await again).args["text"]
    assert reply.startswith("That button belongs to an earlier question")
    assert reply.endswith('(or say "no error" if nothing is shown).')
    # The error question still waits: the click was not stored as its answer.
    assert "steps" in (await slack.dm("card_declined")).args["text"]


async def test_agents_and_customer_talk_through_the_ticket_thread(slack: Workspace) -> None:
    card = await open_ticket(slack)
    thread = card.ts

    reply = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(
        AGENT, thread, "Thanks Priya &amp; sorry! Could you try disabling the Stripe plugin?"
    )
    relayed = await reply
    assert relayed.args["text"].startswith("*Dana (support):* Thanks Priya &amp; sorry!")

    into_thread = asyncio.ensure_future(slack.next_post(TEAM, thread))
    receipt = asyncio.ensure_future(slack.next_post(DM))
    await slack.event(
        message_event(
            DM,
            CUSTOMER,
            "&lt;!channel&gt; Still blank, <!here> &amp; <@U0SAM> please help",
            next_ts(),
        )
    )
    posted = await into_thread
    assert "Added to your ticket" in (await receipt).args["text"]
    assert posted.args["text"].startswith("*Priya Patel:* ")
    assert "<!" not in posted.args["text"] and "<@" not in posted.args["text"]
    assert "@\u2060here" in posted.args["text"] and "&amp;" in posted.args["text"]

    dms_before = len(slack.fake.posts(DM))
    await slack.in_thread(AGENT, thread, "note: customer is on the legacy Stripe integration")
    announcement = asyncio.ensure_future(slack.next_post(TEAM, thread))
    update = asyncio.ensure_future(
        slack.fake.wait_for("chat.update", lambda c: "Owner: Dana" in c.args["text"])
    )
    claim = next(e for e in card.args["blocks"][-1]["elements"] if e["action_id"] == "ticket_claim")
    assert await slack.click(block_actions(AGENT, TEAM, thread, claim, action_ts=next_ts())) == 200
    assert "Dana took this ticket" in (await announcement).args["text"]
    [edited] = await update
    assert edited.args["ts"] == thread and "Status: open" in edited.args["text"]

    notice = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(AGENT, thread, "!resolve")
    assert "marked resolved" in (await notice).args["text"]
    assert len(slack.fake.posts(DM)) == dms_before + 1, "the note reached the customer"
    await slack.fake.wait_for("chat.update", lambda c: "Status: resolved" in c.args["text"])
    with UnitOfWork(slack.app.sessions) as uow:
        kinds = [e.kind for e in uow.tickets.events("MCP-1001")]
    assert kinds == ["opened", "note", "claimed", "resolve"]


async def test_words_to_the_bot_in_a_ticket_thread_stay_with_the_team(slack: Workspace) -> None:
    card = await open_ticket(slack)
    dms_before = len(slack.fake.posts(DM))
    told = asyncio.ensure_future(slack.next_post(TEAM, card.ts))
    await slack.in_thread(AGENT, card.ts, f"<@{BOT_USER_ID}> what plan is this customer on?")
    assert "addressed to me, so the customer didn't get it" in (await told).args["text"]
    reply = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(AGENT, card.ts, "Hi Priya, we're on it.")
    assert "we're on it" in (await reply).args["text"]
    assert len(slack.fake.posts(DM)) == dms_before + 1  # the reply only


async def test_only_agents_act_and_bots_or_stray_threads_are_left_alone(slack: Workspace) -> None:
    card = await open_ticket(slack)
    thread, dms = card.ts, len(slack.fake.posts(DM))

    refusal = asyncio.ensure_future(slack.next_post(TEAM, thread))
    await slack.in_thread(OUTSIDER, thread, "!close")
    assert "Only support agents" in (await refusal).args["text"]
    refusal = asyncio.ensure_future(slack.next_post(TEAM, thread))
    close = next(e for e in card.args["blocks"][-1]["elements"] if e["action_id"] == "ticket_close")
    await slack.click(block_actions(OUTSIDER, TEAM, thread, close, action_ts=next_ts()))
    assert "Only support agents" in (await refusal).args["text"]

    bot_post = message_event(
        TEAM, BOT_USER_ID, "echo", next_ts(), channel_type="channel", thread_ts=thread
    )
    await slack.event({**bot_post, "bot_id": BOT_ID})
    other_bot = message_event(
        TEAM, "U0OTHERBOT", "beep", next_ts(), channel_type="channel", thread_ts=thread
    )
    await slack.event({**other_bot, "bot_id": "B0OTHER", "subtype": "bot_message"})
    await slack.in_thread(AGENT, "1700000000.000001", "a reply in some other thread")
    await slack.event(
        message_event(TEAM, AGENT, "top-level chatter", next_ts(), channel_type="channel")
    )
    edited = message_event(DM, CUSTOMER, "edited", next_ts(), subtype="message_changed")
    await slack.event(edited)

    relay = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(AGENT, thread, "We are looking into it now.")
    assert "We are looking into it now." in (await relay).args["text"]
    assert len(slack.fake.posts(DM)) == dms + 1
    assert [c.args["text"] for c in slack.fake.posts(TEAM, thread)][-1].startswith(
        "Only support agents"
    )
    with UnitOfWork(slack.app.sessions) as uow:
        assert uow.tickets.get("MCP-1001").status.value == "open"


async def test_redelivered_events_change_nothing(slack: Workspace) -> None:
    first = message_event(DM, CUSTOMER, DESCRIPTION, next_ts())
    assert await slack.event(first, event_id="Ev0FIRST") == 200
    await slack.fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == DM)
    assert await slack.event(first, event_id="Ev0FIRST", retry=1) == 200
    assert await slack.event(first, event_id="Ev0FIRST", retry=2) == 200
    assert "exact error" in (await slack.dm("no")).args["text"]
    assert len(slack.fake.posts(DM)) == 2
    assert slack.transcript_length() == 4

    card = await finish_intake(slack)
    thread = card.ts
    relay = asyncio.ensure_future(slack.next_post(DM))
    answer = message_event(
        TEAM, AGENT, "Please clear the cache.", next_ts(), channel_type="channel", thread_ts=thread
    )
    await slack.event(answer)
    await relay
    await slack.event(answer, retry=1)
    claim = next(e for e in card.args["blocks"][-1]["elements"] if e["action_id"] == "ticket_claim")
    click = block_actions(AGENT, TEAM, thread, claim, action_ts=next_ts())
    announced = asyncio.ensure_future(slack.next_post(TEAM, thread))
    await slack.click(click)
    await announced
    await slack.click(click)

    relay = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(AGENT, thread, "Did that help?")
    await relay
    texts = [c.args["text"] for c in slack.fake.posts(DM)]
    assert sum("Please clear the cache." in t for t in texts) == 1
    assert sum("took this ticket" in c.args["text"] for c in slack.fake.posts(TEAM, thread)) == 1
    with UnitOfWork(slack.app.sessions) as uow:
        assert len(uow.tickets.list()) == 1


async def finish_intake(slack: Workspace) -> Call:
    await slack.dm("Uncaught TypeError: cannot read properties of undefined")
    await slack.dm("Add a product to the cart, click checkout, the page goes blank")
    await slack.dm("MyCartPro Business plan, Chrome 126 on Windows 11, Stripe plugin 7.9")
    await slack.dm("yes")
    card = asyncio.ensure_future(slack.next_post(TEAM))
    send = message_event(DM, CUSTOMER, "send", next_ts())
    await slack.event(send)
    opened = await card
    await slack.event(send, retry=1)
    thanks = asyncio.ensure_future(slack.next_post(TEAM, opened.ts))
    await slack.event(message_event(DM, CUSTOMER, "Thanks!", next_ts()))
    assert (await thanks).args["text"] == "*Priya Patel:* Thanks!"
    opened_notices = [c for c in slack.fake.posts(DM) if "MCP-1001 is open" in c.args["text"]]
    assert len(opened_notices) == 1
    return opened


@pytest.mark.parametrize("code", ["invalid_auth", "not_allowed_token_type", "missing_scope"])
async def test_a_token_slack_refuses_stops_serve_with_its_reason(
    tmp_path: Path, fake: FakeSlack, code: str
) -> None:
    settings = settings_for(tmp_path, fake)
    app = build_app(settings)
    fake.fail_next("auth.test", status=200, error=code)
    try:
        with pytest.raises(
            UserFacingError, match=f"^SLACK_BOT_TOKEN was refused by Slack: {code}$"
        ):
            await serve(app, [slack_platform(settings)(app)], asyncio.Event())
    finally:
        app.close()


async def test_before_slack_answers_events_are_put_off_and_the_url_check_passes(
    tmp_path: Path, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("auth.test", status=503, times=1000)  # Slack's API down at start
    settings = settings_for(tmp_path, fake)
    app = build_app(settings)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, [slack_platform(settings)(app)], stop))
    url = f"http://{settings.http_host}:{settings.http_port}/slack/events"
    try:
        async with aiohttp.ClientSession() as http:
            for body, expected in (
                (json.dumps({"type": "url_verification", "challenge": "c4"}), 200),
                (json.dumps(event_envelope(message_event(DM, CUSTOMER, "hi", next_ts()))), 503),
            ):
                headers = {"Content-Type": "application/json", **signed_headers(SECRET, body)}
                for _ in range(100):  # until the server listens
                    try:
                        async with http.post(url, data=body, headers=headers) as response:
                            assert response.status == expected, await response.text()
                            break
                    except aiohttp.ClientConnectorError:
                        await asyncio.sleep(0.01)
                else:
                    raise AssertionError("intake serve never listened")
    finally:
        stop.set()
        await server
        app.close()
    assert not [r for r in caplog.records if r.exc_info]  # put off, not a 500 with a traceback


async def test_serve_says_at_start_when_the_bot_is_not_in_the_team_channel(
    tmp_path: Path, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.set_members(TEAM, [AGENT])
    async with running(settings_for(tmp_path, fake), fake):
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"the bot is not in the team channel {TEAM}: invite it there (/invite in the channel); "
        "ticket cards wait until it is"
    ]


async def test_serve_warns_when_a_public_team_channel_makes_anyone_an_agent(
    tmp_path: Path, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.set_members(TEAM, [BOT_USER_ID, AGENT], private=False)
    async with running(settings_for(tmp_path, fake), fake):
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"the team channel {TEAM} is public and INTAKE_AGENT_IDS is not set" in "".join(warnings)
    caplog.clear()
    async with running(settings_for(tmp_path, fake, agent_ids=frozenset({AGENT})), fake):
        assert "is public" not in caplog.text


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found"])  # private: unseen
async def test_a_card_posts_once_the_bot_is_invited_to_the_team_channel(
    slack: Workspace, refusal: str
) -> None:
    slack.fake.fail_next(
        "chat.postMessage",
        status=200,
        error=refusal,
        when=lambda args: args.get("channel") == TEAM,
    )
    card = await open_ticket(slack)  # refused first, before anyone invited the bot, then through
    refused = [
        c for c in slack.fake.calls("chat.postMessage", ok=False) if c.args["channel"] == TEAM
    ]
    assert len(refused) == 1 and card.ok and "MCP-1001" in card.args["text"]
    await slack.in_thread(AGENT, card.ts, "Looking at it now")
    assert "Looking at it now" in (await slack.next_post(DM)).args["text"]


async def test_a_customers_message_is_stored_and_answered_before_the_ack(
    slack: Workspace,
) -> None:
    assert await slack.event(message_event(DM, CUSTOMER, DESCRIPTION, next_ts())) == 200
    # Handled in the transaction that stored it: the answer is written before Slack's 200.
    assert slack.transcript_length() == 2
    assert "guides may solve it" in (await slack.next_post(DM)).args["text"]
    assert await slack.event(message_event(DM, CUSTOMER, "no", next_ts())) == 200
    assert slack.transcript_length() == 4
    assert "exact error" in (await slack.next_post(DM)).args["text"]
    assert len(slack.fake.calls("users.info")) == 1


async def test_a_customer_slack_is_slow_to_name_is_answered_after_the_ack(
    slack: Workspace,
) -> None:
    names = slack.fake.hold("users.info")
    started = time.monotonic()
    assert await slack.event(message_event(DM, CUSTOMER, DESCRIPTION, next_ts())) == 200
    assert time.monotonic() - started < 2.5  # well inside Slack's three seconds
    assert slack.transcript_length() == 0  # in the inbox, waiting for the name
    names.set()
    greeting = await slack.next_post(DM)
    assert "guides may solve it" in greeting.args["text"]
    assert slack.transcript_length() == 2


async def test_names_are_looked_up_together_and_a_slow_one_is_not_asked_twice(
    slack: Workspace,
) -> None:
    colleagues = {"U0LEE": "Lee", "U0MO": "Mo", "U0KIM": "Kim"}
    for user_id, name in colleagues.items():
        slack.fake.add_user(user_id, name)
    names = slack.fake.hold("users.info")
    text = "Checkout is blank for " + ", ".join(f"<@{user_id}>" for user_id in colleagues)
    acked = asyncio.ensure_future(slack.event(message_event(DM, CUSTOMER, text, next_ts())))
    # The customer and three colleagues are asked about at once, not one after another.
    await slack.fake.until_held("users.info", 4)
    assert await acked == 200
    assert slack.transcript_length() == 0  # Slack is slow: it went the inbox way
    names.set()
    await slack.next_post(DM)
    assert _customer_lines(slack) == ["Checkout is blank for @Lee, @Mo, @Kim"]
    assert len(slack.fake.calls("users.info")) == 4  # the lookups that outlived the ack served


async def test_messages_sent_together_are_taken_in_the_order_they_came(
    slack: Workspace,
) -> None:
    names = slack.fake.hold("users.info")
    others = [
        asyncio.ensure_future(slack.event(message_event(f"D0OTHER{n}", f"U0OTHER{n}", "Hi", ts)))
        for n, ts in enumerate([next_ts(), next_ts(), next_ts()])
    ]
    await slack.fake.until_held("users.info", 3)
    first = asyncio.ensure_future(slack.event(message_event(DM, CUSTOMER, DESCRIPTION, next_ts())))
    await slack.fake.until_held("users.info", 4)
    # Every thread for handling on arrival is taken: this one can only go the inbox way, yet it
    # must not overtake the message before it, still waiting for the customer's name.
    assert await slack.event(message_event(DM, CUSTOMER, "no", next_ts())) == 200
    names.set()
    assert await first == 200 and [await other for other in others] == [200] * 3
    replies = await slack.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == DM, count=2
    )
    assert "guides may solve it" in replies[0].args["text"]
    assert "exact error" in replies[1].args["text"]


async def test_a_message_waits_while_another_instance_handles_an_earlier_one(
    tmp_path: Path, fake: FakeSlack, database_url: str
) -> None:
    first_settings = settings_for(tmp_path, fake, database_url=database_url)
    second_settings = settings_for(tmp_path, fake, database_url=database_url)
    async with (
        running(first_settings, fake) as knows_her,
        running(second_settings, fake) as new_to_her,
    ):
        await knows_her.dm(DESCRIPTION)
        names = fake.hold("users.info")
        # The other instance must look her name up: it accepts the event, then waits on Slack.
        assert await new_to_her.event(message_event(DM, CUSTOMER, "no", next_ts())) == 200
        before = knows_her.transcript_length()
        error = "Uncaught TypeError: cannot read properties of undefined"
        assert await knows_her.event(message_event(DM, CUSTOMER, error, next_ts())) == 200
        assert knows_her.transcript_length() == before  # queued behind "no", not answered first
        names.set()
        replies = await fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == DM, count=3
        )
        assert "exact error" in replies[1].args["text"]
        assert "steps" in replies[2].args["text"]
        with UnitOfWork(knows_her.app.sessions) as uow:
            _, found = uow.conversations.locate(
                Person(platform="slack", user_id=CUSTOMER, display_name="Priya Patel"),
                Address(platform="slack", channel=DM),
                datetime.now(UTC),
            )
            assert found is not None
            lines = uow.conversations.transcript(found[0])
        said = [line.text for line in lines if line.direction == "customer"]
        assert said == [DESCRIPTION, "no", error]


async def test_bad_or_stale_signatures_get_401_and_change_nothing(slack: Workspace) -> None:
    body = json.dumps(event_envelope(message_event(DM, CUSTOMER, DESCRIPTION, next_ts())))
    forged = {**signed_headers("not-the-secret", body), "Content-Type": "application/json"}
    async with slack.http.post(f"{slack.url}/slack/events", data=body, headers=forged) as r:
        assert r.status == 401
    stale = int(time.time()) - 600
    assert await slack.send(body, "application/json", timestamp=stale) == 401
    async with slack.http.post(f"{slack.url}/slack/events", data=body) as r:
        assert r.status == 401
    await slack.dm("Is anyone there?")
    assert len(slack.fake.posts(DM)) == 1
    assert slack.transcript_length() == 2


async def test_a_429_is_retried_after_retry_after_and_order_is_kept(slack: Workspace) -> None:
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    greeting = await slack.dm(DESCRIPTION)
    waited = time.monotonic() - started
    limited = slack.fake.calls("chat.postMessage")[0]
    assert (limited.status, limited.args["text"]) == (429, greeting.args["text"])
    assert waited >= 0.9
    assert "exact error" in (await slack.dm("no")).args["text"]
    assert [c.status for c in slack.fake.calls("chat.postMessage")] == [429, 200, 200]


async def test_a_message_committed_before_a_crash_is_sent_after_restart(
    tmp_path: Path, fake: FakeSlack
) -> None:
    settings = settings_for(tmp_path, fake)
    fake.fail_next("chat.postMessage", status=503, times=100)
    async with running(settings, fake) as slack:
        await slack.event(message_event(DM, CUSTOMER, DESCRIPTION, next_ts()))
        [failed] = [c for c in await _failed_posts(fake) if c.args["channel"] == DM]
        assert failed.status == 503
    assert not fake.posts(DM)
    fake.clear_failures()

    async with running(settings_for(tmp_path, fake), fake) as slack:
        [greeting] = await fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == DM)
        assert greeting.args["text"] == failed.args["text"]
        assert "exact error" in (await slack.dm("no")).args["text"]
        assert len(fake.posts(DM)) == 2


async def test_what_was_written_while_no_instance_ran_is_taken_from_history(
    tmp_path: Path, fake: FakeSlack
) -> None:
    async with running(settings_for(tmp_path, fake), fake) as slack:
        card = await open_ticket(slack)
    dms_before = len(fake.posts(DM))
    # Slack gave up delivering these events while the bot was down: they are only in history.
    fake.write(DM, CUSTOMER, "Also: it only happens in Safari, Chrome works fine")
    fake.write(
        TEAM, AGENT, "Thanks! Could you send a screenshot of the console?", thread_ts=card.ts
    )

    async with running(settings_for(tmp_path, fake), fake) as slack:
        [forwarded] = await fake.wait_for(
            "chat.postMessage", lambda c: "only happens in Safari" in c.args["text"]
        )
        assert (forwarded.args["channel"], forwarded.args.get("thread_ts")) == (TEAM, card.ts)
        [relayed] = await fake.wait_for(
            "chat.postMessage", lambda c: "screenshot of the console" in c.args["text"]
        )
        assert relayed.args["channel"] == DM
        assert relayed.args["text"].startswith("*Dana (support):*")
        # A live message after the restart is relayed as usual, and nothing before it twice.
        await slack.in_thread(AGENT, card.ts, "No rush, whenever you can")
        await fake.wait_for("chat.postMessage", lambda c: "No rush" in c.args["text"])
        texts = [c.args["text"] for c in fake.posts(DM)[dms_before:]]
        assert len(texts) == 3 and "added to your ticket" in texts[0].lower(), texts
        assert len(fake.posts(TEAM, card.ts)) == 1


async def test_a_reply_mentioning_the_bot_while_it_was_down_continues_its_thread(
    tmp_path: Path, fake: FakeSlack
) -> None:
    channel, ts = "C0GENERAL", next_ts()
    async with running(settings_for(tmp_path, fake), fake) as slack:
        offer = asyncio.ensure_future(slack.next_post(channel, ts))
        await slack.event(mention_event(channel, CUSTOMER, DESCRIPTION, ts))
        assert "guides may solve it" in (await offer).args["text"]
    fake.write(channel, CUSTOMER, f"<@{BOT_USER_ID}> no, none of them", thread_ts=ts)

    async with running(settings_for(tmp_path, fake), fake):
        [question] = await fake.wait_for(
            "chat.postMessage", lambda c: "exact error" in c.args["text"]
        )
        assert (question.args["channel"], question.args.get("thread_ts")) == (channel, ts)


async def _failed_posts(fake: FakeSlack) -> list[Call]:
    async with fake._changed:
        await asyncio.wait_for(
            fake._changed.wait_for(lambda: bool(fake.calls("chat.postMessage", ok=False))), 10
        )
    return fake.calls("chat.postMessage", ok=False)


async def test_a_mention_in_a_channel_continues_in_its_thread(slack: Workspace) -> None:
    channel, ts = "C0GENERAL", next_ts()
    reply = asyncio.ensure_future(slack.next_post(channel, ts))
    await slack.event(
        message_event(
            channel, CUSTOMER, f"<@{BOT_USER_ID}> {DESCRIPTION}", ts, channel_type="channel"
        )
    )
    await slack.event(mention_event(channel, CUSTOMER, DESCRIPTION, ts))
    assert "guides may solve it" in (await reply).args["text"]

    await slack.event(
        message_event(
            channel, OUTSIDER, "same here!", next_ts(), channel_type="channel", thread_ts=ts
        )
    )
    await slack.event(
        message_event(channel, CUSTOMER, "unrelated top-level", next_ts(), channel_type="channel")
    )
    reply = asyncio.ensure_future(slack.next_post(channel, ts))
    await slack.event(
        message_event(channel, CUSTOMER, "no", next_ts(), channel_type="channel", thread_ts=ts)
    )
    assert "exact error" in (await reply).args["text"]
    assert len(slack.fake.posts(channel, ts)) == 2
    assert not slack.fake.posts(channel)


def _customer_lines(slack: Workspace) -> list[str]:
    with slack.app.sessions() as session:
        return list(
            session.scalars(
                select(MessageRow.text)
                .where(MessageRow.direction == "customer")
                .order_by(MessageRow.id)
            )
        )


async def test_a_file_alone_or_with_words_reaches_the_transcript(slack: Workspace) -> None:
    screenshot = {
        "id": "F0SHOT",
        "name": "checkout-error.png",
        "permalink": "https://mycart.slack.com/files/U0PRIYA/F0SHOT/checkout-error.png",
    }
    await slack.dm(DESCRIPTION)
    before = len(slack.fake.posts(DM))
    file_only = message_event(DM, CUSTOMER, "", next_ts(), subtype="file_share", files=[screenshot])
    assert await slack.event(file_only) == 200
    await slack.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == DM, count=before + 1
    )
    assert (
        _customer_lines(slack)[-1] == f"[attachment: checkout-error.png {screenshot['permalink']}]"
    )


async def test_words_only_in_rich_text_blocks_and_me_messages_are_read(slack: Workspace) -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": DESCRIPTION}],
                }
            ],
        }
    ]
    offer = asyncio.ensure_future(slack.next_post(DM))
    await slack.event(message_event(DM, CUSTOMER, "", next_ts(), blocks=blocks))
    assert "guides may solve it" in (await offer).args["text"]
    question = asyncio.ensure_future(slack.next_post(DM))
    await slack.event(message_event(DM, CUSTOMER, "says no", next_ts(), subtype="me_message"))
    await question
    assert _customer_lines(slack) == [DESCRIPTION, "says no"]


async def test_a_bare_mention_is_greeted_in_its_thread(slack: Workspace) -> None:
    channel, ts = "C0GENERAL", next_ts()
    reply = asyncio.ensure_future(slack.next_post(channel, ts))
    await slack.event(mention_event(channel, CUSTOMER, f"<@{BOT_USER_ID}> ", ts))
    assert "What can we help you with?" in (await reply).args["text"]


@pytest.mark.parametrize(
    ("body", "content_type", "headers"),
    [
        ("{garbage", "application/json", {"X-Slack-Request-Timestamp": "1700000000"}),
        ("payload=%7Bx", "application/x-www-form-urlencoded", {}),
        ("{}", "application/json", {"X-Slack-Request-Timestamp": "abc"}),
        ("{}", "application/json", {"X-Slack-Request-Timestamp": "9" * 5000}),
        ("{}", "application/json", {"X-Slack-Request-Timestamp": "17\u00b2"}),
    ],
)
async def test_garbage_requests_are_refused_without_a_traceback(
    slack: Workspace,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    headers: dict[str, str],
) -> None:
    async with slack.http.post(
        f"{slack.url}/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    ) as response:
        assert response.status in {400, 401}
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    assert slack.transcript_length() == 0


def _changed(channel: str, user: str, ts: str, old: str, new: str, **extra: Any) -> dict[str, Any]:
    """A ``message_changed`` event as Slack sends it when ``user`` edits message ``ts``."""
    edited_at = next_ts()
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "channel_type": extra.pop("channel_type", "im"),
        "hidden": True,
        "ts": edited_at,
        "event_ts": edited_at,
        "message": {"type": "message", "user": user, "text": new, "ts": ts, **extra},
        "previous_message": {"type": "message", "user": user, "text": old, "ts": ts, **extra},
    }


async def test_a_customer_edit_is_answered_and_kept_but_not_taken_for_an_answer(
    slack: Workspace,
) -> None:
    await slack.dm(DESCRIPTION)
    await slack.dm("no")
    ts = next_ts()
    reply = asyncio.ensure_future(slack.next_post(DM))
    await slack.event(message_event(DM, CUSTOMER, "It says PAYMENT_FAILD", ts))
    await reply
    posts = len(slack.fake.posts(DM))
    # A link preview added to the same words is not an edit.
    assert await slack.event(_changed(DM, CUSTOMER, ts, "It says x", "It says x")) == 200
    edited = asyncio.ensure_future(slack.next_post(DM))
    fixed = 'It says "PAYMENT_FAILED: gateway timeout"'
    assert await slack.event(_changed(DM, CUSTOMER, ts, "It says PAYMENT_FAILD", fixed)) == 200
    answer = (await edited).args["text"]
    assert answer.startswith("I saw you edited an earlier message")
    assert len(slack.fake.posts(DM)) == posts + 1
    assert _customer_lines(slack)[-1] == f"(edited) {fixed}"


async def test_an_agents_corrected_reply_reaches_the_customer_marked_as_an_edit(
    slack: Workspace,
) -> None:
    card = await open_ticket(slack)
    thread = card.ts
    ts = next_ts()
    await slack.event(
        message_event(
            TEAM, AGENT, "Plese clear the cache", ts, channel_type="channel", thread_ts=thread
        )
    )
    await slack.next_post(DM)
    corrected = asyncio.ensure_future(slack.next_post(DM))
    change = _changed(
        TEAM,
        AGENT,
        ts,
        "Plese clear the cache",
        "Please clear the browser cache",
        channel_type="channel",
        thread_ts=thread,
    )
    assert await slack.event(change) == 200
    assert (await corrected).args["text"].endswith("(edited) Please clear the browser cache")


async def test_a_note_edited_to_drop_its_prefix_stays_a_note(slack: Workspace) -> None:
    card = await open_ticket(slack)
    thread, ts = card.ts, next_ts()
    note = "note: customer seems angry"
    await slack.event(
        message_event(TEAM, AGENT, note, ts, channel_type="channel", thread_ts=thread)
    )
    told = asyncio.ensure_future(slack.next_post(TEAM, thread))
    change = _changed(
        TEAM, AGENT, ts, note, "customer seems angry", channel_type="channel", thread_ts=thread
    )
    assert await slack.event(change) == 200
    assert (await told).args["text"].startswith("That edit stays a note")
    assert not [p for p in slack.fake.posts(DM) if "angry" in p.args["text"]]
    with slack.app.sessions() as session:
        notes = session.scalars(select(MessageRow.text).where(MessageRow.direction == "note"))
        assert list(notes) == ["customer seems angry", "(edited) customer seems angry"]


async def test_a_slack_connect_user_slack_wont_describe_is_named_from_the_event(
    slack: Workspace,
) -> None:
    slack.fake.fail_next("users.info", status=200, error="user_not_found")
    profile = {"display_name": "Ana from Partner Co", "real_name": "Ana Lima", "team": "T0OTHER"}
    event = message_event("D0ANA", "U0EXTANA", DESCRIPTION, next_ts(), user_profile=profile)
    reply = asyncio.ensure_future(slack.next_post("D0ANA"))
    assert await slack.event(event) == 200
    await reply
    with slack.app.sessions() as session:
        authors = session.scalars(
            select(MessageRow.author).where(MessageRow.direction == "customer")
        ).all()
    assert authors == ["Ana from Partner Co"]


def _long_reply() -> str:
    """An agent's answer of about 45,000 characters: prose, then a long code block, then more."""
    prose = [f"Step {n}: " + " ".join(f"check{n}.{m}" for m in range(70)) for n in range(40)]
    code = [f"    print('line {n}')" for n in range(400)]
    closing = [f"Note {n}: " + " ".join(f"then{n}.{m}" for m in range(70)) for n in range(10)]
    return "\n\n".join([*prose, "```python\n" + "\n".join(code) + "\n```", *closing, "THE END"])


def _outbox_key(args: dict[str, Any]) -> str:
    """The key a post carries in its metadata: the outbox id, and the part for a long one."""
    metadata: dict[str, Any] = args.get("metadata") or {}
    return str((metadata.get("event_payload") or {}).get("key", ""))


def _words(text: str) -> list[str]:
    """The words of a text, without the fence lines a split adds to close and reopen a block."""
    return [word for word in text.split() if not word.startswith("```")]


async def test_a_long_agent_reply_reaches_the_customer_whole_in_several_posts(
    slack: Workspace,
) -> None:
    card = await open_ticket(slack)
    dms_before = len(slack.fake.posts(DM))
    reply = _long_reply()
    assert len(reply) > 40_000
    assert await slack.in_thread(AGENT, card.ts, reply) == 200
    await slack.fake.wait_for("chat.postMessage", lambda c: "THE END" in c.args["text"])

    parts = [c.args["text"] for c in slack.fake.posts(DM)[dms_before:]]
    assert len(parts) > 10
    assert all(len(part) <= 4_000 for part in parts), "Slack folds longer texts away"
    assert all(part.count("```") % 2 == 0 for part in parts), "each part renders on its own"
    assert parts[0].startswith("*Dana (support):* Step 0:")
    assert _words(" ".join(parts)) == ["*Dana", "(support):*", *_words(reply)]


@pytest.mark.parametrize("answer_lost", [False, True], ids=["refused", "answer-lost"])
async def test_a_long_reply_retried_half_way_posts_each_part_once_in_order(
    slack: Workspace, answer_lost: bool
) -> None:
    card = await open_ticket(slack)
    dms_before = len(slack.fake.posts(DM))
    # The second part fails: refused outright, or posted with the answer lost on the way back.
    slack.fake.fail_next(
        "chat.postMessage",
        status=500,
        when=lambda args: _outbox_key(args).endswith("#1"),
        applied=answer_lost,
    )
    reply = _long_reply()
    assert await slack.in_thread(AGENT, card.ts, reply) == 200
    await slack.fake.wait_for("chat.postMessage", lambda c: "THE END" in c.args["text"])

    failed = slack.fake.calls("chat.postMessage", ok=False)
    assert len(failed) == 1 and _outbox_key(failed[0].args).endswith("#1")
    posts = slack.fake.posts(DM)[dms_before:]
    keys = [_outbox_key(call.args) for call in posts]
    outbox = keys[0].removesuffix("#0")
    assert keys == [f"{outbox}#{n}" for n in range(len(keys))], "a part posted twice or missing"
    assert _words(" ".join(c.args["text"] for c in posts)) == [
        "*Dana",
        "(support):*",
        *_words(reply),
    ]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1,2]", "application/json"),
        ('"x"', "application/json"),
        ("5", "application/json"),
        ("payload=%5B1%5D", "application/x-www-form-urlencoded"),
        ("payload=5", "application/x-www-form-urlencoded"),
        (b"\xff\xfe{}", "application/json"),
    ],
)
async def test_bodies_that_are_not_an_object_get_401_unsigned_and_400_signed(
    slack: Workspace,
    caplog: pytest.LogCaptureFixture,
    body: str | bytes,
    content_type: str,
) -> None:
    unsigned = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    async with slack.http.post(f"{slack.url}/slack/events", data=body, headers=unsigned) as r:
        assert r.status == 401
    if isinstance(body, str):
        assert await slack.send(body, content_type) == 400
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    assert slack.transcript_length() == 0


async def test_a_signed_message_event_without_a_channel_is_ignored(
    slack: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    event = message_event(DM, CUSTOMER, DESCRIPTION, next_ts())
    del event["channel"]
    assert await slack.event(event) == 200
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    assert slack.transcript_length() == 0
    assert "guides may solve it" in (await slack.dm(DESCRIPTION)).args["text"]


async def test_an_app_rate_limited_notice_is_acknowledged_with_a_warning(
    slack: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    notice = {
        "token": "legacy-verification-token",
        "type": "app_rate_limited",
        "team_id": TEAM_ID,
        "minute_rate_limited": 1518467820,
        "api_app_id": APP_ID,
    }
    with caplog.at_level(logging.WARNING):
        assert await slack.send(json.dumps(notice), "application/json") == 200
    [warning] = [r for r in caplog.records if "app_rate_limited" in r.getMessage()]
    assert warning.levelname == "WARNING"


def _shared(text: str, author: str) -> dict[str, Any]:
    """An attachment as Slack sends it for a message someone forwarded (shared)."""
    return {
        "is_share": True,
        "is_msg_unfurl": False,
        "author_name": author,
        "author_id": OUTSIDER,
        "channel_id": "C0GENERAL",
        "text": text,
        "fallback": f"[May 5th, 2026 9:30 AM] {author}: {text}",
        "ts": "1700000000.000200",
        "mrkdwn_in": ["text"],
        "footer": "Posted in #general",
    }


async def test_a_forwarded_message_is_read_during_the_intake(slack: Workspace) -> None:
    await slack.dm(DESCRIPTION)
    assert "exact error" in (await slack.dm("no")).args["text"]
    error = "PAYMENT_FAILED: gateway timeout (code 504)"
    reply = asyncio.ensure_future(slack.next_post(DM))
    forwarded = message_event(DM, CUSTOMER, "", next_ts(), attachments=[_shared(error, "Sam")])
    assert await slack.event(forwarded) == 200
    assert "steps" in (await reply).args["text"]
    assert _customer_lines(slack)[-1] == f"[shared message from Sam] {error}"


async def test_a_forwarded_message_reaches_the_ticket_thread(slack: Workspace) -> None:
    card = await open_ticket(slack)
    into_thread = asyncio.ensure_future(slack.next_post(TEAM, card.ts))
    share = _shared("PAYMENT_FAILED again at 10:02", "Sam")
    await slack.event(message_event(DM, CUSTOMER, "", next_ts(), attachments=[share]))
    assert (await into_thread).args["text"] == (
        "*Priya Patel:* [shared message from Sam] PAYMENT_FAILED again at 10:02"
    )


async def test_rich_text_lists_and_mentions_read_line_by_line(slack: Workspace) -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                rich_section(
                    rich_words("Checkout goes blank, "),
                    {"type": "user", "user_id": OUTSIDER},
                    rich_words(" saw it too. Steps:"),
                ),
                rich_list(
                    "ordered", "Open the storefront", "Add a product to the cart", "Click checkout"
                ),
            ],
        }
    ]
    reply = asyncio.ensure_future(slack.next_post(DM))
    await slack.event(message_event(DM, CUSTOMER, "", next_ts(), blocks=blocks))
    await reply
    assert _customer_lines(slack) == [
        "Checkout goes blank, @Sam saw it too. Steps:\n"
        "1. Open the storefront\n2. Add a product to the cart\n3. Click checkout"
    ]


async def test_a_command_addressed_to_the_bot_is_run_not_relayed(slack: Workspace) -> None:
    card = await open_ticket(slack)
    await slack.in_thread(AGENT, card.ts, f"<@{BOT_USER_ID}> !claim")
    answer = (await slack.next_post(TEAM, card.ts)).args["text"]
    assert "Dana took this ticket" in answer
    assert not [p for p in slack.fake.posts(DM) if "claim" in p.args["text"]]


async def test_mentions_reach_the_other_side_by_name(slack: Workspace) -> None:
    card = await open_ticket(slack)
    reply = asyncio.ensure_future(slack.next_post(DM))
    await slack.in_thread(AGENT, card.ts, f"<@{CUSTOMER}> my colleague <@{OUTSIDER}> will call")
    relayed = (await reply).args["text"]
    assert relayed == "*Dana (support):* @Priya Patel my colleague @Sam will call"


async def test_start_up_and_probes_log_nothing_an_operator_must_learn_to_ignore(
    tmp_path: Path,
    fake: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-0000-test")  # as in production: bolt reads it too
    caplog.set_level(logging.INFO)
    async with running(settings_for(tmp_path, fake), fake) as workspace:
        assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
        caplog.clear()
        for _ in range(3):
            async with workspace.http.get(f"{workspace.url}/readyz") as ready:
                assert ready.status == 200
        assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
