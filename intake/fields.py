"""The fields of a request as the customer sees them in the summary, and reading answers to them."""

import functools
import re

from pydantic import BaseModel, ConfigDict

from intake import extract
from intake.answers import is_no, normalize, number_in, word_count
from intake.policy import DetailField, Policy

# Answers that carry no information whatever was asked ("clearly not what was asked").
_QUOTES = "\"'`“”‘’"
_EMPTY_ANSWERS = frozenset(
    [
        "yes",
        "no",
        "ok",
        "okay",
        "k",
        "idk",
        "i don't know",
        "not sure",
        "unsure",
        "no clue",
        "can't remember",
        "cant remember",
        "i can't remember",
        "i don't remember",
        "don't remember",
        "i forgot",
        "forgot",
        "dont know",
        "i dont know",
        "i guess",
        "i guess so",
        "i think so",
        "it says",
        "it said",
        "don't know",
        "no idea",
        "?",
        "??",
        "???",
        "same",
        "same as above",
        "see above",
        "asdf",
        "test",
        "hi",
        "hello",
        "thanks",
        "thank you",
        "whatever",
        "nothing to add",
        "help",
        "-",
        ".",
    ]
)
# "no", "nope, nothing": a bare no to a question that has a "none" answer is that answer.
_BARE_NO_WORDS = 3
# The words of such a no: "nope, nothing", "no, none" (not "No shipping available", an error).
_BARE_NO_VOCABULARY = frozenset(
    "no nope nah none nothing not never n a error errors message messages shown there is it "
    "sorry thanks at all really".split()
)
STEPS = "steps_to_reproduce"  # the detail a click path or a "then …" adds to
ENVIRONMENT = "environment"  # the detail "also on Firefox" adds to
_EXTRACTORS = {
    "error_messages": extract.error_text,
    STEPS: extract.steps_text,
    ENVIRONMENT: extract.environment_text,
}
# What an answer to a question looks like, beside what it could be mistaken for.
_READS_AS = {STEPS: extract.does_something, ENVIRONMENT: extract.names_the_system}
# How customers label a part of a message beyond the field's own names ("To reproduce: …").
_LABEL_SYNONYMS = {
    "error_messages": ("the error", "error message", "error code"),
    "steps_to_reproduce": ("to reproduce", "how to reproduce", "repro", "the steps"),
    ENVIRONMENT: ("setup", "my setup", "config", "configuration", "system"),
}
# "To reproduce: …" after a problem is an answer even as the only label: no log says it.
_LABELLED_ALONE = frozenset({"steps_to_reproduce"})
_ADD_TO = re.compile(
    r"(?is)^(?:also |please |and )*add(?: this| that)? to (?:the |my )?([\w ]{2,30}?)\s*[:,-]\s*"
    r"(\S.*)$"
)
# "Change the steps to include …": an addition, not the new answer.
_TO_ADD = re.compile(r"(?i)(?:include|add|mention|also say|say|note)\b(?! to\b)(?: that)?\s*")
# "There are more steps: …", "one more step: …": an addition, not the new answer.
_MORE_OF = re.compile(
    r"(?is)^(?:there (?:are|is) (?:some |a few )?(?:more|other|additional|another|also)|"
    r"(?:one|a few|some) more|another) ([\w ]{2,30}?)\s*[:,-]\s*(\S.*)$"
)
_LABEL_WORDS = 4  # "steps", "the error message", "change the steps"
# "Also …" before more words: more for what is there, not instead of it.
ALSO = re.compile(r"(?i)(?:and )?also\b[\s,:]*")
_NOT_KNOWING = re.compile(
    r"(?:i )?(?:don'?t|do not|dont) know\b|no idea\b|no clue\b|idk\b|not sure\b|"
    r"(?:how|why) (?:should|would|do|am) i (?:know|supposed to know)\b"
)
# The question said back before the answer: "What error? …", "steps?? …".
_ECHOED_QUESTION = re.compile(r"^\s*(?:(?:what|which) )?[a-z]+\?+\s+(?=\S)", re.IGNORECASE)
# Words around a "no error" that add nothing: "no error at all actually", "…, see screenshot".
_ONLY_SAYING_SO = frozenset(
    "at all actually really either anymore sorry see screenshot the my then by way btw i "
    "meant mean just".split()
)
# "Like I said above", "same as before": pointing at an answer instead of giving it.
_POINTING_BACK = re.compile(
    r"^(?:(?:but|well|um|uh|sorry|again)[, ]+)*(?:"
    r"(?:like|as) i (?:said|told you|wrote|mentioned|explained)|"
    r"i (?:already|just) (?:said|told you|gave|pasted|sent|wrote|answered|explained)"
    r"(?: (?:it|that|this|you|that one))?|"
    r"(?:i )?(?:already )?(?:said|told you|pasted|sent|wrote|gave) (?:it|that|this) already|"
    r"(?:see|read|check) (?:above|my (?:first|last|previous|earlier) messages?)|"
    r"same as (?:before|last time|above|earlier|the (?:last|first) one|my (?:last|other) ticket)|"
    r"(?:it's |its |it is )?(?:above|in my (?:first|last|previous|earlier) message)"
    r")(?:,? (?:above|before|earlier|already|in my (?:first|last|previous) message|the (?:steps|"
    r"errors?(?: messages?)?|system(?: details)?|details|info|information)))*$"
)
_PUSHBACK_WORDS = frozenset(
    "the a an error errors message messages exact it it's its is what which that this you your "
    "yours tell me us i i'm im have has no idea know any anything about system systems "
    "configuration config version plan host hosts hosted hosting run runs job "
    "should be able to see check look find out yourself yourselves why how would so just "
    "sorry really on my our store we we're using use".split()
)
_CHANGE_TO = re.compile(
    r"(?i)(?:(?:please|can you|could you|would you|can we|can i|i'd like to|i want to) )*"
    r"(?:change|set|make|switch) (?:the )?([\w ]{1,30}?) to (.+?)(?:,? please[.!]*)?$",
    re.S,
)
OPENS_A_CORRECTION = (
    r"(?:sorry|oops|wait|actually|correction(?: to)?|my bad|my mistake|i meant|"
    r"(?:that|this)(?: was|'s|’s| is) wrong|i was wrong)\b[\s,.:!-]*"
)
_CORRECTION_OPENING = re.compile(rf"(?i){OPENS_A_CORRECTION}(?:i meant\b[\s,.:!-]*)?")
_CORRECTION_BODY = (
    r"(?P<label>(?:the |my )?[a-z][a-z ]{1,30}?)(?: (?:is|was|are|were|should be|should read|"
    r"says|said|reads)(?: actually| really| instead)?(?: as follows| like this| exactly| the "
    r"following)?\s*[:-]?|\s*:)\s*"
    # "the steps are wrong, it's when I refund": the rest is the right answer.
    r"(?:(?:wrong|incorrect|not right|not correct)\b[\s,.:;!-]*)?"
    # "the error is shown only when …" describes the error; it does not replace it.
    r"(?!(?:shown|displayed|appearing|appears|only|not|when|because|after|before|still|gone|"
    r"there|happening|the same|random|intermittent|weird|strange|different|easy|hard|"
    r"difficult|simple|clear|obvious|serious|urgent|bad|worse|annoying|reproducible|"
    r"consistent|always|everywhere|on|in|with|for|wrong|incorrect)\b)(?P<value>\S.*)$"
)
# How something is ("slow", "really bad"): nothing to put in a field (about the problem, it
# still adds to it).
_HOW_IT_IS = re.compile(
    r"(?i)(?:slow|down|broken|frozen|stuck|dead|unusable|costing|hurting|killing|affecting|"
    r"causing|making|getting|really|very|so|critical|important|terrible|awful)\b"
)
_CORRECTION = re.compile(rf"(?is)(?:{OPENS_A_CORRECTION})+(?:i meant )?{_CORRECTION_BODY}")
# On the summary, where every line may be corrected, no opening word is needed.
_SUMMARY_CORRECTION = re.compile(rf"(?is)(?:{OPENS_A_CORRECTION})*(?:i meant )?{_CORRECTION_BODY}")
_INLINE = re.compile(r"^\s*([^:\n]{1,40}?)\s*[:=]\s*(\S.*)$", re.DOTALL)


