"""The pure Slack translations: payloads in, API arguments out."""

import pytest

from bot.slack.translate import (
    PART_LIMIT,
    escape,
    heard_action,
    heard_mention,
    heard_message,
    plain_text,
    post_parts,
)
from intake.actions import Choice, clicked
from intake.addresses import Address
from intake.outgoing import Outgoing
from tests.fakes.slack_api import rich_list, rich_section, rich_words

BOT = "UBOT"
TEAM = "CTEAM"


def event(**fields: object) -> dict[str, object]:
    return {"type": "message", "user": "U1", "ts": "1700000000.000100", "text": "hi", **fields}


def test_markup_is_decoded_to_what_people_see() -> None:
    text = (
        "<@UBOT> see <https://shop.example/x?a=1&amp;b=2|my shop> &amp; "
        "<#C9|general> <!here> <@U7|sam> &lt;b&gt;"
    )
    assert plain_text(text, BOT) == (
        "see my shop (https://shop.example/x?a=1&b=2) & #general @here @sam <b>"
    )


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        (":+1:", "👍"),
        (":thumbsup::skin-tone-3:", "👍"),
        ("no :-1:", "no 👎"),
        (":white_check_mark: send it", "✅ send it"),
        (":tada: fixed at 10:30:15", ":tada: fixed at 10:30:15"),
    ],
)
def test_emoji_that_answer_are_read_as_the_emoji_not_their_name(typed: str, seen: str) -> None:
    assert plain_text(typed, BOT) == seen


@pytest.mark.parametrize(
    ("markup", "seen"),
    [
        ("<http://shop.example.com|shop.example.com>", "shop.example.com"),
        ("<https://www.example.com/cart|www.example.com/cart>", "www.example.com/cart"),
        ("<tel:4165551234|416-555-1234>", "416-555-1234"),
        ("<mailto:bob@shop.ca|bob@shop.ca>", "bob@shop.ca"),
        ("<https://shop.example.com>", "https://shop.example.com"),
    ],
)
def test_what_slack_linked_by_itself_reads_as_typed(markup: str, seen: str) -> None:
    assert plain_text(f"call {markup} now", BOT) == f"call {seen} now"


def test_escaping_breaks_markup_and_broadcast_pings() -> None:
    assert escape("<!channel> & <@U1> @here @Everyone") == (
        "&lt;!channel&gt; &amp; &lt;@U1&gt; @\u2060here @\u2060Everyone"
    )


def test_a_dm_is_a_customer_message_and_bots_edits_and_joins_are_not() -> None:
    heard = heard_message(event(channel="D1", channel_type="im"), BOT, TEAM)
    assert heard is not None
    assert (heard.audience, heard.address.channel, heard.address.thread) == ("customer", "D1", None)
    assert heard.message_id == "D1:1700000000.000100"
    for ignored in (
        event(channel="D1", channel_type="im", bot_id="B1"),
        event(channel="D1", channel_type="im", subtype="message_changed"),
        event(channel="D1", channel_type="im", subtype="channel_join"),
        event(channel="D1", channel_type="im", user=BOT),
        event(channel=TEAM, channel_type="channel"),
        event(channel="C2", channel_type="channel"),
    ):
        assert heard_message(ignored, BOT, TEAM) is None


def test_threads_in_the_team_channel_are_team_messages_and_elsewhere_continuations() -> None:
    team = heard_message(event(channel=TEAM, channel_type="channel", thread_ts="1.1"), BOT, TEAM)
    assert team is not None and team.audience == "team" and team.address.thread == "1.1"
    reply = heard_message(event(channel="C2", channel_type="channel", thread_ts="1.1"), BOT, TEAM)
    assert reply is not None and reply.continuation and reply.address.thread == "1.1"
    mentioned = event(channel="C2", channel_type="channel", thread_ts="1.1", text="<@UBOT> hi")
    assert heard_message(mentioned, BOT, TEAM) is None


def test_a_mention_starts_a_thread_under_the_message() -> None:
    heard = heard_mention(event(type="app_mention", channel="C2", text="<@UBOT> help"), BOT, TEAM)
    assert heard is not None
    assert (heard.text, heard.address.thread, heard.continuation) == (
        "help",
        "1700000000.000100",
        False,
    )


def test_clicks_become_typed_answers_or_ticket_commands() -> None:
    def click(action_id: str, channel: str, **action: object) -> dict[str, object]:
        return {
            "user": {"id": "U1"},
            "channel": {"id": channel},
            "container": {"message_ts": "5.5", "channel_id": channel, "thread_ts": "4.4"},
            "actions": [{"action_id": action_id, "action_ts": "6.6", **action}],
        }

    choice = heard_action(click("intake_choice_2", "C2", value="no"), TEAM)
    assert choice is not None
    assert (choice.text, choice.address.thread, choice.continuation) == ("no", "4.4", True)
    command = heard_action(
        click("ticket_priority", TEAM, selected_option={"value": "!priority high"}), TEAM
    )
    assert command is not None
    assert (command.audience, command.text, command.address.thread) == (
        "team",
        "!priority high",
        "5.5",
    )
    assert command.message_id == f"{TEAM}:6.6:U1"
    assert heard_action(click("ticket_close", "C2", value="!close"), TEAM) is None


