"""Load a folder of guides, collecting every problem instead of stopping at the first.

Per-file problems (bad front matter, not UTF-8, ...) leave that file out; folder-wide ones
(duplicate ids or titles) leave out the later file; a link to a missing guide is reported but
the guide is still served, since its steps remain useful. A file left out for its own problems
still takes part in the folder-wide checks as far as it could be read, so one run reports
every problem of every file.
"""

import os
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from knowledge.guide import DEFAULT_CATEGORIES, Guide, Problem, guide_links, read_guide

GUIDE_SUFFIXES = (".md", ".markdown")
# A guide customers read in a chat is a page or two; a file this size is a mistake (a log or
# an export saved as .md), and indexing it would slow every search.
MAX_GUIDE_BYTES = 1_000_000
KB_DIR_ENV = "INTAKE_KB_DIR"


class FolderError(Exception):
    """The guides folder cannot be read at all (missing, not a folder, no permission)."""


class ParsedFile(BaseModel):
    """One markdown file after parsing: its guide, or the problems that kept it out.

    ``draft`` is what the file says as far as it could be read when problems keep its guide
    out: not served, only checked against the other files.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    guide: Guide | None
    problems: tuple[Problem, ...] = ()
    draft: Guide | None = None


class LoadResult(BaseModel):
    """What a folder yielded: the guides to serve, problems to fix, and files skipped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    guides: tuple[Guide, ...]
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()


def default_kb_dir() -> Path:
    """The bundled guides, used when neither ``--kb-dir`` nor ``INTAKE_KB_DIR`` is given."""
    return Path(__file__).with_name("guides")


def configured_kb_dir(explicit: str | Path | None = None) -> Path:
    """``explicit`` if given, else ``INTAKE_KB_DIR`` if set, else the bundled guides."""
    chosen = explicit or os.environ.get(KB_DIR_ENV, "").strip()
    return Path(chosen) if chosen else default_kb_dir()


def list_folder(folder: Path) -> tuple[list[Path], list[str]]:
    """Markdown files under ``folder`` (sorted) and a note for each other file skipped.

    Hidden files and folders (editor swap files, ``.git``) are skipped silently.
    """
    if not folder.exists():
        raise FolderError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise FolderError(f"{folder}: not a folder")
    guides: list[Path] = []
    notes: list[str] = []
    try:
        for root, dirs, files in os.walk(folder, onerror=_raise):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(root, name)
                if name.startswith("."):
                    continue
                if path.suffix.lower() in GUIDE_SUFFIXES and not path.is_file():
                    # A pipe or device named like a guide would block the reading forever.
                    notes.append(f"{path}: ignored, not a regular file")
                elif path.suffix.lower() in GUIDE_SUFFIXES:
                    guides.append(path)
                else:
                    notes.append(f"{path}: ignored, not a markdown (.md) file")
    except OSError as error:
        raise FolderError(f"{folder}: cannot be read ({error.strerror})") from error
    return guides, notes


def oldest_first(paths: Iterable[Path], written_at: Callable[[Path], int]) -> list[Path]:
    """``paths`` in the order they were written: of two guides with one id or title, the one
    written first is served, so a new file can't take an established guide out of service."""
    return sorted(paths, key=lambda path: (written_at(path), str(path)))


def _written_at(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # gone since it was listed: its reading says so
        return 0


def parse_file(path: Path, categories: Collection[str] = DEFAULT_CATEGORIES) -> ParsedFile:
    """Read and parse one guide file; never raises for a bad file."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_GUIDE_BYTES:
            limit = f"{MAX_GUIDE_BYTES // 1_000_000} MB"
            return _failed(source, 0, f"too large ({size:,} bytes); a guide is at most {limit}")
        raw = path.read_bytes()
    except OSError as error:
        return _failed(source, 0, f"cannot be read ({error.strerror})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        return _failed(source, line, f"not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8")
    if "\x00" in text:
        return _failed(source, text[: text.index("\x00")].count("\n") + 1, "binary file, not text")
    draft, problems = read_guide(path.stem, source, text, categories)
    if problems:
        return ParsedFile(source=source, guide=None, problems=tuple(problems), draft=draft)
    return ParsedFile(source=source, guide=draft)


_SKIPPED = "this file is skipped"


def combine(files: Iterable[ParsedFile], notes: Sequence[str] = ()) -> LoadResult:
    """Apply the folder-wide rules (unique ids and titles, links that resolve) to parsed files.

    Every file is checked as it reads now (its draft when it has problems of its own); only
    guides are served, and of two served guides with one id or title the later is skipped.
    """
    guides: list[Guide] = []
    problems: list[Problem] = []
    served = _Names()
    seen = _Names()  # every file that could be read, served or not
    checked: list[Guide] = []
    file_ids: set[str] = set()
    for parsed in files:
        own = list(parsed.problems)
        if own and parsed.guide is None:  # say so once: the file is not a guide until fixed
            own[0] = own[0].model_copy(update={"message": f"{own[0].message}; {_SKIPPED}"})
        problems.extend(own)
        file_ids.add(Path(parsed.source).stem)
        current = parsed.draft or parsed.guide
        if current is None:
            continue
        checked.append(current)
        guide = parsed.guide
        first = served.first(guide) if guide is not None else None
        if guide is not None and first is not None:
            message = f"{_duplicate(guide, first)}; {_SKIPPED}"
            problems.append(Problem(file=guide.source, line=1, message=message))
        else:
            earlier = seen.first(current)
            if earlier is not None:
                message = _duplicate(current, earlier)
                problems.append(Problem(file=current.source, line=1, message=message))
            if guide is not None:
                served.add(guide)
                guides.append(guide)
        seen.add(current)
    for guide in checked:
        for target, line in guide_links(guide):
            if target in served.by_id:
                continue
            if target in file_ids:
                message = f"link to a guide that is left out for its own problems: {target}.md"
            else:
                message = f"link to a guide that does not exist: {target}.md"
            problems.append(Problem(file=guide.source, line=line, message=message))
    return LoadResult(guides=tuple(guides), problems=tuple(problems), notes=tuple(notes))


class _Names:
    """The first guide seen with each id and each title (case-insensitive)."""

    def __init__(self) -> None:
        self.by_id: dict[str, Guide] = {}
        self.by_title: dict[str, Guide] = {}

    def first(self, guide: Guide) -> Guide | None:
        title = guide.title.casefold()
        return self.by_id.get(guide.id) or (self.by_title.get(title) if title else None)

    def add(self, guide: Guide) -> None:
        self.by_id.setdefault(guide.id, guide)
        if guide.title:
            self.by_title.setdefault(guide.title.casefold(), guide)


def _duplicate(guide: Guide, first: Guide) -> str:
    what = f"id '{guide.id}'" if first.id == guide.id else f"title '{guide.title}'"
    return f"duplicate {what}, already used by {first.source}"


def load_folder(folder: Path, categories: Collection[str] = DEFAULT_CATEGORIES) -> LoadResult:
    """Load every guide in ``folder``; raises ``FolderError`` only if the folder is unusable."""
    paths, notes = list_folder(folder)
    result = combine(
        (parse_file(path, categories) for path in oldest_first(paths, _written_at)), notes
    )
    if paths:
        return result
    empty = Problem(file=str(folder), line=0, message="no guides here (no .md files)")
    return result.model_copy(update={"problems": (*result.problems, empty)})


def _failed(source: str, line: int, message: str) -> ParsedFile:
    return ParsedFile(
        source=source, guide=None, problems=(Problem(file=source, line=line, message=message),)
    )


def _raise(error: OSError) -> None:
    raise error
