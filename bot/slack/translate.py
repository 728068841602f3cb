"""Pure conversions between Slack's payloads and our own messages, in both directions.

Inbound: an Events API ``message``/``app_mention`` event or a ``block_actions`` payload becomes a
``Heard`` (who, where, what, under which dedupe id) or ``None`` when the bot must not react.
Slack's markup is decoded to plain text, so what we store never carries ``<@U…>`` or ``&amp;``.

Outbound: an ``Outgoing`` becomes ``chat.postMessage`` keyword arguments, one set per post (a
long text is cut into parts Slack shows whole), or ``chat.update`` ones. Every text is escaped
(``&``, ``<``, ``>``) and ``@channel``/``@here``/``@everyone`` are broken with a word joiner,
so nothing a customer wrote can ping a channel or forge a mention or link.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.splitting import split_text
from intake.actions import clicked
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage, TeamMessage, attachment_line, edit_id
from intake.outgoing import Outgoing, TicketCard
from intake.tickets import Action, actions_on

PLATFORM = "slack"
CHOICE_ACTION = "intake_choice_"
TICKET_ACTION = "ticket_"

# Message subtypes that are someone writing; edits, deletes, joins and bot posts are not.
_WRITTEN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}
_MARKUP = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")  # with a |label, the label is the name already
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# Slack sends a typed emoji as its name. These answer a question (👍 is a yes, 👎 a no), so
# they are read as the emoji the other platforms send; the rest stay as written.
_ANSWERING_EMOJI = {
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "white_check_mark": "✅",
    "heavy_check_mark": "✅",
    "x": "❌",
}
_SHORTCODE = re.compile(r":([a-z0-9_+'-]+):(?::skin-tone-[2-6]:)?")
_SECTION_LIMIT = 3000
_FIELD_LIMIT = 2000
# Characters of one post's text before escaping. Slack takes up to 40,000, but clients fold
# anything past about 4,000 behind "Show more" (Slack asks to stay under that), so a long reply
# goes out in parts read whole. 3,000 is also what a section block holds, where the last part
# goes when it carries buttons; escaping lengthens a part a little, never near 40,000.
PART_LIMIT = 3000
# A card or an edit is one message whatever its length (a card's blocks carry its content).
_TEXT_LIMIT = 39_000
_CUT_NOTE = "… [too long for Slack: the whole message is in the ticket's transcript]"
_MAX_BUTTONS = 25
_PRIORITIES = ("low", "normal", "high", "urgent")
_CARD_BUTTONS = (
    (Action.CLAIM, "Claim", None),
    (Action.PENDING, "Pending", None),
    (Action.RESOLVE, "Resolve", "primary"),
    (Action.CLOSE, "Close", "danger"),
    (Action.REOPEN, "Reopen", None),
)


class Heard(BaseModel):
    """A Slack message or click worth handing to the service, before names are looked up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    audience: Literal["customer", "team"]
    user_id: str
    address: Address
    text: str
    message_id: str
    at: datetime
    continuation: bool = False
    edited: bool = False
    answers: str | None = None
    """A button click: the question the button answered (``intake.actions.clicked``)."""
    mentions: tuple[str, ...] = ()
    """People the message mentions (user ids): their names are looked up before it is shown
    to anyone, since the text reads "@U0123" until then."""
    in_history: bool = True
    """A message, whose ``ts`` is a place in its channel's history (the point catching up
    starts from); a click is not."""
    profile_name: str | None = None
    """The name the event itself carries (Slack Connect users' ``user_profile``), for when
    ``users.info`` can't say."""
    before: str | None = None
    """An edit's earlier words, as Slack sent them with it."""
    to_the_bot: bool = False
    """The message opens with the bot's mention: said to the bot, not for the customer."""


# ── inbound ─────────────────────────────────────────────────────────────────────────────


