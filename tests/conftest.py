"""Shared test setup: fixtures for real servers live in tests/fixtures/ and are registered here."""
pytest_plugins = [
    "tests.fixtures.shop",
    "tests.fixtures.browser",
    "tests.fixtures.dovecot",
    "tests.fixtures.smtp",
    "tests.fixtures.dns",
    "tests.fixtures.webhook",
    "tests.fixtures.postgres",
    "tests.fixtures.oscar",
    "tests.fixtures.evershop",
    "tests.fixtures.mta",
    "tests.fixtures.demo",
    "pytester",
]
