"""Details a customer already gave without being asked, so the bot never asks for them twice."""

import functools
import re
from collections.abc import Mapping, Sequence

_QUOTED = re.compile(
    r"\"([^\"\n]{6,500})\"|“([^”\n]{6,500})”|`([^`\n]{6,500})`|‘([^’\n]{6,500})’|"
    r"(?<!\w)'([^'\n]{12,500})'(?!\w)"
)
# Letters, not word characters, around an error word: "card_declined" and "ERR_TIMED_OUT"
# say it too.
_ERROR_WORDS = re.compile(
    r"(?<![a-z])(error|exception|failed|failure|fatal|denied|declined|invalid|not found|"
    r"timed? ?out|unable|refused|forbidden|unauthori[sz]ed|warning|[45]\d\d)(?![a-z])",
    re.IGNORECASE,
)
# An error code named in a sentence: "it says card_declined code 402", "I get ERR_SSL_PROTOCOL".
_CODE_SAID = re.compile(
    r"\b(?:says?|said|shows?|showed|shown|getting|get|gets|got|returns?|returned|gives?|gave|"
    r"error|message)\W+[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+"
)
# A quoted message that says something went wrong ("Gift card not valid", "Something went
# wrong, please try again"), unlike a quoted label ("Add to cart", "Free shipping over $50").
_SAYS_WRONG = re.compile(
    r"\b(?:not|n't|cannot|unable|wrong|try again|sorry|oops|problem|unavailable|expired|"
    r"missing|no longer|could not|isn't|unknown|incorrect|too many|exceeded|rejected|"
    r"undefined|\w+(?:error|exception))\b",
    re.IGNORECASE,
)
# A pasted JSON body, as APIs and browser consoles show errors.
_JSON_ERROR = re.compile(r"^\s*[{\[][\s\S]*[}\]]\s*$")
_ERROR_LINE = re.compile(
    r"(?:^|\b)((?:[A-Z][\w.]*)?(?:Error|Exception|ERROR|FATAL|Fatal error|Warning)\b"
    r"[:\s][^\n]{3,400})"
)