def heard_message(
    event: Mapping[str, Any], bot_user_id: str | None, team_channel: str | None
) -> Heard | None:
    """A ``message`` event: a DM, a reply in a customer's thread, or a ticket-thread reply."""
    if event.get("subtype") == "message_changed":
        return _heard_edit(event, bot_user_id, team_channel)
    if not _written_by_a_person(event, bot_user_id):
        return None
    channel, ts = str(event["channel"]), str(event.get("ts", ""))
    thread = event.get("thread_ts")
    in_thread = isinstance(thread, str) and thread != ts
    raw = str(event.get("text") or "") or _block_markup(event)
    if channel == team_channel:
        if not in_thread:
            return None
        address = Address(platform=PLATFORM, channel=channel, thread=thread)
        return _heard("team", event, address, bot_user_id)  # "@MyCartPro !claim" is a command
    if event.get("channel_type") == "im":
        return _heard("customer", event, Address(platform=PLATFORM, channel=channel))
    if not in_thread or (bot_user_id and f"<@{bot_user_id}" in raw):
        # Top-level chatter is not for us; a mention arrives again as app_mention.
        return None
    address = Address(platform=PLATFORM, channel=channel, thread=thread)
    return _heard("customer", event, address, bot_user_id, continuation=True)


def _heard_edit(
    event: Mapping[str, Any], bot_user_id: str | None, team_channel: str | None
) -> Heard | None:
    """``message_changed``: the new version of a message, read like a message of its own with
    an id of its own, when its words or files changed (Slack also sends one when it adds a
    link preview, and when the bot updates a card)."""
    new, old = event.get("message"), event.get("previous_message") or {}
    if not isinstance(new, Mapping) or not isinstance(old, Mapping):
        return None
    if (new.get("text"), new.get("files")) == (old.get("text"), old.get("files")):
        return None
    as_sent = {**new, "channel": event.get("channel"), "channel_type": event.get("channel_type")}
    heard = heard_message(as_sent, bot_user_id, team_channel)
    edit_ts = str(event.get("event_ts") or event.get("ts") or "")
    if heard is None or not edit_ts:
        return None
    update = {"message_id": edit_id(heard.message_id, edit_ts), "at": _time(edit_ts)}
    before = plain_text(str(old.get("text") or ""), bot_user_id) if "text" in old else None
    return heard.model_copy(update={**update, "edited": True, "before": before})


def heard_mention(
    event: Mapping[str, Any], bot_user_id: str | None, team_channel: str | None
) -> Heard | None:
    """An ``app_mention``: a customer starts (or continues) a conversation in a channel thread."""
    if not _written_by_a_person(event, bot_user_id):
        return None
    channel = str(event["channel"])
    if channel == team_channel or event.get("channel_type") == "im":
        return None
    thread = str(event.get("thread_ts") or event.get("ts", ""))
    address = Address(platform=PLATFORM, channel=channel, thread=thread)
    # A bare "@MyCartPro" is how people start: it gets the greeting, as on Discord.
    return _heard("customer", event, address, bot_user_id, empty_ok=True)


def heard_in_history(
    event: Mapping[str, Any], bot_user_id: str | None, team_channel: str | None
) -> Heard | None:
    """A message read back from history (``bot.slack.history``), as its event would have been
    heard: a mention of the bot in a channel thread as the ``app_mention`` Slack sends for it."""
    heard = heard_message(event, bot_user_id, team_channel)
    if heard is None and bot_user_id and f"<@{bot_user_id}" in str(event.get("text") or ""):
        return heard_mention(event, bot_user_id, team_channel)
    return heard


def heard_action(body: Mapping[str, Any], team_channel: str | None) -> Heard | None:
    """A ``block_actions`` click: a customer's choice, or a ticket action on a summary card.

    Its dedupe id is the click's ``action_ts`` and user, which Slack keeps on redelivery.
    """
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    action_id = str(action.get("action_id", ""))
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    message_ts = container.get("message_ts") or message.get("ts")
    action_ts = str(action.get("action_ts") or body.get("action_ts") or message_ts or "")
    if not (value and user and channel and action_ts):
        return None
    message_id = f"{channel}:{action_ts}:{user}"
    at = _time(action_ts)
    if action_id.startswith(TICKET_ACTION):
        if channel != team_channel or not message_ts:
            return None
        address = Address(platform=PLATFORM, channel=channel, thread=str(message_ts))
        return Heard(
            audience="team",
            user_id=user,
            address=address,
            text=str(value),
            message_id=message_id,
            at=at,
            in_history=False,
        )
    if not action_id.startswith(CHOICE_ACTION) or channel == team_channel:
        return None
    thread = (
        None if channel.startswith("D") else container.get("thread_ts") or message.get("thread_ts")
    )
    text, answers = clicked(str(value))
    return Heard(
        audience="customer",
        user_id=user,
        address=Address(platform=PLATFORM, channel=channel, thread=thread),
        text=text,
        answers=answers,
        message_id=message_id,
        at=at,
        continuation=True,
        in_history=False,
    )