class Field(BaseModel):
    """One numbered line of the summary; ``key`` is "kind", "problem", "consent" or a detail id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    label: str
    names: tuple[str, ...] = ()


def fields_of(policy: Policy) -> list[Field]:
    """The summary's fields, numbered from 1 in this order."""
    fields = [
        Field(key="kind", label="Kind of help", names=("kind", "type", "category", "kind of help")),
        Field(key="problem", label="Problem", names=("problem", "description", "issue")),
    ]
    for detail in policy.details:
        words = detail.label.lower().split()
        names = (detail.id, detail.id.replace("_", " "), detail.label.lower(), words[0])
        fields.append(Field(key=detail.id, label=detail.label, names=names))
    fields.append(
        Field(key="consent", label="Access consent", names=("consent", "access", "access consent"))
    )
    return fields


def field_named(policy: Policy, text: str) -> Field | None:
    """The field a customer means by "3", "steps", "change the error", "edit consent"."""
    # "Please change the steps, I forgot one": the field is named before the comma.
    answer = normalize(text).split(",")[0].removeprefix("please ")
    for verb in ("change ", "edit ", "fix ", "update ", "correct "):
        answer = answer.removeprefix(verb)
    answer = answer.removeprefix("the ").strip()
    fields = fields_of(policy)
    number = number_in(answer)
    if number is not None:
        return fields[number - 1] if 1 <= number <= len(fields) else None
    for field in fields:
        if answer in field.names or any(answer == name.split()[0] for name in field.names):
            return field
    return _field_mentioned(fields, answer)


