"""Remove card numbers and secrets from customer text before anyone stores or reads it.

Customers paste card numbers, passwords, keys and tokens into chat while trying to be helpful.
``redact`` replaces them with a short marker that says what was there, so the ticket still reads
naturally and the support team knows to arrange a safe way to get access.

Rules that must hold:
- ``redact`` is idempotent: markers never match a rule, so redacting twice changes nothing.
- Digits that are not a Luhn-valid card (order numbers, phone numbers, dates) stay untouched.
- Every pattern is anchored at a token boundary and bounded, so a 50,000-character message
  cannot trigger catastrophic backtracking.
- Only ASCII digits and letters are matched; emoji and other scripts pass through.

Order matters: keys and tokens first (they may contain digit runs), then cards, then labelled
values such as passwords (a password value that is a card number is still reported as a card).
"""

import base64
import binascii
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

CARD = "card"
PASSWORD = "password"
PRIVATE_KEY = "private_key"
TOKEN = "token"


class Redaction(BaseModel):
    """Redacted text and the kinds of secret found (``card``, ``password``, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    found: frozenset[str]


_MAX_PASSES = 4
_MARKER = r"\[(?:[A-Za-z ]{1,40} removed|card •••• [0-9]{4})\]"
_SECURITY_CODE = "[security code removed]"
_B = r"(?<![A-Za-z0-9_])"  # a token starts where no word character precedes it
_E = r"(?![A-Za-z0-9_])"

# --- private keys -------------------------------------------------------------------------

_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"(?:\s{1,4}(?:[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}))*")
"""The base64 lines of a key pasted without its END line; stops at the first ordinary word."""

# --- tokens with a recognisable shape: (pattern, replacement) ---------------------------

_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_B + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}" + _E), "[Stripe key removed]"),
    (re.compile(_B + r"whsec_[A-Za-z0-9]{8,}" + _E), "[Stripe key removed]"),
    (
        re.compile(_B + r"access_token\$(?:production|sandbox)\$[A-Za-z0-9$]{8,}"),
        "[PayPal token removed]",
    ),
    (re.compile(_B + r"xox[abprs]-[A-Za-z0-9-]{8,}"), "[Slack token removed]"),
    (re.compile(_B + r"xapp-[A-Za-z0-9-]{8,}"), "[Slack token removed]"),
    (
        re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9_/-]{8,}"),
        "[Slack webhook removed]",
    ),
    (
        re.compile(r"https://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+"),
        "[Discord webhook removed]",
    ),
    (re.compile(_B + r"gh[pousr]_[A-Za-z0-9]{20,}" + _E), "[GitHub token removed]"),
    (re.compile(_B + r"github_pat_[A-Za-z0-9_]{20,}"), "[GitHub token removed]"),
    (re.compile(_B + r"(?:AKIA|ASIA)[A-Z0-9]{16}" + _E), "[AWS key removed]"),
    (re.compile(_B + r"A21AA[A-Za-z0-9_-]{40,}"), "[PayPal token removed]"),
    # The apps stores connect: Shopify admin tokens, Klaviyo private keys, SendGrid and
    # Mailchimp API keys.
    (re.compile(_B + r"shp(?:at|ss|ca|pa)_[A-Fa-f0-9]{32}" + _E), "[Shopify token removed]"),
    (re.compile(_B + r"pk_[A-Fa-f0-9]{30,}" + _E), "[Klaviyo key removed]"),
    (re.compile(_B + r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}" + _E), "[SendGrid key removed]"),
    (re.compile(_B + r"[a-f0-9]{32}-us[0-9]{1,2}" + _E), "[Mailchimp key removed]"),
    (
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
        "[JWT removed]",
    ),
)

_DISCORD = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<id>[A-Za-z0-9_-]{18,40})\.[A-Za-z0-9_-]{5,10}\.[A-Za-z0-9_-]{25,110}"
    r"(?![A-Za-z0-9_-])"
)

_IS = r"(?:is|was|est|es|ist|é|è)(?!\w)"
"""The word between a label and its value: "my password is ...", "mot de passe est ..."."""

_SECRET_VALUE = (
    # A key or token is long, mixes letters and digits, and is none of: an error code
    # (PAYMENT_FAILED_402), a version (v2.14.1-beta...), a host and path (api.example.com/v1/...).
    r"(?![A-Z0-9_-]{0,512}[_-][A-Z0-9_-]{0,512}(?![A-Za-z0-9/+_.=-]))"
    r"(?!v?[0-9]{1,9}\.[0-9])(?![A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/)"
    r"(?=[A-Za-z0-9/+_.=-]{0,511}[0-9])(?=[A-Za-z0-9/+_.=-]{0,511}[A-Za-z])"
    r"(?P<value>[A-Za-z0-9/+_.=-]{15,511}[A-Za-z0-9/+_=-])(?![A-Za-z0-9/+_=-]|\.[A-Za-z0-9/+_=-])"
)
"""Bounded, so a 50,000-character run after a label costs at most 512 steps per label.

