"""The persisted state of one customer's intake conversation."""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from intake.guides import GuideMatch


class Step(StrEnum):
    NEW = "new"
    PROBLEM = "problem"
    GUIDES = "guides"
    DETAILS = "details"
    CONSENT = "consent"
    CONFIRM = "confirm"
    EDIT = "edit"
    TICKETED = "ticketed"
    SELF_SERVED = "self_served"
    CANCELLED = "cancelled"
    CLOSED = "closed"


FINISHED_STEPS = frozenset({Step.SELF_SERVED, Step.CANCELLED, Step.CLOSED})


class Conversation(BaseModel):
    """Everything the machine knows; saved after every step, so a restart resumes here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: Step = Step.NEW
    started_at: datetime | None = None
    out_of_hours: bool = False
    problem: str | None = None
    files: tuple[str, ...] = ()
    """Files sent before the problem was put in words; they join it once it is."""
    fragments: tuple[str, ...] = ()
    """The start of a problem sent in pieces ("my checkout", then "is broken since today")."""
    kind: str | None = None
    guides: tuple[GuideMatch, ...] = ()
    after_guide: bool = False
    """Started just after a guide solved the customer's last request (its problem, kind and
    guides are kept): "it didn't help after all" continues that request."""
    after_cancel: bool = False
    """Started just after the customer cancelled a request (everything they gave is kept):
    "no wait, I still need help" takes it up again."""
    left_at: Step | None = None
    """The step a cancelled request was left at: taken up again, it goes on from there."""
    shown_guide: str | None = None
    """The guide the customer opened, whose "did this solve it?" waits for an answer."""
    details: dict[str, str] = {}
    consent: bool | None = None
    consent_at: datetime | None = None
    consent_terms: str | None = None
    """The customer's words when their yes came with a condition ("yes, but not payments")."""
    editing: str | None = None
    reasks: int = 0
    ticket_id: str | None = None
    privacy_notice_given: bool = False
    language_noted: bool = False
    follow_up_noted: bool = False
    another_problem_noted: bool = False
    """The customer was told, after the ticket, how to start a request for a separate problem."""
    access_asked: bool = False
    """The bot's last message after the ticket asked the access question: a plain yes or no
    answers it."""
    recent: tuple[datetime, ...] = ()
    flood_noted: bool = False

    @property
    def finished(self) -> bool:
        return self.step in FINISHED_STEPS


def reopened(state: Conversation) -> Conversation:
    """A ticketed conversation closed with its ticket, live again because the ticket was
    reopened: the customer's messages go to the ticket once more."""
    return state.model_copy(update={"step": Step.TICKETED, "follow_up_noted": False})


# What the customer said for one request: taken up again after a cancel, dropped for a new one.
_REQUEST_FIELDS = (
    "problem",
    "files",
    "fragments",
    "kind",
    "guides",
    "details",
    "consent",
    "consent_at",
    "consent_terms",
    "left_at",
)
# How long after a guide solved a request (or the customer cancelled it) it can be taken up.
_FOLLOW_UP = timedelta(hours=24)


def next_conversation(previous: tuple[Conversation, datetime] | None, at: datetime) -> Conversation:
    """A customer's new conversation after ``previous`` (their last one there, and when it
    ended): fresh, or, right after a guide solved it or they cancelled it, one that remembers
    that request (``after_guide``, ``after_cancel``)."""
    if previous is None:
        return Conversation()
    last, ended_at = previous
    if at - ended_at > _FOLLOW_UP:
        return Conversation()
    if last.step is Step.SELF_SERVED:
        return Conversation(
            problem=last.problem, kind=last.kind, guides=last.guides, after_guide=True
        )
    if last.step is Step.CANCELLED and last.problem is not None:
        return Conversation(
            **{name: getattr(last, name) for name in _REQUEST_FIELDS}, after_cancel=True
        )
    return Conversation()


def without_request(state: Conversation) -> Conversation:
    """``state`` with nothing of an earlier request kept: a new one starts."""
    fresh = Conversation()
    update = {name: getattr(fresh, name) for name in _REQUEST_FIELDS}
    return state.model_copy(update={**update, "after_guide": False, "after_cancel": False})
