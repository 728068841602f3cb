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


_WORDS = re.compile(r"[a-z0-9']+|[👍👎✅❌]")
_NEGATIONS = frozenset(
    "no n nope nah nay none neither never not nothing negative don't dont didn't didnt "
    "doesn't doesnt won't wont can't cant cannot refuse decline disagree 👎 ❌".split()
)
_AFFIRMATIONS = frozenset(
    "yes y yep yeah yea ya yup sure ok okay k correct right absolutely definitely agree "
    "agreed fine good great perfect please go send submit confirm worked works fixed solved "
    "helped allowed may can 👍 ✅".split()
)
# "Not sure" is not a no, and "yes but it still fails" is not a yes.
_UNSURE = frozenset(["not sure", "maybe", "dunno", "idk", "i don't know", "don't know"])
_HEDGES = frozenset("but however still though except".split())
_SHORT = 8  # longer messages are descriptions, not answers, unless they open with yes or no
_LEADS_TO_A_NUMBER = frozenset("yes the number option guide".split())
# Words that open a chat without saying anything about the problem yet.
_SMALL_TALK = frozenset(
    "hi hello hey hiya yo good morning afternoon evening there dear team support i i'm im we "
    "need needs want would like some help helping please pls can could you someone somebody "
    "anyone a an the have got has question questions issue issues problem problems "
    "thanks thank thx ok okay so um hmm with me my us our is it an".split()
)
# Requests to the bot, not answers to it, are short; a longer message is read as an answer.
_SHORT_REQUEST = 12
_PERSON_PLEA = re.compile(
    r"\b(talk|speak|chat|connect me|transfer me|put me through) (to|with) (a |an |the |some |"
    r"real |live |actual )*(human|person|agent|someone|somebody|representative|rep|staff|"
    r"support|team)\b|"
    r"\b(real|live|actual) (person|human|agent)\b|\brepresentative\b"
)
_QUESTION_WORDS = frozenset("when what how are is will do does can could".split())
_HOURS_QUESTION = re.compile(
    r"\b(when|what time|how long|how soon|are you|is (anyone|someone|support|the team))\b.*"
    r"\b(open|opens|answer|answered|reply|replies|respond|response|get back|hear back|"
    r"available|closed|working|hours|wait|today|tomorrow|weekend)\b|"
    r"\bhow long will (it|this) take\b|"
    r"\b(business|opening|office|support|your) hours\b"
)
_CONFUSED = re.compile(
    r"\b(what do you mean|what does that mean|not sure what you mean|don't understand|"
    r"dont understand|do not understand|i'm confused|im confused|i am confused|"
    r"what are you asking|huh)\b|"
    r"^(what|sorry|pardon)$"
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}


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
    """A command typed as such ("help", "/status"), or a short plea for a person in any
    words ("can I speak to a real person please")."""
    answer = normalize(text)
    found = _COMMAND_WORDS.get(answer)
    if found is None and len(answer.split()) <= _SHORT_REQUEST and _PERSON_PLEA.search(answer):
        return Command.AGENT
    return found


def asks_about_hours(text: str) -> bool:
    """ "When will you answer?", "are you open today?", "how long until someone replies?":
    a question about the support team's hours rather than an answer to the bot's question."""
    answer = normalize(text)
    if len(answer.split()) > _SHORT_REQUEST or not _is_question(text, answer):
        return False
    return bool(_HOURS_QUESTION.search(answer))


def is_confused(text: str) -> bool:
    """ "What do you mean?", "I don't understand the question": the question needs saying
    again in other words, not storing as an answer."""
    answer = normalize(text).replace("’", "'")
    return len(answer.split()) <= _SHORT_REQUEST and bool(_CONFUSED.search(answer))


def _is_question(text: str, answer: str) -> bool:
    return text.rstrip().endswith("?") or answer.split(" ", 1)[0] in _QUESTION_WORDS


def _answer_words(text: str) -> list[str]:
    return _WORDS.findall(normalize(text).replace("’", "'"))


def _unsure(text: str) -> bool:
    answer = normalize(text)
    return any(phrase in answer for phrase in _UNSURE)


def is_yes(text: str) -> bool:
    """ "yes", "sure, go ahead", "that worked, thanks", "looks good, send it"."""
    words = _answer_words(text)
    if not words or len(words) > _SHORT or _unsure(text):
        return False
    hesitant = any(word in _NEGATIONS or word in _HEDGES for word in words)
    return not hesitant and any(word in _AFFIRMATIONS for word in words)


def is_no(text: str) -> bool:
    """ "no", "none of them helped", "didn't work", "absolutely not", "No, actually …"."""
    words = _answer_words(text)
    if not words or _unsure(text):
        return False
    if words[0] in _NEGATIONS:
        return True
    return len(words) <= _SHORT and any(word in _NEGATIONS for word in words)


def number_in(text: str) -> int | None:
    """A choice by number: "2", "#2", "option 2", "1 worked", "the second one"."""
    words = _answer_words(text)
    if not words or len(words) > 6 or any(word in _NEGATIONS for word in words):
        return None
    for word in words:
        if word.isdigit():
            return int(word) if len(word) <= 2 else None
        if word in _ORDINALS:
            return _ORDINALS[word]
        if word not in _LEADS_TO_A_NUMBER:
            break
    ordinals = [_ORDINALS[word] for word in words if word in _ORDINALS]
    return ordinals[0] if len(ordinals) == 1 else None


def says_something(text: str, at_least: int = 2) -> bool:
    """True when a message has ``at_least`` words beyond greetings and "I need help"."""
    words = _WORDS.findall(text.lower())
    return sum(1 for word in words if word not in _SMALL_TALK) >= at_least


def word_count(text: str) -> int:
    return len(text.split())
