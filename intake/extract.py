"""Details a customer already gave without being asked, so the bot never asks for them twice."""

import re

_QUOTED = re.compile(r"\"([^\"\n]{6,500})\"|“([^”\n]{6,500})”|`([^`\n]{6,500})`|'([^'\n]{12,500})'")
_ERROR_WORDS = re.compile(
    r"\b(error|exception|failed|failure|fatal|denied|declined|invalid|not found|timed? ?out|"
    r"unable|refused|forbidden|unauthori[sz]ed|warning|[45]\d\d)\b",
    re.IGNORECASE,
)
_ERROR_LINE = re.compile(
    r"(?:^|\b)((?:[A-Z][\w.]*)?(?:Error|Exception|ERROR|FATAL|Fatal error|Warning)\b"
    r"[:\s][^\n]{3,400})"
)

_ENVIRONMENT = {
    "version": re.compile(r"\b(?:v(?:ersion)?\s?\d+(?:\.\d+)+|version \d+)\b", re.IGNORECASE),
    "plan": re.compile(r"\b(?:basic|starter|pro|business|plus|enterprise) plan\b", re.IGNORECASE),
    "browser": re.compile(
        r"\b(?:chrome|firefox|safari|edge|opera|brave)\b(?: \d+)?", re.IGNORECASE
    ),
    "os": re.compile(
        r"\b(?:windows(?: \d+)?|mac ?os(?: \d+)?|os x|ios(?: \d+)?|android(?: \d+)?|linux|"
        r"ubuntu|chromebook)\b",
        re.IGNORECASE,
    ),
    "hosting": re.compile(
        r"\b(?:hosted (?:on|by|at) [\w.-]+|self-hosted|godaddy|bluehost|aws|cloudflare|"
        r"siteground|hostgator|namecheap)\b",
        re.IGNORECASE,
    ),
}


def error_text(message: str) -> str | None:
    """The error the customer quoted or pasted, if any."""
    for match in _QUOTED.finditer(message):
        quoted = next(group for group in match.groups() if group)
        if _ERROR_WORDS.search(quoted):
            return quoted.strip()
    line = _ERROR_LINE.search(message)
    return line.group(1).strip() if line else None


def environment_text(message: str) -> str | None:
    """System details mentioned in passing; two or more facts make it worth keeping."""
    facts: list[str] = []
    for pattern in _ENVIRONMENT.values():
        match = pattern.search(message)
        if match:
            facts.append(match.group(0))
    return ", ".join(facts) if len(facts) >= 2 else None
