"""Alerts after a run against a real loopback webhook receiver and a real SMTP server: triggers, cooldown,
maintenance, failures kept for the next run, and no secret or unescaped site text on the way out."""
from __future__ import annotations

import logging
import socket
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

from shopper.alerts import (AlertsConfig, EmailAlertConfig, MaintenanceWindow, WebhookConfig, alert_after,
                            plan_alerts)
from shopper.clock import ManualClock
from shopper.duration import Duration
from shopper.model import Finding
from shopper.probes.smtp import SmtpSettings
from shopper.schema import bind_dataclass
from shopper.store import open_store
from shopper.yamlnodes import load
from tests.fixtures.webhook import TOKEN_PATH

pytestmark = pytest.mark.smtp

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)   # a Monday
SENDER = "shopper@example.test"
TEAM = "audit-team@example.test"


@pytest.fixture
def store(tmp_path) -> Iterator[Any]:
    s = open_store(str(tmp_path / "s.db"))
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def finding(kind: str = "page_error", severity: str = "major", subject: str = "https://shop.test/contact",
            title: str = "Contact page answered 500", journey: str = "contact", **data: Any) -> Finding:
    return Finding.of(kind, severity=severity, journey=journey, subject=subject, title=title, data=data)


def add_run(store, clock: ManualClock, run_id: str, score: int | None, findings=(), kind: str = "run") -> str:
    store.begin_run(run_id, clock.now().isoformat(), kind=kind)
    store.save_findings(run_id, list(findings))
    store.finish_run(run_id, clock.now().isoformat(), "findings" if findings else "clean",
                     {} if score is None else {"score": score})
    return run_id


def hook_config(webhook, **kw: Any) -> AlertsConfig:
    fmt = kw.pop("format", "json")
    return AlertsConfig(webhook=WebhookConfig(url=webhook.url, format=fmt), **kw)


def alerts(config: AlertsConfig, store, run_id: str, clock: ManualClock, smtp=None, environ=None) -> list[str]:
    settings = SmtpSettings(host="127.0.0.1", port=smtp.port, security="none", timeout=5.0) if smtp else None
    return alert_after(config, store, run_id, clock.now(), smtp_settings=settings, sender_address=SENDER,
                       environ=environ or {})


def shown(webhook) -> str:
    return f"http://127.0.0.1:{webhook.port}/***"


# -- triggers --------------------------------------------------------------------------------------

def test_new_findings_alert_once_then_again_after_the_cooldown(store, clock, webhook):
    config = hook_config(webhook)
    broken = finding()
    add_run(store, clock, "run-1", 80, [broken])
    assert alerts(config, store, "run-1", clock) == [f"webhook 200 ({shown(webhook)})"]
    [request] = webhook.requests
    assert request.path == TOKEN_PATH
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "run_id": "run-1", "trigger": "new_findings", "title": "1 new problem, score 80", "score": 80,
        "previous_score": None,
        "findings": [{"kind": "page_error", "severity": "major", "journey": "contact",
                      "title": "Contact page answered 500", "fingerprint": broken.fingerprint}]}

    clock.advance(hours=23)   # same problem within the cooldown: silent; a new one alerts alone
    other = finding("dead_link", subject="https://shop.test/help", title="Dead link to /help")
    add_run(store, clock, "run-2", 80, [broken, other])
    assert alerts(config, store, "run-2", clock) == [f"webhook 200 ({shown(webhook)})"]
    assert [f["fingerprint"] for f in webhook.requests[-1].json()["findings"]] == [other.fingerprint]

    clock.advance(hours=1)    # 24h after the first alert: the cooldown is over for `broken` only
    add_run(store, clock, "run-3", 80, [broken, other])
    assert alerts(config, store, "run-3", clock) == [f"webhook 200 ({shown(webhook)})"]
    assert [f["fingerprint"] for f in webhook.requests[-1].json()["findings"]] == [broken.fingerprint]
    assert len(webhook.requests) == 3
    assert [(a["run_id"], a["trigger"], a["channel"]) for a in store.alerts_sent()] == [
        ("run-1", "new_findings", "webhook"), ("run-2", "new_findings", "webhook"),
        ("run-3", "new_findings", "webhook")]


