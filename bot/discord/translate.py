"""Pure translation between Discord and our messages: no I/O, no client, no event loop.

Outbound: ``render`` turns an ``Outgoing`` into the parts Discord can take (2,000 characters of
content each, an embed for ticket cards, buttons whose custom ids say what a click means).
Inbound: ``route`` decides what a gateway message is to us (a customer writing, an agent in a
ticket thread, a mention that needs a thread first, or nothing), and ``parse_custom_id`` reads
a button click back.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.splitting import split_text
from intake.addresses import Address
from intake.outgoing import Outgoing, TicketCard
from intake.tickets import Action, actions_on

PLATFORM = "discord"
MESSAGE_LIMIT = 2000
CHOICE_PREFIX = "intake:choice:"
_EMBED_TOTAL = 6000
_SHORTEST_CLIP = 200
_CARD_FOOTER = "Reply in the thread; note: for internal notes; !claim, !resolve…"
_MARKUP = re.compile(r"<(@!?|@&|#)(\d+)>|<a?:(\w+):\d+>|<t:(\d{1,12})(?::[tTdDfFR])?>")
TICKET_PREFIX = "intake:ticket:"
FORWARDED = "[forwarded]"

_CUSTOM_ID_LIMIT = 100
_BUTTON_LABEL_LIMIT = 80
_MAX_BUTTONS = 25
_NONCE_LENGTH = 25

ButtonStyle = Literal["primary", "secondary", "success", "danger"]


# ── outbound ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Button:
    label: str
    custom_id: str
    style: ButtonStyle = "secondary"


@dataclass(frozen=True)
class Part:
    """One Discord message: ``content`` never exceeds 2,000 characters."""

    content: str
    embed: dict[str, Any] | None = None
    buttons: tuple[Button, ...] = ()


def nonce(key: str, part: int) -> str:
    """Discord's nonce (at most 25 characters) for part ``part`` of the outbox message ``key``:
    the same on every retry, so ``enforce_nonce`` makes a retried send return the first post."""
    return hashlib.sha256(f"{key}#{part}".encode()).hexdigest()[:_NONCE_LENGTH]


def render(message: Outgoing) -> list[Part]:
    """The Discord messages for ``message``; buttons go on the last part, under the text."""
    if message.card is not None:
        return [
            Part(
                content=card_content(message.card),
                embed=card_embed(message.card),
                buttons=ticket_buttons(message.card.status),
            )
        ]
    text = message.text
    if message.author:
        text = f"**{escape_markdown(message.author)}:** {text}"
    contents = split_text(text, MESSAGE_LIMIT) or [""]
    parts = [Part(content=content) for content in contents]
    buttons = choice_buttons(message)
    if buttons:
        parts[-1] = Part(content=parts[-1].content, buttons=buttons)
    return parts


def choice_buttons(message: Outgoing) -> tuple[Button, ...]:
    buttons = []
    for choice in message.choices:
        custom_id = CHOICE_PREFIX + choice.button_value()
        if len(custom_id) > _CUSTOM_ID_LIMIT:
            continue  # typing the value still works; the button would be rejected
        buttons.append(Button(label=_clip(choice.label, _BUTTON_LABEL_LIMIT), custom_id=custom_id))
    return tuple(buttons[:_MAX_BUTTONS])


_CARD_BUTTONS: tuple[tuple[Action, str, ButtonStyle], ...] = (
    (Action.CLAIM, "Claim", "primary"),
    (Action.PENDING, "Pending", "secondary"),
    (Action.RESOLVE, "Resolve", "success"),
    (Action.CLOSE, "Close", "danger"),
    (Action.REOPEN, "Reopen", "primary"),
)


def ticket_buttons(status: str) -> tuple[Button, ...]:
    """The buttons for what agents can do to the ticket now (``actions_on``)."""
    allowed = actions_on(status)
    return tuple(
        Button(label, TICKET_PREFIX + action.value, style)
        for action, label, style in _CARD_BUTTONS
        if action in allowed
    )


def card_content(card: TicketCard) -> str:
    """The plain line above the embed: the ticket id and the problem in the customer's words."""
    head = f"**{card.ticket_id}** · {escape_markdown(card.kind)} · {card.status}"
    return f"{head}\n> {_clip(_one_line(card.problem), MESSAGE_LIMIT - len(head) - 10)}"


def card_embed(card: TicketCard) -> dict[str, Any]:
    fields = (card.facts() + card.particulars())[:25]
    title = _clip(f"{card.ticket_id}: {card.kind}", 256)
    names = [_clip(name, 256) for name, _ in fields]
    fixed = len(title) + sum(len(name) for name in names) + len(_CARD_FOOTER)
    # Discord refuses an embed whose texts add up to more than 6,000 characters: long answers
    # are shortened, the longest first, so the card (and the ticket's thread) always posts.
    description, *values = _within(
        _EMBED_TOTAL - fixed,
        [_clip(card.problem, 4096), *(_clip(value or "-", 1024) for _, value in fields)],
    )
    return {
        "type": "rich",
        "title": title,
        "description": description,
        "fields": [
            {"name": name, "value": value, "inline": False}
            for name, value in zip(names, values, strict=True)
        ],
        "footer": {"text": _CARD_FOOTER},
    }


