"""Matching quality on the labelled queries in ``bench/kb_eval.jsonl``.

Run: ``.venv/bin/python -m bench.kb_eval [--threshold T] [--misses] [--sweep] [--embeddings]``

``--embeddings`` (needs the ``embeddings`` extra) also reports the blended lexical + embedding
matcher, at its own threshold (``--threshold`` then sets that one).

Each line is ``{"query": ..., "expected": [guide ids]}``; ``expected`` is empty for a query
that no guide answers. A hit at rank 1 or within the top 3 counts if it is any expected id;
a false suggestion is any guide offered for a should-match-nothing query.
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from intake.guides import GuideSearch
from knowledge.embeddings import (
    BLENDED_THRESHOLD,
    BlendedGuideIndex,
    GuideVectors,
    SentenceEmbedder,
)
from knowledge.index import DEFAULT_THRESHOLD, GuideIndex
from knowledge.loader import default_kb_dir, load_folder

EVAL_FILE = Path(__file__).with_name("kb_eval.jsonl")


class Case(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    query: str
    expected: tuple[str, ...]


class Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    answerable: int
    unanswerable: int
    top1: float
    top3: float
    no_answer: float
    false_suggestion: float
    misses: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.answerable + self.unanswerable} queries "
            f"({self.answerable} with a guide, {self.unanswerable} without)\n"
            f"top-1 accuracy        {self.top1:6.1%}\n"
            f"top-3 accuracy        {self.top3:6.1%}\n"
            f"no answer (answerable) {self.no_answer:5.1%}\n"
            f"false suggestions     {self.false_suggestion:6.1%}"
        )


def load_cases(path: Path = EVAL_FILE) -> list[Case]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Case.model_validate(json.loads(line)) for line in lines if line.strip()]


def evaluate(index: GuideSearch, cases: Sequence[Case]) -> Report:
    top1 = top3 = empty = false = 0
    misses: list[str] = []
    for case in cases:
        found = [match.id for match in index.search(case.query, limit=3)]
        if not case.expected:
            false += bool(found)
            if found:
                misses.append(f"FALSE  {case.query!r} -> {found}")
            continue
        top1 += bool(found) and found[0] in case.expected
        top3 += any(guide in case.expected for guide in found)
        empty += not found
        if not found or found[0] not in case.expected:
            misses.append(f"MISS   {case.query!r} -> {found} (want {list(case.expected)})")
    answerable = sum(1 for case in cases if case.expected)
    unanswerable = len(cases) - answerable
    return Report(
        answerable=answerable,
        unanswerable=unanswerable,
        top1=top1 / max(answerable, 1),
        top3=top3 / max(answerable, 1),
        no_answer=empty / max(answerable, 1),
        false_suggestion=false / max(unanswerable, 1),
        misses=tuple(misses),
    )


class _Remembering:
    """An ``Embedder`` that encodes each text once: a sweep asks for the same queries again."""

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self._embedder = embedder
        self._known: dict[str, Sequence[float]] = {}

    def encode(self, texts: Sequence[str]) -> list[Sequence[float]]:
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            self._known.update(zip(missing, self._embedder.encode(missing), strict=True))
        return [self._known[text] for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--sweep", action="store_true", help="report several thresholds")
    parser.add_argument("--embeddings", action="store_true", help="also the blended matcher")
    args = parser.parse_args()
    guides = load_folder(default_kb_dir()).guides
    cases = load_cases()
    sweep = [t / 100 for t in range(20, 75, 5)]
    if args.embeddings:
        print(f"lexical\n{evaluate(GuideIndex(guides), cases)}\n")
        vectors = GuideVectors(_Remembering(SentenceEmbedder()))
        blended = sweep if args.sweep else [args.threshold or BLENDED_THRESHOLD]
        indexes: list[tuple[str, GuideSearch]] = [
            (f"blended, threshold {t:.2f}", BlendedGuideIndex(guides, vectors, t)) for t in blended
        ]
    else:
        lexical = sweep if args.sweep else [args.threshold or DEFAULT_THRESHOLD]
        indexes = [(f"threshold {t:.2f}", GuideIndex(guides, t)) for t in lexical]
    for name, index in indexes:
        report = evaluate(index, cases)
        print(f"{name}\n{report}\n")
        if args.misses:
            print("\n".join(report.misses))


if __name__ == "__main__":
    main()
