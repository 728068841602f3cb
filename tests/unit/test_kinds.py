"""The kind of help guessed from the customer's own words."""

import pytest

from intake.kinds import infer_kind
from intake.policy import Policy


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Since the 3.2 update the discount code field disappeared from the cart page", "bug-fix"),
        ("The tax amount is calculated wrong on orders to Quebec", "bug-fix"),
        ("How do I connect my GoDaddy domain to my store?", "installation-setup"),
        ("I want to set up shipping rates for Canada", "installation-setup"),
        ("orders from yesterday arent showing up in my admin panel at all", "troubleshooting"),
        ("Customers can't pay, checkout gives a 500 error", "troubleshooting"),
        ("How can I change my store logo?", "technical-assistance"),
        ("our order emails stopped going out, Pro plan, Klaviyo app installed", "troubleshooting"),
        ("the theme editor wont save my changes", "troubleshooting"),
        ("my abandoned cart emails arent being sent anymore", "troubleshooting"),
        ("How do I install the new theme?", "installation-setup"),
        ("Important: our checkout has been down all morning", "troubleshooting"),
        ("We launched a sale and the discount codes give 0% off", "troubleshooting"),
        ("The featured products section is empty on the home page", "troubleshooting"),
        ("Is there an option to hide prices?", "technical-assistance"),
        ("I want to launch my store next week", "installation-setup"),
    ],
)
def test_the_kind_follows_the_words(policy: Policy, text: str, kind: str) -> None:
    assert infer_kind(policy, text, None) == kind


def test_the_best_guide_settles_a_tie_and_fills_silence(policy: Policy) -> None:
    assert infer_kind(policy, "PayPal button", "installation-setup") == "installation-setup"
    assert infer_kind(policy, "PayPal button", None) == policy.default_kind
    assert (
        infer_kind(policy, "Stripe error and PayPal setup", "troubleshooting") == "troubleshooting"
    )
