"""Reading what a customer typed: commands, yes/no, numbers. Typing and buttons share this."""

import re
import unicodedata
from enum import StrEnum

_PUNCTUATION = " \t\n.!?,;:'\"`*_~()[]"
_PLAIN = re.compile(r"[\t\n\x20-\x7e]*")
_SPACES = re.compile(r"\s+")


class Command(StrEnum):
    HELP = "help"
    RESTART = "restart"
    CANCEL = "cancel"
    STATUS = "status"
    AGENT = "agent"


_COMMAND_WORDS: dict[str, Command] = {
    "help": Command.HELP,
    "/help": Command.HELP,
    "commands": Command.HELP,
    "restart": Command.RESTART,
    "start over": Command.RESTART,
    "/restart": Command.RESTART,
    "cancel": Command.CANCEL,
    "/cancel": Command.CANCEL,
    "status": Command.STATUS,
    "/status": Command.STATUS,
    "my tickets": Command.STATUS,
    "agent": Command.AGENT,
    "human": Command.AGENT,
    "/agent": Command.AGENT,
    "/human": Command.AGENT,
    "talk to a human": Command.AGENT,
    "talk to an agent": Command.AGENT,
    "speak to a human": Command.AGENT,
    "speak to an agent": Command.AGENT,
}


def _phrases(text: str) -> frozenset[str]:
    return frozenset(phrase.strip() for phrase in text.split("|"))


_YES = _phrases(
    "yes|y|yep|yeah|yea|ya|sure|ok|okay|correct|right|absolutely|of course|yes please|"
    "yes it did|it did|that did it|that helped|it helped|solved|fixed|👍|✅|send|submit|"
    "confirm|looks good|all good|go ahead|that's right|thats right|yes thanks|yes, thanks|"
    "that's it|sounds good|yes send it|send it"
)
_NO = _phrases(
    "no|n|nope|nah|no thanks|no, thanks|not really|no it didn't|no it did not|didn't help|"
    "did not help|it didn't help|none|none of them|none of these|neither|not helpful|👎|❌|"
    "don't|do not|no access|not allowed|refuse|decline"
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_NUMBER = re.compile(r"^(?:#|no\.?\s*|number\s+|option\s+|guide\s+)?(\d{1,2})$")


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and trim; never fails on any input."""
    if _PLAIN.fullmatch(text):  # the usual message: nothing to drop, no character-by-character pass
        return text.strip()
    kept = (
        char
        for char in text
        if char in "\n\t" or not unicodedata.category(char).startswith("C") or char == "\u200d"
    )
    return "".join(kept).strip()


def normalize(text: str) -> str:
    """Lower-case, single-spaced, without surrounding punctuation: the form answers compare in."""
    return _SPACES.sub(" ", text.strip(_PUNCTUATION).lower()).strip(_PUNCTUATION)


def command_in(text: str) -> Command | None:
    return _COMMAND_WORDS.get(normalize(text))


def is_yes(text: str) -> bool:
    return normalize(text) in _YES


def is_no(text: str) -> bool:
    return normalize(text) in _NO


def number_in(text: str) -> int | None:
    """A choice by number: "2", "#2", "option 2", "the second one"."""
    answer = normalize(text)
    match = _NUMBER.match(answer)
    if match:
        return int(match.group(1))
    words = answer.removeprefix("the ").removesuffix(" one").strip()
    return _ORDINALS.get(words)


def word_count(text: str) -> int:
    return len(text.split())
