"""The pure matching index: field-weighted BM25 (BM25F) plus rapidfuzz for typos.

How a query is scored, and why:

1. Every query word is stemmed and looked up; a word the guides never use is corrected to the
   closest guide word by edit distance ("chekout" -> "checkout"), and two words that the guides
   write as one are joined ("pay pal" -> "paypal").
2. BM25F (as in Lucene's ``combined_fields``) sums each term's weighted frequency over title,
   aliases, tags and body before saturating it, so a word repeated across fields counts once,
   strongly, rather than once per field. Everything per term and document is precomputed, so a
   query only adds up a few posting lists.
3. A second BM25F over the key fields alone (title, aliases, tags) is added, so a guide that
   is *about* the words beats one that merely mentions them in passing; this cut false
   suggestions by a third on the evaluation set.
4. The sum is divided by the best score the query could reach (the IDF of its three most
   telling terms, a word no guide knows counting like the rarest known word), which makes
   scores comparable across queries and lets junk ("tell me a joke") score low.
5. For the best candidates, rapidfuzz compares the whole query with the title and every alias,
   regardless of word order, and the two are blended into a 0..1 confidence.
"""

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from knowledge.text import VAGUE_TERMS, stem, words

Postings = dict[str, dict[int, float]]

FIELD_WEIGHTS: Mapping[str, float] = {"title": 3.0, "aliases": 3.0, "tags": 2.0, "body": 1.0}
KEY_FIELDS: Mapping[str, float] = {"title": 3.0, "aliases": 3.0, "tags": 2.0}
# Length normalisation per field: a long body should not win by sheer size, while short titles
# and alias lists barely vary in length.
FIELD_B: Mapping[str, float] = {"title": 0.3, "aliases": 0.4, "tags": 0.3, "body": 0.75}
K1 = 1.2
MAX_QUERY_WORDS = 200  # a 50,000-character paste keeps its first 200 meaningful words
TYPO_MIN_LENGTH = 4  # shorter words have too many one-edit neighbours to correct safely
TYPO_CUTOFF = 80.0  # rapidfuzz ratio; "chekout"/"checkout" is 93, "weather"/"whether" 86
UNKNOWN_WORD_CHARGE = 1.0  # a word no guide uses counts like the rarest known word
CEILING_TERMS = 3  # a long message is judged on its most telling words, not diluted by all
VAGUE_WEIGHT = 0.5  # "broken", "problem": say that something is wrong, not what
FUZZY_CANDIDATES = 10
LEXICAL_SHARE = 0.7  # the rest of the confidence comes from the whole-phrase fuzzy match
COVERAGE_FOR_FULL_MARKS = 0.8  # BM25 saturation keeps perfect coverage a little below 1


