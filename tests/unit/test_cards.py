"""The ticket card: one set of lines, in one order, whichever platform shows it."""

from datetime import UTC, datetime

import pytest

from bot.cards import card_text, ticket_card
from bot.discord.translate import card_embed, ticket_buttons
from bot.policy_file import load_policy
from bot.slack.translate import card_blocks
from intake.addresses import Address, Person
from intake.guides import GuideMatch
from intake.outgoing import TicketCard
from intake.tickets import Priority, Status, Ticket

AT = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def _ticket(kind: str, details: dict[str, str]) -> Ticket:
    return Ticket(
        kind=kind,
        problem="PayPal fails at checkout",
        details=details,
        missing=("Steps to reproduce",),
        consent=True,
        consent_at=AT,
        guides=(),
        out_of_hours=False,
        due_at=AT,
        public_id="MCP-1001",
        status=Status.OPEN,
        priority=Priority.NORMAL,
        assignee=None,
        created_at=AT,
        customer=Person(platform="slack", user_id="U1", display_name="Dana"),
        customer_address=Address(platform="slack", channel="D1"),
        team_address=None,
        team_message=None,
    )


def _card() -> TicketCard:
    card = ticket_card(
        _ticket("troubleshooting", {"error_messages": "PAYMENT_FAILED (504)"}), load_policy(), AT
    ).card
    assert card is not None
    return card


def test_text_slack_and_discord_show_the_same_lines_in_the_same_order() -> None:
    card = _card()
    labels = [label for label, _ in card.facts() + card.particulars()]
    assert labels == [
        "Customer",
        "Status",
        "Priority",
        "Owner",
        "Due",
        "Error messages",
        "Missing",
        "Access consent",
        "Suggested guides",
    ]

    in_order = [*labels[:5], "Problem", *labels[5:]]
    text_lines = card_text(card).splitlines()
    blocks = card_blocks(card)
    slack_texts = [field["text"] for block in blocks for field in block.get("fields", [])]
    slack_texts += [block["text"]["text"] for block in blocks if "text" in block][1:]
    embed = card_embed(card)

    assert text_lines[0] == "MCP-1001: Troubleshooting"
    assert [line.split(": ")[0] for line in text_lines[1:]] == in_order
    assert [text.split("\n")[0].strip("*") for text in slack_texts] == in_order
    assert [embed["description"], *(field["name"] for field in embed["fields"])] == [
        card.problem,
        *labels,
    ]


def test_a_kind_or_detail_the_policy_no_longer_has_shows_its_stored_name() -> None:
    card = ticket_card(_ticket("migration", {"store_url": "shop.example"}), load_policy(), AT).card
    assert card is not None
    assert card.kind == "migration"
    assert ("store_url", "shop.example") in card.details


def test_a_ticket_that_arrived_in_hours_is_due_by_the_end_of_that_window() -> None:
    later = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    card = ticket_card(_ticket("troubleshooting", {}), load_policy(), later).card
    assert card is not None
    assert card.due == (
        "by Thursday, November 26 at 5:00 PM Eastern "
        "(arrived during support hours, Thursday, November 26 at 11:00 AM Eastern)"
    )


def test_the_card_says_which_guide_the_customer_read() -> None:
    read = GuideMatch(id="setup-paypal", title="Set up PayPal", excerpt="", score=0.9, read=True)
    other = GuideMatch(id="refunds", title="Refund an order", excerpt="", score=0.5)
    ticket = _ticket("troubleshooting", {}).model_copy(update={"guides": (read, other)})
    card = ticket_card(ticket, load_policy(), AT).card
    assert card is not None
    assert card.guides == ("Set up PayPal (read by the customer)", "Refund an order")


def test_a_card_with_long_answers_fits_discords_embed_limit() -> None:
    long = "x" * 3900
    ticket = _ticket(
        "troubleshooting",
        {"error_messages": long, "steps_to_reproduce": long, "environment": long},
    ).model_copy(update={"problem": long})
    card = ticket_card(ticket, load_policy(), AT).card
    assert card is not None
    embed = card_embed(card)
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
    assert embed["description"].startswith("xxx") and embed["description"].endswith("…")


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        ("open", ["claim", "pending", "resolve", "close", "priority"]),
        ("pending", ["claim", "resolve", "close", "priority"]),
        ("resolved", ["close", "reopen", "priority"]),
        ("closed", ["reopen"]),
    ],
)
def test_slack_and_discord_cards_offer_what_can_be_done_now(
    status: str, actions: list[str]
) -> None:
    card = _card().model_copy(update={"status": status})
    [buttons] = [b["elements"] for b in card_blocks(card) if b["type"] == "actions"]
    assert [e["action_id"].removeprefix("ticket_") for e in buttons] == actions
    on_discord = [b.custom_id.rsplit(":", 1)[-1] for b in ticket_buttons(status)]
    assert on_discord == [a for a in actions if a != "priority"]
