import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.redaction import Redaction, redact, redaction_notice


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def with_check_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


# --- cards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4242424242424242 please", "card [card •••• 4242] please"),
        ("4242 4242 4242 4242", "[card •••• 4242]"),
        ("4000-0566-5566-5556.", "[card •••• 5556]."),
        ("Amex 3782 822463 10005", "Amex [card •••• 0005]"),
        ("13 digits 4222222222222", "13 digits [card •••• 2222]"),
        ("19 digits 6011000000000000001", "19 digits [card •••• 0001]"),
        ("4000 0000 0000 6", "[card •••• 0006]"),
        ("it's4242424242424242!", "it's[card •••• 4242]!"),
        ("ref 1234 4242 4242 4242 4242 done", "ref 1234 [card •••• 4242] done"),
    ],
)
def test_cards_keep_only_the_last_four(text: str, expected: str) -> None:
    result = redact(text)
    assert result == Redaction(text=expected, found=frozenset({"card"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4242424242424242 123", "[card •••• 4242] [security code removed]"),
        (
            "4242 4242 4242 4242 exp 12/27 cvv 123 thanks",
            "[card •••• 4242] exp 12/27 [security code removed] thanks",
        ),
        (
            "4242424242424242, 12/2027, 1234 ok",
            "[card •••• 4242], 12/2027, [security code removed] ok",
        ),
        ("4242424242424242 cvc: 987", "[card •••• 4242] [security code removed]"),
        ("4242424242424242 exp 12/27", "[card •••• 4242] exp 12/27"),
        ("3782 822463 10005 security code 1234", "[card •••• 0005] [security code removed]"),
        ("my cvv is 321", "my [security code removed]"),
        ("CVV2: 4321.", "[security code removed]."),
        (
            "my card is 4111 1111 1111 1111 and the code on the back is 321",
            "my card is [card •••• 1111] and the [security code removed]",
        ),
        ("the 3 digit code is 321", "the [security code removed]"),
        ("card verification value: 1234", "[security code removed]"),
    ],
)
def test_security_codes_go_expiry_stays(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Order #4242424242424241 was charged twice",  # fails the Luhn check
        "call me on 416-555-0199 or +1 (647) 555 0123",
        "order 12345678 416-555-0199",  # 18 digits, but not grouped like a card
        "tracking 1Z999AA10123456784 and invoice 20261127-0042",
        "dates 2026-11-27 14:30 and 12/27",
        "a 25-digit id 4242424242424242424242424",
        "error code 500, cvv field empty, security code required",
        "the 3 digit code field rejects 12 on checkout",
        "log in with Google / Apple fails",
        "the login / checkout pages broke after the 2.3 update",
        "login page: 404 error",
        "order ids 1004 1005 1006 1007 1008 were charged",  # 1004100510061007 passes Luhn
        "héllo 😀 日本語 Ελληνικά ٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢ ４２４２４２４２４２４２４２４２",
        # Ids in links and chat markup, each of which passes the Luhn check on its own:
        "[attachment: checkout.png https://cdn.discordapp.com/attachments/1/"
        "1175518664398995461/checkout.png?ex=67a1]",
        "see https://discord.com/channels/1/2/1175518664398995479 and <@1175518664398995487>",
        "<#1175518664398995461> <@&1175518664398995461> <:shrug:1175518664398995461> "
        "<t:1175518664398995461:R>",
        "https://mycartpro.slack.com/archives/C0SUPPORT/p1700000000000100",
        "<https://shop.example.com/orders/1175518664398995461|my order>",
    ],
)
def test_ordinary_text_and_numbers_are_untouched(text: str) -> None:
    assert redact(text) == Redaction(text=text, found=frozenset())


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: hunter2", "password: [password removed]"),
        ("my password is hunter2 thanks", "my password is [password removed] thanks"),
        ("Password is: Tr0ub4dor&3", "Password is: [password removed]"),
        ("pwd=abc123", "pwd=[password removed]"),
        ("login admin pass: s3cret!", "login admin pass: [password removed]"),
        ("passcode is 8841", "passcode is [password removed]"),
        ('password: "correct horse battery"', "password: [password removed]"),
        ("PASSWORD:\nhunter2", "PASSWORD:\n[password removed]"),
        ("password: пароль123", "password: [password removed]"),
        ("pw: hunter2", "pw: [password removed]"),
        ("my pass is hunter2", "my pass is [password removed]"),
        ("passwd hunter2", "passwd [password removed]"),
        ("pwd 123456", "pwd [password removed]"),
        ("Password - hunter2", "Password - [password removed]"),
        ("password hunter2 please", "password [password removed] please"),
        ("my password was Summer2024", "my password was [password removed]"),
        ("passphrase = purple-monkey-dishwasher", "passphrase = [password removed]"),
        ("db_password=s3cret", "db_password=[password removed]"),
        ("login with admin / Tr0ub4dor&3", "login with admin / [password removed]"),
        ("my login is bob@shop.com / S3cretPass!", "my login is bob@shop.com / [password removed]"),
        ("sign in as owner: hunter22", "sign in as owner: [password removed]"),
        ("the password I use is Summer2024!", "the password I use is [password removed]"),
        (
            "I set the password to Summer2024! yesterday",
            "I set the password to [password removed] yesterday",
        ),
        (
            "my new password, Summer2024!, doesn't work",
            "my new password, [password removed] doesn't work",
        ),
        (
            "cant login. user admin pass Tr0ub4dor&3",
            "cant login. user admin pass [password removed]",
        ),
        ("creds are admin / Qwerty!2024", "creds are admin / [password removed]"),
        ("my password is: blue monkey", "my password is: [password removed]"),
        ("Password - letmein", "Password - [password removed]"),
        ("my password is hunter2 but it fails", "my password is [password removed] but it fails"),
        (
            "my admin login is jane@shop.com and pass Summer2024!",
            "my admin login is jane@shop.com and pass [password removed]",
        ),
    ],
)
def test_passwords_are_masked(text: str, expected: str) -> None:
    assert redact(text) == Redaction(text=expected, found=frozenset({"password"}))


