"""Every sentence the bot says to a customer, in one place to review and reword."""

from collections.abc import Sequence

from intake.conversation import Conversation
from intake.events import TicketLine
from intake.fields import fields_of
from intake.guides import GuideMatch
from intake.policy import DetailField, Policy

HELP = (
    "I collect everything our support team needs, then open a ticket for you.\n"
    "You can type these at any time:\n"
    "• help: this message\n"
    "• status: your tickets and where they stand\n"
    "• restart: start this request over\n"
    "• cancel: stop without sending anything\n"
    "• agent (or human): open a ticket right now with what you've told me so far"
)
ASK_PROBLEM = (
    "What can we help you with? Describe the problem in your own words: what you were "
    "trying to do and what went wrong."
)
GO_ON = "Go on, I'm listening: what happens then?"
PROBLEM_HINT = (
    'Could you tell me a little more? For example: "Customers get an error at checkout when '
    'paying by card since this morning."'
)
NOT_ENGLISH = (
    "Our support is provided in English. I've kept what you wrote for the team, but replying "
    "in English will help us help you faster."
)
NO_GUIDE = "I couldn't find a guide for this, so let's collect what the team needs."
GUIDES_REASK = (
    'Reply with a guide\'s number to read it, "solved" if one already fixed it, or no to continue.'
)
YOU_ARE_WELCOME = "You're welcome! Write here any time you need help."
NOT_CANCELLED = "No problem, your request is back as you left it."
NOT_SOLVED_AFTER_ALL = (
    "Sorry the guide didn't solve it after all. Let's go on with your request, so the team has "
    "everything it needs."
)
TAKE_YOUR_TIME = (
    "Take your time. Once you've tried it, reply yes if it solved the problem, or no to "
    "continue with your request."
)
GUIDE_SOLVED_ASK = "Did this solve it? Reply yes, or no to continue with your request."
GUIDES_SOLVED_ASK = "Did one of these solve it? Reply yes, or no to continue with your request."
SELF_SERVED = (
    "Great, glad that solved it! I've noted it. If anything else comes up, just write here again."
)
CONSENT_REASK = "Please reply yes or no: may the team access the relevant information or systems?"
CONSENT_LATE = (
    "May the team access the relevant information or systems if troubleshooting needs it? "
    "Reply yes or no."
)
CONSENT_EXPLAINED = (
    "Some problems can only be fixed by looking at your store's admin settings, its logs or the "
    "systems involved. If that's needed, may the team do it? Please reply yes or no."
)
NO_PASSWORDS = (
    "Please never paste passwords, card numbers or API keys in chat. If access is needed, your "
    "agent will arrange a safe way to share it."
)
CANCELLED = (
    "Okay, I've cancelled this request. Nothing was sent. Write any time to start again, or "
    "say you changed your mind to pick it up where you left off."
)
RESTARTED = "Okay, let's start over."
TEXT_ONLY = "I can only read words and files here. Could you write it out?"
EDITS_NOT_READ = (
    "I saw you edited an earlier message, but I only read new ones. If you changed an "
    "answer, please send the new version as a new message, or change it in the summary at "
    "the end."
)
PUT_ANOTHER_WAY = "Sorry, let me put that another way."
_ABOUT_THE_CHAT = {
    "bot": (
        "I'm MyCartPro's support assistant, a bot: I gather what the team needs so a person "
        "can solve it without asking you again. Type agent any time to send your request to "
        "a person now."
    ),
    "needs": "Here is what the team needs before a ticket is opened:",
    "language": (
        "Our support is provided in English only. Write in whatever English you can; a "
        "translation tool is fine, and so are error messages in any language."
    ),
    "data": (
        "What you write here goes to MyCartPro's support team with your request, and nowhere "
        "else. Card numbers, passwords and keys are removed before anything is stored. To have "
        "something you wrote deleted, say so here and the team will take care of it."
    ),
    "call": (
        "Support happens here in the chat, in writing: the team can't call you, and every "
        "answer comes to this conversation."
    ),
}
GUIDES_SKIPPED = "Understood, none of the guides solved it."
CORRECTED = "Thanks, I've corrected that."
FILE_NEEDS_WORDS = (
    "Thanks, I've kept your file for the team. Please also describe the problem in words: "
    "what you were trying to do and what went wrong."
)
ANY_TIME = "Okay! Write here any time you need help."
NO_RUSH = "Take your time, I'll be here when you're ready."
OLD_BUTTON = "That button belongs to an earlier question, so I've left it out."
NOTED_IN_PASSING = "Thanks, I've added that to your request."
GOT_IT = "Got it."
ADDED_TO_THE_LIST = "Added to the list. Send the next one, or go on:"
FIRST_QUESTION = "This is the first of my questions, so there is none to go back to."
AGENT_NEEDS_SOMETHING = (
    "I'll open a ticket for a person right away. Everything you add here afterwards goes "
    "straight to it."
)
LONG_ANSWER = (
    "That was long, so I kept the first {limit:,} characters in the ticket field; your whole "
    "message is in the conversation history the team sees."
)
CONFIRM_HOW = (
    "Reply send to open the ticket, or the number or name of a field to change it "
    "(for example: 3, or steps: <new steps>)."
)
NOT_A_FIELD = "I didn't recognise that. " + CONFIRM_HOW
NOTHING_SENT_YET = "Nothing is sent yet. " + CONFIRM_HOW
ALREADY_NOTED = "Noted: your request already says so."
EDIT_KIND = "Which kind of help is this? Reply with a number:"
EDIT_CONSENT = "May the team access the relevant information or systems if needed? Reply yes or no."
FORWARD_ONLY = (
    "Your ticket {ticket_id} is already with the support team; anything you write here goes to "
    "it. Type restart to begin a separate request."
)
CANCEL_AFTER_TICKET = (
    "I've passed that on to your ticket {ticket_id}, so the agent knows and can close it. "
    "Type restart to begin a separate request."
)
NO_TICKETS = "You have no support tickets yet."