_ENVIRONMENT = {
    "version": re.compile(r"\b(?:v(?:ersion)?\s?\d+(?:\.\d+)+|version \d+)\b", re.IGNORECASE),
    "plan": re.compile(
        r"\b(?:basic|starter|pro|business|plus|enterprise|growth|advanced|premium|standard|"
        r"essentials?) plan\b|"
        r"\b(?:on|using|have) (?:the )?(?:basic|starter|pro|business|plus|enterprise|growth|"
        r"advanced|premium)\b(?! plan)",
        re.IGNORECASE,
    ),
    "browser": re.compile(
        r"\b(?:chrome|firefox|safari|edge|opera|brave)\b(?: \d+)?", re.IGNORECASE
    ),
    "os": re.compile(
        r"\b(?:windows(?: \d+)?|mac ?os(?: \d+)?|os x|ios(?: \d+)?|android(?: \d+)?|linux|"
        r"ubuntu|chromebook|mac(?:book)?(?: pro| air)?|imac|iphone(?: \d+)?|ipad)\b",
        re.IGNORECASE,
    ),
    "hosting": re.compile(
        r"\b(?:hosted (?:on|by|at) [\w.-]+|self-hosted|godaddy|bluehost|aws|cloudflare|"
        r"siteground|hostgator|namecheap)\b",
        re.IGNORECASE,
    ),
    "add-on": re.compile(
        r"\b[A-Z][\w.-]*(?: [A-Z][\w.-]*)? (?:plugin|integration|extension|app|theme|gateway)\b"
    ),
}
# A plan, browser, system or version named in passing ("my paypal fails on Windows 11", "…,
# Pro plan, Chrome 131"): no guide is about them, and as unknown words they only dilute the
# search. Not when they are what the problem is about ("cancel my Pro plan", "is Safari
# supported?").
_FACT = "|".join(_ENVIRONMENT[fact].pattern for fact in ("version", "plan", "browser", "os"))
_FACTS = rf"(?:{_FACT})(?:\s*(?:,|\s(?:on|in|with|and))?\s*(?:{_FACT}))*"  # "Chrome 131 on Windows"
_SYSTEM_MENTION = re.compile(
    rf"\b(?:on|in|with|using|from|via)\s+(?:the\s+|my\s+|an?\s+)?{_FACTS}"
    rf"|(?:^|(?<=[,;]))\s*{_FACTS}\s*(?=[,;.]|$)",
    re.IGNORECASE,
)
# The commas that separated what was taken out ("fails, , ," once the facts are gone).
_LEFT_DANGLING = re.compile(r"(?:\s*[,;:](?=\s*(?:[,;:]|$)))+")
# Access granted or refused, said to the team ("you can log in", "please don't access it");
# "I can't log in" or "someone logged in without my password" say neither.
_TO_THE_TEAM = r"(?:you|the team|your team|support|your agents?|the agents?)"
_ANYONE = rf"(?:{_TO_THE_TEAM}|them|anyone|anybody)"
_ACCESS = r"(?:access|log ?in(?:to)?|look (?:at|into)|check|go into|get into|use)"
# The customer's own systems, which the team may be let into (not "my test card").
_SYSTEMS = (
    r"(?:store|shop|site|website|admin|account|dashboard|backend|settings|logs?|systems?|data|"
    r"server|hosting|database|panel)"
)
# Access as the team's: "you can access it", "no access please"; not "customers can log in".
_MENTIONS_ACCESS = re.compile(
    rf"\b{_TO_THE_TEAM}\b[^.!?]{{0,30}}\b(?:access|log ?in(?:to)?|login)\b|\bno access\b|"
    rf"\b{_TO_THE_TEAM} (?:can|may) (?:look at|check|look into) (?:the|my|our) \w+|"
    r"\baccess (?:is|'s) (?:fine|ok|okay|allowed)\b",
    re.IGNORECASE,
)
# Said to the team as permission: the clause opens with it ("Customers say you can log in"
# reports someone else) and names the customer's own systems or a need ("You can log in to
# the admin and open Orders" is a step to reproduce).
_CONSENT = re.compile(
    rf"(?:^|[.!?;,:]\s*|\b(?:and|so|also|otherwise|yes|yeah|sure)\s+)"
    rf"(?:{_TO_THE_TEAM}(?: can| may| are welcome to| have my permission to| are allowed to)"
    rf"(?: also)? {_ACCESS}|feel free(?: to {_ACCESS})?)\b"
    r"(?![^.!?]*(?:\b(?:and|then),?|:) (?:open|click|go|select|choose|press|add|navigate)\b)"
    # "you can log in to the admin with the staff account, but it fails": a report, no leave.
    r"(?![^.!?]*\b(?:fails?|failing|failed|error|broken|doesn't work|does not work)\b)"
    rf"(?=[^.!?]*\b(?:(?:my|our) {_SYSTEMS}|if (?:needed|necessary|you need|required)|"
    r"whatever)\b|"
    rf"[^.!?]*\b(?:the|your|my|our) (?:{_SYSTEMS}|store'?s \w+)\b|"
    r"\W*$)",
    re.IGNORECASE,
)
_NO_CONSENT = re.compile(
    # "Please don't log in", "don't access my store"; not "don't check out as a guest" or
    # "don't use the mobile app", which are steps.
    rf"(?:^|[.!?;]\s*|\bplease\s+)(?:don't|do not) {_ACCESS}(?: (?:in|into|to|at))?"
    rf"(?: (?:my|our|the) {_SYSTEMS}\b| (?:my|our|it|anything|that)\b|\s*(?:$|[.,;!?])|"
    r" (?:after all|anymore|any more|please|for now|then|at all)\b)"
    r"(?![^.,;!?]*\b(?:box|button|field|option|link|coupon|code|product|cart|tab|page)\b)|"
    rf"\b(?:don't|do not) want {_ANYONE}(?: to)? "
    rf"(?:{_ACCESS}|accessing|logging in|touching)\b|"
    r"\b(?:don't|do not) want (?:you|anyone) (?:in|into) my\b|"
    rf"\b(?:don't|do not) let {_ANYONE} (?:{_ACCESS}|touch|in)\b|"
    # Not "you can't access this page" (an error) nor "support can't log in because of 2FA"
    # (a report): only what the team is told not to do, to the customer's own systems.
    rf"\b{_TO_THE_TEAM} (?:may not|must not|should not|shouldn't) {_ACCESS}"
    rf"(?: (?:in|into|to|at))? (?:my|our|the) {_SYSTEMS}\b|"
    rf"\b(?:nobody|no one|no-one) (?:may|should|is to) (?:{_ACCESS}|touch)"
    rf"(?: (?:in|into|to|at))? (?:my|our) {_SYSTEMS}\b|"
    r"^(?:no|nope)?[ ,]*no access(?: please| thanks| thank you)?\W*$",
    re.IGNORECASE,
)
_CODE = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b")  # ERR_CONNECTION_REFUSED, card_declined
_WORD = re.compile(r"[\w.+-]+")
_FILLER = frozenset("we i i'm im are am is it's its on the a an our my with and using use".split())
# "Sorry to bother you, …", "quick question: …": the words before the problem.
_PLEASANTRIES = re.compile(
    r"^(?:\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there| guys| team| folks|"
    r" all| everyone| y'?all| support(?: team)?)?|sorry to bother you|sorry|"
    r"quick question|one more (?:thing|question)|another question|"
    # A question announced, not asked: "can I ask you something about my store?"
    r"(?:(?:can|could|may) i ask (?:you )?(?:something|a (?:quick )?question)|i have a (?:quick )?"
    r"question)(?: (?:about|regarding|on) (?:my |our |the )?(?:store|shop|site|account))?\??|"
    r"thanks?(?: you)?(?: so much)?"
    r"(?: in advance)?(?: for (?:the help|your help|any help|your time|getting back)"
    r"(?: earlier)?)?|never mind the (?:old|other|last) (?:ticket|one)|so|ok|okay|"
    # Wishes and introductions: "hope you're having a good day", "my name is Dana and I run
    # a small candle shop".
    r"(?:i )?hope (?:you(?:'re|’re| are|r)?|your|ur) (?:having|doing|well)(?: (?:a )?(?:good|"
    r"great|nice|lovely|wonderful|fine)(?: day| week| weekend| morning| afternoon| evening)?|"
    r" well)?|"
    # A name, not a sentence about it: "my name is Dana", not "my name is missing from …".
    r"my name(?: is|'s|’s) (?!(?:missing|wrong|not|showing|shown|spelled|spelt|misspelled|"
    r"incorrect|gone|displayed|appearing|cut|blank|empty|different|changed|still|on|in)\b)"
    r"[a-z]+(?: [a-z]+)?(?=\s*(?:[,.!]|$|and\b|here\b))(?:\s+and\b)?|"
    # A shop introduced, ending there: "I run a small candle shop," ("I run a store on
    # MyCartPro and …" says where the problem is and stays).
    r"(?:and )?i (?:run|own|manage) (?:a |an |the |my )?(?:[a-z'&-]+ ){0,3}"
    r"(?:shop|store|business|boutique)(?=\s*(?:[,.!;]|$|and\b))(?:\s+and\b)?)"
    r"\b(?:[\s,;.!-]|:-?\)|:)*)+(?:now\b[\s,]*)?",
    re.IGNORECASE,
)
_A_SECRET = r"\[(?:[^\]]* removed|card •••• \d{4})\]"
_SECRET_MARKER = re.compile(_A_SECRET)
_CLAUSE_BREAK = re.compile(r"([.,;\n])")
# A clause of a few words besides its secret ("my password is …", "card number …") is about the
# secret; a longer one ("she was charged twice on card …") is about the problem.
_ABOUT_THE_SECRET_WORDS = 4
_STEP = re.compile(
    r"(?:^|[,;:>\n]|\bthen\b|\band\b|\d[.)])\s*(?:i |we |you |then |and |first |next )?"
    r"(?:open|opened|click|clicked|go to|went to|add|added|select|selected|choose|chose|enter|"
    r"entered|type|typed|press|pressed|navigate|log ?in|logged in|submit|submitted|pay|paid|"
    r"check ?out|visit|visited|fill in|filled in|upload|uploaded|tap|tapped|save|saved)\b",
    re.IGNORECASE,
)
_STEPS_AT_LEAST = 3
_WISH_OR_HOW = re.compile(
    r"\s*(?:how (?:do|can|would|should) (?:i|we|you)|(?:i|we) (?:want|would like|'d like|need) to|"
    r"is it possible|can (?:i|we))\b",
    re.IGNORECASE,
)
# "Login fails, add to cart fails": a list of what is broken, not of what to do. "Then" ends a
# step as a comma does ("i go to settings then i click connect and it fails").
_STEP_CLAUSE = re.compile(r"[,;:\n]+|\bthen\b", re.IGNORECASE)
_FAILS = re.compile(r"\b(?:fails?|broken|crash(?:es)?|doesn't work|not working|stuck)\b", re.I)
# "isn't applying", "won't load", "can't log in", "not showing": a thing that doesn't happen.
_NEGATED = re.compile(
    r"\b(?:isn'?t|aren'?t|won'?t|can'?t|cannot|doesn'?t|don'?t|didn'?t|not|never|no longer) "
    r"(?:\w+ )?(?:\w+ing|work\w*|load\w*|show\w*|appl\w+|go\w*|send\w*|sync\w*|save\w*|"
    r"open\w*|pay\w*|log ?in)\b"
)
_AN_ADDRESS = re.compile(r"\S+@\S+\.[A-Za-z]{2,}\b|\bhttps?://\S+|\bwww\.\S+")
_CLAUSE = re.compile(r"[.;!?\n]+\s*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|\n+")
_SEGMENT_END = r"(?=(?:^|[.!?;\n])\s*(?:{labels})\s*[:=]|\Z)"


