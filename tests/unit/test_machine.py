"""Every path of the intake machine, driven the way the service drives it."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from intake import texts
from intake.actions import (
    Action,
    AmendTicket,
    Choice,
    ForwardToTicket,
    LookUpTickets,
    OpenTicket,
    RecordGap,
    Reply,
    SelfServed,
    clicked,
)
from intake.conversation import Conversation, Step, next_conversation
from intake.events import CustomerSaid, TicketClosed, TicketLine, TicketOpened, TicketsFound
from intake.guides import GuideMatch
from intake.language import is_clearly_not_english
from intake.machine import IllegalTransition, step
from intake.policy import Policy
from intake.tickets import Priority

# Thursday 2026-11-26 11:00 Toronto (16:00 UTC): support is open.
OPEN = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
# Friday 2026-11-27 18:30 Toronto (23:30 UTC): closed until Monday.
CLOSED = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)

GUIDES = (
    GuideMatch(
        id="setup-paypal",
        title="Set up PayPal",
        excerpt="Connect PayPal…",
        score=0.8,
        category="installation-setup",
    ),
    GuideMatch(
        id="payment-declined",
        title="Payments declined",
        excerpt="A decline…",
        score=0.6,
        category="troubleshooting",
    ),
)


class FixedGuides:
    """The knowledge-base port answering a fixed list (or nothing)."""

    def __init__(self, matches: Sequence[GuideMatch] = GUIDES) -> None:
        self.matches = tuple(matches)
        self.queries: list[str] = []

    def search(self, query: str, limit: int = 3) -> Sequence[GuideMatch]:
        self.queries.append(query)
        return self.matches[:limit]

    def text(self, guide_id: str) -> str | None:
        return next((f"The whole of {m.title}." for m in self.matches if m.id == guide_id), None)


class Driver:
    """Feeds customer messages one by one, like a chat, keeping every action seen."""

    def __init__(
        self, policy: Policy, guides: FixedGuides | None = None, at: datetime = OPEN
    ) -> None:
        self.policy = policy
        self.guides = guides or FixedGuides()
        self.state = Conversation()
        self.at = at
        self.gap = timedelta(seconds=20)
        self.actions: list[Action] = []

    def say(self, text: str, redacted: frozenset[str] = frozenset()) -> list[Action]:
        """A message at ``at``; the next one comes ``gap`` later."""
        event = CustomerSaid(text=text, at=self.at, redacted=redacted)
        self.at += self.gap
        return self.feed(event)

    def feed(
        self, event: CustomerSaid | TicketOpened | TicketsFound | TicketClosed
    ) -> list[Action]:
        self.state, actions = step(self.state, event, self.policy, self.guides)
        self.actions += actions
        return list(actions)

    def reply(self, text: str, redacted: frozenset[str] = frozenset()) -> str:
        return replies(self.say(text, redacted))

    def current_step(self) -> Step:
        """The step now: a call, so a type checker keeps no step narrowed by an earlier assert."""
        return self.state.step


def replies(actions: Sequence[Action]) -> str:
    return "\n".join(a.text for a in actions if isinstance(a, Reply))


PROBLEM = "Customers can't pay with PayPal at checkout since this morning"


def to_details(chat: Driver) -> None:
    chat.say(PROBLEM)
    chat.say("no")


def to_consent(chat: Driver) -> None:
    """Through every detail, to the access question."""
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Open the shop, add to cart, checkout, pay with PayPal")
    chat.say("Pro plan, Chrome on Windows 11, PayPal")


def to_confirm(chat: Driver) -> None:
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout (code 504)"')
    chat.say("Open the shop, add a mug to the cart, go to checkout, click Pay with PayPal")
    chat.say("Pro plan, hosted by MyCartPro, Chrome 131 on Windows 11, PayPal Checkout")
    chat.say("yes")


def test_in_hours_greeting_says_nothing_about_hours(policy: Policy) -> None:
    chat = Driver(policy)
    text = chat.reply("hello")
    assert "MyCartPro support" in text
    assert "outside those hours" not in text
    assert "What can we help you with?" in text
    assert chat.state.step is Step.PROBLEM and not chat.state.out_of_hours


def test_out_of_hours_greeting_names_the_next_window(policy: Policy) -> None:
    chat = Driver(policy, at=CLOSED)
    text = chat.reply("hi")
    assert "Monday to Friday, 9:00 AM to 5:00 PM Eastern" in text
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in text
    assert chat.state.out_of_hours


@pytest.mark.parametrize(
    "problem",
    [
        "customers in Canada can't check out",
        "my holiday sale discount codes don't apply",
        "the Christmas theme broke my header on December 20",
    ],
)
def test_out_of_hours_a_day_named_in_the_problem_is_no_question(
    policy: Policy, problem: str
) -> None:
    text = Driver(policy, at=CLOSED).reply(problem)
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in text
    assert "Canada Day" not in text and "Christmas" not in text and "December" not in text


def test_a_first_message_that_describes_the_problem_goes_straight_to_guides(policy: Policy) -> None:
    chat = Driver(policy)
    actions = chat.say(PROBLEM)
    text = replies(actions)
    assert "Hi!" in text and "1. Set up PayPal" in text and "2. Payments declined" in text
    assert chat.state.step is Step.GUIDES
    offer = next(a for a in actions if isinstance(a, Reply))
    assert [c.value for c in offer.choices] == ["1", "2", "no"]


def test_too_short_a_problem_is_asked_again_with_a_hint(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("hi")
    text = chat.reply("broken")
    assert "tell me a little more" in text
    assert chat.state.step is Step.PROBLEM and chat.state.reasks == 1


@pytest.mark.parametrize(
    ("answer", "guide_id"),
    [
        ("2", "payment-declined"),
        ("#1", "setup-paypal"),
        ("the second one", "payment-declined"),
        ("let me try the first one", "setup-paypal"),
        ("number 2 looks like it might be it", "payment-declined"),
        ("maybe number 1", "setup-paypal"),
        ("I think 2", "payment-declined"),
    ],
)
def test_choosing_a_guide_shows_it_whole_and_yes_closes_as_self_served(
    policy: Policy, answer: str, guide_id: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    shown = chat.reply(answer)
    title = next(g.title for g in GUIDES if g.id == guide_id)
    assert f"The whole of {title}." in shown and shown.endswith("guide's number to read it.")
    assert not chat.state.finished  # reading a guide is not yet being helped by it
    actions = chat.say("yes")
    assert SelfServed(guide_id=guide_id) in actions
    assert chat.state.step is Step.SELF_SERVED and chat.state.finished
    assert "glad that solved it" in replies(actions)


def test_a_guide_that_did_not_help_moves_on_to_the_details(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("1")
    actions = chat.say("no")
    assert any(isinstance(a, RecordGap) and a.reason == "not_helpful" for a in actions)
    assert replies(actions).endswith(policy.details[0].question)


def test_saying_a_guide_already_worked_closes_at_once(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert SelfServed(guide_id="payment-declined") in chat.say("the second one worked, thanks")


def test_yes_with_several_guides_is_self_served_without_naming_one(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert SelfServed(guide_id=None) in chat.say("yes it did")


def test_guides_that_did_not_help_are_recorded_and_details_are_asked(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    actions = chat.say("no")
    assert RecordGap(text=PROBLEM, kind=chat.state.kind, reason="not_helpful") in actions
    assert "exact error message" in replies(actions)
    assert chat.state.step is Step.DETAILS


def test_an_unclear_answer_to_the_guides_repeats_the_choice(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert texts.GUIDES_REASK in chat.reply("maybe later")
    assert chat.state.step is Step.GUIDES


def test_without_a_matching_guide_the_gap_is_recorded_and_details_follow(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    actions = chat.say(PROBLEM)
    assert any(isinstance(a, RecordGap) and a.reason == "no_match" for a in actions)
    text = replies(actions)
    assert "couldn't find a guide" in text and "exact error message" in text


def test_an_error_quoted_in_the_first_message_is_not_asked_again(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say('Checkout fails with "Error 502: payment gateway timed out" for every customer')
    text = chat.reply("no")
    assert "What steps lead to the problem?" in text
    assert chat.state.details["error_messages"] == "Error 502: payment gateway timed out"


def test_system_details_mentioned_in_passing_are_kept(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("On the Pro plan with Chrome on Windows 11 the product page images are missing")
    assert "Pro plan" in chat.state.details["environment"]


@pytest.mark.parametrize(
    "code", ["card_declined", "404", "ERR_TOO_MANY_REDIRECTS", "TypeError", "'0x80070005'"]
)
def test_an_exact_error_code_alone_is_an_answer(policy: Policy, code: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(code)
    assert chat.state.details["error_messages"] == code
    assert policy.details[1].question in text


def test_two_word_steps_are_an_answer(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("card_declined")
    chat.say("click pay")
    assert chat.state.details["steps_to_reproduce"] == "click pay"


@pytest.mark.parametrize("answer", ["idk", "yes", "error", "broken", "Checkout"])
def test_empty_or_meaningless_details_are_asked_again_with_a_hint(
    policy: Policy, answer: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(answer)
    assert "I need a bit more for “Error messages”" in text
    assert "error_messages" not in chat.state.details


def test_the_hint_offers_the_agent_after_repeated_failures(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("idk")
    assert "type agent" in chat.reply("idk")


def test_no_error_is_an_accepted_answer(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("there is no error")
    assert chat.state.details["error_messages"] == "No error is shown."


def test_consent_is_recorded_with_its_time_and_passwords_are_warned_about(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Open the shop, add to cart, checkout, pay with PayPal")
    text = chat.reply("Pro plan, Chrome on Windows 11, PayPal")
    assert "never paste passwords" in text
    assert "Please reply yes or no" in chat.reply("what do you mean")
    chat.say("no")
    assert chat.state.consent is False and chat.state.consent_at == chat.at - chat.gap
    assert chat.state.step is Step.CONFIRM


def test_the_summary_shows_every_field_numbered(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    summary = replies(chat.actions[-1:])
    for line in (
        "1. Kind of help:",
        "2. Problem: " + PROBLEM,
        '3. Error messages: It says "PAYMENT_FAILED',
        "4. Steps to reproduce: Open the shop",
        "5. System and configuration: Pro plan",
        "6. Access consent: yes",
    ):
        assert line in summary


def test_a_field_is_fixed_by_number(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert "What should “Steps to reproduce” say instead?" in chat.reply("4")
    text = chat.reply("Open any product, click Buy now, choose PayPal, approve")
    assert "4. Steps to reproduce: Open any product, click Buy now" in text
    assert chat.state.step is Step.CONFIRM


def test_a_field_is_fixed_by_name_in_one_message(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    text = chat.reply("error: No error message, the button just spins")
    assert "3. Error messages: No error message, the button just spins" in text


def test_the_guessed_kind_of_help_is_named_as_the_summary_names_it(policy: Policy) -> None:
    chat = Driver(policy)
    first = chat.reply(PROBLEM)
    assert chat.state.kind is not None
    label = policy.kind(chat.state.kind).label
    assert f"Kind of help: {label} (you can change that before the ticket is sent)." in first


def test_the_kind_of_help_is_changed_from_a_menu(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    menu = chat.reply("change kind")
    assert "2. Bug report" in menu
    assert "1. Kind of help: Bug report" in chat.reply("2")
    assert chat.state.kind == "bug-fix"


@pytest.mark.parametrize(
    "asked",
    [
        "can you change the kind of help to bug report",
        "please set the kind of help to bug report?",
        "could you change kind to bug please",
    ],
)
def test_the_kind_of_help_is_changed_when_asked_politely(policy: Policy, asked: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert "1. Kind of help: Bug report" in chat.reply(asked)
    assert chat.state.kind == "bug-fix"


def test_asking_to_change_a_field_to_include_more_adds_to_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    steps = chat.state.details["steps_to_reproduce"]
    chat.say("can you change the steps to include applying a coupon first")
    assert chat.state.details["steps_to_reproduce"].startswith(steps)
    assert chat.state.details["steps_to_reproduce"].endswith("Applying a coupon first")
    chat.say("change the error to Add to cart failed")  # "Add to cart" is the new answer
    assert chat.state.details["error_messages"] == "Add to cart failed"


def test_consent_can_be_changed_before_sending(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("consent")
    assert "6. Access consent: no" in chat.reply("no")


def test_an_unknown_field_is_explained(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert "I didn't recognise that" in chat.reply("purple")
    assert "I didn't recognise that" in chat.reply("9")


def test_send_opens_a_complete_ticket_and_tells_the_id(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say("send")
    draft = next(a for a in actions if isinstance(a, OpenTicket)).draft
    assert draft.problem == PROBLEM and draft.consent is True and draft.missing == ()
    assert set(draft.details) == {"error_messages", "steps_to_reproduce", "environment"}
    assert draft.guides == GUIDES and draft.due_at == chat.at - chat.gap
    assert not draft.out_of_hours
    assert "MCP-" not in replies(chat.actions)  # no id before the ticket exists
    text = replies(chat.feed(TicketOpened(ticket_id="MCP-1001", at=OPEN)))
    assert "Your ticket MCP-1001 is open" in text and "right here" in text
    assert chat.state.step is Step.TICKETED


def test_a_ticket_opened_out_of_hours_says_when_it_will_be_answered(policy: Policy) -> None:
    chat = Driver(policy, at=CLOSED)
    to_confirm(chat)
    draft = next(a for a in chat.say("send") if isinstance(a, OpenTicket)).draft
    assert draft.out_of_hours and draft.due_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    text = replies(chat.feed(TicketOpened(ticket_id="MCP-1001", at=CLOSED)))
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in text


def test_after_the_ticket_every_message_goes_to_it(policy: Policy) -> None:
    chat = ticketed(policy)
    first = chat.say("It also happens with cards now")
    assert first[0] == ForwardToTicket(ticket_id="MCP-1001", text="It also happens with cards now")
    assert replies(first) == texts.added_to_ticket("MCP-1001")  # it arrived, said once
    assert chat.say("And with Apple Pay") == [
        ForwardToTicket(ticket_id="MCP-1001", text="And with Apple Pay")
    ]


def test_more_system_details_at_the_access_question_are_kept_then_it_is_asked_again(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_consent(chat)
    text = chat.reply("Pro plan, custom domain candles.ca with Google Workspace")
    assert chat.state.consent is None and text.endswith(texts.NO_PASSWORDS)
    environment = chat.state.details["environment"]
    assert environment.endswith("; Pro plan, custom domain candles.ca with Google Workspace")


@pytest.mark.parametrize(
    "words",
    [
        "Actually it's Firefox not Chrome",
        "nope, firefox actually",
        "its firefox not chrome",
        "no wait, that was Firefox",
        "my bad, firefox",
    ],
)
def test_the_system_put_right_at_the_access_question_refuses_nothing(
    policy: Policy, words: str
) -> None:
    chat = Driver(policy)
    to_consent(chat)
    text = chat.reply(words)
    assert chat.state.step is Step.CONSENT and chat.state.consent is None
    assert "Chrome on Windows 11, PayPal; " in chat.state.details["environment"]
    assert "irefox" in chat.state.details["environment"].split("; ")[1]
    assert text.endswith(texts.NO_PASSWORDS)  # the access question, asked again
    chat.say("no")
    assert chat.state.consent is False


@pytest.mark.parametrize(
    "words",
    [
        "no, I'm on the Basic plan so nothing to access",
        "no thanks, it's only a Basic plan store",
        "No. We're on Windows and it's a work computer",
        "no - I'll send screenshots from Chrome instead",
    ],
)
def test_a_no_that_names_the_system_is_a_no(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_consent(chat)
    chat.say(words)
    assert chat.state.consent is False and chat.state.step is Step.CONFIRM


@pytest.mark.parametrize("words", ["any update on this?", "Any news about my request?"])
def test_asking_after_the_ticket_later_still_gets_its_status(policy: Policy, words: str) -> None:
    chat = ticketed(policy)
    chat.say("It also happens with cards now")  # the one "added to your ticket" receipt
    assert LookUpTickets() in chat.say(words)


@pytest.mark.parametrize(
    "ping",
    [
        "hello??",
        "anyone there?",
        "Hi?",
        "can I get an update please?",
        "any updates yet?",
        "Any update on the PayPal issue?",
        "what's happening with my ticket?",
        "has anyone looked at this yet?",
        "did anyone see my message?",
        "ETA?",
        "???",
        "hellooo",
    ],
)
def test_a_ping_after_the_ticket_hears_when_the_team_answers(policy: Policy, ping: str) -> None:
    chat = ticketed(policy)
    chat.say("It also happens with cards now")
    actions = chat.say(ping)
    assert ForwardToTicket(ticket_id="MCP-1001", text=ping) in actions
    assert "An agent will answer your ticket MCP-1001" in replies(actions)


def test_a_ping_after_hours_hears_when_the_ticket_will_be_answered(policy: Policy) -> None:
    chat = ticketed(policy, at=CLOSED)
    answer = chat.reply("hello??")
    assert "Your ticket MCP-1001 will be answered in the next support window: Monday" in answer


def test_another_thing_going_wrong_after_the_ticket_hears_how_to_start_a_request_once(
    policy: Policy,
) -> None:
    chat = ticketed(policy)  # about PayPal at checkout
    chat.say("It started after I installed LazyLoad Pro")
    other = "my gift cards aren't applying to orders"
    actions = chat.say(other)
    assert ForwardToTicket(ticket_id="MCP-1001", text=other) in actions
    assert replies(actions) == texts.another_problem("MCP-1001")
    assert replies(chat.say("and shipping rates are not showing for Canada")) == ""  # said once
    assert chat.state.step is Step.TICKETED


@pytest.mark.parametrize(
    "more",
    [
        "It started after I installed LazyLoad Pro",
        "Customers can't pay with PayPal on mobile",
        "It also fails on my phone",
        "Got the 504 on my phone now, Safari won't load the popup",  # the error's code
        "Refunds for those failed attempts aren't going through either",
    ],
)
def test_more_about_the_ticket_problem_hears_no_other_problem_hint(
    policy: Policy, more: str
) -> None:
    chat = ticketed(policy)
    chat.say("It also happens with cards now")
    assert replies(chat.say(more)) == ""


def test_after_a_ticket_of_vague_words_no_failure_is_told_apart(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Checkout is broken since this morning")
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("It happens for everyone")
    assert replies(chat.say("Card payments don't go through for anyone")) == ""


def test_is_this_a_bot_before_the_problem_is_answered_then_the_problem_asked(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    chat.say("hi")
    text = chat.reply("is this a bot?")
    assert text.startswith("I'm MyCartPro's support assistant, a bot")
    assert text.endswith(texts.ASK_PROBLEM)  # no "tell me a little more": nothing was said yet


def test_is_this_a_bot_after_the_ticket_is_answered_and_the_agent_sees_it(
    policy: Policy,
) -> None:
    chat = ticketed(policy)
    chat.say("It also happens with cards now")
    actions = chat.say("is this a bot?")
    assert ForwardToTicket(ticket_id="MCP-1001", text="is this a bot?") in actions
    assert replies(actions) == texts.bot_after_ticket("MCP-1001")
    assert "Type agent" not in replies(actions)  # a person already has it


@pytest.mark.parametrize(
    "hello",
    [
        "Hello there! hope your having a good day :)",
        "hello! thanks in advance for the help",
        "Hello, my name is Dana and I run a small candle shop",
        "can I ask you something about my store",
        "Hi, I have a quick question",
    ],
)
def test_pleasantries_and_introductions_alone_are_not_the_problem(
    policy: Policy, hello: str
) -> None:
    chat = Driver(policy)
    assert chat.reply(hello).endswith(texts.ASK_PROBLEM)
    assert chat.state.problem is None
    chat.say("My abandoned cart emails aren't being sent anymore")
    assert chat.state.problem == "My abandoned cart emails aren't being sent anymore"


@pytest.mark.parametrize(
    "problem",
    [
        "My name is missing from the invoices we send",
        "My name is wrong, the invoice shows my old business name",
        "I own a business account and can't log in since the update",
        "I run a store on MyCartPro and the checkout page is blank since yesterday",
        "I manage my store's shipping and rates show zero",
    ],
)
def test_problems_that_open_like_an_introduction_are_kept_whole(
    policy: Policy, problem: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    assert chat.state.problem == problem


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        (
            "Hi, my name is Dana and I run a small candle shop. My checkout shows error 500",
            "My checkout shows error 500",
        ),
        (
            "Good morning! My name is Margaret and my Canadian customers are charged US rates",
            "My Canadian customers are charged US rates",
        ),
    ],
)
def test_an_introduction_before_the_problem_is_not_kept_in_it(
    policy: Policy, said: str, problem: str
) -> None:
    chat = Driver(policy)
    chat.say(said)
    assert chat.state.problem == problem


@pytest.mark.parametrize("words", ["agent", "human", "Talk to a human!"])
def test_agent_opens_the_ticket_now_and_says_what_is_missing(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    actions = chat.say(words)
    draft = next(a for a in actions if isinstance(a, OpenTicket)).draft
    assert draft.missing == (
        "Error messages",
        "Steps to reproduce",
        "System and configuration",
        "Access consent",
    )
    text = replies(chat.feed(TicketOpened(ticket_id="MCP-1002", at=OPEN)))
    assert "Still missing: Error messages, Steps to reproduce" in text


def test_agent_before_any_description_still_opens_a_ticket(policy: Policy) -> None:
    chat = Driver(policy)
    draft = next(a for a in chat.say("agent") if isinstance(a, OpenTicket)).draft
    assert draft.problem == "(not described yet)" and "Problem" in draft.missing


@pytest.mark.parametrize("at_step", ["problem", "guides", "details", "consent", "confirm", "edit"])
def test_help_works_at_every_step_and_repeats_the_question(policy: Policy, at_step: str) -> None:
    chat = Driver(policy)
    walk = {
        "problem": ["hi"],
        "guides": [PROBLEM],
        "details": [PROBLEM, "no"],
        "consent": [
            PROBLEM,
            "no",
            'It says "Error 500 failed"',
            "Open shop then add to cart then pay",
            "Pro plan Chrome Windows",
        ],
    }
    if at_step in walk:
        for text in walk[at_step]:
            chat.say(text)
    else:
        to_confirm(chat)
        if at_step == "edit":
            chat.say("2")
    assert chat.state.step == Step(at_step)  # the walk reached the step this case is about
    before = chat.state
    text = chat.reply("help")
    assert "status: your tickets" in text and "agent (or human)" in text
    assert chat.state.model_copy(update={"recent": before.recent}) == before
    assert len(text.split("\n\n")) == 2  # the help, then the pending question


def test_status_looks_up_the_customers_tickets(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    assert chat.say("status") == [LookUpTickets()]
    lines = (TicketLine(ticket_id="MCP-1001", status="open", problem="PayPal fails"),)
    assert "MCP-1001: open (PayPal fails)" in replies(
        chat.feed(TicketsFound(tickets=lines, at=OPEN))
    )
    assert "no support tickets" in replies(chat.feed(TicketsFound(tickets=(), at=OPEN)))
    assert chat.state.step is Step.DETAILS


def test_restart_forgets_everything_but_the_greeting(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    text = chat.reply("start over")
    assert "start over" in text and "What can we help you with?" in text
    assert (
        chat.state.step is Step.PROBLEM and chat.state.problem is None and chat.state.details == {}
    )


def test_cancel_ends_without_a_ticket(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    assert "Nothing was sent" in chat.reply("cancel")
    assert chat.state.finished and not any(isinstance(a, OpenTicket) for a in chat.actions)
    with pytest.raises(IllegalTransition):
        chat.say("hello again")


@pytest.mark.parametrize(
    "words",
    [
        "never mind, it works now",
        "forget it",
        "Nvm",
        "quit",
        "oh never mind",
        "cancel please",
        "actually I'll sort it myself",
        "bye",
        "never mind, I figured it out",
        "nvm, found it",
        "cancel my request please",
        "Forget it, I'll call my developer",
        "actually I’ll sort it myself",  # as phones type the apostrophe
        "ok bye",
        "thanks, bye",
        "i want to cancel",
        "please cancel this request",
        "can you cancel this",
        "ugh never mind",
        "ugh never mind, I'll figure it out myself",
    ],
)
def test_giving_up_in_other_words_cancels(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    assert "Nothing was sent" in chat.reply(words)
    assert chat.state.step is Step.CANCELLED


@pytest.mark.parametrize(
    "words",
    [
        "never mind the error, the checkout page just hangs forever",
        "stop button does nothing",
        "the exit page crashes",
        "I want to cancel my subscription but the button fails",
        "I'll fix it myself, where's the setting",
    ],
)
def test_longer_messages_starting_like_giving_up_are_answers(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(words)
    assert chat.state.step is Step.DETAILS
    assert chat.state.details["error_messages"] == words


@pytest.mark.parametrize(
    "words",
    [
        "I fixed it myself, no need to send",
        "don't send it, it's working now",
        "actually never mind, I figured it out, it was the CAA record in my DNS",
        "forget it, my developer fixed it this morning",
        "no need anymore, it works now",
        "never mind, I found them in spam",
        "nevermind its fixed",
        "I figured it out, thanks anyway",
    ],
)
def test_solved_by_the_customer_at_the_summary_is_cancelled(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert "Nothing was sent" in chat.reply(words)
    assert chat.state.step is Step.CANCELLED


@pytest.mark.parametrize(
    "words",
    [
        "don't send it yet, I need to add a screenshot",
        "don't send it, I want to change the steps",
        "never mind, it works now but not on Safari",
        "Never mind the guides, checkout stopped working completely after the update",
        "Forget it, nothing I do works, the storefront shows a blank page",
        "Never mind, I figured out the real error, it's INSTRUMENT_DECLINED from PayPal",
        "Don't send it to the general queue, it's urgent, PayPal worked for years",
        "Pro plan; do not send customer emails from the PayPal app, it works with Stripe",
        "My store sends 'order fixed' emails twice, don't send duplicates please",
        "I sorted the products by price and the page crashes",
        "it works on Chrome",
        "I fixed the theme yesterday and now the menu disappeared",
        "it's fixed price shipping that's wrong",
        "nevermind, I found the cause, it's the Klaviyo app. how do I remove it?",
        "nvm it's fixed on desktop, mobile menu though is cut off",
    ],
)
def test_holding_the_summary_back_with_more_to_say_is_no_cancel(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say(words)
    assert chat.state.step is not Step.CANCELLED


@pytest.mark.parametrize(
    "steps",
    [
        "Go to Products, add a new product, fill in the title and price, submit it",
        "Open a ticket in the helpdesk app, then click Assign, the page freezes",
        "Create a ticket, attach the order, click save",
    ],
)
def test_steps_that_submit_or_open_a_ticket_are_steps(policy: Policy, steps: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("my helpdesk app freezes")
    chat.say("no error")
    actions = chat.say(steps)
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert chat.state.details["steps_to_reproduce"] == steps


@pytest.mark.parametrize(
    ("problem", "priority"),
    [
        ("my whole store is down since this morning", Priority.HIGH),
        ("checkout fails for every customer, we are losing sales", Priority.HIGH),
        ("urgent: PayPal payments fail", Priority.HIGH),
        ("the product page shows the wrong font", Priority.NORMAL),
        ("Help!! my website has been down since this morning", Priority.HIGH),
        ("customers cannot place orders, checkout just spins", Priority.HIGH),
        ("Not urgent, but how do I change the logo on my invoices?", Priority.NORMAL),
        ("the 'urgent delivery' shipping option is missing at checkout", Priority.NORMAL),
        ("Traffic to our site is down 40% since the redesign", Priority.NORMAL),
        ("critical stock alerts don't send anymore", Priority.NORMAL),
    ],
)
def test_a_ticket_said_to_be_urgent_opens_with_high_priority(
    policy: Policy, problem: str, priority: Priority
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    [opened] = [a for a in chat.say("agent") if isinstance(a, OpenTicket)]
    assert opened.draft.priority is priority


def test_the_ticket_says_which_guide_the_customer_read(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(GUIDES))
    chat.say(PROBLEM)
    chat.say("2")
    chat.say("no")
    [opened] = [a for a in chat.say("agent") if isinstance(a, OpenTicket)]
    assert [(g.id, g.read) for g in opened.draft.guides] == [
        (GUIDES[0].id, False),
        (GUIDES[1].id, True),
    ]


def test_asking_for_a_person_over_the_guides_offered_records_a_gap(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(GUIDES))
    chat.say(PROBLEM)
    actions = chat.say("agent")
    assert RecordGap(text=PROBLEM, kind=chat.state.kind, reason="not_helpful") in actions
    assert any(isinstance(a, OpenTicket) for a in actions)


@pytest.mark.parametrize(
    "words", ["just open a ticket please", "Create a ticket", "I want a ticket now", "just file it"]
)
def test_asking_for_the_ticket_opens_it_now(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    actions = chat.say(words)
    assert any(isinstance(a, OpenTicket) for a in actions)
    assert not chat.state.details


def ticketed(policy: Policy, at: datetime = OPEN) -> Driver:
    chat = Driver(policy, at=at)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=at))
    return chat


def test_after_the_ticket_cancel_and_agent_explain_and_restart_finishes(policy: Policy) -> None:
    chat = ticketed(policy)
    assert "passed that on to your ticket MCP-1001" in chat.reply("cancel")
    assert "already with the support team" in chat.reply("agent")
    assert "stays open" in chat.reply("restart")
    assert chat.state.step is Step.CLOSED


def test_an_agent_closing_the_ticket_finishes_the_conversation(policy: Policy) -> None:
    chat = ticketed(policy)
    assert chat.feed(TicketClosed(at=OPEN)) == []
    assert chat.state.finished


def test_another_language_gets_a_polite_english_note_and_intake_goes_on(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("hi")
    text = chat.reply("Bonjour, je ne peux pas recevoir les paiements avec PayPal sur ma boutique")
    assert "support is provided in English" in text
    assert chat.state.step is Step.GUIDES


def test_the_problem_said_again_in_english_joins_it_not_the_error(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Bonjour, mon paiement ne fonctionne pas")
    english = "sorry, english: customers cannot pay with credit card, the button does nothing"
    text = chat.reply(english)
    assert chat.state.problem == f"Bonjour, mon paiement ne fonctionne pas. {english}"
    assert chat.state.details == {}
    assert text.endswith(policy.details[0].question)  # the error, asked again
    chat.say("Card declined: do_not_honor")
    assert chat.state.details == {"error_messages": "Card declined: do_not_honor"}


def test_answers_in_the_customers_language_answer_the_questions(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Bonjour, mon site ne charge plus depuis ce matin")
    chat.say("Erreur 503 Service Unavailable")
    chat.say("j'ouvre la page d'accueil")
    assert chat.state.problem == "Bonjour, mon site ne charge plus depuis ce matin"
    assert chat.state.details == {
        "error_messages": "Erreur 503 Service Unavailable",
        "steps_to_reproduce": "j'ouvre la page d'accueil",
    }


@pytest.mark.parametrize(
    "problem", ["注文確認メールがお客様に届きません", "ลูกค้าชำระเงินไม่ได้ที่หน้าเช็คเอาท์"]
)
def test_a_problem_in_a_script_without_spaces_is_a_description(
    policy: Policy, problem: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    chat.say("no error")
    assert chat.state.problem == problem
    assert chat.state.details == {"error_messages": "No error is shown."}


@pytest.mark.parametrize(
    "text",
    [
        "Привет, у меня не работает оплата в магазине",
        "我的商店无法付款，结账时出现错误",
        "Mis clientes no pueden pagar con PayPal desde esta mañana",
        "No puedo conectar mi dominio",
    ],
)
def test_other_scripts_are_recognised(policy: Policy, text: str) -> None:
    chat = Driver(policy)
    assert "support is provided in English" in chat.reply(text)


def test_pasted_english_errors_are_not_mistaken_for_another_language(policy: Policy) -> None:
    chat = Driver(policy)
    assert "in English" not in chat.reply(
        "TypeError: Cannot read properties of undefined (reading 'total') at checkout.js:42"
    )


def test_the_privacy_notice_is_given_once(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("hi")
    first = chat.reply(
        "My card [card •••• 4242] was charged twice at checkout", redacted=frozenset({"card"})
    )
    assert "removed" in first
    chat.say("no")
    second = chat.reply("still [card •••• 4242] charged", redacted=frozenset({"card"}))
    assert "removed" not in second


def test_a_huge_message_is_kept_in_the_field_up_to_the_limit_with_a_note(policy: Policy) -> None:
    chat = Driver(policy)
    text = chat.reply("checkout fails " * 5000)
    assert "kept the first 4,000 characters" in text
    assert chat.state.problem is not None and len(chat.state.problem) <= 4001


def test_control_characters_and_emoji_do_not_break_anything(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("hi")
    chat.say("\x00\x07 The 🛒 cart page \x1b[31m crashes \u202e on iPhone 📱")
    assert (
        chat.state.problem is not None
        and "\x00" not in chat.state.problem
        and "🛒" in chat.state.problem
    )


def test_a_flood_is_slowed_told_once_and_then_answers_resume(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("no")
    chat.gap = timedelta(0)
    for _ in range(8):
        chat.reply("idk")
    assert chat.reply("idk") == texts.SLOW_DOWN
    assert chat.reply('"Error 500"') == ""  # told once; the message is kept, not read
    assert chat.state.step is Step.DETAILS and "error_messages" not in chat.state.details
    chat.at += timedelta(seconds=11)
    assert "What steps lead" in chat.reply('It says "Error 500: checkout failed"')


def test_a_flood_after_the_ticket_still_reaches_the_ticket(policy: Policy) -> None:
    chat = ticketed(policy)
    chat.gap = timedelta(0)
    actions = [chat.say(f"more detail {n}") for n in range(9)]
    assert all(
        ForwardToTicket(ticket_id="MCP-1001", text=f"more detail {n}") in a
        for n, a in enumerate(actions)
    )
    assert replies(actions[-1]) == texts.SLOW_DOWN_TICKETED  # nothing to send again


def test_an_edit_in_a_flood_after_the_ticket_still_reads_as_an_edit(policy: Policy) -> None:
    chat = ticketed(policy)
    chat.gap = timedelta(0)
    for n in range(9):
        chat.say(f"more detail {n}")
    actions = chat.feed(CustomerSaid(text="It fails on Safari only", at=chat.at, edited=True))
    said = "(edited) It fails on Safari only"
    assert actions == [ForwardToTicket(ticket_id="MCP-1001", text=said)]


def test_an_old_button_clicked_in_a_flood_after_the_ticket_is_not_relayed(policy: Policy) -> None:
    chat = ticketed(policy)
    chat.gap = timedelta(0)
    for n in range(9):
        chat.say(f"more detail {n}")
    actions = chat.feed(CustomerSaid(text="1", at=chat.at, answers="guides"))
    assert actions == []  # told to slow down once already; the click goes nowhere


def test_natural_answers_carry_the_conversation(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert "exact error message" in chat.reply("none of them helped unfortunately")
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Open the shop, add to cart, checkout, pay with PayPal")
    chat.say("Pro plan, Chrome on Windows 11, PayPal")
    chat.say("yes, you can access it")
    assert chat.state.consent is True
    assert "What should “Steps to reproduce” say instead?" in chat.reply("the steps are wrong")
    chat.say("Open any product, click Buy now, choose PayPal, approve")
    assert any(isinstance(a, OpenTicket) for a in chat.say("looks good, send it"))


def test_a_guide_chosen_in_a_sentence_closes_the_conversation(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert SelfServed(guide_id="payment-declined") in chat.say("number 2 fixed it, thanks!")


@pytest.mark.parametrize(
    "opening",
    ["hi, I need help", "Hello, can someone help me please?", "hi there I have a question"],
)
def test_small_talk_is_not_taken_for_the_problem(policy: Policy, opening: str) -> None:
    chat = Driver(policy)
    assert "What can we help you with?" in chat.reply(opening)
    assert chat.state.problem is None
    assert "tell me a little more" in chat.reply("I need some help please")
    assert chat.state.problem is None


# ── questions and pleas in the customer's own words ─────────────────────────────────────────

# Monday 2026-05-18, Victoria Day, 10:00 Toronto: a weekday, closed for the holiday.
VICTORIA_DAY = datetime(2026, 5, 18, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "question",
    ["when will you answer?", "are you open today?", "When will someone get back to me?"],
)
def test_a_question_about_hours_is_answered_and_never_stored_as_an_answer(
    policy: Policy, question: str
) -> None:
    chat = Driver(policy, at=CLOSED)
    chat.say(PROBLEM)
    chat.say("no")
    text = chat.reply(question)
    assert "next support window: Monday, November 30 at 9:00 AM Eastern" in text
    assert text.endswith(policy.details[0].question)  # and the question waits, unanswered
    assert chat.state.step is Step.DETAILS and not chat.state.details


def test_in_hours_the_answer_says_until_when(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert "open right now, until Thursday, November 26 at 5:00 PM Eastern" in chat.reply(
        "what are your support hours?"
    )
    assert chat.state.step is Step.GUIDES


def test_a_first_message_asking_about_hours_is_not_taken_for_the_problem(policy: Policy) -> None:
    chat = Driver(policy, at=CLOSED)
    text = chat.reply("When will you answer?")
    assert "next support window" in text and text.endswith(texts.ASK_PROBLEM)
    assert chat.state.problem is None


@pytest.mark.parametrize("said", ["open on monday?", "are you open today? it's thanksgiving"])
def test_an_hours_question_after_the_greeting_is_no_problem(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    chat.say("hi")
    assert chat.reply(said).endswith(texts.ASK_PROBLEM)
    assert chat.state.problem is None and chat.state.step is Step.PROBLEM


def test_shortly_before_closing_the_next_window_is_said_too(policy: Policy) -> None:
    # Thursday 2026-12-24 16:30 Toronto: half an hour left, then closed until Tuesday.
    chat = Driver(policy, at=datetime(2026, 12, 24, 21, 30, tzinfo=UTC))
    text = chat.reply("are you open?")
    assert "open right now, until Thursday, December 24 at 5:00 PM Eastern" in text
    assert texts.closing_soon("Tuesday, December 29 at 9:00 AM Eastern") in text
    assert "Support closes soon" not in Driver(policy).reply("are you open?")  # at 11:00


def test_after_the_ticket_an_hours_question_is_answered_and_reaches_the_ticket(
    policy: Policy,
) -> None:
    chat = Driver(policy, at=CLOSED)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    actions = chat.say("when will you answer?")
    assert "next support window" in replies(actions)
    assert ForwardToTicket(ticket_id="MCP-1001", text="when will you answer?") in actions


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("do you guys work weekends?", "On Saturday, November 28 and Sunday, November 29"),
        ("what time do you close today?", "open right now, until Thursday, November 26 at 5"),
        ("r u open now", "open right now"),
        ("are you open on Christmas?", "On Friday, December 25, support is closed for Christmas"),
        ("and on Saturday?", "On Saturday, November 28, support is closed"),
        ("over the holidays?", "closed for: Friday, December 25, Christmas Day"),
        ("are you open on December 25?", "On Friday, December 25, support is closed"),
        ("are you open on 2026-12-24?", "On Thursday, December 24, support is open 9:00 AM"),
        ("will someone answer on the 28th of Dec?", "On Monday, December 28, support is closed"),
        ("are you open on christmas eve", "On Thursday, December 24, support is open 9:00 AM"),
        ("are you open on new year's eve?", "On Thursday, December 31, support is open"),
        ("are you open on the 28th?", "On Saturday, November 28, support is closed"),
        ("are you open on the 3rd?", "On Thursday, December 3, support is open"),
        ("open on monday?", "On Monday, November 30, support is open 9:00 AM"),
        ("are you open on easter monday?", "On Monday, March 29, 2027, support is open 9:00"),
        ("do you work on the civic holiday?", "On Monday, August 2, 2027, support is open"),
        ("what time zone are you in?", "9:00 AM to 5:00 PM Eastern"),
        ("is 9am eastern or pacific?", "9:00 AM to 5:00 PM Eastern"),
        ("when will I hear back?", "open right now, until Thursday, November 26 at 5"),
        ("will anyone look at this over the weekend?", "On Saturday, November 28"),
        ("is there an emergency line?", "Monday to Friday, 9:00 AM to 5:00 PM Eastern"),
        ("what about the 28th?", "On Saturday, November 28, support is closed"),
        ("is anyone around on Sunday?", "On Sunday, November 29, support is closed"),
        ("Will this be answered by Tuesday?", "On Tuesday, December 1, support is open"),
        ("is the team in on Monday the 30th?", "On Monday, November 30, support is open"),
        ("Is there anyone on call this weekend?", "On Saturday, November 28"),
        (
            "are you open today? it's thanksgiving",
            "On Thursday, November 26, support is open 9:00 AM to 5:00 PM Eastern. On Monday, "
            "October 11, 2027, support is closed for Thanksgiving Day.",
        ),
    ],
)
def test_more_ways_to_ask_the_hours_are_answered_not_taken_for_the_problem(
    policy: Policy, said: str, answer: str
) -> None:
    chat = Driver(policy)
    assert answer in chat.reply(said)
    assert chat.state.problem is None


def test_a_holiday_is_named_instead_of_outside_hours(policy: Policy) -> None:
    greeting = Driver(policy, at=VICTORIA_DAY).reply(PROBLEM)
    assert "today it's closed for Victoria Day" in greeting
    assert "Tuesday, May 19 at 9:00 AM Eastern" in greeting


@pytest.mark.parametrize(
    "plea",
    [
        "I want to talk to a human",
        "can I speak to a real person please",
        "talk to support",
        "I just want to talk to a person",
        "I'd rather speak with someone",
        "i really need to talk to an actual human",
        "could you get me a real person",
        "I wanna chat with an agent please",
        "just connect me to support staff",
        "escalate this",
        "let me speak to your manager",
        "operator",
        "is there anyone real here?",
        "can someone call me?",
        "agent please, urgent!!",
        "give me a real person, your bot is useless",
        "this is taking forever, can I just talk to someone?",
        "I want to talk to a real person NOW, not a bot",
    ],
)
def test_asking_for_a_person_in_any_words_opens_the_ticket_now(policy: Policy, plea: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    actions = chat.say(plea)
    assert any(isinstance(a, OpenTicket) for a in actions)
    assert not chat.state.details  # the plea was not stored as the error message


@pytest.mark.parametrize(
    "said",
    [
        "I'm not sure what you mean",
        "what do you mean exact error? I'm not very good with computers",
        "im not sure what that means",
    ],
)
def test_a_confused_customer_gets_the_question_again_with_its_example(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(said)
    assert text.startswith(texts.PUT_ANOTHER_WAY) and policy.details[0].hint in text
    assert not chat.state.details


def test_asking_for_a_call_with_a_number_is_answered_not_stored(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("can you call me instead? 416-555-0199")
    assert "the team can't call you" in text and not chat.state.details


@pytest.mark.parametrize(
    "said",
    [
        "I don't understand why checkout fails, no message at all",
        "I don't know what this means: DNS_PROBE_FINISHED_NXDOMAIN",
        "not sure what to put, it just says Something went wrong and spins",
        "Not sure what it means, the log says Row 212 invalid value",
    ],
)
def test_an_answer_that_opens_unsure_is_still_the_answer(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(said)
    assert chat.state.details


def test_a_guide_that_did_not_help_and_what_was_tried_join_the_problem_as_a_sentence(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    chat.say("My store checkout is down, customers get a 500 error")
    chat.say("1")
    chat.say("nope didnt help, i already tried private window")
    assert chat.state.problem == (
        "My store checkout is down, customers get a 500 error. i already tried private window"
    )


def test_more_about_the_problem_at_the_guide_offer_joins_it_and_keeps_any_detail(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    actions = chat.say('It still fails, the page says "Your card was declined (do_not_honor)"')
    assert any(isinstance(a, RecordGap) and a.reason == "not_helpful" for a in actions)
    assert (
        chat.state.problem
        == f'{PROBLEM}. It still fails, the page says "Your card was declined (do_not_honor)"'
    )
    assert chat.state.details["error_messages"] == "Your card was declined (do_not_honor)"
    assert replies(actions).startswith(texts.GUIDES_SKIPPED)
    assert policy.details[1].question in replies(actions)  # steps come next, in line


def test_context_at_the_guide_offer_is_not_taken_for_the_error(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    text = chat.reply("It started after I changed my theme yesterday")
    assert "error_messages" not in chat.state.details
    assert "changed my theme" in str(chat.state.problem)
    assert text.endswith(policy.details[0].question)


def test_a_question_at_the_guide_offer_is_not_taken_for_an_answer(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("does the first guide also cover PayPal Plus accounts?")
    assert chat.state.step is Step.GUIDES and not chat.state.details


@pytest.mark.parametrize("problem", ["checkout broken", "login fails"])
def test_a_two_word_problem_is_a_problem(policy: Policy, problem: str) -> None:
    chat = Driver(policy)
    chat.say(problem)
    assert chat.state.problem == problem


def test_a_plain_no_to_the_error_question_means_no_error(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("no")
    assert chat.state.details["error_messages"] == policy.details[0].none_value


def test_the_english_only_note_is_given_once(policy: Policy) -> None:
    chat = Driver(policy)
    later = "Je ne sais pas quoi faire, aidez-moi s'il vous plaît"
    assert is_clearly_not_english(later)  # else the note would be missing for another reason
    first = chat.reply("Bonjour, le paiement ne fonctionne pas sur mon site depuis ce matin")
    second = chat.reply(later)
    assert texts.NOT_ENGLISH in first and texts.NOT_ENGLISH not in second


def test_a_ticket_sent_just_before_closing_names_the_next_window_too(policy: Policy) -> None:
    # Thursday 2026-12-24 16:59:50 Toronto; the next window is Tuesday, December 29.
    chat = Driver(policy, at=datetime(2026, 12, 24, 21, 59, 50, tzinfo=UTC))
    opened = replies(chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at)))
    assert "until Thursday, December 24 at 5:00 PM Eastern" in opened
    assert "next support window: Tuesday, December 29 at 9:00 AM Eastern" in opened


# ── several answers in one message ──────────────────────────────────────────────────────────


def test_several_answers_at_once_each_land_in_their_field(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(
        "Error: none. Steps: 1) open the cart 2) click pay 3) leave the page.\n"
        "System: Pro plan, Safari on macOS, Klaviyo plugin. You may access my admin."
    )
    details = chat.state.details
    assert details["error_messages"] == policy.details[0].none_value
    assert details["steps_to_reproduce"] == "1) open the cart 2) click pay 3) leave the page"
    assert details["environment"] == "Pro plan, Safari on macOS, Klaviyo plugin"
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM


def test_without_labels_the_parts_that_are_plain_still_land(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(
        "There's no error. I'm on Pro, Safari on macOS, Klaviyo plugin. You may access my admin."
    )
    assert chat.state.details["error_messages"] == policy.details[0].none_value
    assert all(f in chat.state.details["environment"] for f in ("Pro", "Safari", "Klaviyo"))
    assert chat.state.consent is True and chat.state.step is Step.DETAILS  # steps: still asked


def test_labelled_parts_of_a_first_message_are_never_asked_again(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    text = chat.reply(
        "Checkout is broken since the update.\nSteps: add to cart, click checkout, pay with "
        'card.\nError: "card_declined (402)"'
    )
    assert chat.state.details["steps_to_reproduce"] == (
        "add to cart, click checkout, pay with card"
    )
    assert chat.state.details["error_messages"] == '"card_declined (402)"'
    assert text.endswith(policy.details[2].question)  # only the system is left to ask


@pytest.mark.parametrize(
    "sentence",
    [
        "My setup is pretty standard, but the PayPal button vanished from checkout",
        "Orders won't sync. The error is gone after a refresh but comes back every hour",
        "Delivery failed. System: mail.example.com said 550 5.1.1 user unknown",
        "I followed your guide; the steps are outdated and the Zones menu doesn't exist",
    ],
)
def test_a_label_word_inside_a_sentence_or_log_fills_nothing(policy: Policy, sentence: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(sentence)
    assert "steps_to_reproduce" not in chat.state.details
    assert "environment" not in chat.state.details


def test_a_single_answer_is_kept_whole_even_with_a_quote_in_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    answer = 'When paying by card it says "Payment declined" and then the page reloads'
    chat.say(answer)
    assert chat.state.details["error_messages"] == answer


def test_refusing_access_in_passing_is_a_no(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Checkout fails for every customer; please don't log in to my admin, I'm nervous")
    assert chat.state.consent is False


def test_an_apostrophe_is_not_a_quote(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("There's an error at checkout and it's failing for everyone, I'm stuck")
    assert "error_messages" not in chat.state.details


def test_a_yes_right_after_a_ticket_without_consent_answers_the_access_question(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    opened = replies(chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at)))
    assert opened.endswith(texts.CONSENT_LATE)
    actions = chat.say("yes")
    assert AmendTicket(ticket_id="MCP-1001", consent=True) in actions
    assert chat.state.consent is True
    assert chat.say("ok") == [ForwardToTicket(ticket_id="MCP-1001", text="ok", reopens=False)]


def test_a_later_ok_is_not_taken_for_consent(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("It also fails on my phone")
    assert not any(isinstance(a, AmendTicket) for a in chat.say("ok"))
    assert AmendTicket(ticket_id="MCP-1001", consent=False) in chat.say(
        "Please don't log in to my store, I'd rather send screenshots"
    )


# ── edits ───────────────────────────────────────────────────────────────────────────────────


def edit(chat: Driver, text: str) -> list[Action]:
    event = CustomerSaid(text=text, at=chat.at, edited=True)
    chat.at += chat.gap
    return chat.feed(event)


def test_an_edit_during_the_intake_is_not_taken_for_the_answer_to_the_question(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    before = chat.state
    text = replies(edit(chat, "Customers can't pay with PayPal or cards since this morning"))
    assert text.startswith(texts.EDITS_NOT_READ) and text.endswith(policy.details[0].question)
    assert chat.state.details == before.details and chat.state.problem == before.problem


def test_an_edit_after_the_ticket_reaches_it_marked_as_an_edit(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    actions = edit(chat, "It also fails with Apple Pay")
    assert actions[0] == ForwardToTicket(
        ticket_id="MCP-1001", text="(edited) It also fails with Apple Pay"
    )


def test_an_edit_never_starts_a_conversation(policy: Policy) -> None:
    chat = Driver(policy)
    assert edit(chat, "hello?") == []


@pytest.mark.parametrize("nothing", ["", "   ", "\u200b\u2060"])
def test_a_message_with_nothing_to_read_asks_for_words_and_keeps_the_question(
    policy: Policy, nothing: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(nothing)
    assert text.startswith(texts.TEXT_ONLY) and text.endswith(policy.details[0].question)
    assert "error_messages" not in chat.state.details
    chat.say("Customers see PAYMENT_FAILED when paying")  # the question still waits
    assert "error_messages" in chat.state.details


# ── ordinary wording the off-script readings must leave alone ──────────────────────────────


@pytest.mark.parametrize(
    "problem",
    [
        "When I try to log in today it fails",
        "I don't understand why shipping is charged twice on orders",
        "Customers can't chat with a live agent on my store anymore",
        "How long until my new domain is working?",
        "Is support for Apple Pay available on the Basic plan?",
    ],
)
def test_a_problem_that_sounds_like_a_question_to_the_bot_is_a_problem(
    policy: Policy, problem: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    actions = chat.say(problem)
    assert chat.state.problem == problem
    assert not any(isinstance(a, OpenTicket) for a in actions)


@pytest.mark.parametrize(
    "problem",
    [
        "I can't log in to my admin dashboard since this morning",
        "Someone can log into my admin without my password, I think we were hacked",
        "Customers can't access my store on mobile since the theme update",
        # permission someone else reported, not given
        "Customers say you can log in to the admin but checkout fails at the payment step",
        "My staff member says you can access the admin but not the Orders page",
    ],
)
def test_access_words_in_a_problem_are_not_consent(policy: Policy, problem: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    assert chat.state.consent is None


@pytest.mark.parametrize(
    "greeting",
    [
        "Hello, how are you?",
        "Urgent help needed",
        "Hi, I'm new here",
        "Sorry to bother you",
        "Hello, sorry to bother you.",
        "hey, thanks for your time",
    ],
)
def test_a_greeting_is_not_taken_for_the_problem(policy: Policy, greeting: str) -> None:
    chat = Driver(policy)
    assert chat.reply(greeting).endswith(texts.ASK_PROBLEM)
    assert chat.state.problem is None


@pytest.mark.parametrize(
    "aside",
    [
        "ok",
        "ok let me check",
        "Thanks, I will read these and get back to you",
        "Guide 1 is for Stripe",
    ],
)
def test_the_guide_offer_stays_open_for_ok_or_words_about_the_guides(
    policy: Policy, aside: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(aside)
    assert chat.state.step is Step.GUIDES and not chat.state.details


@pytest.mark.parametrize("unknown", ["no idea", "can't remember", "I don't remember"])
def test_not_knowing_the_error_is_asked_again_not_taken_for_no_error(
    policy: Policy, unknown: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(unknown)
    assert "error_messages" not in chat.state.details


@pytest.mark.parametrize(
    ("said", "consent"),
    [("yes please hurry", True), ("YES, but don't touch payments", True), ("no thanks", False)],
)
def test_a_yes_or_no_with_a_few_words_after_the_ticket_answers_access(
    policy: Policy, said: str, consent: bool
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say(said)
    assert chat.state.consent is consent


def test_a_yes_about_the_problem_after_the_ticket_is_not_consent(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("yes it happens every time")
    assert chat.state.consent is None


def test_a_polite_word_after_the_ticket_is_not_consent(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    assert not any(isinstance(a, AmendTicket) for a in chat.say("ok thanks"))
    assert chat.state.consent is None


def test_a_yes_with_a_condition_is_a_yes(policy: Policy) -> None:
    chat = Driver(policy)
    to_consent(chat)
    chat.say("Sure, as long as you don't change anything")
    assert chat.state.consent is True


def test_with_one_guide_an_ok_keeps_the_offer_open(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(GUIDES[:1]))
    chat.say(PROBLEM)
    chat.say("ok I'll try that")
    assert chat.state.step is Step.GUIDES
    chat.say("that worked, thanks")
    assert chat.current_step() is Step.SELF_SERVED


@pytest.mark.parametrize("done", ["I already tried those", "none of them apply to my store"])
def test_saying_the_guides_were_tried_goes_on(policy: Policy, done: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(done)
    assert chat.state.step is Step.DETAILS


def test_system_details_given_early_keep_the_whole_sentence_about_the_system(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(
        "there's no error, it just doesn't show up. I'm using Safari 17 on an iPhone 15 with "
        "iOS 17.3, Stripe connected"
    )
    assert chat.state.details["environment"] == (
        "I'm using Safari 17 on an iPhone 15 with iOS 17.3, Stripe connected"
    )


def test_system_details_in_a_sentence_about_the_error_are_kept_without_the_error(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Checkout fails with error 500 for me on Chrome 120 and Windows 11")
    assert chat.state.details["environment"] == "Chrome 120, Windows 11"


def test_a_labelled_line_goes_to_the_field_it_names(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("System: Pro plan, Chrome 120 on Windows 11")
    assert chat.state.details == {"environment": "Pro plan, Chrome 120 on Windows 11"}
    assert chat.reply("Error: PAYMENT_FAILED (504)").endswith(policy.details[1].question)
    assert chat.state.details["error_messages"] == "PAYMENT_FAILED (504)"


@pytest.mark.parametrize(
    "question", ["what do you mean by configuration?", "how do I check my version?"]
)
def test_a_question_back_at_a_detail_question_is_explained_not_stored(
    policy: Policy, question: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Open the shop, add to cart, checkout, pay with PayPal")
    assert chat.reply(question).startswith(texts.PUT_ANOTHER_WAY)
    assert "environment" not in chat.state.details


@pytest.mark.parametrize("answer", ["yes, but only read access please", "only if necessary"])
def test_a_conditional_yes_to_access_is_a_yes(policy: Policy, answer: str) -> None:
    chat = Driver(policy)
    to_consent(chat)
    chat.say(answer)
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM


def test_a_change_of_mind_on_access_after_the_ticket_is_recorded(policy: Policy) -> None:
    chat = Driver(policy)
    to_consent(chat)
    chat.say("no")
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("thanks")
    actions = chat.say("actually go ahead, you can log into the admin")
    assert AmendTicket(ticket_id="MCP-1001", consent=True) in actions


def test_a_problem_written_as_a_form_line_keeps_only_the_problem(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Problem: Customers in the EU are charged no VAT at checkout")
    assert chat.state.problem == "Customers in the EU are charged no VAT at checkout"


def test_a_detail_given_after_an_early_ticket_is_added_to_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    actions = chat.say("Error: PAYMENT_FAILED (504) on every card payment")
    amend = AmendTicket(
        ticket_id="MCP-1001",
        details={"error_messages": "PAYMENT_FAILED (504) on every card payment"},
    )
    assert amend in actions
    assert replies(actions) == (
        f"Thanks, added to ticket MCP-1001: Error messages.\n\n{texts.CONSENT_LATE}"
    )
    assert chat.say("It also fails on my phone") == [
        ForwardToTicket(ticket_id="MCP-1001", text="It also fails on my phone")
    ]


@pytest.mark.parametrize(
    "system", ["Pro plan, Chrome 120, Windows 11", "We are on the Business plan with Safari 17"]
)
def test_system_details_sent_to_the_error_question_are_kept_and_it_is_asked_again(
    policy: Policy, system: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(system)
    assert "error_messages" not in chat.state.details
    assert "plan" in chat.state.details["environment"]
    assert text.startswith(texts.NOTED_IN_PASSING) and text.endswith(policy.details[0].question)


def test_an_error_pasted_at_the_guide_offer_is_the_error_not_the_problem(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    pasted = '{"status":"error","code":"ORDER_SYNC_FAILED","message":"Order could not be synced"}'
    text = chat.reply(pasted)
    assert chat.state.details["error_messages"] == pasted and chat.state.problem == PROBLEM
    assert text.endswith(policy.details[1].question)


@pytest.mark.parametrize(
    ("first", "error"),
    [
        ('checkout gives error "card_declined" when paying with visa', "card_declined"),
        ("checkout gives error ‘card_declined’ when paying with visa", "card_declined"),
        (
            "checkout fails, it says card_declined code 402 when I pay",
            "it says card_declined code 402 when I pay",
        ),
        (
            "Hi, my domain stopped working yesterday, the store shows DNS_PROBE_FINISHED_NXDOMAIN",
            "the store shows DNS_PROBE_FINISHED_NXDOMAIN",
        ),
    ],
)
def test_an_error_code_in_the_first_message_is_not_asked_for_again(
    policy: Policy, first: str, error: str | None
) -> None:
    chat = Driver(policy, FixedGuides(()))
    text = chat.reply(first)
    assert chat.state.details["error_messages"] == (error or first)
    assert text.endswith(policy.details[1].question)


def test_an_error_naming_the_browser_is_still_the_error(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Chrome shows ERR_CONNECTION_REFUSED on Windows 11")
    assert (
        chat.state.details["error_messages"] == "Chrome shows ERR_CONNECTION_REFUSED on Windows 11"
    )


def self_served_then_back(policy: Policy, later: timedelta = timedelta(minutes=5)) -> Driver:
    """A guide solved the request; the customer writes again ``later``, as the service starts
    their next conversation."""
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("1")
    chat.say("yes")
    assert chat.state.step is Step.SELF_SERVED
    chat.at += later
    chat.state = next_conversation((chat.state, chat.at - later), chat.at)
    return chat


def cancelled_then_back(policy: Policy) -> Driver:
    """A request cancelled halfway; the customer writes again minutes later."""
    chat = Driver(policy, FixedGuides(()))
    chat.say("my tax rates for Quebec are wrong on every order")
    chat.say("no error")
    chat.say("never mind")
    assert chat.state.step is Step.CANCELLED
    chat.state = next_conversation((chat.state, chat.at), chat.at + timedelta(minutes=2))
    return chat


@pytest.mark.parametrize(
    "words", ["no wait, I still need help with the taxes", "I changed my mind", "don't cancel"]
)
def test_a_cancel_taken_back_brings_the_request_back_as_it_was(policy: Policy, words: str) -> None:
    chat = cancelled_then_back(policy)
    text = chat.reply(words)
    assert text.startswith(texts.NOT_CANCELLED) and text.endswith(policy.details[1].question)
    assert chat.state.problem == "my tax rates for Quebec are wrong on every order"
    assert chat.state.details == {"error_messages": "No error is shown."}


def test_a_cancel_at_the_guides_taken_back_offers_the_guides_again(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(GUIDES))
    chat.say(PROBLEM)
    chat.say("cancel")
    chat.state = next_conversation((chat.state, chat.at), chat.at + timedelta(minutes=2))
    text = chat.reply("no wait, I still need help")
    assert text.startswith(texts.NOT_CANCELLED) and "1. Set up PayPal" in text
    assert chat.state.step is Step.GUIDES
    chat.say("no")
    assert chat.current_step() is Step.DETAILS


def test_a_new_request_after_a_cancel_starts_afresh(policy: Policy) -> None:
    chat = cancelled_then_back(policy)
    chat.say("our product images stopped loading after the theme update")
    assert chat.state.problem == "our product images stopped loading after the theme update"
    assert chat.state.details == {} and not chat.state.after_cancel


@pytest.mark.parametrize(
    "words",
    [
        "Hi, different issue: my shipping rates are missing for Canada, it doesn't work",
        "Now the product images are not loading on the storefront",
    ],
)
def test_a_new_problem_after_a_guide_helped_is_a_new_request(policy: Policy, words: str) -> None:
    chat = self_served_then_back(policy)
    actions = chat.say(words)
    assert not any(isinstance(a, RecordGap) and a.reason == "not_helpful" for a in actions)
    assert texts.NOT_SOLVED_AFTER_ALL not in replies(actions)
    assert chat.state.problem is not None and "PayPal" not in chat.state.problem


@pytest.mark.parametrize("answer", ["yes thanks", "yes, thank you"])
def test_yes_thanks_after_reading_a_guide_means_it_solved_it(policy: Policy, answer: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("1")
    chat.say(answer)
    assert chat.state.step is Step.SELF_SERVED


@pytest.mark.parametrize("said", ["1 and 2", "can I see both 1 and 2?", "1, 2 please"])
def test_several_guides_picked_at_once_are_shown_together(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    text = chat.reply(said)
    assert "The whole of Set up PayPal." in text and "The whole of Payments declined." in text
    assert text.endswith(texts.GUIDES_SOLVED_ASK)
    assert chat.state.problem == PROBLEM and chat.state.step is Step.GUIDES


def test_a_guide_number_not_offered_is_explained(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert chat.reply("5") == texts.no_such_guide(2)
    assert chat.state.step is Step.GUIDES and chat.state.problem == PROBLEM


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("the declined one", "Payments declined"),
        ("the one about PayPal", "Set up PayPal"),
        ("the last one", "Payments declined"),
        ("the first one", "Set up PayPal"),
    ],
)
def test_a_guide_picked_by_a_few_of_its_words_is_shown(
    policy: Policy, said: str, shown: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    assert f"The whole of {shown}." in chat.reply(said)


@pytest.mark.parametrize(
    "words",
    [
        "no it did not help after all",
        "it still doesn't work",
        "it still doesn’t work",
        "nope",
        "it's back",
    ],
)
def test_a_guide_that_did_not_help_after_all_continues_the_same_request(
    policy: Policy, words: str
) -> None:
    chat = self_served_then_back(policy)
    actions = chat.say(words)
    assert any(isinstance(a, RecordGap) and a.reason == "not_helpful" for a in actions)
    text = replies(actions)
    assert texts.NOT_SOLVED_AFTER_ALL in text and text.endswith(policy.details[0].question)
    assert chat.state.problem == PROBLEM and chat.state.step is Step.DETAILS


def test_why_a_guide_did_not_help_after_all_joins_the_problem(policy: Policy) -> None:
    chat = self_served_then_back(policy)
    said = "hmm actually it didn't help after all, the PayPal button doesn't show up at all"
    chat.say(said)
    assert chat.state.problem == f"{PROBLEM}. {said}"
    assert chat.state.step is Step.DETAILS


def test_thanks_after_a_guide_is_welcomed_and_a_new_problem_starts_afresh(policy: Policy) -> None:
    chat = self_served_then_back(policy)
    assert chat.reply("thanks!") == texts.YOU_ARE_WELCOME
    text = chat.reply("My shipping rates disappeared from the checkout page")
    assert text.startswith("Hi!") and "guides may solve it" in text
    assert chat.state.problem == "My shipping rates disappeared from the checkout page"


def test_a_day_later_the_solved_request_is_not_continued(policy: Policy) -> None:
    chat = self_served_then_back(policy, later=timedelta(days=2))
    assert not chat.state.after_guide and chat.state.problem is None


@pytest.mark.parametrize(
    "question", ["what do you need from me?", "What information do you need", "how does this work?"]
)
def test_asking_what_is_needed_first_gets_the_question_not_a_ticket(
    policy: Policy, question: str
) -> None:
    chat = Driver(policy)
    text = chat.reply(question)
    assert text.endswith(texts.ASK_PROBLEM) and chat.state.problem is None


def test_asking_the_hours_first_in_hours_is_answered_with_the_greeting(policy: Policy) -> None:
    text = Driver(policy).reply("when are you open?")
    assert "open right now" in text
    assert text.endswith(texts.ASK_PROBLEM)


@pytest.mark.parametrize(
    "question", ["is it a holiday today?", "why is nobody answering? holiday?"]
)
def test_a_holiday_question_is_an_hours_question(policy: Policy, question: str) -> None:
    chat = Driver(policy, at=VICTORIA_DAY)
    chat.say(PROBLEM)
    assert "Victoria Day" in chat.reply(question)


def test_a_question_about_the_access_question_explains_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    for answer in ("card_declined", "click pay", "Pro plan, Chrome 120, Windows 11"):
        chat.say(answer)
    assert chat.state.step is Step.CONSENT
    assert texts.CONSENT_EXPLAINED in chat.reply("who will access it?")
    chat.say("of course")
    assert chat.state.consent is True


@pytest.mark.parametrize(
    "words", ["status MCP-1002", "what is the status of my ticket", "any update on MCP-1001?"]
)
def test_asking_after_tickets_in_other_words_lists_them(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    assert LookUpTickets() in chat.say(words)
    assert not chat.state.details


def test_another_problem_after_the_ticket_is_forwarded_and_restart_is_offered(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("one more thing: it fails on Safari too")
    actions = chat.say("I have a different problem now: my shipping rates are missing")
    assert any(isinstance(a, ForwardToTicket) for a in actions)
    assert "type restart" in replies(actions)


def test_a_ticket_opened_before_the_problem_takes_the_next_description_as_it(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    chat.say("hi")
    chat.say("can I talk to a real person?")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    description = "my paypal checkout shows error 504 for all customers"
    actions = chat.say(description)
    amend = AmendTicket(ticket_id="MCP-1001", problem=description, kind="troubleshooting")
    assert amend in actions
    assert "added to ticket MCP-1001: Problem" in replies(actions)
    later = chat.say("It also happens with Stripe since this morning")
    assert not any(isinstance(a, AmendTicket) for a in later)  # the problem is set once


def test_steps_labelled_in_the_problem_are_not_asked_for_again(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(
        "My coupon codes don't apply at checkout. To reproduce: go to the store, add a product, "
        "enter SAVE10 at checkout"
    )
    chat.say("Invalid coupon code")
    assert chat.state.details["steps_to_reproduce"] == (
        "go to the store, add a product, enter SAVE10 at checkout"
    )
    assert chat.state.step is Step.DETAILS and "environment" not in chat.state.details


def test_a_form_filled_line_by_line_lands_field_by_field(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say(f"Problem: {PROBLEM}")
    for line in (
        "Error: no error",
        "Access: yes",
        "Steps: open the shop, add to cart, pay with PayPal",
        "System: Pro plan, Chrome 120 on Windows 11",
    ):
        chat.say(line)
    assert chat.state.details == {
        "error_messages": "No error is shown.",
        "steps_to_reproduce": "open the shop, add to cart, pay with PayPal",
        "environment": "Pro plan, Chrome 120 on Windows 11",
    }
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM


def test_the_kind_menu_takes_a_labelled_answer_and_send_sends(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("change the kind")
    assert chat.state.step is Step.EDIT
    chat.say("kind: installation")
    assert chat.state.kind == "installation-setup" and chat.current_step() is Step.CONFIRM
    chat.say("1")
    assert chat.state.step is Step.EDIT
    assert any(isinstance(a, OpenTicket) for a in chat.say("send"))


def test_change_a_field_to_a_value_in_one_message(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("change the kind to installation")
    assert chat.state.kind == "installation-setup" and chat.state.step is Step.CONFIRM


def click(chat: Driver, choice: Choice) -> list[Action]:
    """A press of ``choice``'s button, as an adapter hands it over."""
    value, prompt = clicked(choice.button_value())
    return chat.feed(CustomerSaid(text=value, at=chat.at, answers=prompt))