@pytest.mark.parametrize("kind", ["unanswered_email", "unanswered_form", "no_acknowledgement", "unsubscribe_ignored"])
def test_breaches_alert_on_their_own(store, clock, webhook, kind):
    breach = finding(kind, subject="support@shop.test", title="No reply from support@shop.test in 2d")
    other = finding()
    add_run(store, clock, "run-1", 60, [breach, other])
    assert len(alerts(hook_config(webhook), store, "run-1", clock)) == 2
    first, second = (r.json() for r in webhook.requests)
    assert (first["trigger"], first["title"], [f["kind"] for f in first["findings"]]) == (
        "breaches", "1 promise broken, score 60", [kind])
    assert (second["trigger"], [f["kind"] for f in second["findings"]]) == ("new_findings", ["page_error"])


def test_breaches_only_leaves_other_findings_alone(store, clock, webhook):
    add_run(store, clock, "run-1", 60, [finding("unanswered_email", subject="a@shop.test"), finding()])
    alerts(hook_config(webhook, on=["breaches"]), store, "run-1", clock)
    [request] = webhook.requests
    assert [f["kind"] for f in request.json()["findings"]] == ["unanswered_email"]


def test_score_drop_past_the_threshold_alerts_and_a_small_one_does_not(store, clock, webhook):
    config = hook_config(webhook, on=["score_drop"], score_drop=10)
    add_run(store, clock, "run-1", 80)
    clock.advance(hours=1)
    add_run(store, clock, "sweep-1", None, kind="sweep")          # sweeps are not compared against
    assert alerts(config, store, "sweep-1", clock) == []
    clock.advance(hours=1)
    add_run(store, clock, "run-2", 70)                            # exactly 10 points down
    assert alerts(config, store, "run-2", clock) == [f"webhook 200 ({shown(webhook)})"]
    assert webhook.requests[-1].json() == {"run_id": "run-2", "trigger": "score_drop",
                                           "title": "score 70 (-10), down from 80", "score": 70,
                                           "previous_score": 80, "findings": []}
    assert alerts(config, store, "run-2", clock) == []              # the same run never alerts twice
    clock.advance(hours=1)
    add_run(store, clock, "run-3", 61)                            # 9 points down
    assert alerts(config, store, "run-3", clock) == []
    assert len(webhook.requests) == 1


@pytest.mark.parametrize("min_severity, expected", [
    ("critical", ["critical"]),
    ("major", ["critical", "major"]),
    ("minor", ["critical", "major", "minor"]),
    ("info", ["critical", "major", "minor", "info"]),
])
def test_min_severity(store, clock, webhook, min_severity, expected):
    add_run(store, clock, "run-1", 50, [finding(severity=s, subject=s) for s in ("info", "minor", "major", "critical")])
    alerts(hook_config(webhook, min_severity=min_severity), store, "run-1", clock)
    [request] = webhook.requests
    assert [f["severity"] for f in request.json()["findings"]] == expected


def test_flaky_findings_never_alert(store, clock, webhook):
    config = hook_config(webhook)
    add_run(store, clock, "run-1", 40, [finding(severity="critical", flaky=True),
                                        finding("unanswered_email", subject="a@shop.test", flaky=True)])
    assert plan_alerts(config, store, "run-1", clock.now()) == []
    assert alerts(config, store, "run-1", clock) == []
    assert webhook.requests == []


def test_nothing_is_enabled_without_a_channel(store, clock):
    add_run(store, clock, "run-1", 10, [finding(severity="critical")])
    assert not AlertsConfig().enabled
    assert alerts(AlertsConfig(), store, "run-1", clock) == []


# -- maintenance -----------------------------------------------------------------------------------

