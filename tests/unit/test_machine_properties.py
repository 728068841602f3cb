"""Random conversations: the machine never raises and always lands in a valid state."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.actions import LookUpTickets, OpenTicket, Reply, SelfServed
from intake.conversation import Conversation, Step
from intake.events import CustomerSaid, Event, TicketOpened, TicketsFound
from intake.machine import step
from intake.policy import Policy
from tests.unit.test_machine import GUIDES, FixedGuides

WORDS = [
    "hi",
    "help",
    "status",
    "restart",
    "cancel",
    "agent",
    "yes",
    "no",
    "send",
    "1",
    "2",
    "3",
    "4",
    "7",
    "kind",
    "steps",
    "error: it says 500",
    "steps: open the cart then pay",
    "",
    "   ",
    "idk",
    "no error",
    "Checkout fails with a 500 error when paying",
    'It shows "Fatal error: timeout"',
    "Pro plan Chrome on Windows 11 with Stripe",
    "open shop, add to cart, click pay, see error",
    "Bonjour je ne peux pas payer",
    "😀" * 3,
    "<b>html</b> & *markdown*",
]
messages = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=200)), max_size=25)
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(texts=messages, start=starts, with_guides=st.booleans())
def test_random_conversations_stay_valid(
    policy: Policy, texts: list[str], start: datetime, with_guides: bool
) -> None:
    guides = FixedGuides(GUIDES if with_guides else ())
    state = Conversation()
    tickets = 0
    for minute, text in enumerate(texts):
        if state.finished:
            break
        at = start + timedelta(minutes=minute)
        pending: list[Event] = [CustomerSaid(text=text, at=at)]
        while pending:
            state, actions = step(state, pending.pop(0), policy, guides)
            for action in actions:
                assert not isinstance(action, Reply) or action.text.strip()
                if isinstance(action, OpenTicket):
                    tickets += 1
                    pending.append(TicketOpened(ticket_id=f"MCP-{1000 + tickets}", at=at))
                if isinstance(action, LookUpTickets):
                    pending.append(TicketsFound(tickets=(), at=at))
                if isinstance(action, SelfServed):
                    assert state.step is Step.SELF_SERVED
        assert tickets <= 1
        assert (state.ticket_id is not None) == (tickets == 1)
        if state.step is Step.TICKETED:
            assert state.ticket_id is not None
        if state.step is Step.EDIT:
            assert state.editing is not None
        if state.step is Step.GUIDES:
            assert state.guides
        if state.step in {Step.GUIDES, Step.DETAILS, Step.CONSENT, Step.CONFIRM}:
            assert state.problem is not None and state.kind is not None