def error_text(message: str) -> str | None:
    """The error the customer quoted or pasted, if any."""
    if _JSON_ERROR.match(message) and _ERROR_WORDS.search(message):
        return message.strip()
    for match in _QUOTED.finditer(message):
        quoted = next(group for group in match.groups() if group)
        if _ERROR_WORDS.search(quoted) or _SAYS_WRONG.search(quoted):
            return quoted.strip()
    line = _ERROR_LINE.search(message)
    if line is not None:
        return line.group(1).strip()
    # The words around the code tell where it shows and what it says ("the store shows
    # PAYMENT_FAILED, gateway timeout"); what came before its clause ("Hi, my domain stopped
    # working yesterday, …") does not.
    for part in _CLAUSE.split(message):
        code = _CODE_SAID.search(part)
        if code is not None:
            return part[part.rfind(",", 0, code.start()) + 1 :].strip()
    return None


def environment_text(message: str) -> str | None:
    """System details mentioned in passing; two or more facts make it worth keeping. A
    sentence about the system is kept whole ("Safari 17 on an iPhone 15 with iOS 17.3, Stripe
    connected": the model and the integration matter too); from one about an error, only
    the facts."""
    if len(_facts(message)) < 2:
        return None
    kept = []
    for sentence in _SENTENCE.split(message):
        facts = _facts(sentence)
        if not facts:
            continue
        about_an_error = _ERROR_WORDS.search(sentence) or _CODE.search(sentence)
        kept.append(", ".join(facts) if about_an_error else sentence.strip())
    return " ".join(kept)