A full stop right after the value ends the sentence, not the key."""


def _generic_secret(label: str) -> re.Pattern[str]:
    """``label``, a connector (``:``, ``=``, ``is``, ``-`` or a space), then a key-shaped value.

    The value's shape is strict enough that a bare space after the label is safe.
    """
    return re.compile(
        rf"(?<![A-Za-z])(?i:{label})(?![A-Za-z])[\"']?"
        rf"(?:[ \t]{{0,3}}[:=]\s{{0,3}}|[ \t]{{1,3}}{_IS}[ \t]{{0,3}}:?[ \t]{{0,3}}"
        r"|[ \t]{1,3}[-–—][ \t]{1,3}|[ \t]{1,3})[\"']?" + _SECRET_VALUE
    )


# Secrets known only by the label in front of them; the label stays, the value goes.
# Named services first, so their marker wins over the generic ones after them.
_LABELLED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?i:aws_?secret_?(?:access_?)?key|aws secret(?: access)? key"
            r"|secret[_ ]access[_ ]key)[\"']?[ \t]{0,3}"
            r"(?:[:=]|is)?[ \t]{0,3}[\"']?(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
        "[AWS secret removed]",
    ),
    (
        re.compile(
            r"(?i:client[_ -]?secret)[\"']?[ \t]{0,3}(?:[:=]|\bis\b)[ \t]{0,3}[\"']?"
            r"(?P<value>[A-Za-z0-9_.~+/=-]{8,})"
        ),
        "[client secret removed]",
    ),
    (
        _generic_secret(r"(?:client|app|api|webhook|shared|signing)?[ _-]?secret(?:[ _-]?key)?"),
        "[secret removed]",
    ),
    (_generic_secret(r"api[ _-]?key|apikey|access[ _-]?key"), "[API key removed]"),
    (
        _generic_secret(r"(?:access|auth|api|refresh|session|bearer)[ _-]?token|token|bearer"),
        "[token removed]",
    ),
)

# --- cards --------------------------------------------------------------------------------

_GROUP = re.compile(r"[0-9]+")
_CARD_LENGTHS = (16, 15, 19, 18, 17, 14, 13)
"""Most common first, so a 16-digit card followed by its 3-digit code is not read as 19."""
# Card numbers start with their network's digit (Amex and Diners 3, Visa 4, Mastercard 2 or
# 5, Discover and UnionPay 6): a log's "1004 1005 1006 1007" is not a card.
_CARD_NETWORK_DIGITS = frozenset("23456")

# Links and chat markup are full of long ids (Discord's are 17-19 digits, so one in ten passes
# the Luhn check): a card is never read inside them.
_LINK_OR_MENTION = re.compile(r"(?i:https?://|www\.)[^\s<>]+|<(?:[@#!&]|a?:|t:)[^<>\s]*>")

_SEP = r"[ \t,;:|/-]{0,3}"
_AFTER_CARD = re.compile(
    r"(?P<keep>" + _SEP + r"(?:(?i:exp(?:iry|ires|iration)?\.?(?: date)?|valid (?:thru|through))"
    r"?[ \t:.]{0,3}(?:0?[1-9]|1[0-2])[ \t]?/[ \t]?(?:[0-9]{4}|[0-9]{2})" + _SEP + r")?)"
    r"(?P<secret>(?:(?i:cvv2?|cvc2?|cid|csc|security code|sec code|code)[ \t:#=.-]{0,3})?"
    r"[0-9]{3,4})(?![0-9/]|-[0-9])"
)
"""After a card: an optional expiry (kept) and a 3-4 digit security code (removed)."""

_LABELLED_CODE = re.compile(
    r"(?<![A-Za-z])(?i:cvv2?|cvc2?|csc|security code|card code|card verification (?:code|value)|"
    r"code on the back(?: of (?:the|my) card)?|(?:3|4|three|four)[ -]digit (?:security )?code)"
    r"(?:[ \t]{0,3}[:=#][ \t]{0,3}|[ \t]+is[ \t]{0,3}:?[ \t]{0,3}|[ \t]{1,3})[0-9]{3,4}(?![0-9])"
)
"""A security code someone labelled, with or without a card next to it."""

# --- passwords ----------------------------------------------------------------------------

_NOT_A_PASSWORD = (
    "not|wrong|incorrect|invalid|correct|right|too|expired|the|a|an|being|still|no|also|reset|"
    "changed|same|case|required|fine|ok|okay|empty|blank|missing|set|saved|stored|in|on|for|"
    "and|or|but|my|your|it|that|this|what|which|definitely|probably|already|now|hidden|"
    "encrypted|weak|strong|short|long|new|old|forgotten|lost|locked|unknown|accepted|rejected|"
    "working|broken|different|changing|sent|below|above|attached|valid|active|good|bad|ready|"
    "enabled|disabled|needed|gone|there|here|very|so|really|just|only|always|never|supposed|"
    "meant|stolen|hacked|compromised|leaked|updated|emailed|shared|used|case-sensitive|to|of|"
    "with|from|by|i|we|you|our|their|its|some|any|all|pending|requested|generated|created|"
    "can't|cannot|doesn't|won't|isn't|didn't|wasn't|keeps|someone|like|expiring|expires|"
    "sometimes|ignored|shown|displayed|sold|out|"
    # French, Spanish, German, Portuguese, Italian: "mot de passe est incorrect", ...
    "incorrecte|incorrecta|incorrecto|invalide|inválida|inválido|invalida|falsch|ungültig|"
    "abgelaufen|richtig|korrekt|leer|errata|sbagliata|sbagliato|errada|errado|oublié|oubliée|"
    "expiré|expirée|caducada|correcta|correcto|corretta|vide|vacía|nueva|nouveau|bloqueado|"
    "bloqué|bloquée|le|la|el|das|der|die|mon|mi|muy|trop|zu|nicht|pas|non|très"
)
_PASSWORD_WORD = (
    r"password|passwd|passphrase|passcode|pwd|pw|mdp|mot de passe|contrase[ñn]a|passwort"
    r"|kennwort|senha|palavra-passe"
)
_JARGON_WORD = r"passwd|pwd|pw|mdp"
"""Not English words, so a bare space and digits after them are enough: "pwd 123456"."""

_SAID = r"(?:[ \t]*+[:=]\s*+|[ \t]++" + _IS + r"[ \t]*+[:=]?+\s*+|[ \t]++[-–—][ \t]++)"
"""A connector that clearly introduces a value: ``:``, ``=``, ``is``, ``est``, ``ist``, a dash."""
_COLON = r"(?:[ \t]*+[:=]\s*+|[ \t]++" + _IS + r"[ \t]*+[:=]\s*+)"
"""A label's colon or equals sign: "password: …", "password is: …"."""
_LOOSE = r"[ \t]++(?:[-–—][ \t]++)?+"
"""Only a space or a dash: "Password - hunter2", but also "the password reset email"."""
_NOT_A_PASSWORD_START = (
    rf"(?!{_MARKER})(?!(?i:{_NOT_A_PASSWORD})(?:[\s.,;:!?)\"'’”]|$))"
    r"(?![0-9]+[ -](?i:characters?|chars?|digits?|letters?|symbols?)\b)"  # "is 12 characters"
)
_VALUE = _NOT_A_PASSWORD_START + r"(?P<value>\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|\S+)"
_SENTENCE_GOES_ON = (
    r"and|but|so|then|because|when|which|while|if|since|it|it's|i|i'm|we|they|the|my|our|"
    r"is|was|please|thanks|thank|for|on|in|at|to|with|from|of|or|as|can|can't|does|doesn't"
)
"""Words after a password that go on with the sentence: where a passphrase ends."""
_PHRASE_VALUE = _NOT_A_PASSWORD_START + (
    r"(?P<value>\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|\S+"
    rf"(?:(?<![.,;!?])[ \t]+(?!(?i:{_SENTENCE_GOES_ON})(?![\w']))(?!{_MARKER})[^\s]+){{0,4}})"
)
"""After "password:" or "is", up to five words ("blue monkey"), to the end of the clause."""
_ABOUT_PASSWORDS = (
    r"(?i:reset|resets|requirements?|policy|policies|field|page|link|email|rules?|length|"
    r"manager|strength|change|form|hint|settings?|screen|prompt|expiry|expires)"
)
"""Words after "password" that make it about passwords, not one: "the password reset link
was 10min old"."""
_PASSWORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        # Atomic, so the value cannot start inside the separator ("password is: [password ...").
        # After a colon (or "=") the rest of the clause is the password ("blue monkey"); after
        # "is" or a dash, one word, as "is incorrect" or "is 12 characters long" go on.
        re.compile(rf"(?<![A-Za-z])(?>(?i:(?:{_PASSWORD_WORD}){_COLON}))" + _PHRASE_VALUE),
        "[password removed]",
    ),
    (
        re.compile(rf"(?<![A-Za-z])(?>(?i:(?:{_PASSWORD_WORD}){_SAID}))" + _VALUE),
        "[password removed]",
    ),
    (
        # A bare "pass" is also a day pass or a bus pass: its value must look like a password.
        re.compile(rf"(?<![A-Za-z])(?>(?i:pass{_SAID}))(?=\S*[^A-Za-z\s])(?!\S*://)" + _VALUE),
        "[password removed]",
    ),
    (
        # After only a space or a dash, the value must look like a password, not a word:
        # any digit after jargon ("pwd 123456"), letters and digits after a real word.
        re.compile(
            rf"(?<![A-Za-z])(?>(?i:(?:{_JARGON_WORD}){_LOOSE}(?=\S*[0-9])"
            rf"|(?:{_PASSWORD_WORD}){_LOOSE}(?=\S*[0-9])(?=\S*[A-Za-z])))(?!\S*://)" + _VALUE
        ),
        "[password removed]",
    ),
    (
        # Said in passing: "the password I use is Summer2024!", "I set the password to
        # Summer2024!", "my new password, Summer2024!, fails": the value mixes letters and
        # digits, so "the password I use is too short" stays.
        re.compile(
            rf"(?<![A-Za-z])(?>(?i:(?:{_PASSWORD_WORD})(?:[ \t]+(?:(?!{_ABOUT_PASSWORDS}\b)"
            r"[A-Za-z']+[ \t]+){0,4}?(?:is|was|to)[ \t]*:?|[ \t]*,)[ \t]*))"
            r"(?=[^\s,]*[0-9])(?=[^\s,]*[A-Za-z])(?![^\s,]*://)" + _VALUE
        ),
        "[password removed]",
    ),
    (
        # "user admin pass Tr0ub4dor&3": a user name, then the password after a bare "pass".
        re.compile(
            r"(?<![A-Za-z])(?i:user(?:name)?|login|e-?mail)(?:[ \t]+(?i:is|was))?[ \t]*[:=]?"
            r"[ \t]*[^\s/:,]{1,80}[ \t]*,?[ \t]*(?:(?i:and)[ \t]+)?(?i:pass(?:word)?|pwd|pw)"
            r"[ \t]+"
            rf"(?=\S*[A-Za-z])(?=\S*[^A-Za-z\s])(?!{_MARKER})(?P<value>\S{{4,}})"
        ),
        "[password removed]",
    ),
    (
        # A login given as a pair, "login with admin / Tr0ub4dor&3": the second half goes when
        # it holds a digit or a symbol (so "log in with Google / Apple" stays).
        re.compile(
            r"(?<![A-Za-z])(?i:log[ -]?in|sign[ -]?in|cred(?:ential)?s?|user(?:name)?[ \t]*"
            r"(?:and|&|/)[ \t]*pass(?:word)?)(?:[ \t]+(?i:is|are|with|details|as))?[ \t]*"
            r"[:=]?[ \t]*[^\s/:,]{1,80}[ \t]*[/:,][ \t]*"
            rf"(?=\S*[^A-Za-z\s])(?!{_MARKER})(?P<value>\S{{4,}})"
        ),
        "[password removed]",
    ),
    (
        re.compile(
            r"(?<![A-Za-z])(?>(?i:pin(?:[ \t-]?+(?:code|number|nummer))?+)"
            rf"(?:{_SAID}|{_LOOSE}))(?P<value>[0-9]{{4,8}})(?![0-9A-Za-z])"
        ),
        "[PIN removed]",
    ),
)

