"""The Discord adapter's pure edge: splitting, rendering and routing."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.discord.translate import (
    MESSAGE_LIMIT,
    FromCustomer,
    FromTeam,
    OpenThread,
    Seen,
    forwarded,
    nonce,
    parse_custom_id,
    readable,
    render,
    route,
    written,
)
from bot.splitting import split_text
from intake.actions import Choice, clicked
from intake.outgoing import Outgoing

BOT, TEAM = "100", "200"


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcdefgh ", min_size=1, max_size=300),
            st.just("```python"),
            st.just("```"),
        ),
        max_size=60,
    )
)
def test_parts_fit_and_keep_every_code_block_closed(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = split_text(text, 500)
    assert all(len(part) <= 500 for part in parts)
    if len(text) > 500:
        assert all(part.count("```") % 2 == 0 for part in parts[:-1])


def test_words_are_never_cut() -> None:
    text = " ".join(f"word{n}" for n in range(1000))
    parts = split_text(text, MESSAGE_LIMIT)
    assert len(parts) > 1
    assert " ".join(parts).split() == text.split()


def test_a_cut_code_block_reopens_with_its_language() -> None:
    code = "\n".join(f"print({n})" for n in range(400))
    parts = split_text(f"Try this:\n```python\n{code}\n```\nDone.", MESSAGE_LIMIT)
    assert parts[0].endswith("\n```")
    assert parts[1].startswith("```python\n")


def test_choices_become_buttons_whose_click_is_the_typed_value() -> None:
    send = Choice(label="Send", value="send", prompt="confirm")
    [part] = render(Outgoing(text="Send it?", choices=(send,)))
    [button] = part.buttons
    click = parse_custom_id(button.custom_id)
    assert click is not None and click.kind == "choice"
    assert clicked(click.value) == ("send", "confirm")
    assert parse_custom_id("intake:ticket:claim") is not None
    assert parse_custom_id("someone-else:claim") is None


def test_nonces_are_stable_and_short() -> None:
    assert nonce("outbox-7", 0) == nonce("outbox-7", 0) != nonce("outbox-7", 1)
    assert len(nonce("outbox-7", 0)) <= 25


def seen(**overrides: object) -> Seen:
    values: dict[str, object] = {
        "message_id": "9",
        "channel_id": "300",
        "author_id": "400",
        "author_is_bot": False,
        "regular": True,
        "text": "help",
        "at": datetime(2026, 1, 5, tzinfo=UTC),
        "in_dm": False,
        "thread_parent": None,
        "mentions_bot": False,
    }
    values.update(overrides)
    return Seen(**values)  # type: ignore[arg-type]


def test_routing() -> None:
    def where(**overrides: object) -> object:
        return route(seen(**overrides), bot_id=BOT, team_channel=TEAM)

    assert isinstance(where(in_dm=True), FromCustomer)
    assert isinstance(where(text=f"<@{BOT}> help", mentions_bot=True), OpenThread)
    assert where() is None  # a channel message without a mention
    assert where(author_id=BOT, in_dm=True) is None
    assert where(author_is_bot=True, in_dm=True) is None
    assert where(regular=False, in_dm=True) is None
    continued = where(thread_parent="555")
    assert isinstance(continued, FromCustomer) and continued.continuation
    team = where(thread_parent=TEAM)
    assert isinstance(team, FromTeam)
    assert (team.address.channel, team.address.thread) == (TEAM, "300")


def test_a_forward_reads_as_quoted_words_then_its_files() -> None:
    file = "[attachment: log.txt https://cdn.example/log.txt]"
    assert forwarded("It failed", [file]) == f"[forwarded] It failed\n{file}"
    assert forwarded("", [file]) == f"[forwarded]\n{file}"  # a forwarded file alone
    assert written("see above", []) == "see above"


def test_mentions_emoji_and_timestamps_read_as_people_see_them() -> None:
    names = {"111": "Dana", "222": "Support agents", "333": "support-team"}
    text = "<@111> and <@!111>, ask <@&222> in <#333> :) <:shrug:444> <t:1764172800:R> <@999>"
    assert readable(text, names) == (
        "@Dana and @Dana, ask @Support agents in #support-team :) :shrug: "
        "2025-11-26 16:00 UTC <@999>"
    )
