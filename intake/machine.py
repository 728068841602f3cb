"""The intake conversation as one explicit state machine.

    NEW ─first message─▶ PROBLEM ─guides found─▶ GUIDES ─yes (a number shows one)─▶ SELF_SERVED
                            │                       │ no
                            │ no guide              ▼
                            └─────────────────▶ DETAILS ─(one missing detail at a time)─┐
                                                                                       ▼
          TICKETED ◀─TicketOpened─ (OpenTicket) ◀─send─ CONFIRM ⇄ EDIT ◀──────────── CONSENT
             │ TicketClosed / restart
             ▼
           CLOSED

Rules:
- ``step`` is pure: the time arrives inside each event, guides through the ``GuideSearch``
  port, and what must happen outside comes back as actions (replies are data).
- The commands help, status, restart, cancel and agent work in every step that is not finished.
- A customer's mistake is never an exception: the step stays and asks again with a hint.
- A detail already given (e.g. an error quoted in the first message) is never asked again.
- Stepping a finished conversation raises ``IllegalTransition``: the service starts a new one.
"""

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta

from intake import texts
from intake.actions import (
    Action,
    AmendTicket,
    Choice,
    ForwardToTicket,
    LookUpTickets,
    OpenTicket,
    RecordGap,
    Reply,
    SelfServed,
    TicketDraft,
)
from intake.answers import (
    Command,
    about_the_chat,
    asks_about_hours,
    asks_back,
    clean_text,
    command_in,
    day_asked,
    is_confused,
    is_goodbye,
    is_no,
    is_thanks,
    is_yes,
    normalize,
    number_in,
    numbers_in,
    only_a_day,
    opens_with_yes,
    says_something,
    says_thanks,
    says_urgent,
    second_thoughts,
    straight_apostrophes,
    wants_a_moment,
    with_conditions,
    without_plea,
    word_count,
)
from intake.conversation import Conversation, Step, without_request
from intake.events import CustomerSaid, Event, TicketClosed, TicketOpened, TicketsFound
from intake.extract import (
    consent_clause,
    consent_in,
    does_something,
    error_text,
    mentions_access,
    names_the_system,
    only_access,
    only_system_facts,
    tells_of_a_failure,
    what_is_wrong,
    without_pleasantries,
)
from intake.fields import (
    ALSO,
    ENVIRONMENT,
    OPENS_A_CORRECTION,
    STEPS,
    Field,
    addition,
    corrected_to,
    correction,
    field_named,
    fields_of,
    fills_a_none,
    inline_edit,
    kind_named,
    labelled_answers,
    labelled_detail,
    labelled_form,
    labelled_line,
    labelled_lines,
    more_details,
    none_for_another,
    points_back,
    prefill,
    validate_detail,
)
from intake.guides import GuideMatch, GuideSearch
from intake.hours import (
    SupportHours,
    Window,
    closure_on,
    closures_between,
    closures_until,
    describe_day,
    describe_hours,
    describe_schedule,
    describe_window_end,
    describe_window_start,
    holidays_between,
    next_window,
    window_after,
    window_on,
)
from intake.inbound import as_edit, carries_files, without_attachments
from intake.kinds import infer_kind, suggests_a_kind
from intake.language import is_clearly_not_english, reads_as_english
from intake.policy import DetailField, Policy
from intake.redaction import redaction_notice
from intake.tickets import Priority

Outcome = tuple[Conversation, tuple[Action, ...]]


class IllegalTransition(Exception):
    """Raised when a finished conversation is stepped: a bug in the caller, not the customer."""


@dataclass(frozen=True)
class _Turn:
    policy: Policy
    guides: GuideSearch
    event: CustomerSaid
    text: str
    hours_question: str = ""
    """An hours question the message asked beside ``text`` ("…, are you open today?")."""
    idle: timedelta = timedelta(0)
    """How long the customer had been silent before this message."""