def _within(budget: int, texts: list[str]) -> list[str]:
    """``texts`` clipped, the longest first, until together they fit in ``budget``."""
    texts = list(texts)
    while (excess := sum(map(len, texts)) - budget) > 0:
        longest = max(range(len(texts)), key=lambda index: len(texts[index]))
        if len(texts[longest]) <= _SHORTEST_CLIP:
            break
        texts[longest] = _clip(texts[longest], max(_SHORTEST_CLIP, len(texts[longest]) - excess))
    return texts


def escape_markdown(text: str) -> str:
    return re.sub(r"([\\*_~`|>])", r"\\\1", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ── inbound ────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Seen:
    """What the adapter read off a Discord message, with the SDK's objects left behind."""

    message_id: str
    channel_id: str
    author_id: str
    author_is_bot: bool
    regular: bool  # a default message or a reply, not a join notice, pin, thread starter…
    text: str
    at: datetime
    in_dm: bool
    thread_parent: str | None  # the parent channel's id when the message is in a thread
    mentions_bot: bool


@dataclass(frozen=True)
class FromCustomer:
    address: Address
    text: str
    continuation: bool


@dataclass(frozen=True)
class FromTeam:
    address: Address
    text: str


@dataclass(frozen=True)
class OpenThread:
    """A mention in a channel: the conversation continues in a thread started from it."""

    text: str


Route = FromCustomer | FromTeam | OpenThread | None


def route(seen: Seen, *, bot_id: str, team_channel: str | None) -> Route:
    """Who is speaking where; None for anything we don't answer (bots, ourselves, notices)."""
    if seen.author_id == bot_id or seen.author_is_bot or not seen.regular:
        return None
    text = strip_mention(seen.text, bot_id)
    if seen.in_dm:
        return FromCustomer(Address(platform=PLATFORM, channel=seen.channel_id), text, False)
    if seen.thread_parent is not None:
        if seen.thread_parent == team_channel:
            address = Address(platform=PLATFORM, channel=team_channel, thread=seen.channel_id)
            return FromTeam(address, text)  # "@MyCartPro !claim" is a command
        address = Address(platform=PLATFORM, channel=seen.channel_id)
        return FromCustomer(address, text, continuation=not seen.mentions_bot)
    if seen.mentions_bot and seen.channel_id != team_channel:
        return OpenThread(text)
    return None


def written(content: str, files: Sequence[str]) -> str:
    """A message's words, then one line per file it carries (a file alone is a message too)."""
    return "\n".join([content, *files]) if files else content


def forwarded(content: str, files: Sequence[str]) -> str:
    """A forwarded message, read as the words of whoever forwarded it; marked, so the other
    side knows it is quoted."""
    return written(f"{FORWARDED} {content}".rstrip(), files)


def readable(content: str, names: Mapping[str, str]) -> str:
    """Discord's markup as people read it: ``<@id>``, ``<@&id>``, ``<#id>`` by the names in
    ``names`` (keyed by the markup's id; the bot's own mention is left for ``strip_mention``),
    ``<:emoji:id>`` as ``:emoji:``, and ``<t:…>`` timestamps as UTC times."""

    def swap(match: re.Match[str]) -> str:
        kind, ident, emoji, stamp = match.groups()
        if emoji is not None:
            return f":{emoji}:"
        if stamp is not None:
            return datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%d %H:%M UTC")
        name = names.get(ident)
        if name is None:
            return match.group(0)
        return f"#{name}" if kind == "#" else f"@{name}"

    return _MARKUP.sub(swap, content)


def strip_mention(text: str, bot_id: str) -> str:
    return re.sub(rf"<@!?{re.escape(bot_id)}>", " ", text).strip()


def thread_name(author: str) -> str:
    return _clip(f"Support for {author}", 100)


@dataclass(frozen=True)
class Click:
    kind: Literal["choice", "ticket"]
    value: str


def parse_custom_id(custom_id: str) -> Click | None:
    """A click on one of our buttons; the value is what typing would have sent."""
    if custom_id.startswith(CHOICE_PREFIX):
        return Click("choice", custom_id[len(CHOICE_PREFIX) :])
    if custom_id.startswith(TICKET_PREFIX):
        action = custom_id[len(TICKET_PREFIX) :]
        return Click("ticket", f"!{action}") if action.isalpha() else None
    return None


def agent_allowed(
    author_id: str, role_ids: frozenset[str], *, agent_ids: frozenset[str], agent_role: str | None
) -> bool:
    """Agents are listed by id or hold the agent role; with neither configured, whoever can
    write in the team channel's threads is trusted (Discord's channel permissions decide)."""
    if not agent_ids and not agent_role:
        return True
    return author_id in agent_ids or (agent_role is not None and agent_role in role_ids)
