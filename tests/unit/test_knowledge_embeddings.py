import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.errors import UserFacingError
from bot.settings import load_settings
from knowledge.embeddings import (
    MISSING_EXTRA,
    BlendedGuideIndex,
    EmbeddingsError,
    GuideVectors,
    configured_embedder,
)
from knowledge.guide import Guide
from knowledge.index import GuideIndex
from knowledge.live import LiveGuideIndex

# Words grouped by meaning: the in-test model knows that "money" and "payments" are related,
# which no lexical matcher can.
CONCEPTS = {
    "pay": "money payments payment card charge",
    "fail": "can't declined refused fails",
    "mail": "email emails inbox spam junk",
}
_CONCEPT_OF = {word: concept for concept, ws in CONCEPTS.items() for word in ws.split()}


class ConceptEmbedder:
    """A bag-of-concepts ``Embedder``: deterministic, instant, and it counts what it encodes."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        self.encoded.extend(texts)
        return [self._vector(text) for text in texts]

    @staticmethod
    def _vector(text: str) -> list[float]:
        found = [_CONCEPT_OF.get(word) for word in re.findall(r"[a-z']+", text.lower())]
        counts = [float(found.count(concept)) for concept in CONCEPTS]
        norm = math.sqrt(sum(count * count for count in counts)) or 1.0
        return [count / norm for count in counts]


def guide(guide_id: str, title: str, body: str, aliases: tuple[str, ...] = ()) -> Guide:
    return Guide(
        id=guide_id, title=title, body=body, source=f"{guide_id}.md", body_line=4, aliases=aliases
    )


GUIDES = (
    guide(
        "payments-declined",
        "Payments declined",
        "The card issuer refused the charge; its reason is in the order log.",
        ("card payments refused",),
    ),
    guide("emails-spam", "Emails go to spam", "Add the DNS records so inboxes trust your mail."),
)


def ids(index: GuideIndex | BlendedGuideIndex, query: str) -> list[str]:
    return [match.id for match in index.search(query)]


def test_a_paraphrase_with_no_shared_word_is_found_only_when_blended() -> None:
    assert ids(GuideIndex(GUIDES), "can't take money") == []

    blended = BlendedGuideIndex(GUIDES, GuideVectors(ConceptEmbedder()))

    assert ids(blended, "can't take money") == ["payments-declined"]


def test_junk_stays_below_the_threshold() -> None:
    blended = BlendedGuideIndex(GUIDES, GuideVectors(ConceptEmbedder()))

    assert blended.search("tell me a joke about the weather") == []
    assert blended.search("   ") == []


def test_lexical_and_semantic_agreement_ranks_first_and_scores_highest() -> None:
    blended = BlendedGuideIndex(GUIDES, GuideVectors(ConceptEmbedder()))

    exact = blended.search("payments declined")
    paraphrase = blended.search("can't take money")

    assert [match.id for match in exact][:1] == ["payments-declined"]
    assert exact[0].score > paraphrase[0].score
    assert exact[0].excerpt.startswith("The card issuer refused the charge")


def test_guides_are_encoded_once_and_again_only_when_they_change(tmp_path: Path) -> None:
    (tmp_path / "spam.md").write_text("---\ntitle: Emails go to spam\n---\nAdd DNS records.\n")
    (tmp_path / "cards.md").write_text("---\ntitle: Payments declined\n---\nAsk the issuer.\n")
    embedder = ConceptEmbedder()
    live = LiveGuideIndex(tmp_path, embedder=embedder)
    assert len(embedder.encoded) == 2

    cards = tmp_path / "cards.md"
    cards.write_text("---\ntitle: Card payments declined\n---\nAsk the issuer.\n")
    os.utime(cards, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    assert live.reload_now() is not None

    assert len(embedder.encoded) == 3
    assert "Card payments declined" in embedder.encoded[-1]
    assert [match.id for match in live.search("can't take money")] == ["cards"]


def test_an_empty_folder_answers_nothing(tmp_path: Path) -> None:
    live = LiveGuideIndex(tmp_path, embedder=ConceptEmbedder())

    assert live.search("can't take money") == []


@pytest.fixture
def no_extra(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the extra were not installed, even where it is."""
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    yield


@pytest.mark.usefixtures("no_extra")
@pytest.mark.parametrize("value", ["1", "yes", "true"])
def test_the_switch_without_the_extra_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("INTAKE_KB_EMBEDDINGS", value)

    with pytest.raises(EmbeddingsError) as raised:
        configured_embedder(load_settings().kb_embeddings)

    assert str(raised.value) == MISSING_EXTRA
    assert str(raised.value) == (
        "INTAKE_KB_EMBEDDINGS is on, which needs the embeddings extra: "
        "pip install -e '.[embeddings]' in this project's folder "
        "(its virtual environment: .venv/bin/pip)"
    )


@pytest.mark.usefixtures("no_extra")
@pytest.mark.parametrize("value", [None, "0", "off"])
def test_the_switch_is_off_by_default(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("INTAKE_KB_EMBEDDINGS", raising=False)
    else:
        monkeypatch.setenv("INTAKE_KB_EMBEDDINGS", value)

    assert configured_embedder(load_settings().kb_embeddings) is None


def test_a_bad_switch_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_KB_EMBEDDINGS", "maybe")

    with pytest.raises(UserFacingError, match="INTAKE_KB_EMBEDDINGS: Input should be a valid"):
        load_settings()
