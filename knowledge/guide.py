"""One guide: a markdown file whose YAML front matter is checked field by field.

Every problem carries the line an admin has to fix, because a bare "invalid guide" sends
them hunting through the file.
"""

import re
from collections.abc import Collection, Iterator
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

DEFAULT_CATEGORIES: frozenset[str] = frozenset(
    {"technical-assistance", "bug-fix", "installation-setup", "troubleshooting"}
)
FIELDS = ("title", "category", "tags", "aliases", "applies_to")
_LIST_FIELDS = ("tags", "aliases", "applies_to")
_FENCE = "---"
# A relative link to another guide: [text](other-guide.md) or [text](other-guide.md#part).
_GUIDE_LINK = re.compile(r"\]\(\s*([^)\s#]+\.md)(?:#[^)\s]*)?\s*\)")


class Guide(BaseModel):
    """A guide that parsed cleanly; ``id`` is the file stem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    body: str
    source: str
    body_line: int
    category: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()


class Problem(BaseModel):
    """Something an admin must fix, shown as ``file:line: explanation``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{where}: {self.message}"


def guide_links(guide: Guide) -> Iterator[tuple[str, int]]:
    """Yield ``(guide id, line)`` for every relative link to another guide in the body."""
    for offset, line in enumerate(guide.body.splitlines()):
        for target in _GUIDE_LINK.findall(line):
            if "://" not in target:
                stem = target.rsplit("/", 1)[-1].removesuffix(".md")
                yield stem, guide.body_line + offset


def read_guide(
    guide_id: str, source: str, text: str, categories: Collection[str] = DEFAULT_CATEGORIES
) -> tuple[Guide | None, list[Problem]]:
    """Every problem of one guide's text, and the guide as far as it could be read.

    A guide with problems must not be served, but its draft (invalid fields left empty, an
    unreadable title as ``""``) still has its id, title and body, so the folder-wide checks
    (duplicates, links) can report their problems in the same run. The draft is ``None`` only
    when the front matter cannot be told from the body.
    """

    def problem(line: int, message: str) -> Problem:
        return Problem(file=source, line=line, message=message)

    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        return None, [problem(1, "no front matter: start the file with '---', 'title: ...', '---'")]
    close = next((i for i in range(1, len(lines)) if lines[i].strip() == _FENCE), None)
    if close is None:
        return None, [problem(1, "front matter is never closed: add a '---' line after it")]
    body = "\n".join(lines[close + 1 :]).strip()
    body_line = close + 2 + next((i for i, ln in enumerate(lines[close + 1 :]) if ln.strip()), 0)
    problems: list[Problem] = []
    if not body:
        problems.append(problem(close + 2, "empty body: write the guide below the front matter"))

    def draft(title: str = "", category: str | None = None, **lists: tuple[str, ...]) -> Guide:
        return Guide(
            id=guide_id,
            title=title,
            body=body,
            source=source,
            body_line=body_line,
            category=category,
            **lists,
        )

    try:
        data: Any = yaml.safe_load("\n".join(lines[1:close]))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = 2 + mark.line if mark is not None else 2
        message = f"front matter is not valid YAML: {error.problem}"
        return draft(), [problem(line, message), *problems]
    except yaml.YAMLError as error:
        return draft(), [problem(2, f"front matter is not valid YAML: {error}"), *problems]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        message = f"front matter must be fields like 'title: ...', not {kind}"
        return draft(), [problem(2, message), *problems]

    def field_line(name: str) -> int:
        pattern = re.compile(rf"\s*['\"]?{re.escape(name)}['\"]?\s*:")
        found = (i for i in range(1, close) if pattern.match(lines[i]))
        return next(found, 0) + 1

    fields: list[Problem] = []
    for key in data:
        if key not in FIELDS:
            known = ", ".join(FIELDS)
            fields.append(problem(field_line(str(key)), f"unknown field '{key}' (use {known})"))
    title = data.get("title")
    if title is None:
        fields.append(problem(1, "missing title: add 'title: ...' to the front matter"))
    elif not isinstance(title, str) or not title.strip():
        fields.append(problem(field_line("title"), "title must be a line of text"))
    category = data.get("category")
    allowed = ", ".join(sorted(categories))
    if category is not None and not isinstance(category, str):
        message = f"category must be one word (use one of: {allowed})"
        fields.append(problem(field_line("category"), message))
    elif category is not None and category not in categories:
        message = f"unknown category '{category}' (use one of: {allowed})"
        fields.append(problem(field_line("category"), message))
    lists: dict[str, tuple[str, ...]] = {}
    for name in _LIST_FIELDS:
        values = _text_list(data.get(name))
        if values is None:
            message = f"'{name}' must be a list of words or phrases"
            fields.append(problem(field_line(name), message))
        else:
            lists[name] = values
    guide = draft(
        title.strip() if isinstance(title, str) else "",
        category if isinstance(category, str) and category in categories else None,
        **lists,
    )
    return guide, [*fields, *problems]


def _text_list(value: object) -> tuple[str, ...] | None:
    """Accept a list of scalars or one scalar (``tags: payments``); ``None`` means invalid."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str | int | float) for item in items):
        return None
    return tuple(text for item in items if (text := str(item).strip()))
