"""``GuideIndex``: the knowledge base as the intake machine sees it (``intake.guides``)."""

import re
from collections.abc import Iterable

from intake.guides import GuideMatch
from knowledge.guide import Guide
from knowledge.matcher import Matcher

# Chosen on bench/kb_eval.jsonl: the lowest confidence that keeps false suggestions under 5%.
DEFAULT_THRESHOLD = 0.45
EXCERPT_LENGTH = 160
_BLOCK_START = re.compile(r"\s*(?:#+|>|[-*+]|\d+[.)]|```|\|)\s")
_DOUBLE_STARS = re.compile(r"\*\*(.+?)\*\*")
_GUIDE_LINK = re.compile(r"\[([^\]]+)\]\((?![a-z]+:)[^)]*\.md\)")
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
        self._texts = {guide.id: readable(guide.body) for guide in self.guides}

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

    def text(self, guide_id: str) -> str | None:
        return self._texts.get(guide_id)


def readable(body: str) -> str:
    """A guide as a customer reads it in chat: lines wrapped in the file are joined (a chat
    wraps by itself), bold is the chats' ``*bold*``, and links to other guides, which are
    files here, become their titles in quotes."""
    text = _GUIDE_LINK.sub(r"“\1”", _unwrapped(body))
    return _DOUBLE_STARS.sub(r"*\1*", text).strip()


def _unwrapped(body: str) -> str:
    lines: list[str] = []
    fenced = False
    for line in body.splitlines():
        starts_block = not line.strip() or _BLOCK_START.match(line) is not None
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif lines and lines[-1].strip() and not starts_block and not fenced:
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
            continue
        lines.append(line)
    return "\n".join(lines)


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
