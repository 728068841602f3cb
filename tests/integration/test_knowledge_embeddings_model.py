"""The real all-MiniLM-L6-v2 model, loaded from its package: runs only with the extra installed."""

import json
import math
import sys
from collections.abc import Iterator

import pytest

from bot.cli import main
from knowledge.embeddings import (
    BlendedGuideIndex,
    GuideVectors,
    SentenceEmbedder,
)
from knowledge.loader import default_kb_dir, load_folder

# Needs the embeddings extra (1.5 GB with torch): `make test-embeddings` installs it and runs
# these; the default `make test` leaves them out rather than skipping them.
pytestmark = pytest.mark.embeddings


@pytest.fixture(scope="module")
def embedder() -> Iterator[SentenceEmbedder]:
    with pytest.MonkeyPatch.context() as patch:
        # Any attempt to reach a model hub fails instead of being answered from a cache.
        patch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
        yield SentenceEmbedder()


def test_the_packaged_model_loads_offline_into_unit_vectors(embedder: SentenceEmbedder) -> None:
    vectors = embedder.encode(["can't take money", "payments declined"])

    assert len(vectors) == 2
    assert all(math.isclose(float(sum(x * x for x in v)), 1.0, abs_tol=1e-4) for v in vectors)
    assert "all_minilm_l6_v2" not in sys.modules  # its __init__ prints to stdout


def test_the_bundled_guides_answer_a_paraphrase_and_not_junk(embedder: SentenceEmbedder) -> None:
    index = BlendedGuideIndex(load_folder(default_kb_dir()).guides, GuideVectors(embedder))

    assert [match.id for match in index.search("can't take money")][:1] == ["payment-declined"]
    assert index.search("tell me a joke") == []


def test_kb_search_uses_the_embeddings_when_they_are_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("INTAKE_KB_EMBEDDINGS", "1")

    assert main(["kb", "search", "can't take money", "--json"]) == 0

    answer = json.loads(capsys.readouterr().out)
    assert [match["id"] for match in answer["matches"]][:1] == ["payment-declined"]