@pytest.mark.parametrize("window", [
    MaintenanceWindow(start="2026-01-05T08:00Z", end="2026-01-05T12:00Z"),
    MaintenanceWindow(weekly="mon 08:00-mon 12:00"),
], ids=["fixed", "weekly"])
def test_a_maintenance_window_holds_alerts_until_the_first_run_after_it(store, clock, webhook, window):
    config = hook_config(webhook, maintenance=[window])
    broken, other = finding(), finding("dead_link", subject="https://shop.test/help")
    add_run(store, clock, "run-1", 80, [broken])
    held = "1 alert(s) held: maintenance window until 2026-01-05T12:00:00+00:00; they go out after the first run"
    assert [line[:len(held)] for line in alerts(config, store, "run-1", clock)] == [held]
    clock.advance(hours=2)
    add_run(store, clock, "run-2", 80, [broken, other])           # `broken` is already waiting: only `other` added
    assert alerts(config, store, "run-2", clock)[0].startswith("2 alert(s) held")
    assert webhook.requests == []
    assert store.last_alerted([broken.fingerprint, other.fingerprint]) == {}

    clock.set(datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc))  # the window has ended
    add_run(store, clock, "run-3", 80)
    assert alerts(config, store, "run-3", clock) == [f"webhook 200 ({shown(webhook)})"] * 2
    assert [(r.json()["run_id"], [f["fingerprint"] for f in r.json()["findings"]]) for r in webhook.requests] == [
        ("run-1", [broken.fingerprint]), ("run-2", [other.fingerprint])]
    assert store.pending_alerts() == []
    assert set(store.last_alerted([broken.fingerprint, other.fingerprint])) == {broken.fingerprint, other.fingerprint}

    clock.advance(minutes=5)
    add_run(store, clock, "run-4", 80, [broken, other])           # just alerted: the cooldown holds
    assert alerts(config, store, "run-4", clock) == []
    assert len(webhook.requests) == 2


# -- webhook formats and failures ------------------------------------------------------------------

def test_slack_format_payload(store, clock, webhook):
    title = 'Form says <script>alert(1)</script> & "thanks" <https://evil.test|click>'
    add_run(store, clock, "run-1", 80, [finding(title=title)])
    alerts(hook_config(webhook, format="slack"), store, "run-1", clock)
    [request] = webhook.requests
    body = request.json()
    assert set(body) == {"text", "blocks"}
    assert body["text"] == "Mystery Shopper: 1 new problem, score 80"
    assert [b["type"] for b in body["blocks"]] == ["header", "context", "section"]
    assert body["blocks"][0]["text"] == {"type": "plain_text", "text": "Mystery Shopper: 1 new problem, score 80"}
    assert body["blocks"][2]["text"]["type"] == "mrkdwn"
    assert body["blocks"][2]["text"]["text"] == (
        "• [major] contact: Form says &lt;script&gt;alert(1)&lt;/script&gt; &amp; \"thanks\" "
        "&lt;https://evil.test|click&gt; (page_error)")


def test_a_webhook_answering_500_is_reported_not_recorded_and_retried_after_the_next_run(store, clock, webhook):
    config = hook_config(webhook)
    broken = finding()
    add_run(store, clock, "run-1", 80, [broken])
    webhook.answer_with(500, 500)
    lines = alerts(config, store, "run-1", clock)
    assert lines == [f"webhook {shown(webhook)} answered 500 after a retry: alert not delivered, kept for the next "
                     "run; check the receiving service"]
    assert len(webhook.requests) == 2                              # one retry
    assert store.last_alerted([broken.fingerprint]) == {}
    assert store.alerts_sent() == []
    [pending] = store.pending_alerts()
    assert (pending["reason"], pending["channels"], pending["attempts"]) == ("failed", ["webhook"], 1)

    clock.advance(hours=1)
    add_run(store, clock, "run-2", 80, [broken])
    assert alerts(config, store, "run-2", clock) == [f"webhook 200 ({shown(webhook)})"]
    assert [r.json()["run_id"] for r in webhook.requests] == ["run-1", "run-1", "run-1"]  # no second copy for run-2
    assert store.last_alerted([broken.fingerprint]) == {broken.fingerprint: clock.now()}
    assert store.pending_alerts() == []


def test_a_webhook_failing_once_succeeds_on_the_retry(store, clock, webhook):
    add_run(store, clock, "run-1", 80, [finding()])
    webhook.answer_with(503)
    assert alerts(hook_config(webhook), store, "run-1", clock) == [f"webhook 200 ({shown(webhook)})"]
    assert len(webhook.requests) == 2
    assert store.pending_alerts() == []