def bye_with_ticket(ticket_id: str) -> str:
    return f"Bye for now! Your ticket {ticket_id} stays open, and the team will answer here."


SLOW_DOWN = (
    "You're sending messages faster than I can read them. I've saved everything you wrote; "
    "please wait a few seconds, then send your answer again."
)
SLOW_DOWN_TICKETED = (
    "Got it: everything you send here reaches your ticket, so there's no need to send "
    "anything again."
)


def restart_after_ticket(ticket_id: str) -> str:
    return (
        f"Your ticket {ticket_id} stays open with the team. Send your new request whenever "
        "you're ready and I'll start a fresh one."
    )


def greeting(policy: Policy) -> str:
    return f"Hi! This is {policy.product} support."


GET_READY = "Let's get everything ready now so the team can start right away."


def closed_now(
    schedule: str,
    next_window: str,
    closure: str | None,
    later: list[str],
    ticket_id: str | None = None,
) -> str:
    """``closure``: why today is closed (a holiday's name), else None; ``later``: closures
    between today and ``next_window``; ``ticket_id``: the customer's open ticket."""
    what = f"Your ticket {ticket_id}" if ticket_id else "Your request"
    why = f"and today it's closed for {closure}" if closure else "and it's outside those hours now"
    # A sentence of its own: holiday names can carry brackets, "Boxing Day (observed)".
    until = f" Before then, support is closed for {_and_list(later)}." if later else ""
    return (
        f"Our support team works {schedule}, {why}. "
        f"{what} will be answered in the next support window: {next_window}.{until}"
    )


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def open_on(day: str, hours: str) -> str:
    return f"On {day}, support is open {hours}."


def closed_on(day: str, closure: str | None, next_window: str) -> str:
    why = f" for {closure}" if closure else ""
    return f"On {day}, support is closed{why}. The next support window after that: {next_window}."