@pytest.mark.parametrize(
    "text",
    [
        "my password is not working",
        "The password is wrong and the reset link expired",
        "I forgot my password, can you help?",
        "bypass: yes, compass: north",
        "password reset please",
        "I can't pass the checkout",
        "the password reset email never arrives",
        "it passes the first step, then the bypass fails",
        "my password doesn't work",
        "my password isn't accepted",
        "password: ",
        "Password - can't log in",
        "my bus pass is valid until Friday",
        "the password field (required) says 2 errors",
        "pwd reset",
        "I reset my pw yesterday",
        "password 2 times, passwd 2fa-required.example.com://x",
        "Passwort ist falsch, la contraseña es incorrecta, la senha é inválida",
        "the password I use is too short",
        "I set the password to expire every 90 days",
        "my new password, which I set today, is rejected",
        "customers can't pass 3-D Secure",
        "user admin can pass the review step",
        "after the password reset it redirects to https://myshop.com/account/login?step=2",
        "The password reset email points to http://localhost:8080",
        "The password reset page is v2 now",
        "the password reset link was 10min old",
        "password requirement changed to 8-char minimum",
        "user accounts pass 1000 orders per day",
        'It says "Your password is incorrect" even after a reset',
        '"Password is required"',
        "My password is expiring tomorrow",
        "the password is 12 characters long",
        "The day pass is sold out error shows on every product",
        "The hall pass - product doesn't show",
    ],
)
def test_talking_about_passwords_is_not_a_password(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mot de passe : Soleil2024", "mot de passe : [password removed]"),
        ("mon mot de passe est Soleil2024", "mon mot de passe est [password removed]"),
        ("mdp: Soleil2024", "mdp: [password removed]"),
        ("contraseña: Sol2024!", "contraseña: [password removed]"),
        ("mi contraseña es Sol2024!", "mi contraseña es [password removed]"),
        ("Passwort: Sonne2024", "Passwort: [password removed]"),
        ("mein Passwort ist Sonne2024", "mein Passwort ist [password removed]"),
        ("senha: sol2024", "senha: [password removed]"),
        ("a minha senha é sol2024", "a minha senha é [password removed]"),
        ("la password è sole2024", "la password è [password removed]"),
    ],
)
def test_passwords_in_other_languages_are_masked(text: str, expected: str) -> None:
    assert redact(text) == Redaction(text=expected, found=frozenset({"password"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PIN: 4821", "PIN: [PIN removed]"),
        ("my pin is 482193", "my pin is [PIN removed]"),
        ("pin code 4821, thanks", "pin code [PIN removed], thanks"),
    ],
)
def test_pins_are_masked(text: str, expected: str) -> None:
    assert redact(text) == Redaction(text=expected, found=frozenset({"password"}))


@pytest.mark.parametrize(
    "text", ["pin 2 on the board", "I pinned the order 12345", "spin: 4821", "code 504"]
)
def test_other_numbers_near_pin_stay(text: str) -> None:
    assert redact(text).text == text


# --- keys and tokens ----------------------------------------------------------------------

PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwHN5T3s5Kf1n\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key:\n{PEM}\nthanks", "key:\n[private key removed]\nthanks"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n\nThat's all",
            "[private key removed]\n\nThat's all",
        ),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY----- MIIFHDBOBgkqhkiG9w0BBQ0 -----END "
            "ENCRYPTED PRIVATE KEY-----",
            "[private key removed]",
        ),
    ],
)
def test_private_keys_go_whole(text: str, expected: str) -> None:
    assert redact(text) == Redaction(text=expected, found=frozenset({"private_key"}))