def customer_message(heard: Heard, name: str, *, accepted: bool = True) -> CustomerMessage:
    return CustomerMessage(
        message_id=heard.message_id,
        author=Person(platform=PLATFORM, user_id=heard.user_id, display_name=name),
        address=heard.address,
        text=heard.text,
        at=heard.at,
        continuation=heard.continuation,
        answers=heard.answers,
        catch_up=heard.in_history,
        edited=heard.edited,
        accepted=accepted,
    )


def team_message(heard: Heard, name: str, is_agent: bool) -> TeamMessage:
    return TeamMessage(
        message_id=heard.message_id,
        author=Person(platform=PLATFORM, user_id=heard.user_id, display_name=name),
        address=heard.address,
        text=heard.text,
        at=heard.at,
        is_agent=is_agent,
        catch_up=heard.in_history,
        edited=heard.edited,
        before=heard.before,
        accepted=True,
        to_the_bot=heard.to_the_bot,
    )


def display_name(user: Mapping[str, Any]) -> str | None:
    """The name Slack shows for a ``users.info`` user: display name, else real name."""
    profile = user.get("profile") or {}
    for name in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
    ):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's message markup as the plain words a person sees, without the bot's own mention."""

    def _one(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            if name in {"here", "channel", "everyone"}:
                return "@" + name
            return label
        url = target.removeprefix("mailto:")
        if not label or label in {target, url}:
            return url
        if target.startswith("tel:") or _AUTOLINKED.sub("", target).rstrip("/") == label:
            return label  # what the person typed, which Slack turned into a link
        return f"{label} ({url})"

    decoded = _SHORTCODE.sub(_emoji, _MARKUP.sub(_one, text))
    return decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _emoji(shortcode: re.Match[str]) -> str:
    return _ANSWERING_EMOJI.get(shortcode.group(1), shortcode.group(0))


# The scheme Slack adds to "shop.example.com" or "www.example.com" when it links them.
_AUTOLINKED = re.compile(r"^https?://")


def _written_by_a_person(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    """Someone's message with the fields every reply needs (an event without its channel can't
    be answered; taking it would fail on every one of Slack's retries)."""
    user, channel = event.get("user"), event.get("channel")
    return (
        event.get("subtype") in _WRITTEN_SUBTYPES
        and not event.get("bot_id")
        and isinstance(user, str)
        and bool(user)
        and user != bot_user_id
        and isinstance(channel, str)
        and bool(channel)
        and bool(event.get("ts"))
    )


def _heard(
    audience: Literal["customer", "team"],
    event: Mapping[str, Any],
    address: Address,
    bot_user_id: str | None = None,
    *,
    continuation: bool = False,
    empty_ok: bool = False,
) -> Heard | None:
    markup = str(event.get("text") or "") or _block_markup(event)
    written = plain_text(markup, bot_user_id)
    shared = _shared_lines(event, bot_user_id)
    text = "\n".join(part for part in (written, *shared, *_file_lines(event)) if part)
    if not text and not empty_ok:
        return None
    ts = str(event["ts"])
    profile = event.get("user_profile")
    return Heard(
        audience=audience,
        user_id=str(event["user"]),
        address=address,
        text=text,
        message_id=f"{event['channel']}:{ts}",
        at=_time(ts),
        continuation=continuation,
        mentions=tuple(dict.fromkeys(u for u in _MENTION.findall(markup) if u != bot_user_id)),
        profile_name=display_name({"profile": profile}) if isinstance(profile, Mapping) else None,
        to_the_bot=bool(bot_user_id) and markup.lstrip().startswith(f"<@{bot_user_id}"),
    )