def closures_ahead(closures: Sequence[tuple[str, str]], schedule: str) -> str:
    """``closures``: (day, holiday) pairs coming up."""
    if not closures:
        return f"Support works {schedule}, with no holiday closures in the coming month."
    # The day first: holiday names can carry brackets, "Boxing Day (observed)".
    listed = "; ".join(f"{day}, {name}" for day, name in closures)
    return f"Support works {schedule}, and is closed for: {listed}."


def open_now(schedule: str, until: str, ticket_id: str | None = None) -> str:
    """``ticket_id``: the customer's open ticket, which the agent answers."""
    then = (
        f"An agent will answer your ticket {ticket_id} here as soon as they can."
        if ticket_id
        else "Once your request is complete, an agent will answer it here."
    )
    return f"Our support team works {schedule}, and it's open right now, until {until}. {then}"


def closing_soon(next_start: str) -> str:
    return f"Support closes soon: what isn't answered by then is answered from {next_start}."


def kind_guess(policy: Policy, kind_id: str) -> str:
    return (
        f"Kind of help: {policy.kind(kind_id).label} (you can change that before the ticket "
        "is sent)."
    )


def guide_offer(guides: Sequence[GuideMatch]) -> str:
    lines = ["These guides may solve it right away:"]
    for number, guide in enumerate(guides, start=1):
        lines.append(f"{number}. {guide.title}: {guide.excerpt}")
    lines.append("Reply with a guide's number to read it, or no to continue.")
    return "\n".join(lines)


def guides_shown(shown: Sequence[tuple[GuideMatch, str | None]], others: bool) -> str:
    """The whole guides (a guide's excerpt if it was removed since), then whether they
    solved it."""
    ask = GUIDE_SOLVED_ASK if len(shown) == 1 else GUIDES_SOLVED_ASK
    ask += " Or reply another guide's number to read it." if others else ""
    bodies = [f"*{guide.title}*\n\n{text or guide.excerpt}" for guide, text in shown]
    return "\n\n".join([*bodies, ask])


def no_such_guide(count: int) -> str:
    if count == 1:
        return "There is only one guide here: reply 1 to read it, or no to continue."
    return f"There are {count} guides here: reply a number from 1 to {count}, or no to continue."


def ask_detail(detail: DetailField) -> str:
    return detail.question


def reask_detail(detail: DetailField, attempts: int) -> str:
    text = f"I need a bit more for “{detail.label}”. {detail.hint}"
    if attempts >= 2:
        text += " (If you can't provide it, type agent to send the ticket with what we have.)"
    return text


def say_it_here(detail: DetailField) -> str:
    return (
        f"Sorry, I couldn't find “{detail.label}” in what you sent before. Please put it in "
        f"this message, even if you said it already: the ticket keeps each answer by itself. "
        f"{detail.hint}"
    )


def consent(policy: Policy) -> str:
    return f"{policy.consent_question}\n{NO_PASSWORDS}"


def summary(policy: Policy, state: Conversation) -> str:
    """The request, numbered as ``fields_of`` numbers the fields a customer edits by number."""
    values = {
        "kind": policy.kind(state.kind).label if state.kind else "not chosen",
        "problem": state.problem or "not described yet",
        "consent": consent_word(state.consent, state.consent_terms),
    }
    lines = ["Here's your request:"]
    for number, field in enumerate(fields_of(policy), start=1):
        value = values[field.key] if field.key in values else state.details.get(field.key)
        # A value of several lines is indented under its number, so "2. add a pizza" in the
        # steps can't be read as line 2 of the summary.
        shown = (value or "not given yet").replace("\n", "\n    ")
        lines.append(f"{number}. {field.label}: {shown}")
    lines.append(CONFIRM_HOW)
    return "\n".join(lines)


def consent_word(consent: bool | None, terms: str | None = None) -> str:
    """How the access answer reads everywhere; a yes with conditions quotes them."""
    word = {True: "yes", False: "no", None: "not answered"}[consent]
    return f"{word}, with conditions: “{terms}”" if consent and terms else word


