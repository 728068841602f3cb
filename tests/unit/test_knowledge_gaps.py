from knowledge.gaps import format_gaps, group_gaps


def test_similar_descriptions_are_grouped_most_frequent_first() -> None:
    groups = group_gaps(
        [
            "how do I sell gift cards",
            "can't connect my domain",
            "Gift cards?",
            "gift card",
            "domain won't connect!!",
            "",
            "loyalty points",
        ]
    )

    assert [(g.example, g.count) for g in groups] == [
        ("how do I sell gift cards", 3),
        ("can't connect my domain", 2),
        ("loyalty points", 1),
    ]
    assert groups[1].members == ("can't connect my domain", "domain won't connect!!")


def test_the_report_lists_groups_and_the_deflection_rate() -> None:
    report = format_gaps(group_gaps(["gift cards", "gift card", "loyalty"]), 40, 12, limit=1)

    assert report.splitlines() == [
        "Most frequent problems without a helpful guide:",
        "    2  gift cards",
        "  ... and 1 smaller groups",
        "Deflection rate: 30% (12 of 40 conversations closed by a guide)",
    ]
    assert "no conversations yet" in format_gaps([], 0, 0)
