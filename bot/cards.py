"""Turning a stored ticket into the card agents see; one function serves every platform."""

from datetime import datetime

from intake.hours import describe_time, next_window
from intake.outgoing import Outgoing, TicketCard
from intake.policy import Policy
from intake.texts import consent_word
from intake.tickets import Ticket


def ticket_card(ticket: Ticket, policy: Policy, now: datetime) -> Outgoing:
    due = describe_time(policy.hours, due_by(ticket, policy), now)
    if not ticket.out_of_hours:  # and how long it has waited
        arrived = describe_time(policy.hours, ticket.due_at, now)
        due = f"by {due} (arrived during support hours, {arrived})"
    card = TicketCard(
        ticket_id=ticket.public_id,
        kind=policy.kind_label(ticket.kind),
        customer=ticket.customer.display_name,
        platform=ticket.customer.platform,
        problem=ticket.problem,
        details=tuple((policy.detail_label(key), value) for key, value in ticket.details.items()),
        missing=ticket.missing,
        guides=tuple(f"{guide.title}{guide.read_note}" for guide in ticket.guides),
        consent=consent_word(ticket.consent, ticket.consent_terms),
        due=due,
        out_of_hours=ticket.out_of_hours,
        status=ticket.status.value,
        priority=ticket.priority.value,
        assignee=ticket.assignee,
    )
    return Outgoing(text=card_text(card), card=card)


def due_by(ticket: Ticket, policy: Policy) -> datetime:
    """When the customer was told to expect an answer: the next window's opening for a ticket
    that arrived out of hours, else the end of the window it arrived in."""
    if ticket.out_of_hours:
        return ticket.due_at  # stored as that opening already
    return next_window(policy.hours, ticket.due_at).closes_at


def card_text(card: TicketCard) -> str:
    """The plain-text form: complete on its own, as platform fallbacks and logs need."""
    lines = [f"{card.ticket_id}: {card.kind}"]
    lines += [f"{label}: {value}" for label, value in card.facts()]
    lines.append(f"Problem: {card.problem}")
    lines += [f"{label}: {value}" for label, value in card.particulars()]
    return "\n".join(lines)
