import pytest

from harness.cassettes.scrub import kept_headers, scrub_text


@pytest.mark.parametrize(
    ("secret", "placeholder"),
    [
        ("sk_test_51Habcdefghijklmnop", "sk_test_REDACTED"),
        ("sk_live_51Habcdefghijklmnop", "sk_live_REDACTED"),
        ("rk_test_51Habcdefghijklmnop", "rk_test_REDACTED"),
        ("whsec_abcdefghijklmnop", "whsec_REDACTED"),
        ("seti_1Habc_secret_XyZ123", "seti_1Habc_secret_REDACTED"),
        ("pi_1Habc_secret_XyZ123", "pi_1Habc_secret_REDACTED"),
    ],
)
def test_secrets_are_replaced(secret: str, placeholder: str) -> None:
    scrubbed = scrub_text(f'{{"value": "{secret}"}}')
    assert secret not in scrubbed
    assert placeholder in scrubbed


def test_real_emails_become_deterministic_placeholders_and_examples_stay() -> None:
    first = scrub_text("email=jane.doe@bigcorp.io")
    assert "bigcorp" not in first
    assert first == scrub_text("email=jane.doe@bigcorp.io")
    assert first != scrub_text("email=john@bigcorp.io")
    assert "bigcorp" not in scrub_text("email=jane.doe%40bigcorp.io")
    assert scrub_text("ada@example.com") == "ada@example.com"


def test_only_allowed_response_headers_are_kept() -> None:
    kept = kept_headers({"Request-Id": "req_1", "Set-Cookie": "session=abc", "Stripe-Version": "2024-06-20"})
    assert kept == {"Request-Id": "req_1", "Stripe-Version": "2024-06-20"}