def test_public_keys_and_certificates_stay() -> None:
    text = (
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"
        "-----END PUBLIC KEY-----"
    )
    assert redact(text).text == text


PAYPAL_ACCESS_TOKEN = (
    "A21AAFEpH4PsADK7qSS7pSRsgzfENtu-Q1ysgEDVDESseMHBYXV"
    "JYE8ovjj68elIDy8nF26AwPhfXTIeWAZHSLIsQkSYz9ifg"
)
PAYPAL_CLIENT_SECRET = (
    "EHnb4bNRtSfSgkH1vTaW9vBUUKVZEO0ZlHqnGBb4RR8QyK1mOJ5w3l5gM7oKnjgeJVuLMVT3oxq_Wl2zAbCd"
)
DISCORD_TOKEN = "MTE0NTY3ODkwMTIzNDU2Nzg5MA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.mark.parametrize(
    ("token", "marker"),
    [
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[Stripe key removed]"),
        ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "[Stripe key removed]"),
        ("rk_live_51H8abcDEFghiJKLmnop", "[Stripe key removed]"),
        ("whsec_abcdefgh12345678ABCD", "[Stripe key removed]"),
        (
            "access_token$production$abc123def456ghi7$0123456789abcdef0123456789abcdef",
            "[PayPal token removed]",
        ),
        ("xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[Slack token removed]"),
        ("xoxp-1234567890-1234567890-abcdef", "[Slack token removed]"),
        ("xapp-1-A0123BCDE-1234567890-abcdef0123", "[Slack token removed]"),
        (
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "[Slack webhook removed]",
        ),
        (
            "https://discord.com/api/webhooks/123456789012345678/abc-DEF_ghi",
            "[Discord webhook removed]",
        ),
        (DISCORD_TOKEN, "[Discord token removed]"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[GitHub token removed]"),
        ("gho_abcdefghijklmnopqrstuvwxyz0123456789", "[GitHub token removed]"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "[GitHub token removed]"),
        ("shpat_0123456789abcdef0123456789abcdef", "[Shopify token removed]"),
        ("pk_8c1f2e9a7b3d4c5e6f708192a3b4c5d6e7", "[Klaviyo key removed]"),
        (
            "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "[SendGrid key removed]",
        ),
        ("0123456789abcdef0123456789abcdef-us21", "[Mailchimp key removed]"),
        ("AKIAIOSFODNN7EXAMPLE", "[AWS key removed]"),
        ("ASIAIOSFODNN7EXAMPLE", "[AWS key removed]"),
        (PAYPAL_ACCESS_TOKEN, "[PayPal token removed]"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "[JWT removed]",
        ),
    ],
)
def test_tokens_are_replaced_by_name(token: str, marker: str) -> None:
    result = redact(f"here you go: {token} (thanks)")
    assert result == Redaction(text=f"here you go: {marker} (thanks)", found=frozenset({"token"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [AWS secret removed]",
        ),
        (
            "client_secret: EO422dn3gQLgDbuwqTjzrFgFtaRLRR5BdHEESmha49TM",
            "client_secret: [client secret removed]",
        ),
        (
            "PayPal client secret is EFgh1234ijKL5678",
            "PayPal client secret is [client secret removed]",
        ),
        (f"client secret: {PAYPAL_CLIENT_SECRET}", "client secret: [client secret removed]"),
        (
            "secret access key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "secret access key [AWS secret removed]",
        ),
        (
            "secret key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok",
            "secret key: [secret removed] ok",
        ),
        (
            "my api key is 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            "my api key is [API key removed]",
        ),
        ("SHOPIFY_API_KEY=shpat_abcd1234efgh5678", "SHOPIFY_API_KEY=[API key removed]"),
        ('{"apiKey": "Zk29fQpL0x8cVb7nMw3eRt"}', '{"apiKey": "[API key removed]"}'),
        ("webhook secret - whk2Xq9LmP0sR7tU4vW1", "webhook secret - [secret removed]"),
        ("token 5f2b8c1e9d4a7f3b6e0c", "token [token removed]"),
        (
            "Authorization: Bearer abc123def456ghi789jkl",
            "Authorization: Bearer [token removed]",
        ),
        (
            "the access token was 123e4567-e89b-12d3-a456-426614174000.",
            "the access token was [token removed].",
        ),
    ],
)
def test_labelled_secrets_keep_their_label(text: str, expected: str) -> None:
    assert redact(text) == Redaction(text=expected, found=frozenset({"token"}))