_NOTICE_NAMES = {
    CARD: "card details",
    PASSWORD: "a password",
    PRIVATE_KEY: "a private key",
    TOKEN: "an access key or token",
}


def redact(text: str) -> Redaction:
    """Replace card numbers, security codes, private keys, tokens and passwords in ``text``.

    The steps repeat until nothing changes: a marker can give a neighbour the boundary it
    lacked (``4242 4242 4242 4242MTE0...`` becomes ``[card •••• 4242]MTE0...``, a token).
    """
    found: set[str] = set()
    for _ in range(_MAX_PASSES):
        before = text
        for step in _STEPS:
            text = step(text, found)
        if text == before:
            break
    return Redaction(text=text, found=frozenset(found))


def redaction_notice(found: frozenset[str]) -> str:
    """One sentence telling the customer what we removed, why, and how to share access safely.

    Empty when nothing was removed.
    """
    if not found:
        return ""
    names = [_NOTICE_NAMES[kind] for kind in _NOTICE_NAMES if kind in found]
    if found - _NOTICE_NAMES.keys():
        names.append("other sensitive details")
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return (
        f"For your safety we removed {listed} from your message, and our team will never ask "
        "for them here: please don't paste passwords, keys or card numbers in chat, and if we "
        "need access your agent will arrange a secure way, such as a temporary staff account "
        "that you create and can revoke."
    )