def test_rendering_prefixes_authors_and_offers_buttons() -> None:
    dm = Address(platform="slack", channel="D1")
    [relay] = post_parts(dm, Outgoing(text="Try <this> & that", author="Dana"), TEAM)
    assert relay["text"] == "*Dana (support):* Try &lt;this&gt; &amp; that"
    thread = Address(platform="slack", channel=TEAM, thread="9.9")
    [post] = post_parts(thread, Outgoing(text="@channel help", author="Priya"), TEAM)
    assert (post["text"], post["thread_ts"]) == ("*Priya:* @\u2060channel help", "9.9")
    choices = (
        Choice(label="Yes", value="yes", prompt="consent"),
        Choice(label="No", value="no", prompt="consent"),
    )
    [asked] = post_parts(dm, Outgoing(text="May we?", choices=choices), TEAM)
    buttons = asked["blocks"][1]["elements"]
    assert [(b["action_id"], clicked(b["value"])) for b in buttons] == [
        ("intake_choice_1", ("yes", "consent")),
        ("intake_choice_2", ("no", "consent")),
    ]


def test_a_long_message_is_posted_in_parts_that_keep_every_word() -> None:
    dm = Address(platform="slack", channel="D1")
    paragraphs = [" ".join(f"w{n}.{m}" for m in range(80)) for n in range(120)]
    text = "\n\n".join(paragraphs)
    choices = (Choice(label="Yes", value="yes"),)
    parts = post_parts(dm, Outgoing(text=text, author="Dana", choices=choices), TEAM)
    assert len(parts) > 1
    assert all(len(part["text"]) <= PART_LIMIT for part in parts)
    assert parts[0]["text"].startswith("*Dana (support):* w0.0 ")
    words = " ".join(part["text"] for part in parts).split()
    assert words == ["*Dana", "(support):*", *text.split()]
    assert all("blocks" not in part for part in parts[:-1])
    assert parts[-1]["blocks"][0]["text"]["text"] == parts[-1]["text"]
    assert {part["channel"] for part in parts} == {"D1"}


def test_rich_text_reads_as_lines_with_bullets_numbers_and_mentions() -> None:
    blocks = [
        {
            "type": "rich_text",
            "elements": [
                rich_section(
                    rich_words("Checkout fails for "),
                    {"type": "user", "user_id": "U7"},
                    rich_words(" & me, see "),
                    {"type": "link", "url": "https://shop.example/a", "text": "my shop"},
                    rich_words(":\n"),
                ),
                rich_list("ordered", "Open the storefront", "Pay"),
                rich_list("bullet", "with <PayPal>", indent=1),
                {"type": "rich_text_quote", "elements": [rich_words("It said\nPAYMENT_FAILED")]},
                {"type": "rich_text_preformatted", "elements": [rich_words("code()")]},
            ],
        }
    ]
    heard = heard_message(event(channel="D1", channel_type="im", text="", blocks=blocks), BOT, TEAM)
    assert heard is not None
    assert heard.text == (
        "Checkout fails for @U7 & me, see my shop (https://shop.example/a):\n"
        "1. Open the storefront\n"
        "2. Pay\n"
        "  - with <PayPal>\n"
        "> It said\n"
        "> PAYMENT_FAILED\n"
        "```\ncode()\n```"
    )
    mention = [{"type": "rich_text", "elements": [rich_section({"type": "user", "user_id": BOT})]}]
    in_thread = event(channel="C2", channel_type="channel", thread_ts="1.1", text="")
    assert heard_message({**in_thread, "blocks": mention}, BOT, TEAM) is None  # an app_mention


def test_a_shared_message_is_read_as_shared_with_its_author() -> None:
    share = {
        "is_share": True,
        "author_name": "Sam",
        "text": "PAYMENT_FAILED &amp; <@U7>",
        "fallback": "[May 5th] Sam: PAYMENT_FAILED",
    }
    preview = {"title": "MyCartPro", "text": "The best shop software", "from_url": "https://x"}
    shared = event(channel="D1", channel_type="im", text="see this", attachments=[share, preview])
    heard = heard_message(shared, BOT, TEAM)
    assert heard is not None
    assert heard.text == "see this\n[shared message from Sam] PAYMENT_FAILED & @U7"
    bare = {"is_share": True, "fallback": "Sam: it broke"}
    alone = heard_message(
        event(channel="D1", channel_type="im", text="", attachments=[bare]), BOT, TEAM
    )
    assert alone is not None and alone.text == "[shared message] Sam: it broke"


def test_an_event_without_a_channel_is_not_heard() -> None:
    assert heard_message(event(channel_type="im"), BOT, TEAM) is None
    assert heard_mention(event(type="app_mention", text="<@UBOT> help"), BOT, TEAM) is None