@pytest.mark.parametrize(
    "text",
    [
        "publishable key pk_live_abcdefghijklmnop is fine to share",
        "version v1.2.3 of example.com.something.else",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.too-short-to-be-one",
        "a sentence.with.dots.in_between_without_meaning_at_all_really_long_text_here",
        "the ghp_ prefix alone, sk_live_ alone, AKIA alone",
        "token: PAYMENT_FAILED, then ERR_TOKEN_EXPIRED_401 and token error ERR-401-UNAUTHORIZED",
        "api key: api.example.com/v2/keys/abc123def456",
        "see https://mycartpro.com/docs/api-keys-and-tokens-2024",
        "token v2.14.1-beta.12345678 broke checkout",
        "order 100234567890, code 504 after the secret is 42",
        "my api key is not working since v3.2.1",
        "the token 12345678901234567890 has no letters",
        "api key rotation 2024 guide, secret santa 2024, tokens: many",
        "token expired at 2024-01-01T10:00:00Z",
    ],
)
def test_lookalikes_stay(text: str) -> None:
    assert redact(text).text == text


def test_everything_at_once() -> None:
    result = redact(
        "Hi! card 4111 1111 1111 1111 exp 01/28 cvv 123, admin password: hunter2, "
        "Stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc, order #100234 😀"
    )
    assert result.text == (
        "Hi! card [card •••• 1111] exp 01/28 [security code removed], admin password: "
        "[password removed] Stripe [Stripe key removed], order #100234 😀"
    )
    assert result.found == frozenset({"card", "password", "token"})


def test_a_password_that_is_a_card_is_still_a_card() -> None:
    assert redact("pwd: 4242424242424242").text == "pwd: [card •••• 4242]"


# --- the notice ---------------------------------------------------------------------------


def test_notice_names_what_was_removed_and_the_safe_way() -> None:
    notice = redaction_notice(frozenset({"card", "password"}))
    assert "card details and a password" in notice
    assert "temporary staff account" in notice
    assert notice.count(".") == 1 and notice.endswith(".")


def test_notice_lists_three_kinds_in_a_fixed_order() -> None:
    notice = redaction_notice(frozenset({"token", "private_key", "card"}))
    assert "card details, a private key and an access key or token" in notice


def test_no_notice_when_nothing_was_removed() -> None:
    assert redaction_notice(frozenset()) == ""


