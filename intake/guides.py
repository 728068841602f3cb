"""The knowledge-base port as the intake machine sees it.

The machine never loads guides itself; it is handed something that answers this Protocol
(implemented by ``knowledge.index.GuideIndex``) so matching stays pure and swappable.
"""

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class GuideMatch(BaseModel):
    """One guide offered to a customer, with a confidence between 0 and 1."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    excerpt: str
    score: float
    category: str | None = None
    read: bool = False
    """On a ticket: the customer opened this guide, and the request still came to the team."""

    @property
    def read_note(self) -> str:
        """What the team reads after the guide's name: whether it was tried."""
        return " (read by the customer)" if self.read else ""


class GuideSearch(Protocol):
    """Finds the guides that best match a customer's own words.

    Implemented by ``knowledge.index.GuideIndex``. Returns at most ``limit`` matches, best
    first, and nothing at all when no guide passes the confidence threshold.
    """

    def search(self, query: str, limit: int = 3) -> Sequence[GuideMatch]: ...

    def text(self, guide_id: str) -> str | None:
        """A guide's whole text, as a customer reads it; None once it is gone."""
        ...
