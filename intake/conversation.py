"""The persisted state of one customer's intake conversation."""

from datetime import datetime
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
    kind: str | None = None
    guides: tuple[GuideMatch, ...] = ()
    shown_guide: str | None = None
    """The guide the customer opened, whose "did this solve it?" waits for an answer."""
    details: dict[str, str] = {}
    consent: bool | None = None
    consent_at: datetime | None = None
    editing: str | None = None
    reasks: int = 0
    ticket_id: str | None = None
    privacy_notice_given: bool = False
    language_noted: bool = False
    follow_up_noted: bool = False
    recent: tuple[datetime, ...] = ()
    flood_noted: bool = False

    @property
    def finished(self) -> bool:
        return self.step in FINISHED_STEPS