def _field_mentioned(fields: list[Field], answer: str) -> Field | None:
    """ "the steps are wrong": the one field a short message names in passing."""
    words = set(answer.split())
    if len(words) > 8:
        return None
    named = [f for f in fields if any(name.split()[0] in words for name in f.names)]
    return named[0] if len(named) == 1 else None


def correction(policy: Policy, text: str, opened: bool = True) -> tuple[Field, str] | None:
    """ "Sorry, the error is actually …", "wait, the steps should be …": an earlier answer
    corrected, by the field it names (without an ``opened`` word such as "sorry" first on
    the summary: "the steps are wrong, it's when …")."""
    pattern = _CORRECTION if opened else _SUMMARY_CORRECTION
    match = pattern.match(text.strip())
    if match is None:
        return None
    answer = normalize(match.group("label")).removeprefix("the ").removeprefix("my ")
    field = next((f for f in fields_of(policy) if answer in _labels(policy)[f.key]), None)
    value = match.group("value").strip()
    if field is None or (field.key != "problem" and _HOW_IT_IS.match(value)):
        return None  # "sorry, the system is slow so I can't copy it": not a new answer
    return field, value


def corrected_to(text: str) -> str | None:
    """What replaces an earlier answer in "sorry, I meant Firefox 115", "oops: …"; None for a
    message that doesn't correct itself."""
    opened = _CORRECTION_OPENING.match(text.strip())
    return text.strip()[opened.end() :] if opened else None


def inline_edit(policy: Policy, text: str) -> tuple[Field, str] | None:
    """ "steps: open cart, click pay" or "change the kind to installation" edits a field in
    one message."""
    # "change error to Row 57: invalid price" first: its colon belongs to the new value.
    match = _CHANGE_TO.match(text.strip()) or _INLINE.match(text)
    if match is None or len(match.group(1).split()) > _LABEL_WORDS:
        return None  # "the error is different today, Row 57: …" is no label and its value
    field = field_named(policy, match.group(1))
    return (field, match.group(2).strip()) if field else None


def addition(policy: Policy, text: str) -> tuple[Field, str] | None:
    """ "add to steps: it always stops at row 57", "can you change the steps to include
    applying a coupon first": more for a field, after what it holds."""
    match = _ADD_TO.match(text.strip()) or _MORE_OF.match(text.strip())
    if match is not None:
        field, value = field_named(policy, match.group(1)), match.group(2)
        return (field, value.strip()) if field and value.strip() else None
    # "Change the steps to include …", "system: also a Mailgun SMTP": the rest is more.
    for pattern, more in ((_CHANGE_TO, _TO_ADD), (_INLINE, ALSO)):
        found = pattern.match(text.strip())
        added = more.match(found.group(2)) if found else None
        if found is not None and added is not None:
            field, value = field_named(policy, found.group(1)), found.group(2)[added.end() :]
            return (field, value.strip()) if field and value.strip() else None
    return None