def steps_text(message: str) -> str | None:
    """Steps given in passing: three or more things done, one after another ("open the store,
    add a product, click checkout"); fewer say what happens more than how to get there. A
    question ("how do I add a product, upload images and save it?") or a wish ("I want to
    open a store, add products, then choose a theme") is not what was done."""
    if "?" in message or _WISH_OR_HOW.match(message):
        return None
    done = sum(
        len(_STEP.findall(clause))
        for clause in _STEP_CLAUSE.split(message)
        if not _ERROR_WORDS.search(clause) and not _FAILS.search(clause)
    )
    return message.strip() if done >= _STEPS_AT_LEAST else None


def tells_of_a_failure(message: str) -> bool:
    """ "The discount code isn't applying", "checkout fails with a 500": something goes wrong,
    not only what the customer did or has."""
    lowered = message.lower().replace("’", "'")
    return bool(_ERROR_WORDS.search(lowered) or _FAILS.search(lowered) or _NEGATED.search(lowered))


def does_something(message: str) -> bool:
    """ "add to cart", "click Pay": at least one thing done, as a step says."""
    return _STEP.search(message) is not None


def names_the_system(message: str) -> bool:
    """ "Also on Firefox", "same on my iPhone": one system fact is enough when the message
    adds to a request."""
    return bool(_facts(message))


def _facts(message: str) -> list[str]:
    """The system facts ``message`` names: a plan, a browser, an operating system, ..."""
    return [
        found.group(0) for pattern in _ENVIRONMENT.values() if (found := pattern.search(message))
    ]


def without_pleasantries(message: str) -> str:
    """ "Sorry to bother you, my checkout fails" without its polite opening."""
    return _PLEASANTRIES.sub("", message).strip()


