"""Which guides to write next: group the problems no guide answered.

Descriptions are compared on their meaningful terms (stemmed, filler removed) with rapidfuzz's
token-set ratio, so "can't connect my domain" and "domain won't connect!!" land together.
Grouping is greedy against each group's first description: linear in groups per text, which
is plenty for the hundreds of gaps a month an admin reviews.
"""

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from knowledge.text import terms

SIMILARITY = 70.0  # token-set ratio; below this, descriptions read as different problems


class GapGroup(BaseModel):
    """Similar unanswered descriptions; ``example`` is the most common wording."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    example: str
    count: int
    members: tuple[str, ...]


def group_gaps(texts: Sequence[str], similarity: float = SIMILARITY) -> list[GapGroup]:
    """Group similar descriptions, most frequent group first (ties: first seen first)."""
    keys: list[str] = []
    members: list[list[str]] = []
    for text in texts:
        if not text.strip():
            continue
        key = " ".join(sorted(set(terms(text)))) or text.strip().casefold()
        found = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=similarity)
        if found is None:
            keys.append(key)
            members.append([text])
        else:
            members[found[2]].append(text)
    groups = [
        GapGroup(
            example=Counter(group).most_common(1)[0][0], count=len(group), members=tuple(group)
        )
        for group in members
    ]
    return sorted(groups, key=lambda group: group.count, reverse=True)


def format_gaps(
    groups: Sequence[GapGroup], conversations: int, closed_by_guide: int, limit: int = 20
) -> str:
    """The ``intake kb gaps`` report: top unanswered problems, then the deflection rate."""
    lines = ["Most frequent problems without a helpful guide:"]
    lines += [f"{group.count:5d}  {group.example}" for group in groups[:limit]]
    if not groups:
        lines.append("  (none recorded)")
    elif len(groups) > limit:
        lines.append(f"  ... and {len(groups) - limit} smaller groups")
    if conversations:
        rate = closed_by_guide / conversations
        lines.append(
            f"Deflection rate: {rate:.0%} ({closed_by_guide} of {conversations} conversations "
            "closed by a guide)"
        )
    else:
        lines.append("Deflection rate: no conversations yet")
    return "\n".join(lines)
