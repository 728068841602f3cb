"""Cutting a long message into parts a chat platform shows whole, for Slack and Discord alike.

Each platform passes its own limit (Discord refuses more than 2,000 characters; Slack folds long
texts away, see ``bot.slack.translate``); the rules for where to cut are the same everywhere.
"""

_FENCE = "```"
_CLOSE_FENCE = "\n```"
# Room kept free in every part for closing a code block and reopening it in the next part.
_FENCE_ROOM = 50


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters.

    Cuts fall between lines or between words, never inside a word (only a single word longer
    than a whole part is cut, as nothing else can be done with it). A cut inside a ``` code block
    closes the block at the end of one part and reopens it, language included, in the next, so
    every part renders on its own.
    """
    if len(text) <= limit:
        return [text]
    budget = limit - _FENCE_ROOM
    parts: list[str] = []
    current = ""
    fence: str | None = None  # the opening fence line in force at the end of ``current``
    for segment in _segments(text, budget):
        after = _fence_after(fence, segment)
        closing = len(_CLOSE_FENCE) if after else 0
        if len(current) + len(segment) + closing <= limit:
            current += segment
            fence = after
            continue
        part = current.rstrip() + (_CLOSE_FENCE if fence else "")
        if part.strip():
            parts.append(part)
        current = (fence + "\n" if fence else "") + segment
        fence = after
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _segments(text: str, budget: int) -> list[str]:
    """Lines (keeping their newline), long lines broken after a space."""
    segments: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > budget:
            cut = line.rfind(" ", 0, budget)
            cut = budget if cut <= 0 else cut + 1
            segments.append(line[:cut])
            line = line[cut:]
        if line:
            segments.append(line)
    return segments


def _fence_after(fence: str | None, segment: str) -> str | None:
    """The code block open after ``segment``, given the one open before it."""
    if segment.count(_FENCE) % 2 == 0:
        return fence
    if fence is not None:
        return None
    stripped = segment.strip()
    if stripped.startswith(_FENCE) and len(stripped) <= _FENCE_ROOM - len(_CLOSE_FENCE) - 1:
        return stripped
    return _FENCE