class Matcher:
    """Scores documents (mappings of field name to text) against free text.

    Only a cache of typo corrections changes after construction (single dict writes, safe
    under the GIL), so one instance can serve many threads.
    """

    def __init__(self, documents: Sequence[Mapping[str, str]]) -> None:
        field_words = [
            {field: words(doc.get(field, "")) for field in FIELD_WEIGHTS} for doc in documents
        ]
        everywhere = _weighted_frequencies(field_words, FIELD_WEIGHTS)
        count = len(documents)
        self._idf = {
            term: math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
            for term, postings in everywhere.items()
        }
        self._postings = self._saturate(everywhere)
        self._key_postings = self._saturate(_weighted_frequencies(field_words, KEY_FIELDS))
        self._unknown_charge = UNKNOWN_WORD_CHARGE * max(self._idf.values(), default=1.0)
        self._by_length: defaultdict[int, list[str]] = defaultdict(list)
        for word in sorted(
            {word for fields in field_words for ws in fields.values() for word in ws}
        ):
            self._by_length[len(word)].append(word)
        self._phrases = [
            [
                " ".join(words(text))
                for text in (doc.get("title", ""), *doc.get("aliases", "").split("\n"))
            ]
            for doc in documents
        ]
        self._corrections: dict[str, list[tuple[str, float]]] = {}

    def _saturate(self, frequencies: Mapping[str, Mapping[int, float]]) -> Postings:
        return {
            term: {doc: self._idf[term] * tf / (K1 + tf) for doc, tf in postings.items()}
            for term, postings in frequencies.items()
        }

    def __len__(self) -> int:
        return len(self._phrases)

    def score(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Up to ``limit`` ``(document position, confidence 0..1)`` pairs, best first."""
        query_words = words(query)[:MAX_QUERY_WORDS]
        weights, unknown = self._resolve(query_words)
        if not weights:
            return []
        totals: defaultdict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            for doc, contribution in self._postings[term].items():
                totals[doc] += weight * contribution
            for doc, contribution in self._key_postings.get(term, {}).items():
                totals[doc] += weight * contribution
        charges = [self._idf[term] * weight for term, weight in weights.items()]
        charges += [self._unknown_charge] * unknown
        ceiling = sum(heapq.nlargest(CEILING_TERMS, charges))
        candidates = heapq.nlargest(max(limit, FUZZY_CANDIDATES), totals.items(), key=_second)
        phrase = " ".join(dict.fromkeys(query_words))
        scored = [
            (doc, self._blend(total / (2 * ceiling), self._phrase_similarity(phrase, doc)))
            for doc, total in candidates
        ]
        scored.sort(key=_second, reverse=True)
        return scored[:limit]

    def _resolve(self, query_words: Sequence[str]) -> tuple[dict[str, float], int]:
        """Map query words to index terms with a weight each; count the words left unknown."""
        weights: dict[str, float] = {}
        unknown = 0
        unique = list(dict.fromkeys(query_words))
        skip_next = False
        for position, word in enumerate(unique):
            if skip_next:
                skip_next = False
                continue
            term = stem(word)
            if position + 1 < len(unique):
                joined = stem(word + unique[position + 1])
                if joined in self._postings and (
                    term not in self._postings or stem(unique[position + 1]) not in self._postings
                ):
                    weights[joined] = 1.0
                    skip_next = True
                    continue
            if term in self._postings:
                weights[term] = _importance(term)
                continue
            if any(ch.isdigit() for ch in word):
                continue  # order numbers, timestamps and ids carry no meaning here
            corrections = self._correct(word)
            for corrected, similarity in corrections:
                weight = similarity * _importance(corrected)
                weights[corrected] = max(weights.get(corrected, 0.0), weight)
            if not corrections:
                unknown += 1
        return weights, unknown

    def _correct(self, word: str) -> list[tuple[str, float]]:
        """Index terms a misspelt ``word`` probably meant, with a similarity weight."""
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        found: list[tuple[str, float]] = []
        if len(word) >= TYPO_MIN_LENGTH:
            choices = [
                candidate
                for length in range(len(word) - 2, len(word) + 3)
                for candidate in self._by_length.get(length, ())
                # A typo keeps the first letter or misses one ("mail" for "email"): "blog"
                # is no typo of "log".
                if candidate[0] == word[0] or len(candidate) > len(word)
            ]
            matches = process.extract(
                word, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=2
            )
            found = [(stem(match), score / 100) for match, score, _ in matches]
        if len(self._corrections) < 100_000:
            self._corrections[word] = found
        return found

    def _phrase_similarity(self, phrase: str, doc: int) -> float:
        """How close the whole query is to the title or one alias, word order ignored."""
        best = process.extractOne(phrase, self._phrases[doc], scorer=fuzz.token_sort_ratio)
        return best[1] / 100 if best is not None else 0.0

    @staticmethod
    def _blend(coverage: float, similarity: float) -> float:
        lexical = min(1.0, coverage / COVERAGE_FOR_FULL_MARKS)
        return LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * similarity


def _weighted_frequencies(
    field_words: Sequence[Mapping[str, Sequence[str]]], weights: Mapping[str, float]
) -> dict[str, dict[int, float]]:
    """BM25F's pseudo term frequency: field frequencies, length-normalised and weighted."""
    count = max(len(field_words), 1)
    average = {
        field: max(1.0, sum(len(doc[field]) for doc in field_words) / count) for field in weights
    }
    frequencies: defaultdict[str, dict[int, float]] = defaultdict(dict)
    for position, fields in enumerate(field_words):
        for field, weight in weights.items():
            field_terms = fields[field]
            b = FIELD_B[field]
            norm = weight / (1 - b + b * len(field_terms) / average[field])
            for term, frequency in Counter(stem(word) for word in field_terms).items():
                postings = frequencies[term]
                postings[position] = postings.get(position, 0.0) + frequency * norm
    return frequencies


def _importance(term: str) -> float:
    return VAGUE_WEIGHT if term in VAGUE_TERMS else 1.0


def _second(item: tuple[int, float]) -> float:
    return item[1]
