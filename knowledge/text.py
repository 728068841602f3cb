"""Turn customer text and guide text into comparable terms.

Both sides go through the same steps (fold case and accents, split, drop filler words, stem),
so "Payments declined" and "payment was declining" meet on ``payment`` and ``declin``.
"""

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")
# Function words plus the filler of support chats ("hi, please help, thanks", "since this
# morning", "urgent") and the kinds of shop merchants name ("my clothing store"): they say
# nothing about the problem and would only add noise to matching and grouping.
_STOPWORDS = """a about after again all also am an and any are as at be because been before being
    but
    by can cannot could did do does doing don done for from get gets getting got had has have
    having he her here hi hello hey help how i if in into is it its just let me my myself need
    needs of on once only or our out over own please s same she should so some still such t
    than thank thanks that the their them then there these they this those through to too
    trying try tried up us very was we were what when where which while who why will with
    would you your yours anyone someone something guys d ll m re ve not no isn doesn didn
    won wont cant dont aren wasn couldn shouldn want wanted like know think see really even
    much thing things everything anything nothing everyone go going come say said way tell
    good right ok okay yes hope maybe since
    morning afternoon evening night today tonight yesterday week weekend hour hours day days
    minute minutes ago now lately recently always sometimes urgent urgently asap immediately
    im ive youre thats whats isnt doesnt didnt arent wasnt werent couldnt shouldnt wouldnt
    havent hasnt hadnt pls plz thx u ur
    restaurant restaurants clothing apparel fashion bakery boutique cafe salon spa jewelry
    jewellery furniture shoes grocery florist bookstore brewery winery gym studio clinic
    pizza pizzeria coffee candle candles soap cosmetics toys pets pet"""
STOPWORDS = frozenset(_STOPWORDS.split())

# Words that say something is wrong but not what: they decide nothing between guides, so they
# count for little ("chekout broken" is about checkout, not about broken links).
_VAGUE_WORDS = "work broken broke issue problem wrong fix trouble happen anymore suddenly weird"


def fold(text: str) -> str:
    """Lower-case and strip accents so "Café" and "cafe" compare equal."""
    folded = text.casefold()
    if folded.isascii():
        return folded  # the common case, and by far the cheapest
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Everyday words for what the guides name otherwise, read as the guides' word on both sides.
_SAME_AS = {
    "pic": "image",
    "pics": "images",
    "picture": "image",
    "pictures": "images",
    "photo": "image",
    "photos": "images",
}


def words(text: str) -> list[str]:
    """Folded words, stopwords removed, in order, everyday words read as the guides' own
    (``_SAME_AS``); the surface forms used for typo lookup."""
    found = _WORD.findall(fold(text))
    return [_SAME_AS.get(word, word) for word in found if word not in STOPWORDS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: merges plurals and -ing/-ed forms, keeps words readable.

    Deliberately milder than Porter: support vocabulary is small and over-stemming
    ("shipping" -> "ship" is fine, "business" -> "busi" is not) costs more than it gains.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Stemmed terms of ``text``, in order, repeats kept (term frequency matters)."""
    return [stem(word) for word in words(text)]


VAGUE_TERMS = frozenset(stem(word) for word in _VAGUE_WORDS.split())