def what_is_wrong(message: str) -> str:
    """The words of a description that say what is wrong, for the guide search: system facts
    ("I'm on Pro with Chrome", "on Windows 11"), access ("you may log in"), the clauses around a
    removed secret, and email and web addresses only blur it. The whole message when nothing
    else is left."""
    plain = _without_secrets(_AN_ADDRESS.sub("", without_pleasantries(message)))
    kept = [
        _SYSTEM_MENTION.sub(" ", sentence)
        for sentence in _SENTENCE.split(plain)
        if sentence.strip() and not only_system_facts(sentence) and consent_in(sentence) is None
    ]
    # All of it system facts ("PayPal fails, Pro plan, Chrome 131"): what the facts leave.
    left = " ".join(kept) or _SYSTEM_MENTION.sub(" ", plain)
    return " ".join(_LEFT_DANGLING.sub("", left).split()) or message


def _without_secrets(text: str) -> str:
    """Each clause around a removed secret gone when it is about the secret, else only the
    marker: the masks' own words ("card", "security code") are no problem of the customer.
    Clause by clause, so a long paste costs its length, not its square."""
    clauses = _CLAUSE_BREAK.split(text)
    return "".join(_without_the_secret(part) if "[" in part else part for part in clauses)


def _without_the_secret(clause: str) -> str:
    rest = _SECRET_MARKER.sub(" ", clause)
    if rest == clause or len(_WORD.findall(rest)) > _ABOUT_THE_SECRET_WORDS:
        return rest
    return ""


def only_system_facts(message: str) -> bool:
    """ "Pro plan, Chrome 120, Windows 11": a message that is system details and nothing else
    (no error in it), whichever question it was sent to."""
    facts = _facts(message)
    if len(facts) < 2 or _ERROR_WORDS.search(message) or _CODE.search(message):
        return False
    said = [word for word in _WORD.findall(message.lower()) if word not in _FILLER]
    return len(_WORD.findall(", ".join(facts))) * 2 >= len(said)


def labelled_parts(
    message: str, labels: Mapping[str, Sequence[str]], alone: frozenset[str] = frozenset()
) -> dict[str, str]:
    """ "Error: X. Steps: 1) … 2) …" gives each key the text after one of its labels, up to
    the next label: several answers in one message, each where it belongs. A key in
    ``alone`` counts even as the only label."""
    by_label = {label.lower(): key for key, names in labels.items() for label in names}
    if (":" not in message and "=" not in message) or not by_label:
        return {}
    pattern = _label_pattern(tuple(sorted(by_label, key=len, reverse=True)))
    found: dict[str, str] = {}
    for match in pattern.finditer(message):
        key = by_label[match.group("label").lower()]
        value = _own_sentences(match.group("value")).strip().rstrip(".;").strip()
        if value and key not in found:
            found[key] = value
    # One "Label:" alone is as likely a word in a sentence or a pasted log ("System: will
    # retry in 60 s") as an answer; two or more are a customer filling in the form.
    return found if len(found) >= 2 or found.keys() & alone else {}


@functools.lru_cache(maxsize=16)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern for one policy's labels (longest first), built once."""
    alternatives = "|".join(re.escape(label) for label in labels)
    return re.compile(
        rf"(?:^|[.!?;\n])\s*(?P<label>{alternatives})\s*[:=]\s*"
        rf"(?P<value>.+?)\s*{_SEGMENT_END.format(labels=alternatives)}",
        re.IGNORECASE | re.DOTALL | re.MULTILINE,
    )


def _own_sentences(value: str) -> str:
    """A labelled part runs to the next label, but a sentence after it that is plainly about
    something else ("I'm on Pro, Safari on macOS", "you may access my admin") ends it."""
    sentences = _SENTENCE.split(value)
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if environment_text(sentence) or consent_in(sentence) is not None:
            break
        kept.append(sentence)
    return " ".join(kept)


def consent_clause(message: str) -> str | None:
    """The part of ``message`` that gives or refuses access (for the customer's conditions)."""
    clauses = _CLAUSE.split(message)
    return next((c.strip() for c in clauses if consent_in(c) is not None), None)


def only_access(message: str) -> bool:
    """A message that says nothing but the access answer ("you can log in to my admin if
    needed"), whichever question it was sent to."""
    clauses = [c for c in _CLAUSE.split(message) if c.strip()]
    return bool(clauses) and all(consent_in(c) is not None for c in clauses)


def mentions_access(message: str) -> bool:
    """ "Yes, actually you may access it", "no access please": the words are about access,
    whatever else they say."""
    return _MENTIONS_ACCESS.search(message) is not None


def consent_in(message: str) -> bool | None:
    """ "You may access my admin if needed" is a yes, "please don't log in" a no, said in
    passing; None when the message says neither."""
    if _NO_CONSENT.search(message):
        return False
    return True if _CONSENT.search(message) else None
