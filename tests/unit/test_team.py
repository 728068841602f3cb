"""What an agent writes in a ticket thread: a reply, a note for the team, or a command."""

import pytest

from intake.team import (
    COMMAND_HELP,
    InternalNote,
    RelayToCustomer,
    TicketCommand,
    Unclear,
    read_team_message,
)
from intake.tickets import Action, Priority


@pytest.mark.parametrize(
    "text",
    [
        "note: merchant account maybe suspended",
        "Note : merchant account maybe suspended",
        "internal: merchant account maybe suspended",
        "Internal note: merchant account maybe suspended",
        "team only: merchant account maybe suspended",
        "internal - merchant account maybe suspended",
        "!note merchant account maybe suspended",
        "! note merchant account maybe suspended",
        "Notes: merchant account maybe suspended",
        "NB: merchant account maybe suspended",
        "Note to self: merchant account maybe suspended",
        "[internal] merchant account maybe suspended",
        "(note) merchant account maybe suspended",
    ],
)
def test_notes_in_the_ways_agents_write_them_stay_with_the_team(text: str) -> None:
    assert read_team_message(text) == InternalNote(text="merchant account maybe suspended")


def test_a_reply_that_opens_with_note_that_goes_to_the_customer() -> None:
    said = "Note that refunds take 5-10 business days to reach the card."
    assert read_team_message(said) == RelayToCustomer(text=said)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("!claim", TicketCommand(action=Action.CLAIM)),
        ("! claim", TicketCommand(action=Action.CLAIM)),
        ("claim", TicketCommand(action=Action.CLAIM)),
        ("Resolve.", TicketCommand(action=Action.RESOLVE)),
        (
            "!pending waiting for the customer's mail logs",
            TicketCommand(action=Action.PENDING, note="waiting for the customer's mail logs"),
        ),
        (
            "!resolve: DNS records fixed",
            TicketCommand(action=Action.RESOLVE, note="DNS records fixed"),
        ),
        ("!priority High", TicketCommand(action=Action.PRIORITY, priority=Priority.HIGH)),
        ("!!close", TicketCommand(action=Action.CLOSE)),
        ("!claim!", TicketCommand(action=Action.CLAIM)),
        ("!priority urgent!", TicketCommand(action=Action.PRIORITY, priority=Priority.URGENT)),
        (
            "!priority urgent now, checkout is down",
            TicketCommand(
                action=Action.PRIORITY, priority=Priority.URGENT, note="now, checkout is down"
            ),
        ),
    ],
)
def test_commands_with_a_space_without_the_mark_or_with_words_after(
    text: str, command: TicketCommand
) -> None:
    assert read_team_message(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "Could you try clearing the cache?",
        "Claim your refund in Settings > Billing",
        "Resolve it by reconnecting PayPal",
        "Notes from the call are below",
        "!important, please read",
    ],
)
def test_everything_else_is_for_the_customer_or_an_unknown_command(text: str) -> None:
    read = read_team_message(text)
    assert isinstance(read, RelayToCustomer | Unclear)
    if text.startswith("!"):
        assert isinstance(read, Unclear) and read.reason.startswith("unknown command !important")
    else:
        assert read == RelayToCustomer(text=text)


def test_help_lists_the_commands() -> None:
    assert read_team_message("!help") == Unclear(reason=COMMAND_HELP)
    assert read_team_message("!priority soon") == Unclear(
        reason="use !priority low, normal, high or urgent"
    )