def _private_keys(text: str, found: set[str]) -> str:
    pieces: list[str] = []
    last = 0
    no_end_after = len(text) + 1  # once an END is missing, it is missing for later BEGINs
    while (begin := _PEM_BEGIN.search(text, last)) is not None:
        end = _PEM_END.search(text, begin.end()) if begin.end() < no_end_after else None
        if end is not None:
            stop = end.end()
        else:
            no_end_after = begin.end()
            body = _PEM_BODY.match(text, begin.end())
            stop = body.end() if body is not None else begin.end()
        pieces += [text[last : begin.start()], "[private key removed]"]
        last = stop
        found.add(PRIVATE_KEY)
    pieces.append(text[last:])
    return "".join(pieces)


def _tokens(text: str, found: set[str]) -> str:
    for pattern, marker in _TOKENS:
        text, count = pattern.subn(marker, text)
        if count:
            found.add(TOKEN)

    def discord(match: re.Match[str]) -> str:
        if not _is_snowflake(match["id"]):
            return match[0]
        found.add(TOKEN)
        return "[Discord token removed]"

    return _DISCORD.sub(discord, text)


def _labelled_secrets(text: str, found: set[str]) -> str:
    for pattern, marker in _LABELLED:
        text = _replace_value(pattern, marker, text, found, TOKEN)
    return text


