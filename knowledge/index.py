"""``GuideIndex``: the knowledge base as the intake machine sees it (``intake.guides``)."""

import re
from collections.abc import Iterable

from intake.guides import GuideMatch
from knowledge.guide import Guide
from knowledge.matcher import Matcher

# Chosen on bench/kb_eval.jsonl: the lowest confidence that keeps false suggestions under 5%.
DEFAULT_THRESHOLD = 0.45
EXCERPT_LENGTH = 160
_MARKUP = (
    (re.compile(r"```.*?```", re.S), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s*(#+|>+|[-*+]|\d+[.)])\s+", re.M), ""),
    (re.compile(r"[*_`|]+"), ""),
    (re.compile(r"\s+"), " "),
)


class GuideIndex:
    """Answers ``GuideSearch`` over a fixed set of guides; build once, query many times."""

    def __init__(self, guides: Iterable[Guide], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.guides = tuple(guides)
        self.threshold = threshold
        self._matcher = Matcher([_fields(guide) for guide in self.guides])
        self._excerpts = [excerpt(guide.body) for guide in self.guides]

    def __len__(self) -> int:
        return len(self.guides)

    def search(self, query: str, limit: int = 3) -> list[GuideMatch]:
        """At most ``limit`` guides whose confidence reaches the threshold, best first."""
        if limit < 1 or not query.strip():
            return []
        return [
            GuideMatch(
                id=self.guides[position].id,
                title=self.guides[position].title,
                excerpt=self._excerpts[position],
                score=round(score, 3),
                category=self.guides[position].category,
            )
            for position, score in self._matcher.score(query, limit)
            if score >= self.threshold
        ]


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """The body's opening as plain text, cut at a word boundary."""
    text = body
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    text = text.strip()
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _fields(guide: Guide) -> dict[str, str]:
    return {
        "title": guide.title,
        "aliases": "\n".join(guide.aliases),
        "tags": " ".join(guide.tags),
        "body": guide.body,
    }
