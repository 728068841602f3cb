"""``LiveGuideIndex``: serves guides while admins edit them, with no restart.

A daemon thread polls the folder's file times every few seconds. When something changed it
re-parses only the changed files, builds a new ``GuideIndex`` off the answering path and swaps
it in with one reference assignment, so ``search`` never waits for a reload. A guide whose edit
breaks it keeps serving its last good version; a new broken file stays out until fixed. Every
problem is logged once per change, as ``file:line: explanation``.

Given an ``Embedder`` it serves a ``BlendedGuideIndex`` instead, and a reload encodes only the
guides whose text changed.
"""

import logging
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from intake.guides import GuideMatch
from knowledge.embeddings import (
    BlendedGuideIndex,
    Embedder,
    GuideVectors,
    guide_index,
)
from knowledge.guide import DEFAULT_CATEGORIES, Guide
from knowledge.index import GuideIndex
from knowledge.loader import (
    FolderError,
    LoadResult,
    ParsedFile,
    combine,
    list_folder,
    oldest_first,
    parse_file,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
_Stamp = tuple[int, int]  # (modification time in ns, size): cheap and catches most edits


class LiveGuideIndex:
    """A ``GuideSearch`` over a folder that follows its edits; call ``start()`` to follow."""

    def __init__(
        self,
        folder: Path,
        categories: Collection[str] = DEFAULT_CATEGORIES,
        threshold: float | None = None,
        poll_seconds: float = POLL_SECONDS,
        embedder: Embedder | None = None,
    ) -> None:
        """``threshold`` defaults to the one chosen for the matcher in use."""
        self.folder = folder
        self._categories = frozenset(categories)
        self._vectors = GuideVectors(embedder) if embedder is not None else None
        self._threshold = threshold
        self._poll_seconds = poll_seconds
        self._index = guide_index((), None, threshold)
        self._parsed: dict[Path, tuple[_Stamp, ParsedFile]] = {}
        self._last_good: dict[Path, Guide] = {}
        self._reload_lock = threading.Lock()
        self._folder_error: str | None = None  # said once, not on every poll
        self._listed = False  # the folder has been read once (an empty one too)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.reload_now()

    @property
    def guides(self) -> tuple[Guide, ...]:
        return self._index.guides

    def search(self, query: str, limit: int = 3) -> Sequence[GuideMatch]:
        return self._index.search(query, limit)

    def text(self, guide_id: str) -> str | None:
        return self._index.text(guide_id)

    def start(self) -> None:
        """Poll the folder from a daemon thread until ``stop()``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="guide-reload", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def reload_now(self) -> LoadResult | None:
        """Reload if anything changed; returns what loaded, or ``None`` if nothing changed.

        Safe to call from any thread; tests call it instead of waiting for the poller.
        """
        with self._reload_lock:
            try:
                paths, notes = list_folder(self.folder)
            except FolderError as error:
                if str(error) != self._folder_error:
                    self._folder_error = str(error)
                    log.error(
                        "guides folder unusable, still serving %d guides: %s", len(self), error
                    )
                return None
            if self._folder_error is not None:
                self._folder_error = None
                log.info("guides folder %s is usable again", self.folder)
            stamps = {path: _stamp(path) for path in paths}
            if self._listed and stamps == {
                path: stamp for path, (stamp, _) in self._parsed.items()
            }:
                return None
            self._listed = True
            self._last_good = {p: g for p, g in self._last_good.items() if p in stamps}
            self._parsed = {
                path: (stamp, self._parse(path, stamp)) for path, stamp in stamps.items()
            }
            # Of two guides with one id or title, the one already served stays, then the one
            # written first: a new file can't take a guide out of service by sorting first.
            oldest = oldest_first(paths, lambda path: stamps[path][0])
            served_first = sorted(oldest, key=lambda path: path not in self._last_good)
            result = combine((self._serveable(path) for path in served_first), notes)
            for problem in result.problems:
                log.warning("guide problem: %s", problem)
            self._index = self._build(result.guides)
            log.info("guides reloaded from %s: %d served", self.folder, len(result.guides))
            if not result.guides:
                log.warning(
                    "no guides to offer in %s: customers get none until some are added "
                    "(intake kb check %s)",
                    self.folder,
                    self.folder,
                )
            return result

    def __len__(self) -> int:
        return len(self._index)

    def _build(self, guides: Sequence[Guide]) -> GuideIndex | BlendedGuideIndex:
        return guide_index(guides, self._vectors, self._threshold)

    def _parse(self, path: Path, stamp: _Stamp) -> ParsedFile:
        known = self._parsed.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        return parse_file(path, self._categories)

    def _serveable(self, path: Path) -> ParsedFile:
        """The file as parsed, or its last good guide (problems kept) if the edit broke it."""
        parsed = self._parsed[path][1]
        if parsed.guide is not None:
            self._last_good[path] = parsed.guide
            return parsed
        previous = self._last_good.get(path)
        if previous is None:
            return parsed
        log.warning("%s is broken, serving its last good version", parsed.source)
        return parsed.model_copy(update={"guide": previous})

    def _poll(self) -> None:
        while not self._stopped.wait(self._poll_seconds):
            try:
                self.reload_now()
            except Exception:  # the poller must survive anything a folder can throw at it
                log.exception("reloading guides from %s failed", self.folder)


def _stamp(path: Path) -> _Stamp:
    try:
        stat = path.stat()
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)