def _cards(text: str, found: set[str]) -> str:
    links = [m.span() for m in _LINK_OR_MENTION.finditer(text)]
    groups = [
        (m.start(), m.end())
        for m in _GROUP.finditer(text)
        if not any(start <= m.start() < end for start, end in links)
    ]
    pieces: list[str] = []
    last = 0
    i = 0
    while i < len(groups):
        if groups[i][0] < last:
            i += 1
            continue
        card = _card_at(text, groups, i)
        if card is None:
            i += 1
            continue
        start, end, digits = card
        pieces += [text[last:start], f"[card •••• {digits[-4:]}]"]
        after = _AFTER_CARD.match(text, end)
        if after is not None:
            pieces += [after["keep"], _SECURITY_CODE]
            end = after.end()
        last = end
        found.add(CARD)
    pieces.append(text[last:])
    text = "".join(pieces)
    text, count = _LABELLED_CODE.subn(_SECURITY_CODE, text)
    if count:
        found.add(CARD)
    return text


def _passwords(text: str, found: set[str]) -> str:
    for pattern, marker in _PASSWORDS:
        text = _replace_value(pattern, marker, text, found, PASSWORD)
    return text


_STEPS: tuple[Callable[[str, set[str]], str], ...] = (
    _private_keys,
    _tokens,
    _labelled_secrets,
    _cards,
    _passwords,
)


