"""The Discord adapter end to end: the real discord.py client inside the real ``intake serve``,
connected to a loopback Discord (REST + gateway) that records what Discord would receive."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import App
from bot.settings import Settings
from storage.unit_of_work import UnitOfWork
from tests.fakes.discord_api import FakeDiscord, Payload
from tests.integration.conftest import DiscordServe
from tests.integration.intake_driver import FULL_INTAKE


def button(message: Payload, label_start: str) -> dict[str, Any]:
    for row in message["components"]:
        for component in row["components"]:
            if component.get("label", "").lower().startswith(label_start.lower()):
                return dict(component)
    raise AssertionError(f"no button {label_start!r} in {message['components']}")


async def say(fake: FakeDiscord, customer: Payload, text: str) -> Payload:
    """The customer DMs the bot; returns the bot's next message in that DM."""
    dm = fake.dm_channel(customer)
    mark = len(fake.calls)
    await fake.user_dm(customer, text)
    return await fake.wait_for_post(dm, after=mark)


async def thread_stored(app: App, ticket: str = "MCP-1001") -> None:
    """The relay records the card's thread just after Discord created it; agents can't write
    there any sooner, and neither may the test."""

    def stored() -> bool:
        with UnitOfWork(app.sessions) as uow:
            team = uow.tickets.get(ticket).team_address
            return team is not None and team.thread is not None

    for _ in range(500):
        if await asyncio.to_thread(stored):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the ticket's thread was never stored")


async def open_ticket(app: App, fake: FakeDiscord, customer: Payload) -> tuple[Payload, str]:
    """A full intake by DM (one choice clicked, the rest typed); the card and its thread id."""
    dm = fake.dm_channel(customer)
    offer = await say(fake, customer, FULL_INTAKE[0])
    assert "guides may solve it" in offer["content"]
    mark = len(fake.calls)
    await fake.click(customer, offer, button(offer, "no")["custom_id"])
    await fake.wait_for_call(lambda c: c.path.endswith("/callback"), after=mark)
    question = await fake.wait_for_post(dm, "error message", after=mark)
    assert question["channel_id"] == str(dm)
    for text in FULL_INTAKE[2:-1]:
        await say(fake, customer, text)
    mark = len(fake.calls)
    opened = await say(fake, customer, "send")
    assert "MCP-1001 is open" in opened["content"]
    card = await fake.wait_for_post(fake.team_channel_id, "MCP-1001", after=mark)
    thread = await fake.wait_for_call(
        lambda c: c.method == "POST" and c.path.endswith(f"/messages/{card['id']}/threads"),
        after=mark,
    )
    assert thread.path == f"/channels/{fake.team_channel_id}/messages/{card['id']}/threads"
    await thread_stored(app)
    return card, card["id"]


async def in_thread(
    fake: FakeDiscord, user: Payload, thread: str, text: str, expect: str
) -> Payload:
    """Someone writes in the ticket thread; returns the bot's answer there."""
    mark = len(fake.calls)
    await fake.user_post(user, int(thread), text)
    return await fake.wait_for_post(thread, expect, after=mark)


async def test_a_dm_intake_opens_a_ticket_and_agents_work_it_from_the_thread(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    outsider = fake.make_user("Sam")
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings) as app:
        card, thread = await open_ticket(app, fake, customer)

        # The card: ticket id and the customer's own words, details in the embed, buttons.
        assert "MCP-1001" in card["content"]
        assert "pay with PayPal" in card["content"]
        embed = card["embeds"][0]
        assert embed["title"].startswith("MCP-1001")
        assert any(f["name"] == "Customer" and "Priya" in f["value"] for f in embed["fields"])
        assert button(card, "claim")["custom_id"] == "intake:ticket:claim"

        # Agent → customer, customer → agent.
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "Hi Priya, I'm looking at your PayPal setup now.")
        reply = await fake.wait_for_post(dm, "PayPal setup", after=mark)
        assert reply["content"].startswith("**Dana:**")
        forwarded = await say_and_see_in_thread(fake, customer, thread, "Thanks, it still fails.")
        assert "it still fails" in forwarded["content"]
        assert "Priya" in forwarded["content"]

        # Notes stay internal; commands and buttons change the ticket and refresh the card.
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "note: merchant account looks suspended")
        await fake.click(agent, card, "intake:ticket:claim")
        claimed = await fake.wait_for_post(thread, "took this ticket", after=mark)
        assert "Dana" in claimed["content"]
        edit = await fake.wait_for_call(
            lambda c: c.method == "PATCH" and c.path.endswith(f"/messages/{card['id']}"),
            after=mark,
        )
        assert any(
            f["name"] == "Owner" and f["value"] == "Dana" for f in edit.body["embeds"][0]["fields"]
        )
        # Mentioning the bot first, as people address it, is still the command.
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "!pending", mention_bot=True)
        await fake.wait_for_post(thread, "is now pending", after=mark)
        await in_thread(fake, agent, thread, "!priority high", "Priority set to high")
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "!resolve")
        resolved = await fake.wait_for_post(dm, "marked resolved", after=mark)
        assert "MCP-1001" in resolved["content"]
        await in_thread(fake, agent, thread, "!reopen", "is now open (reopen")
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "!close")
        await fake.wait_for_post(dm, "now closed", after=mark)

        # Only agents act; everyone else is told so.
        mark = len(fake.calls)
        await fake.user_post(outsider, int(thread), "!reopen")
        await fake.wait_for_post(thread, "Only support agents", after=mark)

    customer_saw = " ".join(m["content"] for m in fake.posts(dm))
    assert "suspended" not in customer_saw
    assert not [call for call in fake.calls if "/webhooks/" in call.path]  # all sent as the bot
    for call in fake.calls:
        if call.method == "POST" and call.path.endswith("/messages"):
            assert call.body["allowed_mentions"]["parse"] == []
            assert call.body["enforce_nonce"] is True
            assert 0 < len(call.body["nonce"]) <= 25


