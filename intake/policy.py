"""The support policy as validated data: what the bot asks, when support is open, what it files.

A policy change is an edit of the YAML file (see ``default_policy.yaml``), never a code change.
Reading the file is the caller's job; this module only validates what was read.
"""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intake.hours import SupportHours


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HelpKind(_Frozen):
    """One kind of help the policy offers; keywords steer the guess from the customer's words."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1)
    description: str = ""
    keywords: tuple[str, ...] = ()


class DetailField(_Frozen):
    """A detail the policy requires before a ticket is complete, with how to ask for it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    question: str = Field(min_length=1)
    hint: str = Field(min_length=1)
    min_words: int = Field(default=1, ge=1)
    codes_count: bool = False
    """A single code ("card_declined", "404", "ERR_TOO_MANY_REDIRECTS") is a whole answer."""
    none_phrases: tuple[str, ...] = ()
    none_value: str | None = None

    @model_validator(mode="after")
    def _none_value_with_phrases(self) -> Self:
        if self.none_phrases and not self.none_value:
            raise ValueError(f"detail {self.id!r} lists none_phrases but has no none_value")
        return self


class Policy(_Frozen):
    product: str = Field(min_length=1)
    contact_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    ticket_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9]{0,9}$")
    # Ticket numbers are stored as 32-bit integers: a billion leaves room for two.
    first_ticket_number: int = Field(default=1001, ge=1, le=1_000_000_000)
    hours: SupportHours = SupportHours()
    kinds: tuple[HelpKind, ...] = Field(min_length=1)
    default_kind: str
    details: tuple[DetailField, ...] = Field(min_length=1)
    consent_question: str = Field(min_length=1)
    max_guides: int = Field(default=3, ge=0, le=10)
    max_field_chars: int = Field(default=4000, ge=100)
    flood_max_messages: int = Field(default=8, ge=1)
    flood_window_seconds: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        kind_ids = [kind.id for kind in self.kinds]
        if len(set(kind_ids)) != len(kind_ids):
            raise ValueError("kinds: every id must be unique")
        if self.default_kind not in kind_ids:
            raise ValueError(f"default_kind {self.default_kind!r} is not one of the kinds")
        detail_ids = [detail.id for detail in self.details]
        if len(set(detail_ids)) != len(detail_ids):
            raise ValueError("details: every id must be unique")
        return self

    def kind(self, kind_id: str) -> HelpKind:
        return next(kind for kind in self.kinds if kind.id == kind_id)

    def detail(self, detail_id: str) -> DetailField:
        return next(detail for detail in self.details if detail.id == detail_id)

    def kind_label(self, kind_id: str) -> str:
        """How a stored kind reads; its id when the policy no longer has it (older tickets)."""
        return next((kind.label for kind in self.kinds if kind.id == kind_id), kind_id)

    def detail_label(self, detail_id: str) -> str:
        """How a stored detail reads; its id when the policy no longer has it (older tickets)."""
        return next((d.label for d in self.details if d.id == detail_id), detail_id)