def _replace_value(
    pattern: re.Pattern[str], marker: str, text: str, found: set[str], kind: str
) -> str:
    def replace(match: re.Match[str]) -> str:
        found.add(kind)
        start, end = match.span("value")
        whole = match[0]
        return whole[: start - match.start()] + marker + whole[end - match.start() :]

    return pattern.sub(replace, text)


def _card_at(text: str, groups: list[tuple[int, int]], i: int) -> tuple[int, int, str] | None:
    """A card-shaped, Luhn-valid stretch of whole digit groups starting with group ``i``.

    Groups join across one space or dash. Separated groups must look like a card as people
    type one (4-4-4-4, 4-6-5, ...), so a phone number next to an order number is not a card.
    """
    if text[groups[i][0]] not in _CARD_NETWORK_DIGITS:
        return None
    sizes: list[int] = []
    candidates: dict[int, int] = {}  # digit count -> index of the last group
    total = 0
    for j in range(i, len(groups)):
        start, end = groups[j]
        if j > i and not (start - groups[j - 1][1] == 1 and text[start - 1] in " -"):
            break
        sizes.append(end - start)
        total += end - start
        if total > 19:
            break
        if total >= 13 and _card_shaped(sizes):
            candidates[total] = j
    for length in _CARD_LENGTHS:
        if length in candidates:
            j = candidates[length]
            digits = "".join(text[a:b] for a, b in groups[i : j + 1])
            if _luhn_valid(digits):
                return groups[i][0], groups[j][1], digits
    return None


def _card_shaped(sizes: list[int]) -> bool:
    if len(sizes) == 1:
        return True
    middle_ok = all(3 <= size <= 6 for size in sizes[1:-1])
    return sizes[0] == 4 and middle_ok and 1 <= sizes[-1] <= 6


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_snowflake(part: str) -> bool:
    """Discord bot tokens start with the base64 of the bot's numeric id."""
    try:
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return False
    return 15 <= len(decoded) <= 21 and decoded.isdigit()