def kind_menu(policy: Policy) -> str:
    options = "\n".join(f"{n}. {kind.label}" for n, kind in enumerate(policy.kinds, start=1))
    return f"{EDIT_KIND}\n{options}"


def ask_new_value(label: str) -> str:
    return f"What should “{label}” say instead?"


def ticket_opened(ticket_id: str, when: str, missing: Sequence[str], ask_consent: bool) -> str:
    """``when``: ``picked_up_next`` or ``answered_today``; ``ask_consent`` when the access
    question was never answered (the next yes or no answers it)."""
    text = (
        f"Your ticket {ticket_id} is open. {when} Every update will come right here, in this "
        "same conversation, and anything you add here goes straight to your ticket."
    )
    if missing:
        them = "it" if len(missing) == 1 else "them"
        text += f" Still missing: {', '.join(missing)}. Please add {them} here when you can."
    if ask_consent:
        text += f"\n\n{CONSENT_LATE}"
    return text


def ticket_amended(
    ticket_id: str, labels: Sequence[str], consent: bool | None, ask_access: bool
) -> str:
    """What a message after the ticket added to it: detail labels, and the access answer (or,
    with ``ask_access``, the access question again)."""
    lines = [f"Thanks, added to ticket {ticket_id}: {', '.join(labels)}."] if labels else []
    if consent is True:
        lines.append(
            f"Noted on ticket {ticket_id}: the team may access the relevant information or "
            "systems if troubleshooting needs it."
        )
    elif consent is False:
        lines.append(f"Noted on ticket {ticket_id}: the team won't access your systems.")
    text = " ".join(lines)
    return f"{text}\n\n{CONSENT_LATE}" if ask_access else text


def added_to_ticket(ticket_id: str) -> str:
    return (
        f"Added to your ticket {ticket_id}. The team sees everything you write here, so add "
        "anything else whenever you like."
    )


def picked_up_next(next_window: str) -> str:
    return f"Our team will pick it up in the next support window: {next_window}."


def answered_today(until: str, late_next: str | None) -> str:
    """``late_next``: the window after this one, when this one closes soon."""
    text = f"A support agent will reply here during today's support hours (until {until})."
    if late_next:
        text += (
            " If the team can't get to it before closing, it will be answered in the next "
            f"support window: {late_next}."
        )
    return text


def another_problem(ticket_id: str) -> str:
    return (
        f"I've added this to your ticket {ticket_id}. If it's a separate problem, type restart "
        "to begin a new request for it."
    )


def status(tickets: Sequence[TicketLine], elsewhere: int = 0) -> str:
    lines = ["Your tickets:"] if tickets else [] if elsewhere else [NO_TICKETS]
    lines += [f"• {t.ticket_id}: {t.status} ({shorten(t.problem, 80)})" for t in tickets]
    if elsewhere:
        tickets_word = "ticket" if elsewhere == 1 else "tickets"
        lines.append(f"Started elsewhere: {elsewhere} {tickets_word} (ask there to see them).")
    return "\n".join(lines)


def about_the_chat(about: str, policy: Policy) -> str:
    """The answer to a question about the chat (``answers.about_the_chat``)."""
    if about != "needs":
        return _ABOUT_THE_CHAT[about]
    needed = ["what the problem is", *(d.label.lower() for d in policy.details)]
    needed.append("whether the team may access your store if troubleshooting needs it")
    return f"{_ABOUT_THE_CHAT[about]} " + ", ".join(needed[:-1]) + f" and {needed[-1]}."


def bot_after_ticket(ticket_id: str) -> str:
    return (
        "I'm MyCartPro's support assistant, a bot. Your ticket "
        f"{ticket_id} is with a person on the support team, who will answer you here."
    )


def going_back(held: str) -> str:
    said = shorten(held, 200)
    return f"Going back one question. You had said: “{said}”; your answer replaces it."


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, for lists and notes that quote a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def earlier_request_dropped(problem: str) -> str:
    return (
        f"Welcome back! Your earlier request (“{problem}”) was never sent, so this one starts "
        "afresh; mention it here if it still matters."
    )