def _block_markup(event: Mapping[str, Any]) -> str:
    """The words of a message whose ``text`` is empty and whose content is only rich-text
    blocks (some clients and workflows send them so), as the markup ``text`` would have held:
    one line per section or list item, so ``plain_text`` reads mentions and links alike."""
    blocks = event.get("blocks")
    if not isinstance(blocks, list):
        return ""
    rich = [
        _rich_block(block)
        for block in blocks
        if isinstance(block, Mapping) and block.get("type") == "rich_text"
    ]
    return "\n".join(text for text in rich if text)


def _rich_block(block: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for element in _children(block):
        kind, inline = element.get("type"), _inline(element).strip("\n")
        if kind == "rich_text_list":
            lines += _list_lines(element)
        elif kind == "rich_text_quote":
            lines += ["> " + line for line in inline.split("\n")]
        elif kind == "rich_text_preformatted":
            lines += ["```", inline, "```"]
        else:
            lines.append(inline)
    return "\n".join(lines)


def _list_lines(element: Mapping[str, Any]) -> list[str]:
    """Numbered (from the list's ``offset``) or bulleted items, indented by nesting level."""
    ordered = element.get("style") == "ordered"
    offset, indent = element.get("offset"), element.get("indent")
    first = (offset if isinstance(offset, int) else 0) + 1
    pad = "  " * (indent if isinstance(indent, int) else 0)
    return [
        f"{pad}{f'{n}.' if ordered else '-'} {_inline(item).strip()}"
        for n, item in enumerate(_children(element), start=first)
    ]


def _inline(container: Mapping[str, Any]) -> str:
    """A section's elements as Slack markup (text escaped, mentions as ``<@U…>``)."""
    return "".join(_element_markup(element) for element in _children(container))


def _element_markup(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return _markup_escape(str(element.get("text") or ""))
    if kind == "link":
        url, label = str(element.get("url") or ""), element.get("text")
        return f"<{url}|{_markup_escape(str(label))}>" if label else f"<{url}>"
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "usergroup":
        group = element.get("usergroup_id", "")
        return f"<!subteam^{group}|@{group}>"
    if kind == "broadcast":
        return f"<!{element.get('range', '')}>"
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "date":
        return _markup_escape(str(element.get("fallback") or ""))
    return _inline(element)


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    elements = node.get("elements")
    if not isinstance(elements, list):
        return []
    return [element for element in elements if isinstance(element, Mapping)]


def _markup_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shared_lines(event: Mapping[str, Any], bot_user_id: str | None) -> list[str]:
    """A forwarded (shared) message's words, marked as shared: they come in an attachment, often
    with an empty ``text``. Link previews, attachments too, are Slack's words, not the person's."""
    attachments = event.get("attachments")
    lines = []
    for item in attachments if isinstance(attachments, list) else []:
        if not isinstance(item, Mapping) or not item.get("is_share"):
            continue
        words = plain_text(str(item.get("text") or item.get("fallback") or ""), bot_user_id)
        author = str(item.get("author_name") or "").strip()
        label = f"shared message from {author}" if author else "shared message"
        if words:
            lines.append(f"[{label}] {words}")
    return lines


def _file_lines(event: Mapping[str, Any]) -> list[str]:
    """One line per shared file, so a screenshot reaches the transcript and the agents (a file
    alone is a message too)."""
    files = event.get("files")
    lines = []
    for item in files if isinstance(files, list) else []:
        if isinstance(item, Mapping):
            name = item.get("name") or item.get("title") or "file"
            link = item.get("permalink") or item.get("url_private") or ""
            lines.append(attachment_line(str(name), str(link)))
    return lines


def _time(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except ValueError:
        return datetime.now(UTC)


# ── outbound ────────────────────────────────────────────────────────────────────────────


def escape(text: str) -> str:
    """Text safe to post: no markup, links or mentions of its own, no channel-wide pings."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + _WORD_JOINER, escaped)


def post_parts(
    address: Address, message: Outgoing, team_channel: str | None
) -> list[dict[str, Any]]:
    """``chat.postMessage`` arguments for each post ``message`` takes at ``address``, in order.

    A long text is cut (``bot.splitting``) into parts of ``PART_LIMIT`` characters, the author
    named on the first, any buttons under the last; a card is one post.
    """
    where: dict[str, Any] = {"channel": address.channel}
    if address.thread:
        where["thread_ts"] = address.thread
    if message.card is not None:
        return [{**_whole(address, message, team_channel), **where}]
    texts = _part_texts(address, message, team_channel)
    parts = [{"text": text, "unfurl_links": False, **where} for text in texts]
    if message.choices:
        parts[-1]["blocks"] = [_section(texts[-1]), _choice_actions(message)]
    return parts


def update_kwargs(
    address: Address, ts: str, message: Outgoing, team_channel: str | None
) -> dict[str, Any]:
    """``chat.update`` arguments replacing the bot's message ``ts`` with ``message``."""
    return {**_whole(address, message, team_channel), "channel": address.channel, "ts": ts}


def _speaker(address: Address, message: Outgoing, team_channel: str | None) -> str:
    """The bold name a relayed message starts with ("(support)" for the customer), or ""."""
    if not message.author:
        return ""
    in_team = team_channel is not None and address.channel == team_channel
    speaker = message.author if in_team else f"{message.author} (support)"
    return f"*{escape(speaker)}:* "


def _part_texts(address: Address, message: Outgoing, team_channel: str | None) -> list[str]:
    speaker = _speaker(address, message, team_channel)
    parts = split_text(message.text, PART_LIMIT - len(speaker)) or [""]
    return [speaker + escape(parts[0]), *(escape(part) for part in parts[1:])]


def _whole(address: Address, message: Outgoing, team_channel: str | None) -> dict[str, Any]:
    """``message`` as one Slack message (a card, an edit), its text cut at Slack's limit."""
    text = _speaker(address, message, team_channel) + escape(message.text)
    if len(text) > _TEXT_LIMIT:  # Slack's own limit is 40,000; say where the rest is
        text = text[: _TEXT_LIMIT - len(_CUT_NOTE)] + _CUT_NOTE
    kwargs: dict[str, Any] = {"text": text, "unfurl_links": False}
    if message.card is not None:
        kwargs["blocks"] = card_blocks(message.card)
    elif message.choices:
        kwargs["blocks"] = [_section(text), _choice_actions(message)]
    return kwargs


def _choice_actions(message: Outgoing) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "intake_choices",
        "elements": [
            {
                "type": "button",
                "action_id": f"{CHOICE_ACTION}{n}",
                "text": _plain(choice.label, 75),
                "value": _cut(choice.button_value(), 2000),
            }
            for n, choice in enumerate(message.choices[:_MAX_BUTTONS], start=1)
        ],
    }


def card_blocks(card: TicketCard) -> list[dict[str, Any]]:
    """The ticket summary: every field readable, then the actions an agent can take now."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"{card.ticket_id}: {card.kind}", 150)},
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*{label}*\n{escape(value)}", _FIELD_LIMIT)
                for label, value in card.facts()
            ],
        },
        _section(f"*Problem*\n{escape(card.problem)}"),
    ]
    blocks += [
        _section(f"*{escape(label)}*\n{escape(value)}") for label, value in card.particulars()
    ]
    blocks.append(
        {"type": "actions", "block_id": "ticket_actions", "elements": _card_actions(card)}
    )
    return blocks


def _card_actions(card: TicketCard) -> list[dict[str, Any]]:
    allowed = actions_on(card.status)
    elements: list[dict[str, Any]] = []
    for action, label, style in _CARD_BUTTONS:
        if action not in allowed:
            continue
        button: dict[str, Any] = {
            "type": "button",
            "action_id": f"{TICKET_ACTION}{action.value}",
            "text": _plain(label, 75),
            "value": f"!{action.value}",
        }
        if style:
            button["style"] = style
        elements.append(button)
    if Action.PRIORITY not in allowed:
        return elements  # a closed ticket's priority can't change: no menu for it
    options = [
        {"text": _plain(level.title(), 75), "value": f"!priority {level}"} for level in _PRIORITIES
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": f"{TICKET_ACTION}priority",
        "placeholder": _plain("Priority", 75),
        "options": options,
    }
    current = [option for option in options if option["value"] == f"!priority {card.priority}"]
    if current:
        select["initial_option"] = current[0]
    elements.append(select)
    return elements


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text, _SECTION_LIMIT)}


def _mrkdwn(text: str, limit: int) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