async def say_and_see_in_thread(
    fake: FakeDiscord, customer: Payload, thread: str, text: str
) -> Payload:
    mark = len(fake.calls)
    await fake.user_dm(customer, text)
    return await fake.wait_for_post(thread, text, after=mark)


async def test_a_mention_in_a_channel_continues_in_a_thread_or_in_dms(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Lee")
    other = fake.make_user("Kim")
    async with discord_serve(discord_settings):
        mark = len(fake.calls)
        mention = await fake.user_post(
            customer, fake.support_channel_id, FULL_INTAKE[0], mention_bot=True
        )
        offer = await fake.wait_for_post(mention["id"], "guides", after=mark)
        assert offer["channel_id"] == mention["id"]  # the thread started from the mention

        # Plain replies in that thread continue the conversation; no mention needed.
        mark = len(fake.calls)
        await fake.user_post(customer, int(mention["id"]), "no")
        await fake.wait_for_post(mention["id"], "error message", after=mark)

        # Where threads are not allowed, the conversation moves to the customer's DMs.
        fake.forbid_threads_in.add(fake.support_channel_id)
        mark = len(fake.calls)
        await fake.user_post(other, fake.support_channel_id, FULL_INTAKE[0], mention_bot=True)
        await fake.wait_for_post(fake.dm_channel(other), "guides", after=mark)
        await fake.wait_for_post(fake.support_channel_id, "sent you a direct message", after=mark)


async def test_words_to_the_bot_in_a_ticket_thread_stay_with_the_team(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings) as app:
        _, thread = await open_ticket(app, fake, customer)
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), "what plan is this customer on?", mention_bot=True)
        await fake.wait_for_post(thread, "addressed to me", after=mark)
        await fake.user_post(agent, int(thread), "Hi Priya, we're on it.")
        await fake.wait_for_post(dm, "we're on it", after=mark)
        assert not any("what plan" in m["content"] for m in fake.posts(dm))