def test_a_refused_webhook_is_not_retried_at_once_and_says_what_to_check(store, clock, webhook):
    add_run(store, clock, "run-1", 80, [finding()])
    webhook.answer_with(404)
    [line] = alerts(hook_config(webhook), store, "run-1", clock)
    assert line == (f"webhook {shown(webhook)} answered 404 (not retried): alert not delivered, kept for the next "
                    "run; the URL or its token is probably wrong or revoked: check alerts.webhook")
    assert len(webhook.requests) == 1


def test_the_webhook_url_from_the_environment_never_shows(store, clock, webhook, caplog):
    caplog.set_level(logging.DEBUG)
    config = AlertsConfig(webhook=WebhookConfig(url_env="SHOPPER_ALERT_WEBHOOK"))
    environ = {"SHOPPER_ALERT_WEBHOOK": webhook.url}
    add_run(store, clock, "run-1", 80, [finding()])
    assert alerts(config, store, "run-1", clock, environ={}) == [
        "webhook not called: $SHOPPER_ALERT_WEBHOOK is not set; export it with the webhook URL (or set "
        "alerts.webhook.url); kept for the next run"]
    webhook.answer_with(500, 500)
    failed = alerts(config, store, "run-1", clock, environ=environ)
    delivered = alerts(config, store, "run-1", clock, environ=environ)
    assert failed[0].startswith(f"webhook {shown(webhook)} answered 500")
    assert delivered == [f"webhook 200 ({shown(webhook)})"]
    assert len(webhook.requests) == 3
    assert "HTTP Request: POST" in caplog.text                     # httpx did log each request ...
    token = TOKEN_PATH.rsplit("/", 1)[1]
    for text in [*failed, *delivered, caplog.text, *(str(p["last_error"]) for p in store.pending_alerts()),
                 *(r.body.decode() for r in webhook.requests)]:
        assert token not in text and TOKEN_PATH not in text        # ... but never the URL's path


def test_unreachable_webhook_is_reported_with_what_to_check(store, clock):
    with socket.socket() as probe:                                 # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    add_run(store, clock, "run-1", 80, [finding()])
    config = AlertsConfig(webhook=WebhookConfig(url=f"http://127.0.0.1:{port}{TOKEN_PATH}", timeout=Duration(5)))
    [line] = alerts(config, store, "run-1", clock)
    assert line.startswith(f"webhook http://127.0.0.1:{port}/*** could not be reached (ConnectError: ")
    assert line.endswith("after a retry: alert not delivered, kept for the next run; check the URL's host and that "
                         "this machine can reach it (proxy, firewall)")
    assert TOKEN_PATH not in line
    assert [p["reason"] for p in store.pending_alerts()] == ["failed"]


# -- email -----------------------------------------------------------------------------------------

def test_email_alert_has_text_and_html_parts_with_site_text_escaped(store, clock, smtp):
    config = AlertsConfig(on=["new_findings"], email=EmailAlertConfig(to=[TEAM]))
    add_run(store, clock, "run-1", 77)
    clock.advance(hours=1)
    add_run(store, clock, "run-2", 62, [finding(title="<script>alert('x')</script> form\nbroken")])
    assert alerts(config, store, "run-2", clock, smtp=smtp) == [
        f"alert sent to {TEAM}: [Mystery Shopper] 1 new problem, score 62 (-15)"]
    [received] = smtp.wait_for(1, timeout=5)
    msg = received.message
    assert received.rcpt_tos == (TEAM,) and received.mail_from == SENDER
    assert msg["Subject"] == "[Mystery Shopper] 1 new problem, score 62 (-15)"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    assert "- [major] contact: <script>alert('x')</script> form broken (page_error)" in text.splitlines()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; form broken" in page
    assert "<b>62</b> (previous run: 77)" in page