def kind_named(policy: Policy, text: str) -> str | None:
    answer = normalize(text)
    number = number_in(answer)
    if number is not None:
        return policy.kinds[number - 1].id if 1 <= number <= len(policy.kinds) else None
    for kind in policy.kinds:
        if answer in (kind.id, kind.id.replace("-", " "), kind.label.lower()):
            return kind.id
    return next((k.id for k in policy.kinds if answer and answer in k.label.lower()), None)


def validate_detail(detail: DetailField, text: str) -> str | None:
    """The value to store for an answer, or None when it needs asking again."""
    text = _ECHOED_QUESTION.sub("", text)  # "what error? I'm asking a question"
    answer = normalize(text)
    if not answer:
        return None
    if answer in _EMPTY_ANSWERS and answer != "no":  # "no idea" is not "no error"
        return None
    none_phrases = {normalize(p) for p in detail.none_phrases}
    if detail.none_value and (
        answer in none_phrases
        or (
            "none" in none_phrases  # a bare "no" means none where "none" does, not for steps
            and is_no(text)
            and word_count(text) <= _BARE_NO_WORDS
            and set(re.findall(r"[a-z']+", answer)) <= _BARE_NO_VOCABULARY
        )
    ):
        return detail.none_value
    if answer in _EMPTY_ANSWERS or points_back(text):
        return None
    if word_count(text) < detail.min_words and not (detail.codes_count and _is_code(text)):
        return None
    if _only_not_knowing(answer):  # "I don't know the error, you tell me": asked again
        return None
    return text.strip()


def points_back(text: str) -> bool:
    """ "Like I said above", "I already told you", "same as before": an answer said to be
    somewhere else, which the ticket can't point to."""
    return _POINTING_BACK.match(normalize(text)) is not None


def _only_not_knowing(answer: str) -> bool:
    """An answer that only says the customer doesn't know (or pushes the question back), with
    nothing of what was asked: "how should I know?? you host it"."""
    opening = _NOT_KNOWING.match(answer)
    if opening is None:
        return False
    rest = re.findall(r"[a-z']+", answer[opening.end() :])
    return all(word in _PUSHBACK_WORDS for word in rest)


def _is_code(text: str) -> bool:
    """One token made to be read by machines: digits, underscores, capitals inside or
    throughout ("404", "card_declined", "TypeError", "ERR_CONNECTION_RESET", "0x80070005")."""
    token = text.strip().strip(_QUOTES)
    if len(token) < 3 or len(token.split()) != 1 or not token[0].isalnum():
        return False
    return any(c.isdigit() or c == "_" for c in token) or token.isupper() or not token[1:].islower()


def more_details(policy: Policy, text: str) -> dict[str, str]:
    """What a message adding to a request ("also …") gives: the details it names, or just
    where it happens too ("also on Firefox") for the system details."""
    found = prefill(policy, {}, text)
    known = {d.id for d in policy.details}
    if not found and extract.names_the_system(text) and ENVIRONMENT in known:
        found = {ENVIRONMENT: text.strip()}
    return found


def prefill(policy: Policy, details: dict[str, str], text: str) -> dict[str, str]:
    """Add the details this message gives in passing, never overwriting an answer: parts
    under a label ("Steps: …"), then what the extractors recognise (a quoted error, system
    facts), then a "none" answer said in a sentence ("there's no error, it just reloads")."""
    found = dict(details)
    parts = labelled_answers(policy, text)
    for detail in policy.details:
        if detail.id in found:
            continue
        value = validate_detail(detail, parts[detail.id]) if detail.id in parts else None
        extractor = _EXTRACTORS.get(detail.id)
        if value is None and extractor is not None:
            value = extractor(text)
        if value is None and detail.none_value and _says_none(detail, text):
            value = detail.none_value
        if value:
            found[detail.id] = value
    return found


def labelled_form(policy: Policy, text: str) -> dict[str, str]:
    """Every field a message gives as two or more "Label: value" parts, by field key: a
    request filled in like a form, in one message ("Problem: … Error: … Access: yes")."""
    return extract.labelled_parts(text, _labels(policy), _LABELLED_ALONE)


def labelled_answers(policy: Policy, text: str) -> dict[str, str]:
    """The details among ``labelled_form``, by detail id."""
    details = {detail.id for detail in policy.details}
    return {key: value for key, value in labelled_form(policy, text).items() if key in details}