async def test_a_mention_of_the_bots_role_is_a_mention_of_the_bot(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Lee")
    async with discord_serve(discord_settings) as app:
        mark = len(fake.calls)
        mention = await fake.user_post(
            customer, fake.support_channel_id, FULL_INTAKE[0], mention_bot_role=True
        )
        await fake.wait_for_post(mention["id"], "guides", after=mark)
        with UnitOfWork(app.sessions) as uow:
            [line, *_] = uow.conversations.transcript(1)
        assert line.text == FULL_INTAKE[0]  # the role's mention is not part of the problem


async def test_a_card_whose_thread_is_not_allowed_waits_until_it_is(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    team = fake.team_channel_id
    fake.forbid_threads_in.add(team)
    async with discord_serve(discord_settings) as app:
        taken_back = asyncio.ensure_future(
            fake.wait_for_call(lambda c: c.method == "DELETE" and f"/channels/{team}/" in c.path)
        )
        intake = asyncio.ensure_future(open_ticket(app, fake, customer))
        await taken_back  # posted, no thread allowed: taken back, to be tried again
        fake.forbid_threads_in.discard(team)  # an admin grants the permission
        await intake
        [card] = [m for m in fake.messages[team] if "MCP-1001" in m["content"]]
        mark = len(fake.calls)
        await fake.user_post(agent, int(card["id"]), "Hi Priya, on it.")
        await fake.wait_for_post(fake.dm_channel(customer), "on it", after=mark)


async def test_long_replies_are_split_cleanly_and_never_ping(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    dm = fake.dm_channel(customer)
    code = "\n".join(f"    step_{n}(cart, '@everyone')" for n in range(150))
    long_reply = ("Please try this. " * 60) + "\n```python\n" + code + "\n```\nThen tell me."
    async with discord_serve(discord_settings) as app:
        _, thread = await open_ticket(app, fake, customer)
        before = len(fake.posts(dm))
        mark = len(fake.calls)
        await fake.user_post(agent, int(thread), long_reply)
        await fake.wait_for_post(dm, "Then tell me", after=mark)
    parts = [m["content"] for m in fake.posts(dm)[before:]]
    assert len(parts) >= 3
    assert parts[1].startswith("```python")  # the code block reopened where it was cut
    assert all(len(part) <= 2000 for part in parts)
    assert all(part.count("```") % 2 == 0 for part in parts)
    assert "".join(parts).count("step_") == 150
    sent_words = {word for part in parts for word in part.split()}
    assert sent_words <= {*long_reply.split(), "**Dana:**", "```python", "```"}


async def test_an_edited_dm_is_answered_not_taken_for_the_answer(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Ines")
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings) as app:
        await say(fake, customer, "Customers get an error when they pay with PayPal at checkout")
        await say(fake, customer, "no")
        before = len(fake.calls)
        sent = await fake.user_dm(customer, "It says PAYMENT_FAILD")
        await fake.wait_for_post(dm, after=before)
        mark = len(fake.calls)
        fixed = 'It says "PAYMENT_FAILED: gateway timeout"'
        edited = {**sent, "content": fixed, "edited_timestamp": datetime.now(UTC).isoformat()}
        await fake.dispatch("MESSAGE_UPDATE", fake._gateway_message(edited))
        answer = await fake.wait_for_post(dm, after=mark)
        assert answer["content"].startswith("I saw you edited an earlier message")
        with UnitOfWork(app.sessions) as uow:
            lines = uow.conversations.transcript(1)
        said = [line.text for line in lines if line.direction == "customer"]
        assert said[-2:] == ["It says PAYMENT_FAILD", f"(edited) {fixed}"]


@pytest.mark.parametrize(
    ("written", "edited_to"),
    [
        (
            "note: customer seems angry, probably churning",
            "customer seems angry, probably churning",
        ),
        ("!pending waiting for their admin to call back", "waiting for their admin to call back"),
    ],
)
async def test_a_note_or_command_edited_into_plain_words_stays_with_the_team(
    discord_fake: FakeDiscord,
    discord_settings: Settings,
    discord_serve: DiscordServe,
    written: str,
    edited_to: str,
) -> None:
    # Discord's edit event carries only the new words; what the message was is the bot's record.
    fake = discord_fake
    customer = fake.make_user("Priya")
    agent = fake.make_user("Dana", agent=True)
    dm = fake.dm_channel(customer)
    async with discord_serve(discord_settings) as app:
        _, thread = await open_ticket(app, fake, customer)
        mark = len(fake.calls)
        sent = await fake.user_post(agent, int(thread), written)
        edited = {**sent, "content": edited_to, "edited_timestamp": datetime.now(UTC).isoformat()}
        await fake.dispatch("MESSAGE_UPDATE", fake._gateway_message(edited))
        await fake.wait_for_post(thread, "That edit stays a note", after=mark)
        await fake.user_post(agent, int(thread), "Hi Priya, we're on it.")
        await fake.wait_for_post(dm, "we're on it", after=mark)
        told = [m["content"] for m in fake.posts(dm)]
        assert not any(edited_to in text for text in told)


async def test_a_forwarded_message_is_read_with_its_files(
    discord_fake: FakeDiscord, discord_settings: Settings, discord_serve: DiscordServe
) -> None:
    fake = discord_fake
    customer = fake.make_user("Ines")
    dm = fake.dm_channel(customer)
    screenshot = fake.attachment("checkout.png")
    async with discord_serve(discord_settings) as app:
        await say(fake, customer, FULL_INTAKE[0])
        await say(fake, customer, "no")
        mark = len(fake.calls)
        await fake.user_forward(customer, dm, FULL_INTAKE[2], [screenshot])
        answer = await fake.wait_for_post(dm, after=mark)
        assert "What steps" in answer["content"]  # taken as the answer to "which error?"
        with UnitOfWork(app.sessions) as uow:
            lines = uow.conversations.transcript(1)
    said = [line.text for line in lines if line.direction == "customer"]
    assert said[-1] == (
        f"[forwarded] {FULL_INTAKE[2]}\n[attachment: checkout.png {screenshot['url']}]"
    )