def test_an_email_refused_is_kept_for_its_channel_only(store, clock, smtp, webhook):
    config = AlertsConfig(on=["new_findings"], email=EmailAlertConfig(to=[TEAM], subject_prefix="[MS]"),
                          webhook=WebhookConfig(url=webhook.url))
    broken = finding()
    add_run(store, clock, "run-1", 80, [broken])
    smtp.reject_rcpt(TEAM)
    email_line, hook_line = alerts(config, store, "run-1", clock, smtp=smtp)
    assert email_line == (f"alert email to {TEAM} refused by 127.0.0.1:{smtp.port} ({TEAM}: 550 5.1.1 <{TEAM}>: "
                          "Recipient address rejected: User unknown): check alerts.email.to and that the server "
                          "relays for the sender; kept for the next run")
    assert hook_line == f"webhook 200 ({shown(webhook)})"
    assert [p["channels"] for p in store.pending_alerts()] == [["email"]]
    assert store.last_alerted([broken.fingerprint]) == {}

    smtp.reset()                                                   # the mailbox is back
    clock.advance(hours=1)
    add_run(store, clock, "run-2", 80, [broken])
    assert alerts(config, store, "run-2", clock, smtp=smtp) == [
        f"alert sent to {TEAM}: [MS] 1 new problem, score 80"]
    assert len(webhook.requests) == 1                              # the webhook already had it
    assert store.last_alerted([broken.fingerprint]) == {broken.fingerprint: clock.now()}


def test_no_smtp_server_is_reported_not_raised(store, clock):
    config = AlertsConfig(email=EmailAlertConfig(to=[TEAM]))
    add_run(store, clock, "run-1", 80, [finding()])
    assert alerts(config, store, "run-1", clock) == [
        f"alert email to {TEAM} not sent: no SMTP server configured; set smtp.host (and smtp.user, with the "
        "password in $SHOPPER_SMTP_PASSWORD) in config.yaml; kept for the next run"]
    assert len(store.pending_alerts()) == 1


# -- configuration ---------------------------------------------------------------------------------

def test_the_documented_configuration_binds(tmp_path):
    text = '''alerts:
  "on": [new_findings, breaches, score_drop]
  min_severity: major
  score_drop: 10
  cooldown: 24h
  email: {to: [audit-team@example.test], subject_prefix: "[Mystery Shopper]"}
  webhook: {url_env: SHOPPER_ALERT_WEBHOOK, format: slack}
  maintenance:
    - {start: "2026-01-10T22:00Z", end: "2026-01-11T06:00Z"}
    - {weekly: "sat 22:00-sun 06:00"}
'''
    root, problems = load(text, "config.yaml")
    config = bind_dataclass(AlertsConfig, root.value["alerts"], "config.yaml", "alerts", problems)
    assert problems == []
    assert config.channels == ("email", "webhook") and config.cooldown == Duration(86400)
    assert config.held_until(datetime(2026, 1, 10, 23, tzinfo=timezone.utc)) == datetime(2026, 1, 11, 6,
                                                                                         tzinfo=timezone.utc)
    assert config.held_until(datetime(2026, 1, 17, 21, 59, tzinfo=timezone.utc)) is None
    assert config.held_until(datetime(2026, 1, 18, 5, 0, tzinfo=timezone.utc)) == datetime(2026, 1, 18, 6,
                                                                                          tzinfo=timezone.utc)


def test_configuration_errors_are_located_and_never_echo_the_url():
    text = '''alerts:
  min_severity: severe
  webhook: {url: "ftp://hooks.example.test/T0/s3cr3t"}
  maintenance:
    - {weekly: "sa 22:00-sun 06:00"}
    - {start: "2026-01-11T06:00Z", end: "2026-01-10T22:00Z"}
'''
    root, problems = load(text, "config.yaml")
    bind_dataclass(AlertsConfig, root.value["alerts"], "config.yaml", "alerts", problems)
    assert [str(p) for p in problems] == [
        "config.yaml:2:17: alerts.min_severity: 'severe' is not one of critical, major, minor, info",
        "config.yaml:3:12: alerts.webhook: url must start with https:// (or http://)",
        "config.yaml:5:7: alerts.maintenance[0]: weekly 'sa 22:00-sun 06:00': 'sa' is not a day "
        "(use mon, tue, wed, thu, fri, sat, sun)",
        "config.yaml:6:7: alerts.maintenance[1]: maintenance window ends (2026-01-10T22:00Z) before it starts "
        "(2026-01-11T06:00Z)"]
