"""``intake tickets list|show``: what admins need to see of stored tickets."""

import argparse
from datetime import datetime

from bot.app import open_database
from bot.cards import due_by
from bot.errors import UserFacingError
from bot.policy_file import load_policy
from bot.settings import load_settings
from intake.texts import consent_word, shorten
from intake.tickets import Status, Ticket
from storage.tickets import TicketNotFound
from storage.unit_of_work import UnitOfWork


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser("tickets", help="list and show stored tickets")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="one line per ticket, newest first")
    listing.add_argument("--status", choices=[status.value for status in Status])
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="every field, the history and the transcript")
    # Ticket ids are stored upper-case; "mcp-1001" is typed often enough.
    show.add_argument("ticket_id", metavar="MCP-…", type=str.upper)
    show.set_defaults(handler=run_show)


def run_list(args: argparse.Namespace) -> int:
    engine, sessions = open_database(load_settings(), existing=True)
    with UnitOfWork(sessions, read_only=True) as uow:
        tickets = uow.tickets.list(Status(args.status) if args.status else None)
    engine.dispose()
    if not tickets:
        print("No tickets" + (f" with status {args.status}." if args.status else " yet."))
    for ticket in tickets:
        print(_line(ticket))
    return 0


def run_show(args: argparse.Namespace) -> int:
    settings = load_settings()
    policy = load_policy(settings.policy_file)
    engine, sessions = open_database(settings, existing=True)
    try:
        with UnitOfWork(sessions, read_only=True) as uow:
            ticket = uow.tickets.get(args.ticket_id)
            events = uow.tickets.events(ticket.public_id)
            transcript = uow.conversations.transcript(uow.tickets.conversation_of(ticket.public_id))
    except TicketNotFound:
        raise UserFacingError(f"no ticket {args.ticket_id}") from None
    finally:
        engine.dispose()

    def when(at: datetime) -> str:
        """In the support team's own time zone, to the second: what agents read the day by."""
        return at.astimezone(policy.hours.zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    consent = consent_word(ticket.consent, ticket.consent_terms)
    if ticket.consent_at is not None:
        consent += f" (at {when(ticket.consent_at)})"
    print(f"{ticket.public_id}  [{ticket.status.value}]  priority {ticket.priority.value}")
    rows = [
        ("Kind of help", policy.kind_label(ticket.kind)),
        (
            "Customer",
            f"{ticket.customer.display_name} "
            f"({ticket.customer.platform}:{ticket.customer.user_id})",
        ),
        ("Opened", when(ticket.created_at)),
        (
            "Due",
            when(due_by(ticket, policy))
            + (
                " (arrived out of hours)"
                if ticket.out_of_hours
                else f" (arrived during hours, {when(ticket.due_at)})"
            ),
        ),
        ("Owner", ticket.assignee or "nobody yet"),
        ("Problem", ticket.problem),
        *[(policy.detail_label(key), value) for key, value in ticket.details.items()],
        ("Missing", ", ".join(ticket.missing) or "nothing"),
        ("Access consent", consent),
        (
            "Suggested guides",
            ", ".join(f"{g.title} ({g.id}){g.read_note}" for g in ticket.guides) or "none",
        ),
    ]
    for label, value in rows:
        print(f"{label}: {value}")
    print("\nHistory:")
    for event in events:
        # An "opened" event keeps the kind's id; people read its label.
        detail = policy.kind_label(event.detail) if event.kind == "opened" else event.detail
        print(f"  {when(event.at)}  {event.kind} by {event.actor}: {detail}")
    print("\nTranscript:")
    for line in transcript:
        who = line.direction if line.author == line.direction else f"{line.direction} {line.author}"
        text = line.text.replace("\n", "\n    ")  # a message's later lines stay under it
        print(f"  {when(line.at)}  {who}: {text}")
    return 0


def _line(ticket: Ticket) -> str:
    short = shorten(ticket.problem, 60)
    return (
        f"{ticket.public_id}  {ticket.status.value:<8}  {ticket.priority.value:<6}  "
        f"{ticket.customer.display_name:<16}  {short}"
    )
