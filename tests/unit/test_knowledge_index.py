import pytest

from bench.kb_eval import evaluate, load_cases
from knowledge.index import EXCERPT_LENGTH, GuideIndex, excerpt, readable
from knowledge.loader import default_kb_dir, load_folder

# Measured with bench/kb_eval.py (see knowledge/README.md), minus a small margin: a change
# that makes matching worse fails here instead of silently.
TOP1_FLOOR = 0.83
TOP3_FLOOR = 0.88
FALSE_SUGGESTION_CEILING = 0.07


@pytest.fixture(scope="module")
def index() -> GuideIndex:
    return GuideIndex(load_folder(default_kb_dir()).guides)


def top(index: GuideIndex, query: str) -> str | None:
    matches = index.search(query)
    return matches[0].id if matches else None


def test_quality_stays_above_the_measured_floor(index: GuideIndex) -> None:
    report = evaluate(index, load_cases())

    assert report.answerable + report.unanswerable >= 200
    assert report.top1 >= TOP1_FLOOR, report
    assert report.top3 >= TOP3_FLOOR, report
    assert report.false_suggestion <= FALSE_SUGGESTION_CEILING, report


@pytest.mark.parametrize(
    ("query", "guide"),
    [
        ("paypall not wroking", "setup-paypal"),
        ("chekout is broken", "checkout-errors"),
        ("declined payments", "payment-declined"),
        ("payments declined", "payment-declined"),
        ("can't log in", "admin-login-problems"),
        ("e-mails not arriving", "emails-not-arriving"),
        ("no confirmation mail after buying", "emails-not-arriving"),
        ("my checkout is broken since this morning, urgent", "checkout-errors"),
        ("it's urgent my checkout is down", "checkout-errors"),
        ("checkout broken for my clothing store", "checkout-errors"),
        ("product pics dont show up", "product-images-not-showing"),
        ("checkout isnt working pls help", "checkout-errors"),
        ("u cant login to ur admin", "admin-login-problems"),
    ],
)
def test_typos_and_word_order_do_not_matter(index: GuideIndex, query: str, guide: str) -> None:
    assert top(index, query) == guide


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   \n\t",
        "what's the weather like tomorrow",
        "asdfghjkl",
        "\x00\xff\ufffd" * 500,
        "how do I add a blog to my store",  # "blog" is no typo of "log in"
    ],
)
def test_junk_and_empty_queries_get_no_guide(index: GuideIndex, query: str) -> None:
    assert index.search(query) == []


def test_a_huge_query_is_answered_from_its_opening_words(index: GuideIndex) -> None:
    query = "customers say emails never arrive, not even in spam. " + "lorem ipsum " * 4200

    assert len(query) > 50_000
    assert top(index, query) == "emails-not-arriving"


def test_matches_are_bounded_ordered_and_carry_a_short_plain_excerpt(index: GuideIndex) -> None:
    matches = index.search("set up shipping rates", limit=2)

    assert 1 <= len(matches) <= 2
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    first = matches[0]
    assert first.id == "configure-shipping-rates"
    assert first.category == "installation-setup"
    assert len(first.excerpt) <= EXCERPT_LENGTH + 1
    assert "**" not in first.excerpt and "](" not in first.excerpt
    assert index.search("set up shipping rates", limit=0) == []


def test_an_empty_index_answers_nothing() -> None:
    assert GuideIndex(()).search("checkout") == []


def test_excerpts_keep_menu_paths_but_drop_markdown() -> None:
    text = excerpt("> Tip: read this first.\n1. Open **Settings > Payments** and click `Connect`.")
    assert text == "Tip: read this first. Open Settings > Payments and click Connect."


def test_a_guide_reads_as_chat_text_with_its_lists_code_and_links_kept() -> None:
    body = (
        "Most blank pages come from the browser: an outdated\n"
        "cache or an extension.\n\n"
        "1. Open **Settings > Payments** and check the\n"
        "   gateway.\n"
        "2. See [Payments declined](payment-declined.md) or\n"
        "   [the status page](https://status.mycartpro.com).\n\n"
        "```\n"
        "curl -I https://shop.example.com\n"
        "   --max-time 5\n"
        "```\n"
    )
    assert readable(body) == (
        "Most blank pages come from the browser: an outdated cache or an extension.\n\n"
        "1. Open *Settings > Payments* and check the gateway.\n"
        "2. See “Payments declined” or [the status page](https://status.mycartpro.com).\n\n"
        "```\n"
        "curl -I https://shop.example.com\n"
        "   --max-time 5\n"
        "```"
    )


def test_a_guide_offered_can_be_read_whole(index: GuideIndex) -> None:
    [match, *_] = index.search("payments declined")
    text = index.text(match.id)
    assert text is not None and text.startswith(match.excerpt.rstrip("…").rsplit(" ", 1)[0])
    assert len(text) > len(match.excerpt)
    assert index.text("no-such-guide") is None
