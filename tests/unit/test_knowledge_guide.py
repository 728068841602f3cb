import pytest

from knowledge.guide import Guide, guide_links, read_guide


def parse(text: str, categories: frozenset[str] | None = None) -> tuple[Guide | None, list[str]]:
    """The guide as the loader serves it: none at all when the file has any problem."""
    if categories is None:
        draft, problems = read_guide("demo", "demo.md", text)
    else:
        draft, problems = read_guide("demo", "demo.md", text, categories)
    return (None if problems else draft), [str(problem) for problem in problems]


def test_title_and_body_alone_make_a_guide() -> None:
    guide, problems = parse("---\ntitle: Set up taxes\n---\n\n1. Open settings.\n")

    assert problems == []
    assert guide is not None
    assert (guide.id, guide.title, guide.body, guide.body_line) == (
        "demo",
        "Set up taxes",
        "1. Open settings.",
        5,
    )
    assert guide.category is None and guide.aliases == ()


def test_optional_fields_are_read_and_a_single_tag_becomes_a_list() -> None:
    text = (
        "---\ntitle: T\ncategory: bug-fix\ntags: payments\naliases: [a b, c]\n"
        "applies_to: [2.0, Basic]\n---\nBody\n"
    )
    guide, problems = parse(text)

    assert problems == []
    assert guide is not None
    assert guide.tags == ("payments",)
    assert guide.aliases == ("a b", "c")
    assert guide.applies_to == ("2.0", "Basic")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter", "demo.md:1: no front matter"),
        ("---\ntitle: T\nBody", "demo.md:1: front matter is never closed"),
        ("---\n- a\n- b\n---\nBody", "demo.md:2: front matter must be fields"),
        ("---\njust a string\n---\nBody", "demo.md:2: front matter must be fields"),
        ("---\ntitle: T\ntags: [a, b\n---\nBody", "demo.md:3: front matter is not valid YAML"),
        ("---\ncategory: bug-fix\n---\nBody", "demo.md:1: missing title"),
        ("---\ntitle: T\ncategory: sales\n---\nBody", "demo.md:3: unknown category 'sales'"),
        ("---\ntitle: T\nalias: [x]\n---\nBody", "demo.md:3: unknown field 'alias'"),
        ("---\ntitle: T\ntags: {a: 1}\n---\nBody", "demo.md:3: 'tags' must be a list"),
        ("---\ntitle: T\n---\n\n", "demo.md:4: empty body"),
    ],
)
def test_each_problem_points_at_its_line(text: str, expected: str) -> None:
    guide, problems = parse(text)

    assert guide is None
    assert problems[0].startswith(expected), problems


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    _, problems = parse("---\ncategory: nope\ncolour: red\n---\n")

    starts = (
        "demo.md:1: missing title",
        "demo.md:2: unknown category 'nope'",
        "demo.md:3: unknown field 'colour'",
        "demo.md:5: empty body",
    )
    assert len(problems) == 4
    assert all(any(problem.startswith(start) for problem in problems) for start in starts)


def test_the_allowed_categories_can_be_given() -> None:
    text = "---\ntitle: T\ncategory: billing\n---\nBody"

    assert parse(text, frozenset({"billing"}))[1] == []
    assert parse(text)[1] != []


def test_links_to_other_guides_are_found_with_their_lines() -> None:
    guide, _ = parse(
        "---\ntitle: T\n---\nSee [A](a.md).\n\nAlso [B](sub/b.md#step) and [w](https://x.io/c.md)."
    )

    assert guide is not None
    assert list(guide_links(guide)) == [("a", 4), ("b", 6)]