# --- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "4242 " * 10_000,
        "1 " * 25_000,
        "1-" * 25_000,
        "0" * 50_000,
        "password " * 5_000,
        "password:" * 5_000,
        "-----BEGIN PRIVATE KEY-----" * 1_800,
        "-----BEGIN PRIVATE KEY-----\n" + "A" * 49_000,
        "xoxb-" * 10_000,
        "eyJ" + "a" * 50_000,
        "eyJaaaaa.eyJaaaaa-" * 2_500,
        "a" * 30 + "." + "a" * 8 + "." + "a" * 50_000,
        "a." * 25_000,
        "sk_live_" * 6_000,
        "aws_secret_access_key " * 2_000,
        "client_secret " * 3_000,
        "token=" * 10_000,
        "api key " * 6_000,
        "token: " + "a1" * 25_000,
        "pw " * 15_000,
        "passwd - " * 5_000,
        "mot de passe " * 4_000,
        "pin " * 10_000,
        "cvv " * 10_000,
        "😀" * 50_000,
    ],
)
def test_large_adversarial_input(text: str) -> None:
    result = redact(text)
    assert redact(result.text).text == result.text
    # No card number is left, written with spaces or dashes between its digits or not.
    runs = re.findall(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])", result.text)
    assert not any(luhn_valid(re.sub(r"[ -]", "", run)) for run in runs)


def test_a_huge_run_of_card_numbers_is_masked_whole() -> None:
    result = redact("4242 " * 10_000)
    assert "card" in result.found
    assert "4242 4242" not in result.text


def test_many_cards_in_one_long_message() -> None:
    text = "card 4242 4242 4242 4242 and " * 2_000
    result = redact(text)
    assert "4242 4242" not in result.text
    assert result.text.count("[card •••• 4242]") == 2_000


# --- properties ---------------------------------------------------------------------------

card_numbers = st.builds(
    lambda prefix, body: with_check_digit(prefix + body),
    st.sampled_from(["4", "51", "55", "37", "6011", "35"]),
    st.integers(min_value=11, max_value=17).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    ),
).filter(lambda number: 13 <= len(number) <= 19)


def formatted(number: str, separator: str) -> str:
    if not separator:
        return number
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


FRAGMENTS = [
    "4242 4242 4242 4242",
    "4242424242424242",
    " cvv 123",
    " exp 12/27 ",
    "password: ",
    "password is ",
    "Password is: ",
    "pass:",
    "cvv: ",
    "client_secret=",
    "AKIAIOSFODNN7EXAMPLE",
    "pwd=",
    "pw ",
    "passwd - ",
    "mot de passe est ",
    "PIN: ",
    "4821",
    "hunter2",
    "my api key is ",
    "token ",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "[API key removed]",
    "[PIN removed]",
    "[card •••• 4242]",
    "[password removed]",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    DISCORD_TOKEN,
    "eyJhbGciOi.eyJzdWIiOi.",
    " ",
    "-",
    "\n",
    "1234",
    "😀",
]
messy_text = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS), st.from_regex(r"[0-9 -]{1,24}")),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(messy_text)
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text).text
    assert redact(once).text == once


@settings(max_examples=300, deadline=None)
@given(
    card=card_numbers,
    separator=st.sampled_from(["", " ", "-"]),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
)
def test_embedded_cards_never_survive(card: str, separator: str, before: str, after: str) -> None:
    result = redact(f"{before}\n{formatted(card, separator)}\n{after}")
    assert "card" in result.found
    digits_only = re.sub(r"[ -]", "", result.text)
    assert card not in digits_only
    # No card-like run is left: a network's first digit, 13-19 digits, passing the Luhn check.
    for run in re.findall(r"(?<![0-9])[2-6][0-9]{12,18}(?![0-9])", digits_only):
        assert not luhn_valid(run)


@settings(max_examples=300, deadline=None)
@given(
    number=st.from_regex(r"[0-9]{1,40}", fullmatch=True).filter(
        lambda n: not (13 <= len(n) <= 19 and luhn_valid(n))
    ),
    template=st.sampled_from(
        ["Order {} was charged twice", "call {} please", "#{}", "{}", "ids: {}, {}"]
    ),
)
def test_non_card_numbers_survive(number: str, template: str) -> None:
    text = template.format(number, number)
    assert redact(text) == Redaction(text=text, found=frozenset())