def labelled_line(policy: Policy, text: str) -> tuple[str, str] | None:
    """(field key, value) of a message that is one "Label: value" line whose label is exactly
    a field's name ("System: Pro plan"); a colon inside an error ("Error code: 402") is not."""
    match = _INLINE.match(text)
    if match is None:
        return None
    label = normalize(match.group(1))
    key = next((k for k, names in _labels(policy).items() if label in names), None)
    return (key, match.group(2).strip()) if key else None


def labelled_lines(policy: Policy, text: str) -> tuple[str, dict[str, str]]:
    """A message of several lines, some of them "Label: value" lines naming a detail ("1. …
    2. … / System: Pro plan, Chrome"): the other lines, and each labelled detail's value."""
    rest: list[str] = []
    found: dict[str, str] = {}
    for line in text.splitlines():
        labelled = labelled_detail(policy, line)
        value = validate_detail(*labelled) if labelled is not None else None
        if labelled is not None and value is not None and labelled[0].id not in found:
            found[labelled[0].id] = value
        else:
            rest.append(line)
    return "\n".join(rest).strip(), found


def labelled_detail(policy: Policy, text: str) -> tuple[DetailField, str] | None:
    """The detail a one-line "Label: value" message names, and the value."""
    labelled = labelled_line(policy, text)
    detail = next((d for d in policy.details if labelled and d.id == labelled[0]), None)
    return (detail, labelled[1]) if detail is not None and labelled is not None else None


def _labels(policy: Policy) -> dict[str, tuple[str, ...]]:
    return {f.key: (*f.names, *_LABEL_SYNONYMS.get(f.key, ())) for f in fields_of(policy)}


def _says_none(detail: DetailField, text: str) -> bool:
    """A "none" phrase of two words or more inside a longer message ("no error", "nothing is
    shown"); single words ("none", "nothing") say too little out of context."""
    pattern = _none_pattern(tuple(detail.none_phrases))
    answer = normalize(text).replace("'s ", " is ")
    return pattern is not None and pattern.search(answer) is not None


def none_for_another(policy: Policy, asked: DetailField | None, text: str) -> DetailField | None:
    """The other detail a short message says "none" for ("no error at all actually", sent to
    the system question or the summary): a correction of that answer, not an answer to the
    question ``asked``."""
    answer = normalize(text)
    if asked and asked.none_value and validate_detail(asked, text) == asked.none_value:
        return None  # "it's a question": none for the one asked too
    for detail in policy.details:
        pattern = _none_pattern(tuple(detail.none_phrases))
        found = pattern.match(answer) if pattern and detail is not asked else None
        rest = set(re.findall(r"[a-z']+", answer[found.end() :])) if found else set()
        if found is not None and detail.none_value and rest <= _ONLY_SAYING_SO:
            return detail
    return None


def fills_a_none(
    policy: Policy, asked: DetailField, details: dict[str, str], text: str
) -> DetailField | None:
    """The other detail, answered "none" before, that this message is wholly an answer to:
    an error pasted after "no error" was an error after all, unless the message reads as
    an answer to the question asked (steps that end in an error code, system details)."""
    reads_as_asked = _READS_AS.get(asked.id)
    if reads_as_asked is not None and reads_as_asked(text):
        return None
    for detail in policy.details:
        extractor = _EXTRACTORS.get(detail.id)
        answered_none = detail.none_value and details.get(detail.id) == detail.none_value
        if detail is asked or extractor is None or not answered_none:
            continue
        found = extractor(text)
        if found and normalize(found) == normalize(text):
            return detail
    return None


@functools.lru_cache(maxsize=64)
def _none_pattern(none_phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a detail's "none" phrases of two words or more, built once."""
    phrases = sorted({normalize(p) for p in none_phrases if len(p.split()) >= 2}, key=len)
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p) for p in reversed(phrases))
    # At the start of a clause ("there's no error, it just reloads"), not inside an error's
    # words ("Coupon not applicable to this product").
    return re.compile(
        r"(?:^|(?<=[.,;:!?])\s*|\b(?:and|but|so)\s+)"
        r"(?:(?:there(?:'s| is| are)|it(?:'s| is)|i (?:see|get)|we (?:see|get))\s+)?"
        rf"(?:{alternatives})(?!\w)"
    )