def test_a_button_on_an_earlier_message_is_not_taken_for_the_current_answer(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    [offer] = [a for a in chat.say(PROBLEM) if isinstance(a, Reply)]
    chat.say("no")
    actions = click(chat, offer.choices[0])  # guide 1, pressed at the error question
    assert replies(actions).startswith(texts.OLD_BUTTON)
    assert replies(actions).endswith(policy.details[0].question)
    assert chat.state.step is Step.DETAILS and not chat.state.details

    for answer in ("card_declined", "click pay", "Pro plan, Chrome 120, Windows 11"):
        chat.say(answer)
    [question] = [a for a in chat.actions if isinstance(a, Reply)][-1:]
    yes = next(c for c in question.choices if c.value == "yes")
    click(chat, yes)  # the button of the question asked now works
    assert chat.state.consent is True and chat.current_step() is Step.CONFIRM
    assert texts.OLD_BUTTON in replies(click(chat, yes))  # and only for that question


def test_send_clicked_twice_opens_one_ticket_and_says_nothing_more(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    for answer in ("card_declined", "click pay", "Pro plan, Chrome 120, Windows 11", "yes"):
        chat.say(answer)
    [summary] = [a for a in chat.actions if isinstance(a, Reply)][-1:]
    [send] = summary.choices
    assert any(isinstance(a, OpenTicket) for a in click(chat, send))
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    assert click(chat, send) == []


def test_the_holidays_before_the_next_window_are_named(policy: Policy) -> None:
    christmas_eve = datetime(2026, 12, 24, 22, 30, tzinfo=UTC)  # 5:30 PM Eastern, Thursday
    greeting = Driver(policy, at=christmas_eve).reply(PROBLEM)
    assert "it's outside those hours now" in greeting
    assert (
        "next support window: Tuesday, December 29 at 9:00 AM Eastern. "
        "Before then, support is closed for Christmas Day and Boxing Day (observed)."
    ) in greeting


@pytest.mark.parametrize(
    "answer",
    [
        "yes but don't touch payments",
        "only read-only access please",
        "sure, as long as you don't change anything",
        "as long as you don't touch payments",
        "only if you don't change anything",
        "you can look but don't change anything",
    ],
)
def test_a_yes_with_conditions_keeps_them_for_the_summary_and_the_ticket(
    policy: Policy, answer: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    for detail in ("card_declined", "click pay", "Pro plan, Chrome 120, Windows 11"):
        chat.say(detail)
    summary = chat.reply(answer)
    assert chat.state.consent is True
    assert f"Access consent: yes, with conditions: “{answer}”" in summary
    [opened] = [a for a in chat.say("send") if isinstance(a, OpenTicket)]
    assert opened.draft.consent_terms == answer


@pytest.mark.parametrize(("answer", "consent"), [("oui", True), ("sí", True), ("non", False)])
def test_yes_and_no_in_french_or_spanish_answer_the_access_question(
    policy: Policy, answer: str, consent: bool
) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is consent and chat.state.step is Step.CONFIRM


@pytest.mark.parametrize("answer", ["I don't mind", "we dont mind at all"])
def test_not_minding_is_a_plain_yes(policy: Policy, answer: str) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is True and chat.state.consent_terms is None


def test_a_plain_yes_has_no_conditions(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert chat.state.consent is True and chat.state.consent_terms is None


@pytest.mark.parametrize(
    ("words", "answer", "reopens"),
    [
        ("never mind, it works now", "passed that on to your ticket MCP-1001", False),
        ("agent", "already with the support team", True),
        ("any news?", None, False),  # answered by the lookup's list of tickets
    ],
)
def test_commands_after_the_ticket_are_answered_and_reach_the_agent(
    policy: Policy, words: str, answer: str | None, reopens: bool
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    actions = chat.say(words)
    # Withdrawing the request or asking for news never reopens a resolved or pending ticket.
    assert actions[0] == ForwardToTicket(ticket_id="MCP-1001", text=words, reopens=reopens)
    if answer is None:
        assert actions[1:] == [LookUpTickets()]
    else:
        assert answer in replies(actions)


def test_the_access_question_asked_again_after_details_takes_a_plain_yes(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    amended = chat.reply('It says "PAYMENT_FAILED: gateway timeout"')
    assert amended.endswith(texts.CONSENT_LATE)
    assert AmendTicket(ticket_id="MCP-1001", consent=True) in chat.say("yes")
    assert chat.state.consent is True and not chat.state.access_asked


def at_the_access_question(policy: Policy) -> Driver:
    chat = Driver(policy)
    to_details(chat)
    for detail in ("card_declined", "click pay", "Pro plan, Chrome 120, Windows 11"):
        chat.say(detail)
    assert chat.state.step is Step.CONSENT
    return chat


@pytest.mark.parametrize(
    "words", ["can you tell me who will access my store?", "can I say no?", "send"]
)
def test_only_an_answer_answers_the_access_question(policy: Policy, words: str) -> None:
    chat = at_the_access_question(policy)
    chat.say(words)
    assert chat.state.consent is None and chat.state.step is Step.CONSENT


@pytest.mark.parametrize(
    ("words", "guide_id"),
    [
        ("Set up PayPal", "setup-paypal"),
        ("2. Payments declined", "payment-declined"),
        ("let me try 2", "payment-declined"),
        ("option two", "payment-declined"),
    ],
)
def test_a_guide_named_or_numbered_in_other_words_is_shown(
    policy: Policy, words: str, guide_id: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(words)
    assert chat.state.shown_guide == guide_id and chat.state.step is Step.GUIDES


@pytest.mark.parametrize(
    "words", ["ok I'll try that", "ok I’ll try that", "can you explain step 5?"]
)
def test_trying_or_asking_about_a_guide_is_not_being_helped_by_it(
    policy: Policy, words: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("1")
    chat.say(words)
    assert chat.state.step is Step.GUIDES and not chat.state.finished


def test_thanks_after_the_ticket_is_welcomed_and_reaches_the_agent(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    actions = chat.say("thanks so much!")
    assert ForwardToTicket(ticket_id="MCP-1001", text="thanks so much!", reopens=False) in actions
    assert replies(actions) == texts.YOU_ARE_WELCOME
    assert "type restart" in chat.reply("can I open another ticket?")


def test_the_guide_search_reads_what_is_wrong_not_the_system_or_access(policy: Policy) -> None:
    guides = FixedGuides()
    chat = Driver(policy, guides)
    chat.say(
        "Hi, my Stripe payments are failing since yesterday. I'm on the Pro plan using Chrome "
        "on Windows 11 and you may log in to my admin if needed"
    )
    assert guides.queries == ["My Stripe payments are failing since yesterday."]
    assert chat.state.consent is True and "Pro plan" in chat.state.details["environment"]


@pytest.mark.parametrize(
    ("said", "searched"),
    [
        (
            "She was charged twice on card [card •••• 4444], [security code removed], order 2231",
            "She was charged twice on card, order 2231",
        ),
        ("My password is [password removed], I can't log in", ", I can't log in"),
    ],
)
def test_the_guide_search_drops_a_secret_and_a_clause_only_about_it(
    policy: Policy, said: str, searched: str
) -> None:
    guides = FixedGuides()
    chat = Driver(policy, guides)
    chat.say(said, redacted=frozenset({"card"}))
    assert guides.queries == [searched]


@pytest.mark.parametrize(
    ("said", "searched"),
    [
        ("my paypal isn't working on Windows 11", "my paypal isn't working"),
        ("PayPal not working, Pro plan, Chrome 131 on Windows 11", "PayPal not working"),
        ("checkout fails in Safari 17 on my iPhone 15", "checkout fails"),
        ("How do I cancel my Pro plan", "How do I cancel my Pro plan"),
        ("Is Safari supported for the admin?", "Is Safari supported for the admin?"),
    ],
)
def test_the_guide_search_leaves_out_the_system_named_in_passing(
    policy: Policy, said: str, searched: str
) -> None:
    guides = FixedGuides()
    Driver(policy, guides).say(said)
    assert guides.queries == [searched]


def test_the_guide_search_skips_email_and_web_addresses(policy: Policy) -> None:
    guides = FixedGuides()
    chat = Driver(policy, guides)
    chat.say("I can't log in as bob@shop.ca at https://shop.example.com/admin since the update")
    assert guides.queries == ["I can't log in as at since the update"]


def test_a_request_filled_in_like_a_form_in_one_message_lands_field_by_field(
    policy: Policy,
) -> None:
    chat = Driver(policy, FixedGuides(()))
    text = chat.reply(
        "Problem: tax not calculated for Quebec orders. Error: none shown. Steps: add a product, "
        "ship to Montreal, check out. System: Pro plan, Safari 17 on macOS Sonoma. Access: yes"
    )
    assert chat.state.problem == "tax not calculated for Quebec orders"
    assert chat.state.details == {
        "error_messages": "No error is shown.",
        "steps_to_reproduce": "add a product, ship to Montreal, check out",
        "environment": "Pro plan, Safari 17 on macOS Sonoma",
    }
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM
    assert "Here's your request" in text


def test_an_answer_corrected_mid_intake_changes_that_field_and_the_intake_goes_on(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("no error")
    text = chat.reply('sorry, the error is actually "SMTP 550 mailbox unavailable"')
    assert chat.state.details == {"error_messages": '"SMTP 550 mailbox unavailable"'}
    assert text.startswith(texts.CORRECTED) and text.endswith(policy.details[1].question)
    chat.say("place an order, wait, no email arrives")
    assert chat.state.details["steps_to_reproduce"] == "place an order, wait, no email arrives"


def test_the_summary_takes_a_correction_and_a_refusal_in_plain_words(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    summary = chat.reply('sorry, the error is actually "This code has expired"')
    assert chat.state.details["error_messages"] == '"This code has expired"'
    assert chat.state.step is Step.CONFIRM and "This code has expired" in summary
    chat.say("actually I don't want you accessing my store")
    assert chat.state.consent is False and chat.state.step is Step.CONFIRM


FRIDAY_EVENING = datetime(2026, 11, 27, 21, 58, tzinfo=UTC)  # 4:58 PM Eastern


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "are you open tomorrow?",
            "On Saturday, November 28, support is closed. The next support window after that: "
            "Monday, November 30 at 9:00 AM Eastern.",
        ),
        (
            "is anyone there this weekend?",
            "On Saturday, November 28 and Sunday, November 29, support is closed.",
        ),
        ("are you open on Monday?", "On Monday, November 30, support is open 9:00 AM to 5:00 PM"),
    ],
)
def test_an_hours_question_about_another_day_is_answered_for_that_day(
    policy: Policy, question: str, answer: str
) -> None:
    chat = Driver(policy, at=FRIDAY_EVENING)
    chat.say(PROBLEM)
    assert answer in chat.reply(question)


def test_the_holidays_ahead_are_listed_by_name_and_date(policy: Policy) -> None:
    chat = Driver(policy, at=datetime(2026, 12, 24, 17, 0, tzinfo=UTC))
    chat.say(PROBLEM)
    text = chat.reply("are you open over the holidays?")
    assert "Friday, December 25, Christmas Day; Monday, December 28, Boxing Day (observed)" in text


def test_a_file_alone_is_kept_and_the_problem_is_still_asked_for_in_words(
    policy: Policy,
) -> None:
    chat = Driver(policy, FixedGuides(()))
    screenshot = "[attachment: error.png https://files.example/error.png]"
    assert chat.reply(screenshot).endswith(texts.FILE_NEEDS_WORDS)
    assert chat.state.problem is None and chat.state.step is Step.PROBLEM
    chat.say("The checkout page shows this error since this morning")
    assert chat.state.problem == (
        f"The checkout page shows this error since this morning\n{screenshot}"
    )


@pytest.mark.parametrize(
    ("answer", "consent"),
    [
        ("yes, actually no", False),
        ("yes. sorry, I mean no", False),
        ("no, sorry, I meant yes", True),
        ("no problem, go ahead", True),
        ("not a problem", True),
        ("yes, no payments though", True),
    ],
)
def test_the_access_answer_someone_settles_on_is_the_one_kept(
    policy: Policy, answer: str, consent: bool
) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is consent and chat.state.step is Step.CONFIRM


def test_steps_that_start_with_logging_in_are_steps_not_consent(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("card_declined")
    chat.say("You can log in to the admin and open Orders, then click Export")
    assert chat.state.consent is None and chat.state.step is Step.DETAILS


@pytest.mark.parametrize(
    "words", ["never mind", "cancel", "stop", "no, leave it", "oh sorry, keep it as it is"]
)
def test_giving_up_a_change_keeps_the_field_and_the_request(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = dict(chat.state.details)
    chat.say("3")
    assert chat.state.step is Step.EDIT
    summary = chat.reply(words)
    assert chat.current_step() is Step.CONFIRM and chat.state.details == before
    assert "Here's your request" in summary


@pytest.mark.parametrize("words", ["nvm, open orders then export", "NVM, Chrome on macOS"])
def test_nvm_followed_by_an_answer_is_the_answer(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say(words)
    assert chat.state.step is Step.DETAILS and chat.state.details  # kept, not cancelled


def test_steps_that_say_i_have_to_check_are_steps(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Error 504")
    chat.say("I have to check the box and click pay")
    assert chat.state.details["steps_to_reproduce"] == "I have to check the box and click pay"


@pytest.mark.parametrize(
    "words",
    [
        "hold on",
        "give me a minute",
        "let me check and come back",
        "one sec",
        "sorry I got pulled away",
        "give me a minute, I'm checking",
        "hold on let me look",
        "I'm not at my computer right now",
        "I'll have to check with my web guy and come back",
    ],
)
def test_asking_for_a_moment_stores_nothing(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    assert chat.reply(words) == texts.NO_RUSH
    assert not chat.state.details


@pytest.mark.parametrize("words", ["ok", "ok, reading it now", "alright"])
def test_ok_to_a_guide_on_screen_is_not_solved(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say("1")
    chat.say(words)
    assert chat.state.step is Step.GUIDES
    assert SelfServed(guide_id="setup-paypal") in chat.say("yep")


@pytest.mark.parametrize(
    "steps",
    [
        "Actually, the error is shown only when I export as CSV: open Orders, Export, CSV",
        "Sorry, the error is shown after: open Orders, click Export",
        # Words that also grant access, here about the store's own pages and boxes.
        "Don't check the newsletter box, add a product, click pay",
        "Do not use a coupon; add any product and pay",
        "Open the store, add a product, you can use my test card 4242 to pay",
        "Add a product and pay. You can check the result in my orders list",
    ],
)
def test_steps_that_describe_the_error_or_the_store_are_steps(policy: Policy, steps: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Error 500: Internal Server Error")
    chat.say(steps)
    assert chat.state.details == {
        "error_messages": "Error 500: Internal Server Error",
        "steps_to_reproduce": steps,
    }
    assert chat.state.consent is None


def test_a_greeting_is_not_part_of_the_problem_the_ticket_keeps(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Hi, good morning! customers get an error when they pay with PayPal")
    assert chat.state.problem == "Customers get an error when they pay with PayPal"


@pytest.mark.parametrize(
    "said",
    [
        "Sorry to bother you, how do I set up PayPal?",
        "quick question: how do I set up PayPal?",
        "Thanks for the help earlier, now I need to set up PayPal",
    ],
)
def test_pleasantries_before_the_problem_stay_out_of_the_guide_search(
    policy: Policy, said: str
) -> None:
    guides = FixedGuides()
    Driver(policy, guides).say(said)
    assert guides.queries[0] in {"How do I set up PayPal?", "I need to set up PayPal"}


def test_a_goodbye_after_the_ticket_reaches_the_agent_and_is_answered(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    assert chat.say("bye") == [
        ForwardToTicket(ticket_id="MCP-1001", text="bye", reopens=False),
        Reply(text=texts.bye_with_ticket("MCP-1001")),
    ]


@pytest.mark.parametrize(
    "said",
    [
        "close it",
        "cancel my ticket",
        "never mind, fixed it",
        "all good now",
        "scratch that, it was my mistake",
        "delete my ticket",
    ],
)
def test_asking_to_close_the_ticket_is_told_to_the_agent_and_answered(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("thanks")
    actions = chat.say(said)
    assert ForwardToTicket(ticket_id="MCP-1001", text=said, reopens=False) in actions
    assert replies(actions) == texts.CANCEL_AFTER_TICKET.format(ticket_id="MCP-1001")


def test_asking_to_delete_something_after_the_ticket_reaches_the_agent_and_is_answered(
    policy: Policy,
) -> None:
    chat = ticketed(policy)
    said = "please delete the part about my password"
    actions = chat.say(said)
    assert ForwardToTicket(ticket_id="MCP-1001", text=said) in actions
    assert replies(actions) == texts.about_the_chat("data", policy)


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        ("Hi there, my shipping rates are wrong", "My shipping rates are wrong"),
        ("Hey guys, the checkout is broken", "The checkout is broken"),
    ],
)
def test_a_greeting_with_its_address_is_left_out_of_the_problem(
    policy: Policy, said: str, problem: str
) -> None:
    chat = Driver(policy)
    chat.say(said)
    assert chat.state.problem == problem


def test_system_details_in_passing_keep_the_mac_and_the_plan(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("no error, also I'm on Chrome on a Mac, Growth plan")
    assert chat.state.details["environment"] == "Growth plan, Chrome, Mac"


@pytest.mark.parametrize(
    "said",
    [
        "I'm really frustrated nobody answered",
        "can you escalate this? it's been 5 days",
        "why is nobody answering",
        "hello? anyone?",
        "it's been 2 days!!",
    ],
)
def test_waiting_for_an_answer_is_told_when_it_comes(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("send")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("thanks")
    actions = chat.say(said)
    assert ForwardToTicket(ticket_id="MCP-1001", text=said) in actions
    assert "An agent will answer your ticket MCP-1001 here" in replies(actions)


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        ("My PayPal checkout fails, can I talk to a person?", "My PayPal checkout fails"),
        (
            "I'd like to speak to someone: checkout fails with PAYMENT_FAILED",
            "checkout fails with PAYMENT_FAILED",
        ),
        ("Give me a real person, my checkout is down", "my checkout is down"),
        ("agent please, our checkout is broken", "our checkout is broken"),
        ("I want to talk to a real person NOW, my store is offline", "my store is offline"),
        (
            "just open a ticket, my payouts from Stripe haven't arrived for 2 weeks",
            "my payouts from Stripe haven't arrived for 2 weeks",
        ),
        ("I want a human. Payouts from Stripe are missing", "Payouts from Stripe are missing"),
        ("agent please - checkout is down for everyone", "checkout is down for everyone"),
        ("My checkout is down, just open a ticket", "My checkout is down"),
        ("please escalate, refunds are failing", "refunds are failing"),
        ("Payout problem. I want a human", "Payout problem"),
    ],
)
def test_a_plea_for_a_person_with_the_problem_in_it_opens_a_ticket_that_says_it(
    policy: Policy, said: str, problem: str
) -> None:
    chat = Driver(policy)
    chat.say("hi")
    [opened] = [a for a in chat.say(said) if isinstance(a, OpenTicket)]
    assert opened.draft.problem == problem


@pytest.mark.parametrize(
    "said",
    [
        "I need support, my checkout is broken",
        "My staff agent can't log in, please help",
        "Hi, the agent dashboard shows a blank page",
        "Someone, maybe a former staff member, changed all my prices overnight",
        "The manager, Tom, can't log in to the admin",
        "Your agent, Sarah, told me the refund was done but it never arrived",
        "I need a manager account, how do I give my assistant permission to edit orders?",
    ],
)
def test_words_about_support_or_agents_in_a_problem_are_no_plea(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    assert not [a for a in chat.say(said) if isinstance(a, OpenTicket)]
    assert chat.state.problem is not None and chat.state.step is Step.GUIDES


@pytest.mark.parametrize(
    "plea", ["I want to talk to a real person NOW, not a bot", "I want a human, not a bot!"]
)
def test_an_impatient_plea_alone_leaves_the_problem_to_the_next_message(
    policy: Policy, plea: str
) -> None:
    chat = Driver(policy)
    [opened] = [a for a in chat.say(plea) if isinstance(a, OpenTicket)]
    assert opened.draft.problem == "(not described yet)"
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    chat.say("the checkout page is blank white since 8am, we are losing sales")
    assert chat.state.problem == "the checkout page is blank white since 8am, we are losing sales"


@pytest.mark.parametrize(
    "answer",
    [
        "sure, no problem",
        "ok, no problem",
        "that's no problem",
        "that’s no problem",
        "yes, no problem",
        "No problem!",
        "No objection",
    ],
)
def test_no_problem_is_a_plain_yes(policy: Policy, answer: str) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is True and chat.state.consent_terms is None


def test_a_sarcastic_yeah_right_to_the_access_question_is_asked_again(policy: Policy) -> None:
    chat = at_the_access_question(policy)
    chat.say("yeah right")
    assert chat.state.consent is None and chat.state.step is Step.CONSENT


@pytest.mark.parametrize("answer", ["yeah no", "yeah, nah"])
def test_a_casual_no_to_the_access_question_is_a_no(policy: Policy, answer: str) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is False and chat.state.consent_terms is None


@pytest.mark.parametrize("answer", ["feel free to check whatever you need", "feel free"])
def test_feel_free_answers_the_access_question(policy: Policy, answer: str) -> None:
    chat = at_the_access_question(policy)
    chat.say(answer)
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM


def test_access_given_at_another_question_is_kept_and_that_question_asked_again(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("you can log in to my admin if needed")
    assert chat.state.consent is True and not chat.state.details
    assert text.endswith(policy.details[0].question)
    chat.say("ERR_77")
    assert chat.state.details == {"error_messages": "ERR_77"}


def test_access_said_with_system_details_keeps_only_its_own_words(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("card_declined")
    chat.say("click pay")
    chat.say("Pro plan, self-hosted, Chrome on Windows; you can log in to my admin if needed")
    assert chat.state.consent is True and chat.state.consent_terms is None
    assert chat.state.details["environment"].startswith("Pro plan, self-hosted")


@pytest.mark.parametrize(
    "said",
    [
        "I DONT KNOW THE ERROR, YOU TELL ME, ITS YOUR SYSTEM",
        "how should I know?? you host it",
        "i dont know what plan im on",
        "I guess so",
        "It says...",
    ],
)
def test_not_knowing_is_no_answer_and_the_question_is_asked_again(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(said)
    assert not chat.state.details and policy.details[0].hint in text


@pytest.mark.parametrize(
    "said",
    [
        "like i said above",
        "I already told you",
        "same as before",
        "I just pasted it above",
        "i already told you the error in my first message",
    ],
)
def test_an_answer_said_to_be_elsewhere_is_asked_for_here(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(said)
    assert not chat.state.details and text == texts.say_it_here(policy.details[0])


@pytest.mark.parametrize(
    ("said", "then"),
    [
        ("what error? I'm asking a question", []),  # says it for the steps too
        ("it's a question", ["it's a how to question"]),
    ],
)
def test_a_how_to_question_has_no_error_and_nothing_to_reproduce(
    policy: Policy, said: str, then: list[str]
) -> None:
    chat = Driver(policy)
    chat.say("how do I export my customers emails to a csv file")
    chat.say("no")
    chat.say(said)
    assert chat.state.details["error_messages"] == "No error is shown."
    assert ("steps_to_reproduce" in chat.state.details) is not bool(then)
    for answer in then:
        chat.say(answer)
    assert chat.state.details["steps_to_reproduce"] == "Nothing to reproduce."


def test_saying_how_the_problem_is_describes_it_and_keeps_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("card_declined")
    said = "Sorry, the problem is easy to reproduce: add any item, go to checkout, pay with Visa"
    chat.say(said)
    assert chat.state.problem == PROBLEM and chat.state.details["steps_to_reproduce"] == said


def test_a_first_answer_worded_as_a_correction_is_no_correction(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply('Actually the error says "Invalid SKU on row 12"')
    assert chat.state.details["error_messages"] == '"Invalid SKU on row 12"'
    assert not text.startswith(texts.CORRECTED)


def test_the_problem_changed_halfway_is_added_to_the_problem_not_an_answer(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("wait, actually the problem is my refunds, not discounts")
    assert (
        chat.state.problem == f"{PROBLEM}. wait, actually the problem is my refunds, not discounts"
    )
    assert chat.state.details == {} and text.startswith(texts.CORRECTED)


@pytest.mark.parametrize(
    "said",
    [
        "Sorry, the issue is costing me sales, customers are leaving",
        "Actually the problem is really hurting my business, please hurry",
    ],
)
def test_a_remark_about_the_problem_adds_to_it_and_keeps_its_kind(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    kind = chat.state.kind
    chat.say(said)
    assert chat.state.problem == f"{PROBLEM}. {said}"
    assert chat.state.kind == kind


def test_a_remark_after_a_problem_that_ends_a_sentence_is_not_doubly_stopped(
    policy: Policy,
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Checkout fails with error 500 for every customer.")
    chat.say("Sorry, the issue is costing me sales")
    assert chat.state.problem == (
        "Checkout fails with error 500 for every customer. Sorry, the issue is costing me sales"
    )


def test_saying_how_the_system_is_corrects_no_field(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    said = "Sorry, the system is slow so I can't copy it, it just says Timeout"
    chat.say(said)
    assert chat.state.details == {"error_messages": said}


def test_a_problem_narrowed_down_halfway_keeps_what_it_said_before(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("Our payments are being declined for every customer since 2pm, we're losing sales")
    chat.say("no")
    said = "wait, the problem is actually that only Stripe card payments fail, paypal works"
    assert chat.reply(said).startswith(texts.CORRECTED)
    assert chat.state.problem is not None
    assert "since 2pm, we're losing sales" in chat.state.problem
    assert chat.state.problem.endswith(said)


@pytest.mark.parametrize(
    "said",
    [
        "oops that was wrong, the steps are: open cart > checkout > click Pay > approve",
        "correction to the steps: open cart > checkout > click Pay > approve",
    ],
)
def test_steps_put_right_at_a_later_question_replace_the_steps(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Open the shop, add to cart, checkout, pay with PayPal")
    assert chat.reply(said).startswith(texts.CORRECTED)
    assert chat.state.details["steps_to_reproduce"] == "open cart > checkout > click Pay > approve"
    assert "environment" not in chat.state.details  # still asked


def test_a_problem_changed_halfway_gets_the_kind_of_help_it_needs(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("Checkout fails with error 500 for every customer")
    assert chat.state.kind == "troubleshooting"
    chat.say("wait, actually the problem is how do I install the new theme on my store")
    assert chat.state.kind == "installation-setup"
    assert "Installation and setup" in texts.summary(policy, chat.state)


def test_a_kind_the_customer_chose_stays_when_the_problem_changes(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("change kind")
    chat.say("2")  # Bug report
    chat.say("change problem to the theme install wizard stops at step 3")
    assert chat.state.problem == "the theme install wizard stops at step 3"
    assert chat.state.kind == "bug-fix"


@pytest.mark.parametrize(
    "words",
    [
        "go back",
        "wait, go back",
        "previous question",
        "undo",
        "oops, wrong, undo that",
        "oops wrong answer, go back",
        "wait that was wrong",
        "I made a mistake, let me redo the last one",
    ],
)
def test_going_back_asks_the_last_question_again(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Error 500")
    text = chat.reply(words)
    assert texts.going_back("Error 500") in text
    assert text.endswith(policy.details[0].question) and "error_messages" not in chat.state.details
    chat.say("Error 502: bad gateway")
    assert chat.state.details["error_messages"] == "Error 502: bad gateway"
    assert chat.state.details.get("steps_to_reproduce") is None


def test_going_back_from_the_access_question_asks_the_last_detail_again(policy: Policy) -> None:
    chat = at_the_access_question(policy)
    held = chat.state.details[policy.details[-1].id]
    text = chat.reply("back")
    assert texts.going_back(held) in text and text.endswith(policy.details[-1].question)
    assert chat.state.step is Step.DETAILS


def test_going_back_at_the_first_question_says_there_is_none(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("go back")
    assert text.startswith(texts.FIRST_QUESTION) and chat.state.details == {}


@pytest.mark.parametrize("words", ["go back", "wait, go back", "oops wrong number", "undo"])
def test_backing_out_of_a_summary_edit_keeps_the_field(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("2")
    chat.say(words)
    assert chat.state.step is Step.CONFIRM and chat.state.problem == PROBLEM


@pytest.mark.parametrize("words", ["sorry, I meant 4", "I meant 4", "oops, meant 4"])
def test_another_line_named_at_a_summary_edit_is_edited_instead(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("2")
    assert "Steps to reproduce" in chat.reply(words)
    assert chat.state.editing == "steps_to_reproduce" and chat.state.problem == PROBLEM


def test_a_problem_sent_in_pieces_is_kept_whole(policy: Policy) -> None:
    chat = Driver(policy)
    for piece in ("hey", "so...", "my checkout"):
        chat.say(piece)
    chat.say("is broken since this morning")
    assert chat.state.problem == "my checkout is broken since this morning"


@pytest.mark.parametrize("start", ["I’m getting an error when…", "I'm getting an error when"])
def test_a_sentence_cut_off_waits_for_the_rest(policy: Policy, start: str) -> None:
    chat = Driver(policy)
    assert chat.reply(start).endswith(texts.GO_ON)
    assert chat.state.problem is None
    chat.say("when I try to save a product")
    assert chat.state.problem == "I'm getting an error when I try to save a product"
    assert chat.state.step is Step.GUIDES


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("Is this a bot?", "a bot: I gather what the team needs"),
        ("am I talking to a real person?", "a bot: I gather what the team needs"),
        ("what info do you need?", "what the problem is, error messages, steps to reproduce"),
        ("can you call me at 416-555-0100?", "the team can't call you"),
        ("r u a bot", "a bot: I gather what the team needs"),
        ("is this a bot or a real person", "a bot: I gather what the team needs"),
        ("do you guys do phone support?", "the team can't call you"),
        ("who will see the information I give you?", "goes to MyCartPro's support team"),
        ("is my data stored? how long do you keep it?", "Card numbers, passwords and keys"),
        ("can i get help in spanish", "provided in English only"),
        ("¿Hablan español?", "provided in English only"),
        ("Pouvez-vous m'aider en français?", "provided in English"),
        ("do you speak french?", "provided in English only"),
    ],
)
def test_questions_about_the_chat_are_answered_then_the_question_asked_again(
    policy: Policy, said: str, answer: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply(said)
    assert answer in text and policy.details[0].question in text
    assert chat.state.details == {}
    first = Driver(policy).reply(said)  # as the first words, after the greeting
    assert answer in first and first.endswith(texts.ASK_PROBLEM)


def test_the_problem_put_right_at_another_question_goes_to_the_problem(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("no error")
    said = "Actually it's not PayPal, it's the Stripe button that's gone"
    text = chat.reply(said)
    assert chat.state.problem == f"{PROBLEM}. {said}"
    assert "steps_to_reproduce" not in chat.state.details
    assert text.startswith(texts.CORRECTED) and text.endswith(policy.details[1].question)


def test_a_labelled_line_under_pasted_steps_goes_to_its_own_field(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Error 500 on checkout")
    chat.say("1. open the store\n2. add to cart\n3. click checkout\nSystem: Pro plan, Chrome 120")
    assert chat.state.details["steps_to_reproduce"] == (
        "1. open the store\n2. add to cart\n3. click checkout"
    )
    assert chat.state.details["environment"] == "Pro plan, Chrome 120"
    assert chat.state.step is Step.CONSENT


def test_steps_sent_one_per_message_are_one_list(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('it says "This code is not valid"')
    chat.say("1. go to menu page")
    for item in ("2. add a pizza", "3. enter code PIZZA10 at checkout"):
        assert chat.reply(item).startswith(texts.ADDED_TO_THE_LIST)
    chat.say("Growth plan, Chrome on Android")
    assert chat.reply("4. click apply").startswith(
        texts.ADDED_TO_THE_LIST
    )  # at the access question
    steps = "1. go to menu page\n2. add a pizza\n3. enter code PIZZA10 at checkout\n4. click apply"
    assert chat.state.details["steps_to_reproduce"] == steps
    assert chat.state.details["environment"] == "Growth plan, Chrome on Android"
    summary = chat.reply("yes")
    assert "4. Steps to reproduce: 1. go to menu page\n    2. add a pizza" in summary


@pytest.mark.parametrize("said", ["no error at all actually", "no error, see screenshot"])
def test_no_error_said_at_a_later_question_corrects_the_error(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED"')
    text = chat.reply(said)
    assert chat.state.details == {"error_messages": "No error is shown."}
    assert text.startswith(texts.CORRECTED) and text.endswith(policy.details[1].question)


def test_steps_in_the_first_message_are_not_asked_for_again(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    first = "My checkout fails: I open the store, add a mug to the cart and click checkout"
    chat.say(first)
    assert chat.state.details["steps_to_reproduce"] == first
    assert chat.reply("no error").endswith(policy.details[2].question)  # the system, next


@pytest.mark.parametrize(
    "first",
    [
        "How do I add a product, upload images, select a category and then save it?",
        "I want to open a second store, add my products and upload photos, then choose a theme",
    ],
)
def test_a_how_to_question_or_a_wish_is_not_steps(policy: Policy, first: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(first)
    assert "steps_to_reproduce" not in chat.state.details


def test_steps_run_together_with_then_in_the_first_message_are_kept(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    first = (
        "so first i go to settings then domains then i click connect domain and type mystore.ca "
        "and click verify and it spins and then says verification failed"
    )
    chat.say(first)
    assert chat.state.details["steps_to_reproduce"] == first


def test_a_click_path_sent_to_the_system_question_joins_the_steps(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("Products > Import > choose file > Upload")
    chat.say("add to cart > checkout > pay")
    text = chat.reply("Orders > Refund > confirm")
    assert chat.state.details["steps_to_reproduce"] == (
        "Products > Import > choose file > Upload\nadd to cart > checkout > pay\n"
        "Orders > Refund > confirm"
    )
    assert "environment" not in chat.state.details
    assert text.endswith(policy.details[2].question)
    chat.say("Chrome > Settings > Windows 11")  # names the system: the answer, not a step
    assert chat.state.details["environment"] == "Chrome > Settings > Windows 11"


def test_a_click_path_at_the_access_question_is_steps_not_a_yes(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("nothing to reproduce")
    chat.say("Pro plan, Chrome on Windows 11")
    path = "open admin > marketing > abandoned carts > send test"
    text = chat.reply(path)
    assert chat.state.consent is None and chat.state.step is Step.CONSENT
    assert chat.state.details["steps_to_reproduce"] == path  # in place of "nothing"
    assert text.endswith(texts.NO_PASSWORDS)  # the access question again


def test_steps_sent_after_an_early_ticket_fill_it(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("customers can't check out, the checkout page is blank")
    chat.say("agent")
    chat.feed(TicketOpened(ticket_id="MCP-1001", at=chat.at))
    steps = "open the store, add a product, click checkout"
    actions = chat.say(steps)
    assert any(
        isinstance(a, AmendTicket) and a.details == {"steps_to_reproduce": steps} for a in actions
    )


def test_steps_said_to_be_wrong_are_replaced_by_what_follows(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("card_declined")
    chat.say("place an order, open it in the admin, click refund")
    chat.say("oops, steps are wrong, its when I refund an order, not place it")
    assert chat.state.details["steps_to_reproduce"] == "its when I refund an order, not place it"


def test_system_details_corrected_at_the_access_question_replace_the_first_ones(
    policy: Policy,
) -> None:
    chat = at_the_access_question(policy)
    chat.say("sorry I meant Firefox 115 on Windows 10, Pro plan")
    assert chat.state.details["environment"] == "Firefox 115 on Windows 10, Pro plan"
    assert chat.state.step is Step.CONSENT


def test_an_error_remembered_at_the_summary_replaces_no_error(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    for answer in ("no error", "place an order, wait", "Pro plan, Chrome 120, Windows 11", "yes"):
        chat.say(answer)
    assert chat.state.step is Step.CONFIRM
    text = chat.reply(
        'actually wait, there is an error, in the notifications log it says "SMTP 535 '
        'authentication failed"'
    )
    assert chat.state.details["error_messages"] == "SMTP 535 authentication failed"
    assert text.startswith(texts.CORRECTED) and "Here's your request" in text


def test_a_correction_at_the_access_question_is_made(policy: Policy) -> None:
    chat = at_the_access_question(policy)
    chat.say("I meant the error says ERR_300")
    assert chat.state.details["error_messages"] == "ERR_300"
    assert chat.state.step is Step.CONSENT


@pytest.mark.parametrize(
    "said",
    [
        "none of these, the PayPal button is missing on mobile only",
        "I already tried those, the PayPal button is still missing on mobile",
    ],
)
def test_more_words_with_a_no_to_the_guides_join_the_problem(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(said)
    assert chat.state.step is Step.DETAILS
    assert str(chat.state.problem).startswith(PROBLEM) and "on mobile" in str(chat.state.problem)


@pytest.mark.parametrize(
    ("said", "hours"),
    [
        (
            "Are you open tomorrow? my checkout is broken and customers can't pay",
            "On Friday, November 27, support is open 9:00 AM to 5:00 PM Eastern.",
        ),
        (
            "Hi, when will someone answer? My payouts stopped arriving",
            "Our support team works Monday to Friday",
        ),
        (
            "My checkout is broken and customers can't pay. Are you open tomorrow?",
            "On Friday, November 27, support is open 9:00 AM to 5:00 PM Eastern.",
        ),
        (
            "My payouts stopped arriving, when will someone answer?",
            "Our support team works Monday to Friday",
        ),
    ],
)
def test_an_hours_question_and_the_problem_in_one_message_answers_both(
    policy: Policy, said: str, hours: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    text = chat.reply(said)
    assert hours in text and chat.state.step is Step.DETAILS
    assert chat.state.problem is not None and "?" not in chat.state.problem
    assert chat.state.problem.lower().startswith(("my checkout", "my payouts"))


def test_out_of_hours_the_hours_asked_with_the_problem_are_told_once(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()), at=CLOSED)
    text = chat.reply("Checkout is broken for all our customers, are you open today?")
    assert text.count("next support window") == 1 and texts.GET_READY in text
    assert chat.state.problem == "Checkout is broken for all our customers"


def test_an_hours_question_after_an_answer_is_answered_and_the_answer_kept(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("PAYMENT_FAILED code 504. How long until someone replies?")
    assert "Our support team works Monday to Friday" in text
    assert chat.state.details["error_messages"] == "PAYMENT_FAILED code 504."


@pytest.mark.parametrize(
    "words", ["nothing, leave it", "actually it's fine as is", "no", "it's correct"]
)
def test_keeping_a_field_at_its_edit_prompt(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = dict(chat.state.details)
    chat.say("4")
    chat.say(words)
    assert chat.state.step is Step.CONFIRM and chat.state.details == before


def test_a_polite_request_at_the_summary_is_no_send(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say("Please change the steps, I forgot one")
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert chat.state.step is Step.EDIT and chat.state.editing == "steps_to_reproduce"


def test_also_at_the_summary_adds_to_the_problem(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("Also, it happens on mobile too")
    assert chat.state.problem == f"{PROBLEM}. It happens on mobile too"
    assert chat.state.step is Step.CONFIRM


def test_also_at_the_summary_about_the_system_adds_to_the_system(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = chat.state.details["environment"]
    chat.say("also it happens on Firefox too")
    assert chat.state.details["environment"] == f"{before}; it happens on Firefox too"
    assert chat.state.problem == PROBLEM


def test_a_line_said_to_be_wrong_on_the_summary_is_corrected(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    text = chat.reply("the steps are wrong, it's when clicking Place order")
    assert chat.state.details["steps_to_reproduce"] == "it's when clicking Place order"
    assert chat.state.step is Step.CONFIRM and "4. Steps to reproduce: it's when" in text


@pytest.mark.parametrize(
    "said",
    [
        "consent: yes",
        "actually, yes you can access my store",
        "yes, actually you may access it",
        "actually yes",
        "on second thought, yes",
        "changed my mind, access is fine",
        "you can look at the shipping settings",
    ],
)
def test_access_granted_at_the_summary_changes_it_and_sends_nothing(
    policy: Policy, said: str
) -> None:
    chat = at_the_access_question(policy)
    chat.say("no")
    actions = chat.say(said)
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert chat.state.consent is True and "Access consent: yes" in replies(actions)


def test_access_given_early_with_a_yes_is_consent_not_the_answer(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('It says "PAYMENT_FAILED: gateway timeout"')
    chat.say("yes you can log in to my admin, just don't change anything in payments")
    assert chat.state.consent is True and "steps_to_reproduce" not in chat.state.details
    assert chat.state.consent_terms is not None and "payments" in chat.state.consent_terms


@pytest.mark.parametrize(
    "said",
    [
        "on second thought, no access please",
        "please don't log in to my store after all",
        "no wait, don't let them access my store",
        "actually no, I don't want anyone accessing my store",
        "nobody should touch my store",
    ],
)
def test_access_taken_back_at_the_summary_is_no(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say(said)
    assert chat.state.consent is False and "Access consent: no" in replies(actions)


@pytest.mark.parametrize(
    "said",
    [
        "Customers can log in fine, checkout fails",
        "Staff can't log in either",
        "The admin works fine, checkout fails",
    ],
)
@pytest.mark.parametrize("access", ["yes", "no"])
def test_a_remark_about_logging_in_at_the_summary_keeps_the_access_answer(
    policy: Policy, said: str, access: str
) -> None:
    chat = at_the_access_question(policy)
    chat.say(access)
    consent = chat.state.consent
    actions = chat.say(said)
    assert not any(isinstance(a, OpenTicket) for a in actions)  # a remark, not "send"
    assert chat.state.consent is consent and chat.state.consent_terms is None
    assert chat.state.step in {Step.CONFIRM, Step.EDIT}


@pytest.mark.parametrize(
    "problem",
    [
        "No one can check out since the update",
        "Nobody can log in to the admin since this morning",
        "My developer says support can't log in to our admin because of 2FA",
        "My developer said: you can log in to the admin with the staff account, but it fails",
    ],
)
def test_a_problem_about_logging_in_says_nothing_of_access(policy: Policy, problem: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    assert chat.state.consent is None and chat.state.problem == problem


@pytest.mark.parametrize(
    "steps",
    [
        "Don't check out as a guest, log in first, then pay with PayPal",
        "Please don't use the mobile app, open the store in a browser, click Checkout",
        "You can check it on my site: add two products to the cart and the total doubles",
    ],
)
def test_steps_that_say_what_not_to_do_are_steps_not_access(policy: Policy, steps: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("the cart total is wrong")
    chat.say("no error")
    chat.say(steps)
    assert chat.state.consent is None and chat.state.details["steps_to_reproduce"] == steps


def test_access_taken_back_during_the_questions_is_no(policy: Policy) -> None:
    chat = Driver(policy)
    chat.say("my CSV product import fails at row 57, feel free to log in to my admin")
    assert chat.state.consent is True
    chat.say("no")
    chat.say("Import failed: invalid price on row 57")
    chat.say("actually please don't access my store, I changed my mind")
    assert chat.state.consent is False


@pytest.mark.parametrize(
    ("said", "editing"),
    [("go back", None), ("Go back please", None), ("go back to the steps", "steps_to_reproduce")],
)
def test_going_back_at_the_summary_sends_nothing(
    policy: Policy, said: str, editing: str | None
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = chat.state
    assert not any(isinstance(a, OpenTicket) for a in chat.say(said))
    assert chat.state.editing == editing
    assert chat.state.step is (Step.EDIT if editing else Step.CONFIRM)
    assert (chat.state.problem, chat.state.details) == (before.problem, before.details)


def test_yes_and_more_at_the_summary_adds_it_and_sends_nothing(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say("Yes, and customers also can't access the wishlist")
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert chat.state.problem == f"{PROBLEM}. Customers also can't access the wishlist"


def test_corrections_in_passing_at_the_summary_are_applied(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    assert chat.reply("No error at all actually").startswith(texts.CORRECTED)
    assert chat.state.details["error_messages"] == "No error is shown."
    chat.say("Actually it's not PayPal, it's Stripe")
    assert chat.state.problem == f"{PROBLEM}. Actually it's not PayPal, it's Stripe"


@pytest.mark.parametrize(
    ("question", "said", "key"),
    [
        (0, "No, it's not an error message, it's just a blank page", "error_messages"),
        (2, "No, it's not self-hosted, it's hosted by MyCartPro on the Pro plan", "environment"),
        (2, "No errors on Safari iPhone", "environment"),
        (1, "No error, click pay", "steps_to_reproduce"),
        (0, "Non-numeric price", "error_messages"),
        (0, "No shipping available", "error_messages"),
    ],
)
def test_answers_that_open_with_no_are_answers(
    policy: Policy, question: int, said: str, key: str
) -> None:
    chat = Driver(policy)
    to_details(chat)
    for answer in ('It says "PAYMENT_FAILED"', "click pay, then ok, then close")[:question]:
        chat.say(answer)
    chat.say(said)
    assert chat.state.details[key] == said and chat.state.problem == PROBLEM


@pytest.mark.parametrize(
    "problem",
    [
        "The discount code doesn't apply to the products I assigned it to",
        "Refunds don't go back to the card the customer paid with",
        "When you open the cart page it shows empty",
        "How do I change the time zone of my store?",
        "Why do order emails show the wrong time zone?",
        "How do I add opening hours to my store page?",
        "How do I schedule a holiday sale discount?",
        "Can you remove my phone number from the order confirmation emails?",
        "Who can see this product? It's hidden but customers find it",
        "Call me back button on the product page is gone",
        "The checkout en français still shows English buttons",
        "The checkout won't let me log in",
        "My theme is turned on",
    ],
)
def test_ordinary_problems_are_kept_as_said(policy: Policy, problem: str) -> None:
    """Problems worded like the things the bot listens for: a sentence ending in "to", "with"
    or "in", times and hours, questions about the chat."""
    chat = Driver(policy)
    chat.say(problem)
    assert chat.state.problem == problem


def test_a_list_of_failures_is_no_steps(policy: Policy) -> None:
    chat = Driver(policy)
    said = "Since the update: login fails, add to cart fails, checkout fails"
    chat.say(said)
    assert chat.state.problem == said and chat.state.details == {}


def test_a_product_named_oui_is_no_yes(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say("Oui Oui Candle is the product that fails")
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert replies(actions) == texts.NOT_A_FIELD and chat.state.step is Step.CONFIRM


@pytest.mark.parametrize(
    "said",
    [
        "Remove this product from the cart and the total stays the same",
        "Cancel this order button doesn't work either",
        "Everything is fine now with PayPal, Stripe fails the same way",
        "Delete my ticket template in Settings, it crashes",
        "It's been 2 days since the last order came through",
    ],
)
def test_details_after_the_ticket_are_not_a_request_to_close(policy: Policy, said: str) -> None:
    chat = ticketed(policy)
    chat.say("thanks")
    actions = chat.say(said)
    assert ForwardToTicket(ticket_id="MCP-1001", text=said) in actions
    assert texts.CANCEL_AFTER_TICKET.format(ticket_id="MCP-1001") not in replies(actions)
    assert "An agent will answer your ticket" not in replies(actions)


@pytest.mark.parametrize(
    "said", ["Undo button in the theme editor doesn't work", "Continue button does nothing"]
)
def test_a_new_problem_after_a_cancel_is_new(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("never mind")
    chat.state = next_conversation((chat.state, chat.at), chat.at + timedelta(minutes=5))
    chat.say(said)
    assert chat.state.problem == said


def test_new_limits_on_access_at_the_summary_are_kept(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    said = "actually yes, but please don't touch payments"
    assert not any(isinstance(a, OpenTicket) for a in chat.say(said))
    assert chat.state.consent is True and chat.state.consent_terms == said


def test_access_given_again_at_the_summary_sends_nothing(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    actions = chat.say("actually you can log in to my store")
    assert not any(isinstance(a, OpenTicket) for a in actions)
    assert replies(actions).startswith(texts.ALREADY_NOTED)


def test_also_at_the_summary_naming_a_line_adds_to_it(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = chat.state.details["error_messages"]
    chat.say("also the error only shows on Safari")
    assert chat.state.details["error_messages"] == f"{before}. The error only shows on Safari"
    assert chat.state.step is Step.CONFIRM


def test_system_facts_after_ok_at_the_access_question_are_system_details(
    policy: Policy,
) -> None:
    chat = at_the_access_question(policy)
    text = chat.reply("OK it's the Pro plan, Chrome on Mac, ShipStation")
    assert chat.state.consent is None and "Chrome on Mac" in chat.state.details["environment"]
    assert text.startswith(texts.NOTED_IN_PASSING)


def test_steps_sent_one_per_message_with_then_are_one_list(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("no error")
    chat.say("add to cart")
    assert chat.reply("then checkout").startswith(texts.ADDED_TO_THE_LIST)
    chat.say("then pay")
    chat.say("Pro plan, Chrome")
    assert chat.state.details["steps_to_reproduce"] == "add to cart\nthen checkout\nthen pay"
    assert chat.state.details["environment"] == "Pro plan, Chrome"


def test_thats_it_after_a_list_asks_the_next_question_again(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Invalid code")
    chat.say("1. Add a sale item to the cart")
    chat.say("2. enter the code")
    text = chat.reply("that's it")
    assert text.startswith(texts.GOT_IT) and "environment" not in chat.state.details


@pytest.mark.parametrize(
    "said",
    [
        "give me a minute, I'll check which plan we have",
        "one sec, let me find the plan name",
        "let me check the logs",
        "I'll have to ask my developer, give me a sec",
        "not sure, I'll ask my web guy and get back to you",
    ],
)
def test_asking_for_time_with_a_reason_stores_nothing(policy: Policy, said: str) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say("Error 504")
    chat.say("open the store and pay")
    assert chat.reply(said) == texts.NO_RUSH
    assert "environment" not in chat.state.details


def test_not_applicable_in_an_error_is_the_error(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    chat.say('"Coupon not applicable to this product"')
    assert chat.state.details == {"error_messages": '"Coupon not applicable to this product"'}


def test_a_yes_with_conditions_given_at_the_summary_stays_a_yes(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("access consent: yes, but don't touch payment settings")
    assert chat.state.consent is True
    assert chat.state.consent_terms == "yes, but don't touch payment settings"


@pytest.mark.parametrize(
    ("said", "key", "value"),
    [
        # by its number, in one message
        ("change 5 to Pro plan, Safari 17 on macOS", "environment", "Pro plan, Safari 17 on macOS"),
        # the colon belongs to the new value, not to a label
        (
            "change error to Row 57: invalid price format",
            "error_messages",
            "Row 57: invalid price format",
        ),
    ],
)
def test_change_x_to_y_at_the_summary_sets_the_whole_value(
    policy: Policy, said: str, key: str, value: str
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say(said)
    assert chat.state.details[key] == value


@pytest.mark.parametrize(
    "said",
    [
        ["add to steps: it always stops at row 57"],
        ["4", "also it always stops at row 57"],
        ["steps: also it always stops at row 57"],
    ],
)
def test_adding_to_a_field_keeps_what_it_held(policy: Policy, said: list[str]) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = chat.state.details["steps_to_reproduce"]
    for line in said:
        chat.say(line)
    steps = chat.state.details["steps_to_reproduce"]
    assert steps == f"{before}. It always stops at row 57"
    assert chat.state.step is Step.CONFIRM


@pytest.mark.parametrize(
    ("problem", "error"),
    [
        (
            "gift card codes stopped working, customers get 'Gift card not valid'",
            "Gift card not valid",
        ),
        (
            "it says 'Something went wrong, please try again' in red",
            "Something went wrong, please try again",
        ),
    ],
)
def test_a_message_quoted_after_says_or_get_is_the_error(
    policy: Policy, problem: str, error: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    assert chat.state.details["error_messages"] == error


def test_the_problem_narrowed_at_another_question_joins_the_problem(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("emails to customers are not arriving")
    chat.say("no error")
    said = "wait, the problem is only the shipping emails, order confirmations are fine"
    chat.say(said)
    assert chat.state.problem == f"emails to customers are not arriving. {said}"
    assert "steps_to_reproduce" not in chat.state.details


def test_a_bare_no_to_the_steps_is_asked_again_and_no_steps_is_an_answer(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("my domain isn't connecting")
    chat.say("no error")
    assert 'reply "no steps"' in chat.reply("no")
    assert "steps_to_reproduce" not in chat.state.details
    chat.say("no steps")
    assert chat.state.details["steps_to_reproduce"] == "Nothing to reproduce."


@pytest.mark.parametrize(
    ("problem", "error"),
    [
        ('The banner says "Free shipping over $50" but shipping is charged', None),
        (
            'When I click "Save changes", the page shows "Something went wrong, try again later"',
            "Something went wrong, try again later",
        ),
        (
            'Customers see "Add to cart" greyed out and the console says "Uncaught TypeError: '
            'cart is undefined"',
            "Uncaught TypeError: cart is undefined",
        ),
    ],
)
def test_a_quoted_label_is_not_the_error(policy: Policy, problem: str, error: str | None) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say(problem)
    assert chat.state.details.get("error_messages") == error


def test_an_error_pasted_after_no_error_puts_the_error_right(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("inventory sync with my warehouse fails")
    chat.say("no error")
    text = chat.reply("SyncError: SKU CANDLE-LAV-08 quantity -3 rejected (E_INV_NEG)")
    assert chat.state.details == {
        "error_messages": "SyncError: SKU CANDLE-LAV-08 quantity -3 rejected (E_INV_NEG)"
    }
    assert text.endswith(policy.details[1].question)  # the steps, asked again


@pytest.mark.parametrize(
    ("said", "key", "expected"),
    [
        ("the error is as follows: Row 57: Invalid SKU", "error_messages", "Row 57: Invalid SKU"),
        (
            "the error is also on Firefox",
            "error_messages",
            'It says "PAYMENT_FAILED: gateway timeout (code 504)". On Firefox',
        ),
    ],
)
def test_summary_corrections_read_as_meant(
    policy: Policy, said: str, key: str, expected: str
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say(said)
    assert chat.state.details[key] == expected and chat.state.step is Step.CONFIRM


@pytest.mark.parametrize(
    "said",
    [
        "actually there is an error, the log says Row 212 invalid value",
        "wait, there is an error; the log says Row 212 invalid value",
    ],
)
def test_an_error_said_at_the_summary_after_no_error_is_the_error(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("product CSV import fails halfway")
    chat.say("no error")
    chat.say("Products > Import > choose products.csv > Upload")
    chat.say("Advanced plan, Chrome 131, macOS 15")
    chat.say("no")
    chat.say(said)
    assert chat.state.details["error_messages"] == "the log says Row 212 invalid value"
    assert chat.state.step is Step.CONFIRM


@pytest.mark.parametrize(
    "said",
    [
        "there's also a problem on mobile, the Apply button does nothing",
        "There are more steps: then I click checkout and it hangs",
    ],
)
def test_a_remark_opening_there_is_at_the_summary_replaces_nothing(
    policy: Policy, said: str
) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    before = (chat.state.problem, dict(chat.state.details))
    chat.say(said)
    assert chat.state.problem is not None and chat.state.problem.startswith(PROBLEM)
    assert all(chat.state.details[key].startswith(value) for key, value in before[1].items())


def test_the_problem_narrowed_at_the_summary_keeps_what_it_said(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("Wait, the problem is just for customers in Canada")
    assert chat.state.problem == f"{PROBLEM}. Just for customers in Canada"


@pytest.mark.parametrize(
    "steps",
    [
        "Open checkout, pay with PayPal, the order page shows payment_status pending",
        "Add a product to the cart, pay with the test card and get card_declined",
        "Warning banner appears first, then I click Continue and the page reloads",
    ],
)
def test_steps_ending_in_an_error_after_no_error_are_the_steps(policy: Policy, steps: str) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("orders stay unpaid")
    chat.say("no error")
    chat.say(steps)
    assert chat.state.details == {
        "error_messages": "No error is shown.",
        "steps_to_reproduce": steps,
    }


def test_a_corrected_error_with_a_colon_of_its_own_is_kept_whole(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("actually the error is Row 57: invalid value for 'compare_at_price'")
    assert chat.state.details["error_messages"] == "Row 57: invalid value for 'compare_at_price'"
    assert chat.state.step is Step.CONFIRM


def test_a_new_value_keeps_only_the_value(policy: Policy) -> None:
    chat = Driver(policy)
    to_confirm(chat)
    chat.say("3")
    chat.say("No, it actually says ERR_410 Gone")
    assert chat.state.details["error_messages"] == "ERR_410 Gone"


@pytest.mark.parametrize(
    ("said", "told"),
    [
        ("It's fixed now, you can close the ticket", True),
        ("all working again", True),
        ("it's working on desktop but not on mobile", False),
        ("is it fixed now?", False),
    ],
)
def test_it_works_now_after_the_ticket_is_answered_and_told_to_the_agent(
    policy: Policy, said: str, told: bool
) -> None:
    chat = ticketed(policy)
    chat.say("one more thing: it happens on Safari too")  # the one receipt already given
    actions = chat.say(said)
    assert ForwardToTicket(ticket_id="MCP-1001", text=said, reopens=not told) in actions
    closing = texts.CANCEL_AFTER_TICKET.format(ticket_id="MCP-1001")
    assert (replies(actions) == closing) is told


def test_something_else_days_after_the_ticket_points_to_a_new_request(policy: Policy) -> None:
    chat = ticketed(policy)
    chat.say("one more thing: it happens on Safari too")
    chat.at += timedelta(days=6)
    text = chat.reply("Hello, my Stripe payouts have not arrived in my bank for 5 days")
    assert text == texts.another_problem("MCP-1001")


def test_a_question_about_an_open_ticket_is_answered_for_the_ticket(policy: Policy) -> None:
    chat = ticketed(policy)
    assert "answer your ticket MCP-1001" in chat.reply("when will someone look at it?")
    assert any(isinstance(a, LookUpTickets) for a in chat.say("hi, any update on my ticket?"))


def test_another_problem_days_after_an_unfinished_intake_starts_afresh(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("My shipping rates are not showing at checkout for Canada")
    chat.say("no error")
    chat.at += timedelta(days=2)
    text = chat.reply("Hi, my PayPal button disappeared from checkout")
    assert "Your earlier request (“My shipping rates are not showing" in text
    assert chat.state.problem == "My PayPal button disappeared from checkout"
    assert chat.state.details == {}


@pytest.mark.parametrize("later", [timedelta(days=2), timedelta(minutes=5)])
@pytest.mark.parametrize(
    "steps",
    [
        "open the store, add a product, go to checkout with a Canadian address",
        "Open the storefront, buy any product with a Visa card, look at the Stripe dashboard",
    ],
)
def test_an_answer_after_a_pause_is_still_an_answer(
    policy: Policy, later: timedelta, steps: str
) -> None:
    chat = Driver(policy, FixedGuides(()))
    chat.say("My shipping rates are not showing at checkout for Canada")
    chat.say("no error")
    chat.at += later
    chat.say(steps)
    assert chat.state.details["steps_to_reproduce"] == steps


def test_the_access_answer_the_next_morning_is_the_access_answer(policy: Policy) -> None:
    chat = at_the_access_question(policy)
    chat.at += timedelta(hours=16)
    chat.say("Yes, you can access my store settings and logs")
    assert chat.state.consent is True and chat.state.step is Step.CONFIRM


def test_thanks_while_a_question_waits_is_welcomed_and_the_question_asked_again(
    policy: Policy,
) -> None:
    chat = Driver(policy)
    to_details(chat)
    text = chat.reply("thanks")
    assert text.startswith(texts.YOU_ARE_WELCOME) and text.endswith(policy.details[0].question)
    assert not chat.state.details


def test_bye_before_anything_started_is_no_cancellation(policy: Policy) -> None:
    chat = Driver(policy)
    assert chat.reply("bye") == texts.ANY_TIME


@pytest.mark.parametrize(
    ("words", "guide_id"), [("ok, let me read 1", "setup-paypal"), ("up paypal", "setup-paypal")]
)
def test_a_guide_picked_by_part_of_its_title_or_after_ok(
    policy: Policy, words: str, guide_id: str
) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(words)
    assert chat.state.shown_guide == guide_id


@pytest.mark.parametrize("words", ["yes please", "yes", "yes, show me the first one"])
def test_yes_to_the_offer_is_not_yet_solved(policy: Policy, words: str) -> None:
    chat = Driver(policy)
    chat.say(PROBLEM)
    chat.say(words)
    assert chat.state.step is Step.GUIDES and not chat.state.finished


def test_yes_to_a_single_guide_shows_it(policy: Policy) -> None:
    chat = Driver(policy, FixedGuides(GUIDES[:1]))
    chat.say(PROBLEM)
    chat.say("yes please")
    assert chat.state.shown_guide == GUIDES[0].id


def test_a_two_word_system_answer_is_enough(policy: Policy) -> None:
    chat = Driver(policy)
    to_details(chat)
    for answer in ("card_declined", "click pay", "Pro plan"):
        chat.say(answer)
    assert chat.state.details["environment"] == "Pro plan"


def test_system_details_sent_to_the_access_question_are_added(policy: Policy) -> None:
    chat = at_the_access_question(policy)
    text = chat.reply("Basic plan, Stripe integration, Safari on iPhone")
    assert chat.state.details["environment"].endswith(
        "; Basic plan, Stripe integration, Safari on iPhone"
    )
    assert chat.state.step is Step.CONSENT and text.startswith(texts.NOTED_IN_PASSING)