_Handler = Callable[[Conversation, _Turn], Outcome]
# A message that stops mid-sentence ("I'm getting an error when…"): more is coming.
_MID_SENTENCE = re.compile(
    r"\b(?:when|if|and|but|because|after|before|while|the|an|my|our|or)"
    r"\s*(?:\.{2,}|…)?$",
    re.IGNORECASE,
)
_TRAILING_DOTS = re.compile(r"\s*(?:\.{2,}|…)\s*$")
# "checkout broken" is a problem; "hi", "help me" and "hello there" are not.
_MIN_PROBLEM_WORDS = 2
_MIN_PROBLEM_CHARS = 8
# Where one sentence of a message ends and the next begins.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
# Said of a guide that helped; a bare "yes" or "ok" to the offer means "show me", not "solved".
_SOLVED = re.compile(r"\b(?:solved|worked|works|fixed|resolved|did it|it did|that's it)\b")
# "I already tried those", "none of them apply": the guides didn't help.
_NOT_HELPFUL = re.compile(
    r"\b(?:already (?:tried|read|did|followed|done|set up|checked)|didn't help|didnt help|"
    r"did not help|don't help|dont help|not helpful|not relevant|no use|useless|doesn't apply|"
    r"don't apply|none of (?:them|these|those))\b"
)
# A yes on a condition, at the access question ("yes, but …" opens with yes).
_ONLY_IF = re.compile(
    r"\bonly if (?:necessary|needed|you need|required|you have to|you must)\b|"
    r"\bif (?:necessary|needed|you need to|you have to|you must)\b|"
    # A yes that opens with its limits: "as long as you don't touch payments", "only if you
    # don't change anything", "you can look but don't change anything".
    r"^(?:(?:as|so) long as|only if|provided)\b|"
    r"^(?:you|they|agents?|the team|your team) (?:can|may) "
    r"(?:look|check|see|view|read|have a look|take a look)\b"
)
# About to try a guide, not done yet: "ok I'll try that", "let me try it".
_TRYING = re.compile(
    r"\b(?:i'll|i will|ill|let me|gonna|going to|will) (?:try|test|check|read|look|do|give)\b"
)
# How a "none of them helped" opens, before any more words about the problem.
_A_NO = re.compile(
    r"^(?:\s*(?:no|nope|nah|sadly|unfortunately|"
    r"none of (?:these|them|those)(?: helped| work(?:ed)?)?|"
    r"i(?: have|'ve)? already tried (?:those|these|them|that|it)|"
    r"already tried (?:those|these|them)|"
    r"(?:it |that |this )?(?:didn't|didnt|did not|doesn't|doesnt|does not) (?:help|work))"
    r"\b[\s,.;:!-]*)+",
    re.IGNORECASE,
)
_NOT_SOLVED_AFTER_ALL = re.compile(
    r"\b(?:didn't|didnt|did not|doesn't|doesnt|does not|isn't|isnt|is not|wasn't|wasnt|not) "
    r"(?:work|working|help|helped|helping|fix|fixed|solve|solved)\b|"
    r"\bstill (?:broken|failing|not|the same|happening|there)\b|\b(?:came|is|it's) back\b"
)
_CLAUSES = re.compile(r"[,.;:!?]+|\b(?:but|because|since|as)\b")
# "No wait, I still need help", "I changed my mind": a cancel taken back.
_CHANGED_MIND = re.compile(
    r"^(?:(?:no|oh|oops|sorry|wait|actually|hold on|hang on)\b[\s,.!-]*)*"
    r"(?:i (?:still |do )?(?:need|want) (?:help|it|this|that|to continue)|(?:i )?changed my mind|"
    r"(?:please )?(?:don't|do not) cancel|i didn't mean (?:that|to cancel)|"
    r"keep (?:it|going|my request)|"
    # "Undo", "continue" alone, not "Undo button in the editor doesn't work".
    r"(?:(?:please )?(?:undo|continue|go on)(?: that| it| please)?[\s.!]*$))\b"
)
# What keeps "it's working" from meaning it's all fixed: "… but not on mobile".
_BUT_NOT = re.compile(
    r"\b(?:but|except|still|not|only|however|although|though|fails?|failing|failed|error|"
    r"broken|crash(?:es|ed|ing)?|doesn't|don't|won't|either)\b"
)
# "It works now", "you can close the ticket": the customer's problem is gone.
_FIXED_NOW = re.compile(
    r"\b(?:it's|it is|its|all|everything(?:'s| is)?|that's|problem(?:'s| is)?|issue(?:'s| is)?) "
    r"(?:fixed|working|solved|sorted|resolved|fine)(?: now| again)?\b|"
    r"\b(?:you can|please|feel free to|go ahead and) close (?:it|the ticket|my ticket|this)\b|"
    r"^(?:please |pls |ok,? |okay,? )?(?:close|cancel|delete|remove) (?:it|this|this ticket|"
    r"the ticket|my ticket|my request|the request|this request)(?: please| now| thanks?)*\W*$|"
    r"\ball (?:good|sorted|fine|working)(?: now)?\b|"
    r"\b(?:it was|it's|that was) my (?:mistake|fault|bad)\b|"
    r"\b(?:fixed|solved|sorted|figured out) it\b|\bfigured it out\b|"
    r"\bworks (?:now|again)\b"
)
# Waiting for the team, or tired of it: "nobody answered yet", "still waiting", "escalate".
_STILL_WAITING = re.compile(
    r"\b(?:no ?one|nobody|no body) (?:has |have |is |'s )?(?:answered|answering|replied|replying|"
    r"responded|responding|got back|contacted|looked|here|there)|\b(?:still|been) waiting\b|"
    r"\bescalate\b|\bany (?:news|progress|updates?)\b|\bhow much longer\b|"
    r"\banyone (?:there|here)\b|"
    r"\b(?:get|have|give me|send me|need|want|like) an update\b|\bwhat'?s happening with\b|"
    r"\b(?:has|have|did|is|are) (?:anyone|anybody|someone|somebody|the team) (?:looked|looking|"
    r"seen|see|read|checked|working|picked)\b|^eta\W*$|^\?+$|^hel+o+\W*$|"
    r"^(?:hello|hi|hey)\W+(?:anyone|anybody|is anyone)\b|^(?:hello|hi|hey|anyone|anybody)"
    r"(?: there)?\W*\?|\bit'?s been (?:\d+|a|two|three|"
    r"several|many) (?:days?|hours?|weeks?)(?:\W*$| and (?:no ?one|nobody|still|no (?:answer|"
    r"reply)))"
)
# How a new chat opens: "Hi, …", "Hello! …", "Good morning, …".
_GREETING = re.compile(r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|morning)\b")
# Words that say nothing of what a problem is about ("it still doesn't work after all").
_NOT_ABOUT = frozenset(
    word[:5]
    for word in "still does doesn didn didnt work works working help helped after again guide "
    "that this with what when have just really anymore actually sorry thanks back broken "
    "fixed solve solved same problem issue from there their they today since morning every "
    # where almost every store problem happens: sharing one of these says little
    "checkout store shop customers orders page pages admin site website products".split()
)
_DESCRIBES = 3  # content words that make a message a description of its own
# "I have a different problem now", "another question": maybe not for the open ticket.
_ANOTHER_PROBLEM = re.compile(
    r"\b(?:a |an )?(?:different|another|new|separate|second|unrelated|other) "
    r"(?:problem|issue|question|request|thing|ticket)\b"
)
# "It also fails on my phone", "still broken": more of the same problem, whatever its words.
_SAME_AGAIN = re.compile(r"\b(?:also|too|as well|again|still|same|even|either)\b")
_NUMBER = re.compile(r"\b\d{3,}\b")  # an error code, an order number
# Words that put an earlier answer right: "actually", "I meant", "it's X not Y".
# Anywhere in the message: "nope, firefox actually", "it's Firefox not Chrome".
_PUTS_RIGHT = re.compile(rf"\b(?:{OPENS_A_CORRECTION}|(?:it'?s|it is|its) \w+(?: \w+)? not\b)")
# "Send" at the access question means to get on with it, not to grant access.
_NOT_AN_ACCESS_ANSWER = frozenset(["send", "submit", "send it", "go", "go ahead and send"])
_UNSOLVED_REPLIES = frozenset(["no", "nope", "nah", "no it didn't", "no it did not", "not really"])
# Words about the guides themselves, or reading them later: not more about the problem.
_ABOUT_THE_GUIDES = re.compile(
    r"\b(?:guides?|articles?|options?|links?|these|those|them|tried|followed|read|reading|"
    r"look|looking|check|checking|first|later|try|trying|let me)\b"
)
# After a ticket opened without consent, only a plain answer counts ("ok thanks" is not one).
_PLAIN_ANSWERS = {
    **dict.fromkeys(["yes", "y", "yeah", "yep", "yup", "sure", "of course", "absolutely"], True),
    **dict.fromkeys(["yes please", "yes you can", "yes you may", "go ahead", "yes go ahead"], True),
    **dict.fromkeys(["yes thanks", "yes thank you", "yes thx", "yeah thanks", "yep thanks"], True),
    **dict.fromkeys(["no", "n", "nope", "no thanks", "no thank you", "please don't"], False),
    **dict.fromkeys(["i'd rather not", "id rather not", "rather not", "no you may not"], False),
}
# A ticket opened this close to closing time may wait for the next window; the customer is told.
_CLOSING_SOON = timedelta(minutes=30)
_YEAR = timedelta(days=366)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"
_MONTH_DAY = re.compile(rf"\b{_MONTH} (?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(rf"\b(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)? (?:of )?{_MONTH}(?![a-z])")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_ORDINAL_DAY = re.compile(r"\bthe ([0-3]?[0-9])(?:st|nd|rd|th)\b")
_EVE = re.compile(r"\b(christmas|new year'?s?) eve\b")
# Words of a holiday's name that don't tell it apart: "Christmas Day" is asked as "Christmas".
_NOT_THE_NAME = frozenset({"day", "observed"})
_NAME_WORD = re.compile(r"[a-z]+")
_CLOSING_SOON = timedelta(hours=1)  # less than this left today: the next window is said too
_HOLIDAYS_AHEAD = timedelta(days=45)  # "are you open over the holidays?" looks this far
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def step(state: Conversation, event: Event, policy: Policy, guides: GuideSearch) -> Outcome:
    if state.finished:
        raise IllegalTransition(f"conversation is {state.step.value}; start a new one")
    if isinstance(event, TicketOpened):
        return _ticket_opened(state, event, policy)
    if isinstance(event, TicketsFound):  # then the question the conversation waits on, if any
        return state, (_say_then_ask(state, policy, texts.status(event.tickets, event.elsewhere)),)
    if isinstance(event, TicketClosed):
        return state.model_copy(update={"step": Step.CLOSED}), ()
    text = straight_apostrophes(clean_text(event.text))
    state, actions = _customer_said(state, _Turn(policy, guides, event, text))
    return state, _stamped(actions, _prompt_of(state))


def _prompt_of(state: Conversation) -> str:
    """The question the conversation waits on, as buttons name it (``Choice.prompt``)."""
    return f"edit:{state.editing}" if state.step is Step.EDIT else state.step.value


def _stamped(actions: tuple[Action, ...], prompt: str) -> tuple[Action, ...]:
    """Buttons answer the question the conversation now waits on: a reply's buttons always
    belong to it, whatever step made the reply."""
    return tuple(
        action.model_copy(
            update={
                "choices": tuple(c.model_copy(update={"prompt": prompt}) for c in action.choices)
            }
        )
        if isinstance(action, Reply) and action.choices
        else action
        for action in actions
    )


def _customer_said(state: Conversation, turn: _Turn) -> Outcome:
    if state.recent:
        turn = replace(turn, idle=turn.event.at - state.recent[-1])
    state, flooding = _count_message(state, turn)
    if flooding:
        return _flooded(state, turn)
    notes: list[str] = []
    if turn.event.redacted and not state.privacy_notice_given:
        notes.append(redaction_notice(turn.event.redacted))
        state = state.model_copy(update={"privacy_notice_given": True})
    asks_language = about_the_chat(turn.text) == "language"  # answered as such, below
    if is_clearly_not_english(turn.text) and not state.language_noted and not asks_language:
        notes.append(texts.NOT_ENGLISH)
        state = state.model_copy(update={"language_noted": True})
    if turn.event.edited:
        return _edited(state, turn)
    answers = turn.event.answers
    if answers == Step.CONFIRM.value and state.step is Step.TICKETED:
        return state, ()  # Send clicked twice: the ticket it opened says all
    if answers is not None and state.step is not Step.NEW and answers != _prompt_of(state):
        # A button on an earlier message: its answer is not for the question asked now.
        return state, _with_notes(notes, (_say_then_ask(state, turn.policy, texts.OLD_BUTTON),))
    if not turn.text and state.step is not Step.NEW:
        # A sticker, a reaction-only message, invisible characters: nothing to read or keep.
        return state, _with_notes(notes, (_say_then_ask(state, turn.policy, texts.TEXT_ONLY),))
    hours_question, rest = _hours_question_and_rest(turn.text)
    if hours_question and state.step is not Step.TICKETED:
        # "Are you open tomorrow? My checkout is broken", "Checkout is broken, are you open
        # today?": answered (by the greeting, when there is one), then the rest is read.
        turn = replace(turn, text=rest, hours_question=hours_question)
        if state.step is not Step.NEW:
            window = next_window(turn.policy.hours, turn.event.at)
            notes.append(_hours_answer(replace(turn, text=hours_question), window))
    command = command_in(turn.text)
    if command is None and turn.idle > _STALE and _starts_over(state, turn.text):
        # Back days later with something else: the unfinished request is not mixed into it.
        notes.append(texts.earlier_request_dropped(texts.shorten(state.problem or "", _EXCERPT)))
        state = without_request(state).model_copy(update={"step": Step.NEW})
    hours_aside = command is None and asks_about_hours(turn.text)
    confused = is_confused(turn.text) or about_the_chat(turn.text) is not None
    aside = hours_aside or (command is None and confused)
    if state.step is Step.NEW and command is None and says_thanks(turn.text):
        # "Thanks!" after a guide helped or a ticket closed: no new request yet.
        return state, _with_notes(notes, (Reply(text=texts.YOU_ARE_WELCOME),))
    if state.step is Step.NEW and (state.after_guide or state.after_cancel):
        if (
            command is None
            and state.after_guide
            and _unsolved_after_all(turn.text)
            and not _another_request(state, turn.text)
        ):
            gap = _not_helpful(state)
            if _says_why(turn.text):  # "…, the currency switcher doesn't show up": the problem
                state, cut = _joined(state, turn, turn.text)
                notes.extend(cut)
            state, actions = _resumed(state, turn, notes, texts.NOT_SOLVED_AFTER_ALL)
            return state, (gap, *actions)
        if command is None and state.after_cancel and _CHANGED_MIND.match(normalize(turn.text)):
            return _resumed(state, turn, notes, texts.NOT_CANCELLED)
        state = without_request(state)  # a new request: the earlier one is not part of it
    if state.step is Step.NEW and command is not Command.CANCEL:
        state, greeting = _greet(state, turn)
        notes[:0] = greeting
        if command is None and (aside or not _is_description(turn.text)):
            # The greeting already says when support is open, and asks for the problem.
            if carries_files(turn.text):  # a screenshot first
                state = state.model_copy(update={"files": (turn.text.strip(),)})
                return state, _with_notes(notes, (Reply(text=texts.FILE_NEEDS_WORDS),))
            about = about_the_chat(turn.text)  # "is this a bot?" as the first words
            if about is not None:
                notes.append(texts.about_the_chat(about, turn.policy))
            return state, _with_notes(notes, (Reply(text=texts.ASK_PROBLEM),))
    if command is None and state.step not in _NO_PAUSE and wants_a_moment(turn.text):
        return state, _with_notes(notes, (Reply(text=texts.NO_RUSH),))
    if command is None and state.step in _QUESTIONS and says_thanks(turn.text):
        welcome = _say_then_ask(state, turn.policy, texts.YOU_ARE_WELCOME)
        return state, _with_notes(notes, (welcome,))
    handler: _Handler
    if aside:
        handler = _hours if hours_aside else _explain
    else:
        handler = _COMMANDS[command] if command else _STEPS[state.step]
    if command is Command.CANCEL and state.step is Step.EDIT:
        handler = _edit  # cancelling a change keeps the field, not the whole request
    forwards: tuple[Action, ...] = ()
    if command in _TOLD_TO_THE_TICKET and state.step is Step.TICKETED:
        # "Never mind, it works now", "any news?": answered here, and the agent reads them too.
        # "Never mind, fixed it" and "any news?" reopen nothing: not an answer the team waits on.
        awaited = command not in (Command.CANCEL, Command.STATUS)
        forwards = (
            ForwardToTicket(ticket_id=str(state.ticket_id), text=turn.text, reopens=awaited),
        )
    state, actions = handler(state, turn)
    return state, _with_notes(notes, (*forwards, *actions))


def _hours_question_and_rest(text: str) -> tuple[str, str]:
    """(the hours question, the rest) of a message that asks about the hours and says more,
    before or after the question; ("", text) when it does not."""
    sentences = [part for part in _SENTENCE_BREAK.split(text) if part.strip()]
    if sentences and sentences[-1].rstrip().endswith("?"):
        # A question tacked on with a comma: "checkout is broken, are you open today?"
        head, comma, tail = sentences[-1].rpartition(",")
        if comma and asks_about_hours(tail):
            sentences[-1:] = [head, tail]
    questions = [part for part in sentences if "?" in part and asks_about_hours(part)]
    rest = text
    for question in questions:
        rest = rest.replace(question, " ", 1)
    rest = rest.strip(" ,;-\n")
    if not questions or not says_something(rest) or command_in(rest) is not None:
        return "", text
    if only_a_day(rest):  # "are you open today? it's thanksgiving": all one question
        return "", text
    return " ".join(question.strip() for question in questions), rest


def _count_message(state: Conversation, turn: _Turn) -> tuple[Conversation, bool]:
    """Keep the last few message times; True when they come faster than the policy allows."""
    policy, at = turn.policy, turn.event.at
    since = at - timedelta(seconds=policy.flood_window_seconds)
    recent = (*(t for t in state.recent if t > since), at)[-policy.flood_max_messages - 1 :]
    flooding = len(recent) > policy.flood_max_messages
    update: dict[str, object] = {"recent": recent}
    if not flooding:
        update["flood_noted"] = False
    return state.model_copy(update=update), flooding


def _flooded(state: Conversation, turn: _Turn) -> Outcome:
    """Too fast: the message is kept (and still reaches a ticket) but not read as an answer."""
    actions: list[Action] = []
    clicked = turn.event.answers is not None  # a button is a choice, not words for the agent
    if state.step is Step.TICKETED and turn.text and not clicked:
        said = as_edit(turn.text) if turn.event.edited else turn.text  # read as an edit, as ever
        actions.append(ForwardToTicket(ticket_id=str(state.ticket_id), text=said))
    if not state.flood_noted:
        state = state.model_copy(update={"flood_noted": True})
        ticketed = state.step is Step.TICKETED  # nothing to answer again: all of it arrived
        actions.append(Reply(text=texts.SLOW_DOWN_TICKETED if ticketed else texts.SLOW_DOWN))
    return state, tuple(actions)


def _greet(state: Conversation, turn: _Turn) -> tuple[Conversation, list[str]]:
    """The hello, with the hours when support is closed or the message asked about them."""
    at = turn.event.at
    window = next_window(turn.policy.hours, at)
    closed = not window.covers(at)
    lines = [texts.greeting(turn.policy)]
    question = turn.hours_question or (turn.text if asks_about_hours(turn.text) else "")
    # Only a question names the day to answer for: "customers in Canada can't pay" names none.
    asked = replace(turn, text=question)
    if closed:
        lines.append(f"{_hours_answer(asked, window)} {texts.GET_READY}")
    elif question:
        lines.append(_hours_answer(asked, window))
    update = {"step": Step.PROBLEM, "started_at": at, "out_of_hours": closed}
    return state.model_copy(update=update), lines


def _unsolved_after_all(text: str) -> bool:
    """ "No, it didn't help after all", "still broken": about the request a guide just solved."""
    lowered = text.lower()
    return (
        normalize(text) in _UNSOLVED_REPLIES
        or _NOT_HELPFUL.search(lowered) is not None
        or _NOT_SOLVED_AFTER_ALL.search(lowered) is not None
    )


def _starts_over(state: Conversation, text: str) -> bool:
    """Another problem, opened as a new chat ("Hi, my PayPal button disappeared"), where an
    unfinished intake waits: an answer to its question after a night ("yes, you can access
    my store") is no new request."""
    return state.step in _UNFINISHED and _opens_another(state, text)


def _opens_another(state: Conversation, text: str) -> bool:
    """A message that opens a chat about another problem: said outright ("different
    issue: …"), or a greeting and a description with no word in common with the old one."""
    if _ANOTHER_PROBLEM.search(text.lower()):
        return True
    return (
        _GREETING.match(text.lower()) is not None
        and _is_description(text)
        and not only_system_facts(text)
        and _another_request(state, text)
    )


def _another_request(state: Conversation, text: str) -> bool:
    """ "Different issue: my PayPal button is missing, it doesn't work", said after a guide
    solved another problem: a new request, not that one coming back. Said outright, or a
    description that shares no word with the earlier problem."""
    lowered = text.lower()
    if _ANOTHER_PROBLEM.search(lowered):
        return True
    said = _content_stems(lowered)
    return len(said) >= _DESCRIBES and not said & _content_stems((state.problem or "").lower())


def _content_stems(text: str) -> set[str]:
    """The words that say what a text is about, cut to their first letters ("payments" and
    "payment" alike)."""
    return {word[:5] for word in _NAME_WORD.findall(text) if len(word) > 3} - _NOT_ABOUT


def _says_why(text: str) -> bool:
    """A clause beyond "it didn't help after all" that says something of the problem."""
    return any(
        says_something(clause, at_least=3)
        and _NOT_HELPFUL.search(clause) is None
        and _NOT_SOLVED_AFTER_ALL.search(clause) is None
        for clause in _CLAUSES.split(text.lower())
    )


def _resumed(state: Conversation, turn: _Turn, notes: list[str], note: str) -> Outcome:
    """Back to the request the customer left (a guide that didn't help after all, a cancel
    taken back), ``note`` said: its next question comes."""
    at_the_offer = state.after_cancel and state.left_at is Step.GUIDES and bool(state.guides)
    update = {"after_guide": False, "after_cancel": False, "left_at": None}
    state, greeting = _greet(state.model_copy(update=update), turn)
    if at_the_offer:  # cancelled while the guides were on offer: offered again
        state = state.model_copy(update={"step": Step.GUIDES})
        prompt = _current_prompt(state, turn.policy)
        actions: tuple[Action, ...] = (prompt,) if prompt else ()
    else:
        state, actions = _advance(state, turn)
    # The greeting's hours line (when closed) still matters; its hello does not.
    return state, _with_notes([*notes, *greeting[1:], note], actions)


def _pieced(fragments: tuple[str, ...], text: str) -> str:
    """A sentence sent in pieces, whole again: "I get an error when…" and "when I save a
    product" read "I get an error when I save a product"."""
    said = text.strip()
    for fragment in reversed(fragments):
        head = _TRAILING_DOTS.sub("", fragment)
        last, first = head.rsplit(None, 1)[-1:], said.split(None, 1)[:1]
        if last and first and last[0].lower() == first[0].lower():
            head = head[: -len(last[0])].rstrip()
        said = f"{head} {said}".strip()
    return said


def _is_description(text: str) -> bool:
    """Words about a problem; a file's line (a screenshot sent alone) is not a description."""
    words = without_pleasantries(without_attachments(text))
    return word_count(words) >= _MIN_PROBLEM_WORDS and says_something(words)


def _with_notes(notes: list[str], actions: tuple[Action, ...]) -> tuple[Action, ...]:
    """Put notes (greeting, language, privacy) in front of the first reply, as one message."""
    if not notes:
        return actions
    for index, action in enumerate(actions):
        if isinstance(action, Reply):
            merged = Reply(text="\n\n".join([*notes, action.text]), choices=action.choices)
            return (*actions[:index], merged, *actions[index + 1 :])
    return (Reply(text="\n\n".join(notes)), *actions)


# ── steps ───────────────────────────────────────────────────────────────────────────────────


def _problem(state: Conversation, turn: _Turn) -> Outcome:
    text, policy = turn.text, turn.policy
    form = labelled_form(policy, text)
    labelled = labelled_line(policy, text)
    if "problem" in form:  # "Problem: … Error: … Access: yes", a form filled in at once
        text = form["problem"]
    elif labelled is not None and labelled[0] == "problem":
        text = labelled[1]  # "Problem: …", as some people fill a form
    access = form.get("consent", "")
    if is_yes(access) or is_no(access):
        state = _answered_access(state, turn, is_yes(access), access)
    files = carries_files(text)
    said = _pieced(state.fragments, text)
    unfinished = _MID_SENTENCE.search(text) is not None
    if not _is_description(said) or len(said) < _MIN_PROBLEM_CHARS or unfinished:
        # A screenshot alone, or the start of a sentence ("my checkout", "I get an error
        # when…"): kept for the problem, whose words are still needed.
        update: dict[str, object] = {}
        if files:
            update = {"files": (*state.files, text.strip())}
        elif says_something(text, at_least=1):
            update = {"fragments": (*state.fragments, text.strip())}
        hint = texts.FILE_NEEDS_WORDS if files else texts.PROBLEM_HINT
        if unfinished and not files:
            hint = texts.GO_ON
        return _reask(state.model_copy(update=update), hint)
    problem, notes = _as_problem("\n".join((said, *state.files)), policy)
    state = _consent_in_passing(state, turn)
    matches, kind = _guides_and_kind(turn, problem)
    state = state.model_copy(
        update={
            "problem": problem,
            "fragments": (),
            "kind": kind,
            "guides": matches,
            "details": prefill(policy, state.details, turn.text),
            "reasks": 0,
        }
    )
    notes.append(texts.kind_guess(policy, kind))
    if matches:
        state = state.model_copy(update={"step": Step.GUIDES})
        offer = Reply(text=texts.guide_offer(matches), choices=_guide_choices(state))
        return state, _with_notes(notes, (offer,))
    gap = RecordGap(text=problem, kind=kind, reason="no_match")
    state, actions = _advance(state, turn)
    return state, (gap, *_with_notes([*notes, texts.NO_GUIDE], actions))


def _guides_and_kind(turn: _Turn, problem: str) -> tuple[tuple[GuideMatch, ...], str]:
    """The guides that may solve ``problem``, and the kind of help it most likely needs."""
    policy = turn.policy
    query = what_is_wrong(problem)
    matches = tuple(turn.guides.search(query, policy.max_guides)) if policy.max_guides else ()
    return matches, infer_kind(policy, problem, matches[0].category if matches else None)


def _kind_for_new_problem(state: Conversation, turn: _Turn, problem: str) -> str | None:
    """The kind of help for a problem described anew, unless the customer chose the kind
    themselves (it differs from the guess for the problem before)."""
    policy = turn.policy
    category = state.guides[0].category if state.guides else None
    if state.problem is not None and state.kind != infer_kind(policy, state.problem, category):
        return state.kind
    return _guides_and_kind(turn, problem)[1]


def _guides(state: Conversation, turn: _Turn) -> Outcome:
    labelled = labelled_detail(turn.policy, turn.text)
    if labelled is not None:
        # "Error: no error": filling in the request, so none of the guides solved it.
        gap = _not_helpful(state)
        named, value = labelled
        state = state.model_copy(update={"reasks": 0})
        checked = validate_detail(named, value)
        if checked is None:
            state, actions = _advance(state, turn)
        else:
            state, actions = _answer(state, turn, named, checked, state.details)
        return state, (gap, *actions)
    lowered = turn.text.lower()
    solved = _SOLVED.search(lowered) is not None
    several = numbers_in(turn.text, len(state.guides))
    if several and several[-1] <= len(state.guides):  # "1 and 2", "both"
        return _show_guides(state, turn, [state.guides[n - 1] for n in several])
    number = number_in(turn.text)
    if number is not None and 1 <= number <= len(state.guides):
        chosen = state.guides[number - 1]
        if solved and not is_no(turn.text):  # "the first one worked"
            return _self_served(state, chosen.id)
        return _show_guides(state, turn, [chosen])
    if number is not None or several:  # "2" with one guide offered
        return _reask(state, texts.no_such_guide(len(state.guides)), _guide_choices_now(state))
    typed = _guide_named(state.guides, turn.text)
    if typed is not None:  # "Set up PayPal", a button's label typed out
        return _show_guides(state, turn, [typed])
    if _TRYING.search(lowered) and not solved:
        # "ok, I'll try that": not solved yet; the question waits until they know.
        return _reask(state, texts.TAKE_YOUR_TIME, _guide_choices_now(state))
    if state.shown_guide is not None and is_yes(turn.text) and (solved or _plain_yes(turn.text)):
        # "Yes", "that worked": solved. "Ok, reading it now" is not yet.
        return _self_served(state, state.shown_guide)
    if is_yes(turn.text) and solved:  # "yes, it worked"
        return _self_served(state, state.guides[0].id if len(state.guides) == 1 else None)
    if state.shown_guide is None and len(state.guides) == 1 and _plain_yes(turn.text):
        return _show_guides(state, turn, [state.guides[0]])  # "yes please": show me
    if is_no(turn.text) or _NOT_HELPFUL.search(lowered):
        gap = _not_helpful(state)
        more = _A_NO.sub("", turn.text).strip()
        if says_something(more, at_least=3):  # "none of these, the button is missing on mobile"
            state = _joined(state, turn, more)[0]
        state, actions = _advance(state.model_copy(update={"reasks": 0}), turn)
        return state, (gap, *actions)
    if is_yes(turn.text) or _ABOUT_THE_GUIDES.search(lowered):
        # "ok", "let me read these first", "guide 1 is for Stripe": the offer stays open.
        return _guides_reask(state)
    if says_something(turn.text, at_least=3) and not turn.text.rstrip().endswith("?"):
        # Not a choice but more about the problem ("it started after I changed my theme"):
        # none of the guides solved it; the words join the problem, and whatever detail they
        # give (a quoted error, the system) is kept, so only what is still missing is asked.
        gap = _not_helpful(state)
        state, notes = _joined(state.model_copy(update={"reasks": 0}), turn, turn.text)
        state, actions = _advance(_consent_in_passing(state, turn), turn)
        return state, (gap, *_with_notes([texts.GUIDES_SKIPPED, *notes], actions))
    return _guides_reask(state)


def _not_helpful(state: Conversation) -> RecordGap:
    """The guides offered for this problem did not solve it: a gap in the knowledge base."""
    return RecordGap(text=state.problem or "", kind=state.kind, reason="not_helpful")


def _joined(state: Conversation, turn: _Turn, more: str) -> tuple[Conversation, list[str]]:
    """More words about the problem join it, and any detail they give is kept; the notes say
    if the problem had to be cut. Words that are wholly a detail (a pasted error) are only
    that."""
    details = prefill(turn.policy, state.details, more)
    if more.strip() in details.values() and more.strip() not in state.details.values():
        return state.model_copy(update={"details": details}), []
    problem, notes = _fit(_followed_by(state.problem or "", more), turn.policy)
    return state.model_copy(update={"problem": problem, "details": details}), notes


def _followed_by(said: str, more: str) -> str:
    """``said`` with ``more`` after it as a sentence of its own."""
    if not said:
        return more
    return f"{said} {more}" if said.rstrip().endswith((".", "!", "?")) else f"{said}. {more}"


def _show_guides(state: Conversation, turn: _Turn, guides: list[GuideMatch]) -> Outcome:
    """The guides the customer picked, whole: reading them is not yet saying one solved the
    problem (which one did is asked for the first)."""
    state = state.model_copy(update={"shown_guide": guides[0].id, "reasks": 0})
    shown = [(guide, turn.guides.text(guide.id)) for guide in guides]
    text = texts.guides_shown(shown, len(state.guides) > len(guides))
    return state, (Reply(text=text, choices=_SOLVED_OR_NOT),)


def _guides_reask(state: Conversation) -> Outcome:
    if state.shown_guide is not None:
        return _reask(state, texts.GUIDE_SOLVED_ASK, _SOLVED_OR_NOT)
    return _reask(state, texts.GUIDES_REASK, _guide_choices(state))


def _plain(text: str) -> str:
    """The words of a short answer, without the commas between them ("yes, thank you")."""
    return " ".join(normalize(text).replace(",", " ").split())


def _plain_yes(text: str) -> bool:
    return _PLAIN_ANSWERS.get(_plain(text)) is True


def _guide_choices_now(state: Conversation) -> tuple[Choice, ...]:
    return _SOLVED_OR_NOT if state.shown_guide is not None else _guide_choices(state)


def _guide_named(guides: tuple[GuideMatch, ...], text: str) -> GuideMatch | None:
    """The offered guide whose title the message is (a button's label typed out, with or
    without its number), or that it describes in a few of its words ("the tax one", "the one
    about zones", "the last one")."""
    said = normalize(re.sub(r"^\s*\d+[.)]\s*", "", text))
    exact = [g for g in guides if said and said == normalize(g.title)]
    # "payments declined" for "Payments declined at checkout": two words or more, one guide.
    partial = [g for g in guides if len(said.split()) >= 2 and said in normalize(g.title)]
    if exact or len(partial) == 1:
        return exact[0] if exact else partial[0]
    described = _THE_ONE.fullmatch(said)
    if described is None:
        return None
    named = described.group("about") or described.group("words")
    words = set(named.split()) - {"the", "a", "and", "for", "on", "with"}
    if words == {"last"}:
        return guides[-1]
    fitting = [g for g in guides if words and words <= set(_NAME_WORD.findall(g.title.lower()))]
    return fitting[0] if len(fitting) == 1 else None


# "The tax one", "the one about zones", "that shipping guide": a guide by a few of its words.
_THE_ONE = re.compile(
    r"(?:(?:let me (?:see|read|try)|show me|open|i'll take|i want) )?(?:the |that |this )?"
    r"(?:one (?:about|on|for) (?P<about>[a-z ]{3,40})|(?P<words>[a-z ]{3,40}?) (?:one|guide))"
)


def _self_served(state: Conversation, guide_id: str | None) -> Outcome:
    state = state.model_copy(update={"step": Step.SELF_SERVED})
    return state, (SelfServed(guide_id=guide_id), Reply(text=texts.SELF_SERVED))


def _details(state: Conversation, turn: _Turn) -> Outcome:
    detail = _next_missing(state, turn.policy)
    if detail is None:
        return _advance(state, turn)
    listed = _listed(state, turn)
    if listed is not None:
        return listed
    if _GO_BACK.match(normalize(turn.text)):
        return _back_one(state, turn, detail)
    if asks_back(turn.text):
        return _explain(state, turn)  # "what do you mean by configuration?" is no answer
    if points_back(turn.text):  # "like I said above": the ticket needs it said here
        return _reask(state, texts.say_it_here(detail))
    consent = _labelled_consent(turn)
    if consent is not None:  # "Access: yes", sent before it was asked
        return _noted_in_passing(_answered_access(state, turn, consent), turn, state.details)
    if only_access(turn.text):  # "you can log in to my admin if needed", before it was asked
        return _noted_in_passing(_consent_in_passing(state, turn), turn, state.details)
    fixed = correction(turn.policy, turn.text)
    if fixed is not None:
        return _corrected(state, turn, *fixed)
    other = none_for_another(turn.policy, detail, turn.text)
    if other is not None and other.none_value:  # "no error at all actually", at another question
        state = state.model_copy(update={"details": {**state.details, other.id: other.none_value}})
        return state, (_say_then_ask(state, turn.policy, texts.CORRECTED),)
    filled = fills_a_none(turn.policy, detail, state.details, turn.text)
    if filled is not None:  # "SyncError: … (E_INV_NEG)" after "no error"
        pasted = _fit(turn.text.strip(), turn.policy)[0]
        state = state.model_copy(update={"details": {**state.details, filled.id: pasted}})
        return state, (_say_then_ask(state, turn.policy, texts.CORRECTED),)
    restated = _restated_in_english(state, turn.text) and (
        validate_detail(detail, turn.text) != detail.none_value  # "no error" answers
    )
    if _puts_the_problem_right(state, turn.text) or restated:
        # "Actually it's not PayPal, it's Stripe"; "sorry, english: customers can't pay".
        problem = next(field for field in fields_of(turn.policy) if field.key == "problem")
        return _corrected(state, turn, problem, turn.text)
    labelled = labelled_detail(turn.policy, turn.text)
    if labelled is not None and len(labelled_answers(turn.policy, turn.text)) < 2:
        # One "System: Pro plan, Chrome 120" line goes to the field it names, whichever was asked.
        named, text = labelled
        return _answer(state, turn, named, validate_detail(named, text), state.details)
    # Steps pasted with a "System: …" line under them: each part where it belongs.
    text, on_own_lines = labelled_lines(turn.policy, turn.text)
    text = text if on_own_lines and text else turn.text
    passing = {**on_own_lines, **prefill(turn.policy, state.details, text)}
    several = any(key not in state.details for key in passing if key != detail.id)
    if several and detail.id not in passing and only_system_facts(text):
        return _noted_in_passing(state, turn, passing)
    if several and detail.id in passing:
        value: str | None = passing[detail.id]  # several answers at once: each where it belongs
    else:
        value = validate_detail(detail, text)
    if value is not None:
        state = _consent_in_passing(state, turn)
    return _answer(state, turn, detail, value, passing)


def _next_step(state: Conversation, turn: _Turn) -> Outcome | None:
    """Steps sent one per message without numbers ("add to cart", then "then pay"): a step
    that opens with "then" joins the answer before the current question when that answer
    is steps too; a click path sent after the steps joins them (``_click_path``); None
    otherwise."""
    if _CLICK_PATH.search(turn.text) is not None and not names_the_system(turn.text):
        return _click_path(state, turn)
    if not _THEN.match(turn.text) or not does_something(turn.text):
        return None
    previous = _detail_before(turn.policy, _next_missing(state, turn.policy))
    held = state.details.get(previous.id, "") if previous else ""
    if previous is None or not does_something(held):
        return None
    return _added_line(state, turn, previous.id)


def _click_path(state: Conversation, turn: _Turn) -> Outcome | None:
    """ "Products > Import > Upload" sent to a later question (the system, the access one):
    where to click is steps, so it joins them (in place of "nothing to reproduce") and that
    question is asked again; None while the steps are not answered yet."""
    steps = next((d for d in turn.policy.details if d.id == STEPS), None)
    held = state.details.get(STEPS)
    if steps is None or held is None or _next_missing(state, turn.policy) == steps:
        return None
    if held != steps.none_value:
        return _added_line(state, turn, STEPS)
    details = _with_more(state, turn.policy, {STEPS: turn.text.strip()})  # in place of "none"
    return _noted_in_passing(state, turn, details)


def _puts_the_problem_right(state: Conversation, text: str) -> bool:
    """ "Actually it's not PayPal, it's the Stripe button": what it is not is in the problem
    (not "it's not an error message, it's a blank page", an answer to the error question);
    "wait, the problem is only …" narrows it."""
    if state.problem is None:
        return False
    if _NARROWED.match(normalize(text)):  # "wait, the problem is only the shipping emails"
        return True
    found = _NOT_THAT_BUT.match(normalize(text))
    if found is None:
        return False
    return bool(_content_stems(found.group(1)) & _content_stems(state.problem.lower()))


def _restated_in_english(state: Conversation, text: str) -> bool:
    """The problem said again in English, after the note that support is in English, at the
    first question that followed: a description with no error quoted in it."""
    first = state.problem or ""
    return (
        state.language_noted
        and not state.details
        and is_clearly_not_english(first)
        and reads_as_english(text)
        and _is_description(text)
        and error_text(text) is None
    )


def _listed(state: Conversation, turn: _Turn) -> Outcome | None:
    """A list sent one item per message ("1. go to the menu page", then "2. add a pizza"):
    the item joins the answer it continues, and the question waiting is asked again ("that's
    it" ends the list); None when the message continues no answer."""
    if _END_OF_LIST.match(normalize(turn.text)) and any(
        _LIST_ITEM.match(value.splitlines()[-1]) for value in state.details.values() if value
    ):
        return state, (_say_then_ask(state, turn.policy, texts.GOT_IT),)
    item = _LIST_ITEM.match(turn.text)
    if item is None:
        return _next_step(state, turn)
    for key, value in state.details.items():
        last = _LIST_ITEM.match(value.splitlines()[-1]) if value else None
        if last is not None and int(last.group(1)) + 1 == int(item.group(1)):
            return _added_line(state, turn, key)
    return None


def _added_line(state: Conversation, turn: _Turn, key: str) -> Outcome:
    """The message as the next line of the answer ``key`` holds, and the question waiting
    asked again."""
    details = {**state.details, key: f"{state.details[key]}\n{turn.text.strip()}"}
    state = state.model_copy(update={"details": details})
    return state, (_say_then_ask(state, turn.policy, texts.ADDED_TO_THE_LIST),)


def _detail_before(policy: Policy, current: DetailField | None) -> DetailField | None:
    """The question asked before ``current`` (None: the access question, after them all);
    None before the first."""
    details = list(policy.details)
    before = details if current is None else details[: details.index(current)]
    return before[-1] if before else None


def _back_one(state: Conversation, turn: _Turn, current: DetailField | None) -> Outcome:
    """The answer before ``current`` (None: the access question) asked for again, with what
    it held; every answer before the current question is there, so it is the one just given."""
    previous = _detail_before(turn.policy, current)
    if previous is None:
        return state, (_say_then_ask(state, turn.policy, texts.FIRST_QUESTION),)
    held = state.details.get(previous.id, "")
    rest = {key: value for key, value in state.details.items() if key != previous.id}
    state = state.model_copy(update={"details": rest, "step": Step.DETAILS, "reasks": 0})
    return state, (_say_then_ask(state, turn.policy, texts.going_back(held)),)


def _answer(
    state: Conversation,
    turn: _Turn,
    detail: DetailField,
    value: str | None,
    details: dict[str, str],
) -> Outcome:
    """``value`` stored as ``detail``'s answer (next to ``details``), then the next question;
    None asks again with the hint."""
    if value is None:
        return _reask(state, texts.reask_detail(detail, state.reasks + 1))
    fitted, notes = _fit(value, turn.policy)
    update = {"details": {**details, detail.id: fitted}, "reasks": 0}
    state, actions = _advance(state.model_copy(update=update), turn)
    return state, _with_notes(notes, actions)


def _consent_in_passing(state: Conversation, turn: _Turn) -> Conversation:
    """ "You may access my admin if needed", said before it was asked, is the answer; "please
    don't log in to my store", said after a yes, takes it back."""
    consent = consent_in(turn.text)
    if consent is None or consent == state.consent:
        return state
    return _answered_access(state, turn, consent, consent_clause(turn.text) or "")


def _answered_access(
    state: Conversation, turn: _Turn, consent: bool, said: str | None = None
) -> Conversation:
    """The access answer, and the customer's words (``said``, else the message) when their
    yes sets conditions, so agents read them on the ticket."""
    said = turn.text if said is None else said
    terms = _fit(said, turn.policy)[0] if consent and with_conditions(said) else None
    update = {"consent": consent, "consent_at": turn.event.at, "consent_terms": terms}
    return state.model_copy(update=update)


def _labelled_consent(turn: _Turn) -> bool | None:
    labelled = labelled_line(turn.policy, turn.text)
    if labelled is None or labelled[0] != "consent":
        return None
    return True if is_yes(labelled[1]) else False if is_no(labelled[1]) else None


def _noted_in_passing(state: Conversation, turn: _Turn, details: dict[str, str]) -> Outcome:
    """Answers sent to another question (system details, "Access: yes"): kept where they
    belong, and that question asked again."""
    state = state.model_copy(update={"details": details, "reasks": 0})
    return state, (_say_then_ask(state, turn.policy, texts.NOTED_IN_PASSING),)


def _consent(state: Conversation, turn: _Turn) -> Outcome:
    listed = _listed(state, turn)
    if listed is not None:
        return listed
    if _GO_BACK.match(normalize(turn.text)):
        return _back_one(state, turn, None)
    if asks_back(turn.text):  # "who will access it?", "can I say no?": explained, not taken
        return _explain(state, turn)
    fixed = correction(turn.policy, turn.text)
    if fixed is not None:  # "I meant the error says …", sent to the access question
        return _corrected(state, turn, *fixed)
    settled = second_thoughts(turn.text)  # "yes, actually no"
    if settled is None:
        settled = consent_in(turn.text)  # "feel free to check whatever you need"
    if settled is not None:
        state = _answered_access(state, turn, settled, "")
        return _advance(state.model_copy(update={"reasks": 0}), turn)
    access = _access_answer(turn.text)
    facts = _OK_LEAD.sub("", turn.text)  # "OK it's the Pro plan, Chrome on Mac": no yes
    if (access is None or facts != turn.text) and only_system_facts(facts):
        # "Basic plan, Stripe, Safari on iPhone", sent late: added to the system details.
        corrected = corrected_to(facts)  # "sorry, I meant Firefox 115 on Windows 10"
        found = prefill(turn.policy, {}, corrected or facts)
        details = {**state.details, **found} if corrected else _with_more(state, turn.policy, found)
        return _noted_in_passing(state, turn, details)
    if access is not True and _about_the_system(turn.text):
        # "Actually it's Firefox not Chrome", "nope, firefox actually": the system details put
        # right at the access question. Its "not" or "nope" refuses no access.
        found = more_details(turn.policy, corrected_to(turn.text) or turn.text)
        return _noted_in_passing(state, turn, _with_more(state, turn.policy, found))
    asks_environment = any(detail.id == ENVIRONMENT for detail in turn.policy.details)
    if (
        access is None
        and asks_environment
        and names_the_system(facts)
        and not mentions_access(facts)
    ):
        # "Pro plan, custom domain candles.ca with Google Workspace": more about the system,
        # kept in the customer's words, not refused as no yes or no.
        found = {ENVIRONMENT: facts.strip()}
        return _noted_in_passing(state, turn, _with_more(state, turn.policy, found))
    if access is None or normalize(turn.text) in _NOT_AN_ACCESS_ANSWER:
        return _reask(state, texts.CONSENT_REASK, _YES_NO)
    state = _answered_access(state, turn, access)
    return _advance(state.model_copy(update={"reasks": 0}), turn)


def _about_the_system(text: str) -> bool:
    """The system details put right, saying nothing of access ("actually it's Firefox not
    Chrome", "nope, firefox actually"): not an answer to the access question, whatever "no"
    or "not" is in it. "No, it's only a Basic plan store" is a no."""
    return (
        names_the_system(text)
        and not mentions_access(text)
        and _PUTS_RIGHT.search(text.lower()) is not None
    )


def _access_answer(text: str) -> bool | None:
    """Yes or no to the access question; "yes, but only read access" and "only if
    necessary" are a yes (its conditions are kept); None when it is neither."""
    if opens_with_yes(text) or _ONLY_IF.search(text.lower()) is not None or is_yes(text):
        return True
    return False if is_no(text) else None


def _confirm(state: Conversation, turn: _Turn) -> Outcome:
    added = addition(turn.policy, turn.text)
    if added is not None:  # "add to steps: it always stops at row 57"
        field, more = added
        return _apply_edit(state.model_copy(update={"editing": field.key}), turn, more, add=True)
    # On the summary, "the steps are wrong, it's when …" corrects without a "sorry" first;
    # read before "label: value", since "the error is Row 57: …" has a colon of its own.
    edit = correction(turn.policy, turn.text, opened=False) or inline_edit(turn.policy, turn.text)
    if edit is not None:
        field, value = edit
        # "The error is also on Firefox", "the problem is just for customers in Canada": more
        # about what is there, not instead of it.
        adds = ALSO.match(value)
        narrows = field.key == "problem" and _ONLY_FIRST.match(value) is not None
        editing = state.model_copy(update={"editing": field.key})
        value = value[adds.end() :] if adds else value
        return _apply_edit(editing, turn, value, add=adds is not None or narrows)
    # A change of the access answer, even one that opens with yes ("actually, yes you can
    # access my store"), before any yes is taken for "send": that would send the old answer.
    consent = consent_in(turn.text)
    if consent is None and mentions_access(turn.text):  # "yes, actually you may access it"
        consent = _access_answer(turn.text)
    settled = second_thoughts(turn.text)  # "actually yes", "on second thought, yes, but …"
    if consent is None and settled and (state.consent is False or with_conditions(turn.text)):
        consent = True  # to the access refused, or with new limits
    if consent is not None and (consent != state.consent or with_conditions(turn.text)):
        # Changed, or given new limits ("actually yes, but please don't touch payments").
        return _summary_again(_answered_access(state, turn, consent), turn)
    if consent is not None:  # "you may access my admin", said again: noted, nothing sent
        return _summary_again(state, turn, texts.ALREADY_NOTED)
    other = none_for_another(turn.policy, None, turn.text)
    if other is not None and other.none_value:  # "no error at all actually"
        details = {**state.details, other.id: other.none_value}
        return _summary_again(state.model_copy(update={"details": details}), turn)
    if _puts_the_problem_right(state, turn.text):  # "actually it's not PayPal, it's Stripe"
        problem = _fit(_followed_by(state.problem or "", turn.text), turn.policy)[0]
        return _summary_again(state.model_copy(update={"problem": problem}), turn)
    named = field_named(turn.policy, turn.text)
    back = _BACK_AT_SUMMARY.match(normalize(turn.text)) is not None  # "go" is no "send" here
    if back and named is None:
        return _reask(state, texts.NOTHING_SENT_YET, _SEND)
    also = _ADDS.sub("", turn.text)  # "also …": more, for a line named or the problem
    if named is not None and also != turn.text and says_something(also, at_least=3):
        # "Also the error only shows on Safari": more for the line it names.
        return _apply_edit(state.model_copy(update={"editing": named.key}), turn, also, add=True)
    yes_and = _YES_AND.sub("", turn.text)  # "yes, and customers can't use the wishlist either"
    said_more = yes_and != turn.text and says_something(yes_and, at_least=3)
    more = yes_and if said_more else also
    if more == turn.text and is_yes(turn.text) and not back:
        return state, (OpenTicket(draft=_draft(state, turn)),)
    given = more_details(turn.policy, more) if named is None else {}
    if given:
        # "Actually there is an error, the log says "SMTP 535 …"", "also on Firefox": added
        # where it belongs.
        details = _with_more(state, turn.policy, given)
        return _summary_again(state.model_copy(update={"details": details}), turn)
    if named is None and more != turn.text and says_something(more, at_least=3):
        # "Also, it happens on mobile too": more about the problem.
        editing = state.model_copy(update={"editing": "problem"})
        return _apply_edit(editing, turn, more, add=True)
    there_is = _THERE_IS.match(turn.text)
    stated = field_named(turn.policy, there_is["clause"]) if there_is else None
    if there_is and stated and says_something(there_is["rest"], at_least=3):
        # "Actually there is an error, the log says Row 212 invalid value": the new answer.
        editing = state.model_copy(update={"editing": stated.key})
        return _apply_edit(editing, turn, there_is["rest"].strip())
    if named is None:
        return _reask(state, texts.NOT_A_FIELD, _SEND)
    state = state.model_copy(update={"step": Step.EDIT, "editing": named.key, "reasks": 0})
    return state, (_edit_prompt(turn.policy, named),)


def _summary_again(state: Conversation, turn: _Turn, note: str = texts.CORRECTED) -> Outcome:
    """A line of the summary changed in passing: said so, and the summary shown again."""
    summary = f"{note}\n\n{texts.summary(turn.policy, state)}"
    return state, (Reply(text=summary, choices=_SEND),)


def _with_more(state: Conversation, policy: Policy, given: dict[str, str]) -> dict[str, str]:
    """The details with ``given`` added: in place of a "none" answer, else after the answer."""
    details = dict(state.details)
    for key, value in given.items():
        before = details.get(key)
        empty = before is None or before == policy.detail(key).none_value
        details[key] = value if empty else f"{before}; {value}"
    return details


def _edit(state: Conversation, turn: _Turn) -> Outcome:
    keep = _KEEP.match(normalize(turn.text)) is not None and state.editing != "consent"
    if keep or command_in(turn.text) is Command.CANCEL:
        # "No, leave it", "never mind", "it's fine as is": the field stays as it was.
        state = state.model_copy(update={"step": Step.CONFIRM, "editing": None, "reasks": 0})
        return state, (Reply(text=texts.summary(turn.policy, state), choices=_SEND),)
    other_line = _OTHER_LINE.match(normalize(turn.text))
    if normalize(turn.text) == "send" or other_line:
        # Done changing ("send": the request goes as it is), or another line picked instead.
        picked = replace(turn, text=other_line.group(1)) if other_line else turn
        return _confirm(state.model_copy(update={"step": Step.CONFIRM, "editing": None}), picked)
    edit = inline_edit(turn.policy, turn.text)
    if edit is not None:  # "kind: installation", as on the summary
        field, value = edit
        return _apply_edit(state.model_copy(update={"editing": field.key}), turn, value)
    more = _ADDS.sub("", turn.text)
    if more != turn.text:  # "also it always stops at row 57": after what the field holds
        return _apply_edit(state, turn, more, add=True)
    return _apply_edit(state, turn, _NEW_VALUE_LEAD.sub("", turn.text))


def _held(state: Conversation, key: str) -> str | None:
    """What the problem or a detail holds so far."""
    return state.problem if key == "problem" else state.details.get(key)


def _apply_edit(state: Conversation, turn: _Turn, value: str, add: bool = False) -> Outcome:
    """The field being edited set to ``value``, or with ``value`` added after what it holds
    (``add``), then the summary again."""
    field = next(f for f in fields_of(turn.policy) if f.key == state.editing)
    held = _held(state, field.key)
    if add and held and field.key not in ("kind", "consent"):
        value = _followed_by(held, value[:1].upper() + value[1:])
    changed = _changed(state, turn, field, value)
    if isinstance(changed, Reply):
        return _reask(state.model_copy(update={"step": Step.EDIT}), changed.text)
    update = {"step": Step.CONFIRM, "editing": None, "reasks": 0}
    state = changed.model_copy(update=update)
    return state, (Reply(text=texts.summary(turn.policy, state), choices=_SEND),)


def _corrected(state: Conversation, turn: _Turn, field: Field, value: str) -> Outcome:
    """An earlier answer corrected mid-intake ("sorry, the error is actually …"): changed,
    then on with whatever is still needed. The problem is never replaced here: "the issue is
    costing me sales" adds to it as surely as "the problem is actually only Stripe" narrows it,
    so what it said before stays, followed by the customer's words, and the agent reads both."""
    changed = (
        _problem_added_to(state, turn, value)
        if field.key == "problem" and state.problem
        else _changed(state, turn, field, value)
    )
    if isinstance(changed, Reply):
        return _reask(state, changed.text)
    had = _held(state, field.key)  # "actually the error says …" as a first answer corrects nothing
    state, actions = _advance(changed.model_copy(update={"reasks": 0}), turn)
    return state, _with_notes([texts.CORRECTED] if had else [], actions)


def _problem_added_to(state: Conversation, turn: _Turn, value: str) -> Conversation:
    """The problem with the customer's words after it; the kind of help follows the new words
    only when they suggest one ("how do I install a theme"), not for "it's urgent"."""
    policy = turn.policy
    problem = _fit(_followed_by(state.problem or "", turn.text.strip()), policy)[0]
    kind = _kind_for_new_problem(state, turn, value) if suggests_a_kind(policy, value) else None
    return state.model_copy(update={"problem": problem, "kind": kind or state.kind})


def _changed(state: Conversation, turn: _Turn, field: Field, value: str) -> Conversation | Reply:
    """``state`` with ``field`` set to ``value``, or the hint to ask again with."""
    policy = turn.policy
    if field.key == "kind":
        kind = kind_named(policy, value)
        return (
            Reply(text=texts.kind_menu(policy))
            if kind is None
            else state.model_copy(update={"kind": kind})
        )
    if field.key == "consent":
        access = _access_answer(value)
        if access is None:
            return Reply(text=texts.EDIT_CONSENT)
        return _answered_access(state, turn, access, value)
    if field.key == "problem":
        if word_count(value) < _MIN_PROBLEM_WORDS:
            return Reply(text=texts.PROBLEM_HINT)
        problem = _fit(value, policy)[0]
        kind = _kind_for_new_problem(state, turn, problem)
        return state.model_copy(update={"problem": problem, "kind": kind})
    detail = policy.detail(field.key)
    checked = validate_detail(detail, value)
    if checked is None:
        return Reply(text=texts.reask_detail(detail, state.reasks + 1))
    return state.model_copy(
        update={"details": {**state.details, detail.id: _fit(checked, policy)[0]}}
    )


def _ticketed(state: Conversation, turn: _Turn) -> Outcome:
    """Everything goes to the ticket; the first time, the customer hears that it arrived (later
    ones too would be noise between them and the agent)."""
    if not turn.text:
        return state, ()
    ticket_id = str(state.ticket_id)
    forward = ForwardToTicket(ticket_id=ticket_id, text=turn.text, reopens=not is_thanks(turn.text))
    consent = _late_consent(state, turn.text)
    given = _given_after_ticket(state, turn)
    # A ticket opened before the problem was described: the first description is the problem.
    problem = None
    described = _is_description(turn.text) and not asks_back(turn.text)
    if state.problem is None and described and labelled_detail(turn.policy, turn.text) is None:
        problem = _as_problem(turn.text, turn.policy)[0]
    if consent is not None or given or problem is not None:
        details = {**state.details, **given}
        if consent is not None:
            state = _answered_access(state, turn, consent)
        # While the access answer is missing, the thanks for the rest asks it again.
        update: dict[str, object] = {
            "details": details,
            "follow_up_noted": True,
            "access_asked": state.consent is None,
        }
        if problem is not None:
            update |= {"problem": problem, "kind": _kind_for_new_problem(state, turn, problem)}
        state = state.model_copy(update=update)
        labels = [turn.policy.detail_label(key) for key in given]
        if problem is not None:
            labels.insert(0, next(f.label for f in fields_of(turn.policy) if f.key == "problem"))
        amend = AmendTicket(
            ticket_id=ticket_id,
            problem=problem,
            kind=state.kind if problem is not None else None,
            details=given,
            consent=consent,
            consent_terms=state.consent_terms if consent is not None else None,
        )
        reply = Reply(text=texts.ticket_amended(ticket_id, labels, consent, state.access_asked))
        return state, (forward, amend, reply)
    state = state.model_copy(update={"access_asked": False})
    later = turn.idle > _STALE and _opens_another(state, turn.text)
    if _ANOTHER_PROBLEM.search(turn.text.lower()) or later or _unrelated_failure(state, turn):
        # "Another problem: …", days later about something else, or another thing going wrong
        # that shares no word with the ticket's problem: maybe not this ticket.
        state = state.model_copy(update={"another_problem_noted": True, "follow_up_noted": True})
        return state, (forward, Reply(text=texts.another_problem(ticket_id)))
    if says_thanks(turn.text):  # the agent sees it; the customer hears a welcome, not a receipt
        return state, (forward, Reply(text=texts.YOU_ARE_WELCOME))
    if _STILL_WAITING.search(turn.text.lower()):  # when they will hear, and the agent sees it
        return _hours(state, turn)
    if _fixed_now(turn.text):
        # "It's fixed now, you can close the ticket": the agent closes it; the customer hears so.
        quiet = forward.model_copy(update={"reopens": False})
        return state, (quiet, Reply(text=texts.CANCEL_AFTER_TICKET.format(ticket_id=ticket_id)))
    if state.follow_up_noted:
        return state, (forward,)
    # While the access answer is missing, the first thanks asks it again, so that a plain yes
    # or no after it is understood.
    asks = state.consent is None
    state = state.model_copy(update={"follow_up_noted": True, "access_asked": asks})
    added = texts.added_to_ticket(ticket_id)
    return state, (forward, Reply(text=f"{added}\n\n{texts.CONSENT_LATE}" if asks else added))


def _unrelated_failure(state: Conversation, turn: _Turn) -> bool:
    """ "My discount code isn't applying at checkout", written after a ticket about PayPal
    declines: said once, since the customer may well mean it for this ticket."""
    text = turn.text
    # What the ticket says it is about: a problem of vague words ("checkout is broken") could
    # be about anything, so nothing is told apart from it.
    problem = _content_stems((state.problem or "").lower())
    ticket = " ".join([state.problem or "", *state.details.values()])
    about = _content_stems(ticket.lower()) | set(_NUMBER.findall(ticket))  # "504" too
    said = _content_stems(text.lower()) | set(_NUMBER.findall(text))
    return (
        not state.another_problem_noted
        and _SAME_AGAIN.search(text.lower()) is None
        and bool(problem)
        and len(said) >= _DESCRIBES
        and not said & about
        and _is_description(text)
        and tells_of_a_failure(text)
    )


def _fixed_now(text: str) -> bool:
    """ "It works now, you can close it", not "it's working on desktop but not on mobile" nor
    "is it fixed now?"."""
    lowered = text.lower()
    return (
        _FIXED_NOW.search(lowered) is not None
        and _BUT_NOT.search(lowered) is None
        and not text.rstrip().endswith("?")
    )


def _given_after_ticket(state: Conversation, turn: _Turn) -> dict[str, str]:
    """Details the ticket lacked that a message after it gives: one "Label: value" line, or
    what is recognised in passing (a quoted error, system facts, several labelled lines)."""
    labelled = labelled_detail(turn.policy, turn.text)
    found: dict[str, str]
    if labelled is not None:
        named, text = labelled
        value = validate_detail(named, text)
        found = {named.id: value} if value else {}
    else:
        found = prefill(turn.policy, state.details, turn.text)
    return {key: value for key, value in found.items() if key not in state.details}


def _late_consent(state: Conversation, text: str) -> bool | None:
    """The access question, answered after a ticket opened without it: a plain yes or no
    right after the ticket's message asked it, or words that say so at any time ("you can log
    in"); None while it stays unanswered or was answered before."""
    said = consent_in(text)
    if state.consent is not None:  # a change of mind, said outright, still counts
        return said if said is not None and said != state.consent else None
    if state.access_asked and _plain(text) in _PLAIN_ANSWERS:
        return _PLAIN_ANSWERS[_plain(text)]
    words = _plain(text).split()
    opens_yes_or_no = bool(words) and words[0] in _YES_OR_NO_FIRST
    # "yes please hurry", "YES, but don't touch payments"; not "yes it happens every time"
    if state.access_asked and said is None and opens_yes_or_no:
        return (
            _YES_OR_NO_FIRST[words[0]]
            if set(words[1:]) <= _PLEASE_HURRY or with_conditions(text)
            else None
        )
    return said


def _ticket_opened(state: Conversation, event: TicketOpened, policy: Policy) -> Outcome:
    window = next_window(policy.hours, event.at)
    if window.covers(event.at):
        late_next = None
        if window.closes_at - event.at < _CLOSING_SOON:
            after = next_window(policy.hours, window.closes_at)
            late_next = describe_window_start(after, event.at)
        when = texts.answered_today(describe_window_end(window, event.at), late_next)
    else:
        when = texts.picked_up_next(describe_window_start(window, event.at))
    missing = [field.label for field in _missing_fields(state, policy)]
    asked = state.consent is None
    update = {"step": Step.TICKETED, "ticket_id": event.ticket_id, "access_asked": asked}
    state = state.model_copy(update=update)
    text = texts.ticket_opened(event.ticket_id, when, missing, asked)
    return state, (Reply(text=text),)


# ── commands ────────────────────────────────────────────────────────────────────────────────


def _help(state: Conversation, turn: _Turn) -> Outcome:
    prompt = _current_prompt(state, turn.policy)
    text = texts.HELP if prompt is None else f"{texts.HELP}\n\n{prompt.text}"
    return state, (Reply(text=text, choices=prompt.choices if prompt else ()),)


def _hours(state: Conversation, turn: _Turn) -> Outcome:
    """ "When will you answer?": the hours, then the question the conversation waits on.
    After the ticket, the question also goes to the ticket, where an agent sees it."""
    window = next_window(turn.policy.hours, turn.event.at)
    answer = _hours_answer(turn, window, state.ticket_id)
    actions: list[Action] = [_say_then_ask(state, turn.policy, answer)]
    if state.step is Step.TICKETED:
        actions.append(ForwardToTicket(ticket_id=str(state.ticket_id), text=turn.text))
    return state, tuple(actions)


def _hours_answer(turn: _Turn, window: Window, ticket_id: str | None = None) -> str:
    """Open now and until when, or closed (a holiday by its name) and when it opens next;
    ``window`` is ``next_window`` at the turn's time. A question about another day ("are you
    open tomorrow?", "over the holidays?") is answered for that day."""
    hours, at = turn.policy.hours, turn.event.at
    schedule = describe_schedule(hours)
    today = at.astimezone(hours.zone).date()
    named = _date_named(turn.text, today) or _holiday_named(turn.text, hours, today)
    asked = day_asked(turn.text)
    if named is not None:  # "open today? it's Thanksgiving" (it isn't, here): both days
        return _days_answer(
            turn, [today, named] if asked == "today" and named != today else [named]
        )
    if asked == "holidays":
        coming = closures_between(hours, today, today + _HOLIDAYS_AHEAD)
        return texts.closures_ahead([(describe_day(d, at), n) for d, n in coming], schedule)
    if asked is not None and asked != "today":
        return _days_answer(turn, _days_asked(asked, today))
    if window.covers(at):
        answer = texts.open_now(schedule, describe_window_end(window, at), ticket_id)
        if window.closes_at.astimezone(UTC) - at.astimezone(UTC) <= _CLOSING_SOON:
            after = next_window(hours, window.closes_at)  # "until 5": and if not by then?
            answer = f"{answer} {texts.closing_soon(describe_window_start(after, at))}"
        return answer
    closed_today = closure_on(hours, today)
    later = [name for name in closures_until(hours, at, window) if name != closed_today]
    start = describe_window_start(window, at)
    return texts.closed_now(schedule, start, closed_today, later, ticket_id)


def _date_named(text: str, today: date) -> date | None:
    """The date a question names ("December 25", "25 Dec", "2026-12-25"), the next one
    from ``today`` on when the year is left out."""
    iso = _ISO_DATE.search(text)
    if iso is not None:
        with contextlib.suppress(ValueError):
            return date.fromisoformat(iso.group(0))
        return None
    lowered = text.lower()
    eve = _EVE.search(lowered)
    if eve is not None:  # the day before the holiday, open as any other unless it says so
        return _next_date(today, 12, 24 if eve.group(1) == "christmas" else 31)
    found = _MONTH_DAY.search(lowered) or _DAY_MONTH.search(lowered)
    if found is not None:
        return _next_date(today, _MONTHS.index(found.group("month")[:3]) + 1, found.group("day"))
    ordinal = _ORDINAL_DAY.search(lowered)
    if ordinal is None:
        return None
    # "The 28th": this month's, else next month's.
    after = today.replace(day=1) + timedelta(days=32)
    for year, month in ((today.year, today.month), (after.year, after.month)):
        with contextlib.suppress(ValueError):
            day = date(year, month, int(ordinal.group(1)))
            if day >= today:
                return day
    return None


def _next_date(today: date, month: int, day: int | str) -> date | None:
    """The next ``month``/``day`` from ``today`` on (this year's or next), if there is one."""
    for year in (today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            found = date(year, month, int(day))
            if found >= today:
                return found
    return None


def _holiday_named(text: str, hours: SupportHours, today: date) -> date | None:
    """The next day of the holiday a question names ("are you open on Victoria Day?",
    "over Christmas?", "on Easter Monday?"), among the closures of the coming year, then
    among the holidays support stays open for."""
    said = set(_NAME_WORD.findall(text.lower().replace("'s", "")))
    closures = closures_between(hours, today, today + _YEAR)
    for day, name in (*closures, *holidays_between(hours, today, today + _YEAR)):
        named = set(_NAME_WORD.findall(name.lower().replace("'s", ""))) - _NOT_THE_NAME
        if named and named <= said:
            return day
    return None


def _days_asked(asked: str, today: date) -> list[date]:
    """The dates "tomorrow", "saturday" or "weekend" mean, seen from ``today``."""
    if asked == "tomorrow":
        return [today + timedelta(days=1)]
    if asked == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return [saturday, saturday + timedelta(days=1)]
    weekday = _WEEKDAY_NAMES.index(asked)
    return [today + timedelta(days=(weekday - today.weekday()) % 7)]


def _days_answer(turn: _Turn, days: list[date]) -> str:
    """Open when on each of ``days``; days closed in a row are said together, with the
    window after them."""
    hours, at = turn.policy.hours, turn.event.at
    sentences: list[str] = []
    closed: list[date] = []
    for day in days:
        window = window_on(hours, day)
        if window is None:
            closed.append(day)
            continue
        sentences.append(texts.open_on(describe_day(day, at), describe_hours(window)))
    if closed:
        names = " and ".join(describe_day(day, at) for day in closed)
        reasons = [name for day in closed if (name := closure_on(hours, day))]
        after = describe_window_start(window_after(hours, closed[-1]), at)
        sentences.append(texts.closed_on(names, " and ".join(reasons) or None, after))
    return " ".join(sentences)


def _explain(state: Conversation, turn: _Turn) -> Outcome:
    """ "What do you mean?": the current question again, with its example. After the ticket,
    the agent's message is what puzzles them, so it goes to the ticket instead."""
    about = about_the_chat(turn.text)
    if state.step is Step.TICKETED:
        state, actions = _ticketed(state, turn)
        if about not in (None, "needs"):
            # "Is this a bot?", "please delete the part about my password": answered here, and
            # the agent reads it too. ("What happens next?" is the agent's to say.)
            forwards = tuple(a for a in actions if not isinstance(a, Reply))
            answer = (
                texts.bot_after_ticket(str(state.ticket_id))
                if about == "bot"
                else texts.about_the_chat(about, turn.policy)
            )
            return state, (*forwards, Reply(text=answer))
        return state, actions
    detail = _next_missing(state, turn.policy)
    if state.step is Step.PROBLEM:
        # The hint's "tell me a little more" is for a question not understood, not for one
        # about the chat, which said nothing about the problem yet.
        hint = "" if about else f"\n{texts.PROBLEM_HINT}"
        prompt = Reply(text=f"{texts.ASK_PROBLEM}{hint}")
    elif state.step is Step.DETAILS and detail is not None:
        prompt = Reply(text=f"{detail.question}\n{detail.hint}")
    elif state.step is Step.CONSENT:
        prompt = Reply(text=texts.CONSENT_EXPLAINED, choices=_YES_NO)
    else:
        prompt = _current_prompt(state, turn.policy) or Reply(text=texts.HELP)
    opening = f"{texts.about_the_chat(about, turn.policy)}\n\n" if about else ""
    text = f"{opening or texts.PUT_ANOTHER_WAY + ' '}{prompt.text}"
    return state, (Reply(text=text, choices=prompt.choices),)


def _edited(state: Conversation, turn: _Turn) -> Outcome:
    """An edit of an earlier message. After the ticket it goes to the ticket like any message;
    during the intake, reading it as the answer to the current question would put it in the
    wrong field, so the customer is asked to send the change as a new message."""
    if state.step is Step.TICKETED:
        text = as_edit(turn.text) if turn.text else ""
        return _ticketed(state, replace(turn, text=text))
    if state.step is Step.NEW:
        return state, ()
    return state, (_say_then_ask(state, turn.policy, texts.EDITS_NOT_READ),)


def _status(state: Conversation, turn: _Turn) -> Outcome:
    return state, (LookUpTickets(),)


def _restart(state: Conversation, turn: _Turn) -> Outcome:
    if state.ticket_id:
        closed = state.model_copy(update={"step": Step.CLOSED})
        return closed, (Reply(text=texts.restart_after_ticket(state.ticket_id)),)
    fresh = Conversation(
        step=Step.PROBLEM, started_at=state.started_at, out_of_hours=state.out_of_hours
    )
    return fresh, (Reply(text=f"{texts.RESTARTED} {texts.ASK_PROBLEM}"),)


def _cancel(state: Conversation, turn: _Turn) -> Outcome:
    if state.step is Step.NEW:  # "bye" before anything started: nothing to cancel
        return state.model_copy(update={"step": Step.CANCELLED}), (Reply(text=texts.ANY_TIME),)
    if state.ticket_id and is_goodbye(turn.text):
        # A goodbye, not a request to close: the agent reads it in the thread.
        return state, (Reply(text=texts.bye_with_ticket(state.ticket_id)),)
    if state.ticket_id:
        return state, (Reply(text=texts.CANCEL_AFTER_TICKET.format(ticket_id=state.ticket_id)),)
    cancelled = state.model_copy(update={"step": Step.CANCELLED, "left_at": state.step})
    return cancelled, (Reply(text=texts.CANCELLED),)


def _agent(state: Conversation, turn: _Turn) -> Outcome:
    if state.ticket_id:
        return state, (Reply(text=texts.FORWARD_ONLY.format(ticket_id=state.ticket_id)),)
    described = without_plea(turn.text)
    # "Payout problem. I want a human": even a short topic beside a plea is the problem.
    topic = word_count(described) >= _MIN_PROBLEM_WORDS and says_something(described, 1)
    if state.problem is None and described != turn.text and topic:
        # "My PayPal checkout fails, can I talk to a person?": the ticket says what is wrong.
        state = state.model_copy(update={"problem": _as_problem(described, turn.policy)[0]})
    note = Reply(text=texts.AGENT_NEEDS_SOMETHING)
    # Asked for a person over the guides on offer: none of them solved it.
    gap = (_not_helpful(state),) if state.step is Step.GUIDES else ()
    return state, (*gap, note, OpenTicket(draft=_draft(state, turn)))


# ── shared pieces ───────────────────────────────────────────────────────────────────────────

_YES_NO = (Choice(label="Yes", value="yes"), Choice(label="No", value="no"))
_SEND = (Choice(label="Send", value="send"),)
_SOLVED_OR_NOT = (
    Choice(label="Yes, that solved it", value="yes"),
    Choice(label="No, continue", value="no"),
)


def _advance(state: Conversation, turn: _Turn) -> Outcome:
    """Move to whatever the policy still requires, in order (details, consent), then confirm."""
    policy = turn.policy
    if _next_missing(state, policy) is not None:
        step = Step.DETAILS
    elif state.consent is None:
        step = Step.CONSENT
    else:
        step = Step.CONFIRM
    state = state.model_copy(update={"step": step})
    prompt = _current_prompt(state, policy)
    return state, (prompt,) if prompt else ()


def _reask(state: Conversation, text: str, choices: tuple[Choice, ...] = ()) -> Outcome:
    return state.model_copy(update={"reasks": state.reasks + 1}), (
        Reply(text=text, choices=choices),
    )


def _next_missing(state: Conversation, policy: Policy) -> DetailField | None:
    return next((d for d in policy.details if d.id not in state.details), None)


def _missing_fields(state: Conversation, policy: Policy) -> list[Field]:
    """What a ticket opened now would lack, for the customer and the agents."""
    have = {
        "kind": True,
        "problem": state.problem is not None,
        "consent": state.consent is not None,
        **{detail.id: detail.id in state.details for detail in policy.details},
    }
    return [field for field in fields_of(policy) if not have[field.key]]


def _as_problem(text: str, policy: Policy) -> tuple[str, list[str]]:
    """The description as the ticket keeps it: "Hi, customers get an error" is about
    "Customers get an error"; see ``_fit`` for the rest."""
    words = without_pleasantries(text)
    if words != text.strip():
        text = words[:1].upper() + words[1:]
    return _fit(text, policy)


def _fit(text: str, policy: Policy) -> tuple[str, list[str]]:
    limit = policy.max_field_chars
    if len(text) <= limit:
        return text, []
    return text[:limit].rstrip() + "…", [texts.LONG_ANSWER.format(limit=limit)]


def _draft(state: Conversation, turn: _Turn) -> TicketDraft:
    at = turn.event.at
    window = next_window(turn.policy.hours, at)
    open_now = window.covers(at)
    urgent = says_urgent(" ".join([state.problem or "", turn.text]))
    return TicketDraft(
        priority=Priority.HIGH if urgent else Priority.NORMAL,
        kind=state.kind or turn.policy.default_kind,
        problem=state.problem or "(not described yet)",
        details=dict(state.details),
        missing=tuple(field.label for field in _missing_fields(state, turn.policy)),
        consent=state.consent,
        consent_at=state.consent_at,
        consent_terms=state.consent_terms,
        guides=tuple(
            guide.model_copy(update={"read": True}) if guide.id == state.shown_guide else guide
            for guide in state.guides
        ),
        out_of_hours=not open_now,
        due_at=at if open_now else window.opens_at,
    )


def _say_then_ask(state: Conversation, policy: Policy, text: str) -> Reply:
    """``text``, then the question the conversation still waits on (with its buttons)."""
    prompt = _current_prompt(state, policy)
    if prompt is None:
        return Reply(text=text)
    return Reply(text=f"{text}\n\n{prompt.text}", choices=prompt.choices)


def _current_prompt(state: Conversation, policy: Policy) -> Reply | None:
    """The question the conversation is waiting on, so help and re-asks can repeat it."""
    detail = _next_missing(state, policy)
    if state.step is Step.PROBLEM:
        return Reply(text=texts.ASK_PROBLEM)
    if state.step is Step.GUIDES and state.shown_guide is not None:
        return Reply(text=texts.GUIDE_SOLVED_ASK, choices=_SOLVED_OR_NOT)
    if state.step is Step.GUIDES:
        return Reply(text=texts.guide_offer(state.guides), choices=_guide_choices(state))
    if state.step is Step.DETAILS and detail is not None:
        return Reply(text=texts.ask_detail(detail))
    if state.step is Step.CONSENT:
        return Reply(text=texts.consent(policy), choices=_YES_NO)
    if state.step is Step.CONFIRM:
        return Reply(text=texts.summary(policy, state), choices=_SEND)
    if state.step is Step.EDIT:
        field = next(f for f in fields_of(policy) if f.key == state.editing)
        return _edit_prompt(policy, field)
    return None


def _edit_prompt(policy: Policy, field: Field) -> Reply:
    if field.key == "kind":
        choices = tuple(
            Choice(label=kind.label, value=str(n)) for n, kind in enumerate(policy.kinds, start=1)
        )
        return Reply(text=texts.kind_menu(policy), choices=choices)
    if field.key == "consent":
        return Reply(text=texts.EDIT_CONSENT, choices=_YES_NO)
    return Reply(text=texts.ask_new_value(field.label))


def _guide_choices(state: Conversation) -> tuple[Choice, ...]:
    numbered = tuple(
        Choice(label=f"{n}. {guide.title}"[:75], value=str(n))
        for n, guide in enumerate(state.guides, start=1)
    )
    return (*numbered, Choice(label="No, none of these", value="no"))


_STEPS: dict[Step, _Handler] = {
    Step.PROBLEM: _problem,
    Step.GUIDES: _guides,
    Step.DETAILS: _details,
    Step.CONSENT: _consent,
    Step.CONFIRM: _confirm,
    Step.EDIT: _edit,
    Step.TICKETED: _ticketed,
}
# At a field's edit prompt: leave the field as it was ("no, leave it", "it's fine as is").
_KEEP = re.compile(
    r"^(?:no|nope|nothing)?,? ?(?:(?:oh )?sorry,? )?(?:wait,? )?(?:(?:leave it|keep it|no change|"
    r"don't change it|never ?mind|nvm|cancel|stop|forget it|go back|back|undo|"
    r"(?:oops,? )?wrong (?:one|number|field)|oops)(?: as it (?:is|was)| as is)?"
    r"(?: then| please)?|(?:actually )?(?:it's|its|it is|that's|thats) "
    r"(?:fine|ok|okay|right|correct)(?: as (?:it )?is)?)?$"
)
# "Go back", "previous question": the answer before the current question, asked again.
_GO_BACK = re.compile(
    r"^(?:(?:oops|sorry|wait|no|hold on|wrong(?: answer)?|my bad|i made a mistake|"
    r"(?:that|this) (?:was|is) wrong)[, ]+)*(?:can i |let me |i want to |i'd like to )?"
    r"(?:go back|back|undo(?: that)?|previous question|"
    r"redo (?:the|that)(?: last)?(?: one| answer)?|change (?:my|the) (?:last|previous) answer|"
    r"(?:that|this) (?:was|is) wrong|wrong answer)"
    r"(?: (?:one|a step|one step|please))*$"
)
# The problem put right while another question waits: "actually it's not PayPal, it's the
# Stripe button that's gone".
_NOT_THAT_BUT = re.compile(
    r"^(?:(?:actually|sorry|wait|oops|no|correction|my bad)[, ]+)+(?:it's|it is|its) not "
    r"([^,.;]+)[,;.] ?(?:it's|it is|its|but|rather|i meant)\b"
)
# Narrowing what was said: "only the shipping emails", "just for customers in Canada".
_ONLY = r"(?:only|just) (?:the|for|when|with|on|in|at|if|during|my|our|some|certain)\b"
_ONLY_FIRST = re.compile(_ONLY, re.IGNORECASE)
_THERE_IS = re.compile(
    rf"(?i)^\s*(?:(?:{OPENS_A_CORRECTION})|oh[,!]?\s+)*(?P<clause>there(?:'s| is) an error"
    r"(?: message)?|there are(?: some)? errors)[,:;]\s*(?P<rest>\S.*)$",
    re.DOTALL,
)
_YES_OR_NO_FIRST = {**dict.fromkeys("yes yeah yep yup sure".split(), True), "no": False}
_PLEASE_HURRY = frozenset("please hurry thanks thank you go ahead asap quickly fast".split())
_NARROWED = re.compile(
    rf"^(?:{OPENS_A_CORRECTION})+(?:the |my )?(?:problem|issue)(?: is|'s) {_ONLY}"
)
# "OK", "so" opening a message that goes on to say something else.
_OK_LEAD = re.compile(
    r"^(?:ok(?:ay)?|so|well|right)\b[,.!]?\s+(?:it'?s |its |it is |we'?re on )?", re.IGNORECASE
)
# "That's it", "done": the end of a list sent one item per message, no answer.
_END_OF_LIST = re.compile(r"^(?:that'?s (?:it|all)|done|finished|the end|end of (?:the )?list)\W*$")
# "Go back" on the summary, where nothing is asked: shown again, never sent ("go" is no yes).
_BACK_AT_SUMMARY = re.compile(r"^(?:go back|back|undo|previous)\b")
# "Yes, and …", "ok, also …" on the summary: more to add, not "send".
_YES_AND = re.compile(r"^(?:yes|yeah|yep|sure|ok|okay)\b[,.!]?\s+(?:and|also|plus)\b[\s,]*", re.I)
# The next step, sent on its own: "then pay", "after that, click Save".
_THEN = re.compile(r"^\s*(?:and )?(?:then|after that|afterwards|next|finally)\b", re.IGNORECASE)
# "Products > Import > Upload": where to click, in order, and nothing else (no "steps: …").
_CLICK_PATH = re.compile(r"^[^:\n]{1,40}?(?:>|→|->)[^:\n]*(?:>|→|->)\s*\S[^:\n]*$")
# One item of a numbered list: "2. add a pizza", "3) enter the code".
_LIST_ITEM = re.compile(r"^\s*(\d{1,2})[.)]\s+\S")
# "Sorry, I meant 4" at a field's edit prompt: the customer picked the wrong line.
_OTHER_LINE = re.compile(
    r"^(?:(?:oops|sorry|no|wait|oh)[, ]+)*(?:i meant|i mean|meant|make that) "
    r"(?:number |line |field )?(\d{1,2})$"
)
# "Also …", "add that …" at a field's edit prompt: more for it, not a new value.
_ADDS = re.compile(r"^(?:and )?(?:also|plus|add(?: that| this)?)\b[\s,:-]*", re.IGNORECASE)
# "No, it actually says ERR_410": the new value comes after these words.
_NEW_VALUE_LEAD = re.compile(
    r"^(?:no,? )?(?:it |the \w+ )?(?:actually |really )?(?:says|reads|is|should (?:say|be|read))"
    r"\s*:?\s+",
    re.IGNORECASE,
)
# Where a "thanks" is politeness while a question waits.
_QUESTIONS = frozenset({Step.DETAILS, Step.CONSENT})
# An intake under way, its problem described; one left this long is not simply picked up.
_UNFINISHED = frozenset({Step.GUIDES, Step.DETAILS, Step.CONSENT, Step.CONFIRM, Step.EDIT})
_STALE = timedelta(hours=12)
_EXCERPT = 60
# Where "hold on" is nothing to wait for: a new chat, or after the ticket (it goes to the agent).
_NO_PAUSE = frozenset({Step.NEW, Step.TICKETED})
_TOLD_TO_THE_TICKET = frozenset({Command.CANCEL, Command.STATUS, Command.AGENT})
_COMMANDS: dict[Command, _Handler] = {
    Command.HELP: _help,
    Command.STATUS: _status,
    Command.RESTART: _restart,
    Command.CANCEL: _cancel,
    Command.AGENT: _agent,
}
