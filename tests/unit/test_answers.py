"""Reading customers' short answers the way they actually write them."""

import pytest

from intake.answers import is_no, is_thanks, is_yes, number_in
from intake.fields import field_named
from intake.policy import Policy


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yes!",
        "y",
        "sure",
        "ok send",
        "yes please send it",
        "send please",
        "looks good, send",
        "that worked thanks",
        "i agree",
        "yes you can access",
        "go for it",
        "👍",
        "Yeah, that fixed it",
        "correct",
        "yes, that's correct",
    ],
)
def test_yes_in_many_words(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "NO.",
        "nope didn't help",
        "none of them helped",
        "no, still broken",
        "no you may not",
        "absolutely not",
        "not now",
        "it did not help",
        "didn't work",
        "doesn't help",
        "No, none of those. Actually the page is blank on every phone we tried",
        "yeah no",
        "yeah, nah",
    ],
)
def test_no_in_many_words(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize(
    "text",
    [
        "not sure",
        "maybe",
        "I don't know",
        "yes but it still fails sometimes",
        "I use Chrome on Windows 11",
        "",
        "   ",
        "what do you mean?",
        "please correct the steps",
        "Customers can log in fine, checkout fails",
    ],
)
def test_neither_yes_nor_no(text: str) -> None:
    assert not is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("#2 thanks", 2),
        ("option 3", 3),
        ("3.", 3),
        ("1 worked", 1),
        ("number 2 fixed it", 2),
        ("the second one", 2),
        ("yes the second one", 2),
        ("guide 1 helped", 1),
        ("what about guide 2?", 2),
        ("and then 3", 3),
    ],
)
def test_numbers_and_ordinals(text: str, number: int) -> None:
    assert number_in(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "version 3 of the app",
        "the first one didn't help",
        "12345",
        "error 500 at checkout",
        "I tried steps 1 and 2 and it still fails at step 3",
        "²",  # a digit, but no number to choose by
    ],
)
def test_numbers_that_are_not_choices(text: str) -> None:
    assert number_in(text) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("4", "steps_to_reproduce"),
        ("steps", "steps_to_reproduce"),
        ("change the error", "error_messages"),
        ("the steps are wrong", "steps_to_reproduce"),
        ("kind", "kind"),
        ("fix consent", "consent"),
    ],
)
def test_fields_by_number_name_or_mention(policy: Policy, text: str, key: str) -> None:
    field = field_named(policy, text)
    assert field is not None and field.key == key


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Thanks, that fixed it!", True),
        ("thank you so much", True),
        ("great 👍", True),
        ("🙏🎉", True),
        (":+1: :pray:", True),
        ("ok thanks, all good now", True),
        ("thanks but it's back again", False),
        ("thanks, can you also check shipping?", False),
        ("it still doesn't work", False),
        ("The checkout fails again since this morning", False),
        ("", False),
    ],
)
def test_a_thank_you_is_told_from_more_to_act_on(text: str, thanks: bool) -> None:
    assert is_thanks(text) is thanks
