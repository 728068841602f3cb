"""Turning a stored ticket into the card agents see; one function serves every platform."""

from datetime import datetime

from intake.hours import describe_window_start, next_window
from intake.outgoing import Outgoing, TicketCard
from intake.policy import Policy
from intake.texts import consent_word
from intake.tickets import Ticket


def ticket_card(ticket: Ticket, policy: Policy, now: datetime) -> Outgoing:
    detail_labels = {detail.id: detail.label for detail in policy.details}
    if ticket.out_of_hours:
        due = describe_window_start(next_window(policy.hours, ticket.due_at), now)
    else:
        due = "now (arrived during support hours)"
    card = TicketCard(
        ticket_id=ticket.public_id,
        kind=policy.kind(ticket.kind).label
        if ticket.kind in {k.id for k in policy.kinds}
        else ticket.kind,
        customer=ticket.customer.display_name,
        platform=ticket.customer.platform,
        problem=ticket.problem,
        details=tuple(
            (detail_labels.get(key, key), value) for key, value in ticket.details.items()
        ),
        missing=ticket.missing,
        guides=tuple(guide.title for guide in ticket.guides),
        consent=consent_word(ticket.consent),
        due=due,
        out_of_hours=ticket.out_of_hours,
        status=ticket.status.value,
        priority=ticket.priority.value,
        assignee=ticket.assignee,
    )
    return Outgoing(text=card_text(card), card=card)


def card_text(card: TicketCard) -> str:
    """The plain-text form: complete on its own, as platform fallbacks and logs need."""
    lines = [
        f"{card.ticket_id}: {card.kind}, from {card.customer} ({card.platform})",
        f"Status: {card.status} · Priority: {card.priority} · "
        f"Owner: {card.assignee or 'nobody yet'}",
        f"Due: {card.due}" + (" (arrived out of hours)" if card.out_of_hours else ""),
        f"Problem: {card.problem}",
    ]
    lines += [f"{label}: {value}" for label, value in card.details]
    if card.missing:
        lines.append(f"Missing: {', '.join(card.missing)}")
    lines.append(f"Access consent: {card.consent}")
    lines.append(f"Suggested guides: {', '.join(card.guides) or 'none'}")
    return "\n".join(lines)
