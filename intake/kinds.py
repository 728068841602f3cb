"""Guessing the kind of help from the customer's words; the customer can correct it later.

Each kind in the policy lists words and phrases that suggest it. A phrase matches at the start
of a word, so "disappear" finds "disappeared", and apostrophes are ignored, so "arent" finds
"aren't". The kind with the most matches wins; the best guide's category settles a tie, and
with no match at all the guide's category, else the policy's default, is used.
"""

import re

from intake.policy import Policy

_NOT_WORDS = re.compile(r"[^\w\s]+")


def _plain(text: str) -> str:
    return " " + " ".join(_NOT_WORDS.sub(" ", text.lower().replace("'", "")).split())


def suggests_a_kind(policy: Policy, text: str) -> bool:
    """Whether any kind's words are in ``text`` ("it's urgent" has none)."""
    return bool(_leaders(policy, text))


def _leaders(policy: Policy, text: str) -> list[str]:
    """The kinds whose words ``text`` has most of (none when it has none)."""
    words = _plain(text)
    scores = {
        kind.id: sum(_plain(keyword) in words for keyword in kind.keywords) for kind in policy.kinds
    }
    best = max(scores.values())
    return [kind_id for kind_id, score in scores.items() if score == best and score > 0]


def infer_kind(policy: Policy, text: str, guide_category: str | None) -> str:
    leaders = _leaders(policy, text)
    known = {kind.id for kind in policy.kinds}
    if guide_category in leaders or (not leaders and guide_category in known):
        return str(guide_category)
    return leaders[0] if leaders else policy.default_kind
