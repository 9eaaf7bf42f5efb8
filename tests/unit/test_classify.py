"""Unit tests of mail classification: each kind, token finding, hostile input."""
from __future__ import annotations

import time

import pytest

from shopper.mail.classify import classify, classify_file

TOKEN = "ms-abcdefghijk2"
OUR_ID = f"<{TOKEN}.contact-support@shopper.test>"


def eml(text: str) -> bytes:
    return text.lstrip("\n").replace("\n", "\r\n").encode()


VACATION = eml(f"""
From: Kiji Tora <kiji@company.example>
To: shopper@shopper.test
Subject: Automatic reply: Question about my order [{TOKEN}]
Auto-Submitted: auto-replied
In-Reply-To: {OUR_ID}
Message-ID: <auto-1@company.example>
Date: Mon, 01 Jul 2024 10:00:00 +0000

I am out of the office until Monday.
""")

TICKET = eml("""
From: Support <support@company.example>
To: shopper@shopper.test
Subject: [#12345] Request received: Question about my order
Auto-Submitted: auto-generated
X-Autoreply: yes
Message-ID: <ticket-12345@company.example>

Thank you for contacting us. Your request #12345 has been received.
""")

PERSON = eml(f"""
From: "Mike Neko" <mike@company.example>
To: shopper@shopper.test
Subject: Re: Question about my order
In-Reply-To: {OUR_ID}
References: <older@shopper.test> {OUR_ID}
Message-ID: <reply-1@company.example>
Date: Tue, 02 Jul 2024 09:30:00 +0200

Hello, your parcel left our warehouse yesterday.
""")

NEWSLETTER = eml("""
From: News <news@company.example>
To: shopper@shopper.test
Subject: Our summer deals
List-Id: Company news <news.company.example>
List-Unsubscribe: <https://company.example/unsub?u=1>, <mailto:unsub@company.example?subject=unsub>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
Message-ID: <nl-1@company.example>

Deals!
""")

POSTFIX_FULL = eml(f"""
From: MAILER-DAEMON@mx.shopper.test (Mail Delivery System)
To: shopper@shopper.test
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"
Message-Id: <bounce-1@mx.shopper.test>

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.shopper.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<webmaster@company.example>: host mx.company.example[192.0.2.1] said: 552 5.2.2
    <webmaster@company.example>: Mailbox full (in reply to RCPT TO command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shopper.test
Arrival-Date: Mon,  1 Jul 2024 10:00:00 +0000

Final-Recipient: rfc822; webmaster@company.example
Original-Recipient: rfc822;webmaster@company.example
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.company.example
Diagnostic-Code: smtp; 552 5.2.2 <webmaster@company.example>: Mailbox full

--B1
Content-Type: message/rfc822

Message-ID: {OUR_ID}
From: shopper@shopper.test
To: webmaster@company.example
Subject: Question about my order [{TOKEN}]

Hello
--B1--
""")

TWO_RECIPIENTS = eml(f"""
From: MAILER-DAEMON@mx.shopper.test (Mail Delivery System)
To: shopper@shopper.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B3"

--B3
Content-Type: text/plain

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<sales@company.example>: host mx.company.example[192.0.2.1] said: 550 5.1.1
    <sales@company.example>: Recipient address rejected: User unknown (in reply to RCPT TO command)
<info@company.example>: host mx.company.example[192.0.2.1] said: 552 5.2.2
    <info@company.example>: Mailbox full (in reply to RCPT TO command)

--B3
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shopper.test

Final-Recipient: rfc822; sales@company.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <sales@company.example>: Recipient address rejected: User unknown

Final-Recipient: rfc822; info@company.example
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 <info@company.example>: Mailbox full

--B3
Content-Type: text/rfc822-headers

Message-ID: {OUR_ID}
To: sales@company.example, info@company.example
Subject: Question about my order [{TOKEN}]
--B3--
""")

DELAY = eml("""
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.shopper.test>
To: shopper@shopper.test
Subject: Delayed Mail (still being retried)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B2"

--B2
Content-Type: text/plain

Your message has not yet been delivered; the mail system will keep trying.

--B2
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shopper.test

Final-Recipient: rfc822; sales@company.example
Action: delayed
Status: 4.4.1
Diagnostic-Code: smtp; 421 4.4.1 connect to mx.company.example timed out

--B2
Content-Type: text/rfc822-headers

Message-ID: <ms-zzzzzzzzzzzz.contact-sales@shopper.test>
To: sales@company.example
Subject: Hello [ms-zzzzzzzzzzzz]
--B2--
""")

PASTED = eml("""
From: MAILER-DAEMON@mx.company.example
To: shopper@shopper.test
Subject: failure notice

Hi. This is the qmail-send program at mx.company.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<info@company.example>:
192.0.2.3 does not like recipient.
Remote host said: 550 5.1.1 <info@company.example>... User unknown
Giving up on 192.0.2.3.

--- Below this line is a copy of the message.

Return-Path: <shopper@shopper.test>
Message-ID: <ms-qqqqqqqqqqqq.contact-info@shopper.test>
From: shopper@shopper.test
To: info@company.example
Subject: Can you help? [ms-qqqqqqqqqqqq]

Body
""")


def test_rfc3834_vacation_reply_is_autoreply_with_token_from_in_reply_to() -> None:
    result = classify(VACATION)
    assert result.kind == "autoreply"
    assert result.auto_submitted == "auto-replied"
    assert result.tokens[0] == TOKEN
    assert result.deliveries == ()


def test_ticket_acknowledgement_is_an_acknowledgement() -> None:
    assert classify(TICKET).kind == "acknowledgement"


def test_auto_response_suppress_alone_is_not_an_autoreply() -> None:
    raw = PERSON.replace(b"Subject:", b"X-Auto-Response-Suppress: All\r\nSubject:")
    assert classify(raw).kind == "reply"


def test_person_reply_threads_on_our_message_id() -> None:
    result = classify(PERSON)
    assert result.kind == "reply"
    assert result.tokens == (TOKEN,)
    assert result.in_reply_to == OUR_ID.strip("<>")
    assert result.references == ("older@shopper.test", OUR_ID.strip("<>"))
    assert (result.from_addr, result.from_name) == ("mike@company.example", "Mike Neko")
    assert result.date is not None and result.date.utcoffset().total_seconds() == 7200


def test_newsletter_with_one_click_unsubscribe() -> None:
    result = classify(NEWSLETTER)
    assert result.kind == "newsletter"
    assert result.list_unsubscribe == ("https://company.example/unsub?u=1",
                                       "mailto:unsub@company.example?subject=unsub")
    assert result.list_unsubscribe_post is True
    assert result.list_id == "Company news <news.company.example>"


def test_postfix_dsn_mailbox_full() -> None:
    result = classify(POSTFIX_FULL)
    assert result.kind == "bounce"
    assert len(result.deliveries) == 1
    d = result.deliveries[0]
    assert (d.recipient, d.reason, d.status, d.reply_code, d.hard, d.action) == (
        "webmaster@company.example", "mailboxfull", "5.2.2", "552", False, "failed")
    assert d.remote_mta == "mx.company.example" and d.reporting_mta == "mx.shopper.test"
    assert result.original_message_id == OUR_ID.strip("<>")
    assert result.original_to == "webmaster@company.example"
    assert result.tokens == (TOKEN,)


def test_delay_dsn_with_rfc822_headers_part() -> None:
    result = classify(DELAY)
    assert result.kind == "delay"
    assert result.deliveries[0].action == "delayed"
    assert result.deliveries[0].status == "4.4.1"
    assert result.tokens == ("ms-zzzzzzzzzzzz",)
    assert result.original_subject == "Hello [ms-zzzzzzzzzzzz]"


def test_qmail_bounce_with_pasted_original() -> None:
    result = classify(PASTED)
    assert result.kind == "bounce"
    assert (result.recipient, result.reason, result.status, result.hard) == (
        "info@company.example", "userunknown", "5.1.1", True)
    assert result.tokens == ("ms-qqqqqqqqqqqq",)
    assert result.original_message_id == "ms-qqqqqqqqqqqq.contact-info@shopper.test"


def test_tokens_rank_thread_headers_before_body_before_quoted_original() -> None:
    raw = eml("""
From: a@company.example
To: shopper@shopper.test
Subject: Re: hello [ms-bbbbbbbbbbbb]
In-Reply-To: <ms-aaaaaaaaaaaa.x@shopper.test>
Content-Type: multipart/mixed; boundary="Q"

--Q
Content-Type: text/plain

see ms-cccccccccccc
--Q
Content-Type: message/rfc822

Message-ID: <ms-dddddddddddd.y@shopper.test>
Subject: x

quoted
--Q--
""")
    assert classify(raw).tokens == ("ms-aaaaaaaaaaaa", "ms-bbbbbbbbbbbb", "ms-cccccccccccc", "ms-dddddddddddd")


def test_tokens_ignore_lookalikes() -> None:
    raw = eml("From: a@b.example\nSubject: ms-ABCDEFGHIJKL ms-abcdefghijk1 xms-abcdefghijkl\n\nbody\n")
    assert classify(raw).tokens == ()


@pytest.mark.parametrize("raw", [
    b"",
    b"no headers at all, just text\r\n",
    bytes(range(256)) * 64,
    b"Content-Type: multipart/report; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n",
    b"Subject: =?utf-8?b?invalid?=\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe\xfa",
    b"From: MAILER-DAEMON@x\r\nSubject: Undelivered Mail\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
    b"--b\r\nContent-Type: text/plain\r\n\r\n<kiji@company.example>: 550 5.1.1 User unk",  # truncated fetch
])
def test_hostile_input_never_raises(raw: bytes) -> None:
    result = classify(raw)
    assert result.kind in {"bounce", "delay", "autoreply", "reply", "newsletter", "other"}
    assert len(result.excerpt) <= 4096
    assert all(len(d.diagnostic) <= 1024 for d in result.deliveries)
    assert isinstance(result.to_json(), dict)


def test_headerless_message_reports_the_problem() -> None:
    result = classify(b"just some words\r\n")
    assert result.kind == "other"
    assert "no headers" in result.parse_problems


def test_ten_megabyte_message_is_classified_quickly() -> None:
    body = (b"x" * 998 + b"\r\n") * 10_500
    raw = PASTED.replace(b"Body\r\n", body)
    start = time.perf_counter()
    result = classify(raw)
    assert time.perf_counter() - start < 2.0
    assert result.kind == "bounce" and result.recipient == "info@company.example"


def test_classify_file_json_keys(tmp_path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(POSTFIX_FULL)
    line = classify_file(path)
    assert list(line) == ["file", "kind", "reason", "status", "recipient", "hard", "diagnostic", "matched_token",
                          "recipients"]
    assert (line["kind"], line["reason"], line["matched_token"]) == ("bounce", "mailboxfull", TOKEN)
    assert line["recipients"] == [{"recipient": "webmaster@company.example", "reason": "mailboxfull",
                                   "status": "5.2.2", "reply_code": "552", "hard": False, "action": "failed",
                                   "diagnostic": "552 5.2.2 <webmaster@company.example>: Mailbox full",
                                   "reporting_mta": "mx.shopper.test", "remote_mta": "mx.company.example"}]


def test_classify_cli_prints_every_failed_recipient(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "two.eml"
    path.write_bytes(TWO_RECIPIENTS)
    runner = Path(__file__).resolve().parents[2] / "runner.py"
    out = subprocess.run([sys.executable, str(runner), "classify", "--json", str(path)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    [row] = [json.loads(line) for line in out]
    assert [(r["recipient"], r["reason"], r["status"]) for r in row["recipients"]] == [
        ("sales@company.example", "userunknown", "5.1.1"), ("info@company.example", "mailboxfull", "5.2.2")]
    text = subprocess.run([sys.executable, str(runner), "classify", str(path)], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    assert text == [f"{path}: bounce userunknown 5.1.1 sales@company.example [{TOKEN}]",
                    f"{path}: bounce mailboxfull 5.2.2 info@company.example [{TOKEN}]"]


# --- Rules mirrored from Sisimai: SMTP command, pseudo status, provider and MTA tables -------------------

from shopper.mail.decide import Evidence, decide  # noqa: E402
from shopper.mail.mtaformats import category_reason, format_reason, recognise  # noqa: E402
from shopper.mail.parse import Headers, decode_text  # noqa: E402
from shopper.mail.smtpcodes import find_command, is_temporary  # noqa: E402


def test_unknown_user_is_userunknown_only_when_rcpt_was_refused() -> None:
    assert decide(Evidence(diagnostic="550 Unknown user kiji@example.jp", command="RCPT")).reason == "userunknown"
    assert decide(Evidence(diagnostic="550 Unknown user kiji@example.jp", command="DATA")).reason == "filtered"
    # No command known and no 5.1.1: Sisimai reads it as refused after the message (filtered).
    assert decide(Evidence(diagnostic="550 Unknown user kiji@example.jp")).reason == "filtered"
    assert decide(Evidence(status="5.1.1", diagnostic="550 5.1.1 Unknown user")).reason == "userunknown"


@pytest.mark.parametrize("text, command", [
    ("550 5.2.1 <kiji@example.jp>... User Unknown [RCPT_TO]", "RCPT"),
    ("Technical details: SMTP:RCPT host 192.0.2.8: 553 5.3.0 No such user here", "RCPT"),
])
def test_vendor_spellings_of_the_rcpt_command(text: str, command: str) -> None:
    assert find_command(text) == command


@pytest.mark.parametrize("text, temporary", [
    ("421 Service not available", True), ("550 5.1.1 User unknown", False),
    ("Technical details of temporary failure: socket error", True),
    ("Message will be retried for 2 more day(s)", False), ("Envelope expired", False),
])
def test_pseudo_status_is_temporary_only_by_code_class_or_wording(text: str, temporary: bool) -> None:
    assert is_temporary(text) is temporary


def test_pseudo_status_of_a_retried_expiry_without_code_is_permanent() -> None:
    verdict = decide(Evidence(diagnostic="Message will be retried for 2 more day(s)", reason="expired"))
    assert verdict.status == "5.0.947"


@pytest.mark.parametrize("hosts, text, status, command, reason", [
    (("lsean.ezweb.ne.jp",), "550 : User unknown", "5.0.0", "", "filtered"),
    (("lsean.ezweb.ne.jp",), "550 <kiji@ezweb.ne.jp>: User unknown", "5.0.0", "", "userunknown"),
    (("smtpz4.laposte.net",), "550 5.5.0 Le compte du destinataire est bloque. LPN007_426", "5.5.0", "", "suspend"),
    (("smtp-in.orange.fr",), "421 mwinf5c77 ME Service refuse. OFR_999 [999]", "4.0.0", "", "blocked"),
    (("smtp.secureserver.net",), "550 5.1.1 <k@example.com> sent to too many recipients this hour. IB607",
     "5.1.1", "RCPT", "speeding"),
    (("mx.example.net", "cox.net"), "550 5.1.0 <b@example.com> sender rejected. AUP#CDRBL", "5.1.0", "", "blocked"),
    (("mfsmax.docomo.ne.jp",), "550 Unknown user kiji@docomo.ne.jp", "5.0.0", "DATA", "rejected"),
    (("mta6.am0.yahoodns.net",), "554 delivery error: dd This user doesn't have a yahoo.com account", "5.0.0",
     "DATA", "userunknown"),
])
def test_provider_tables_decide_by_remote_host_or_domain(hosts, text, status, command, reason) -> None:
    assert decide(Evidence(status=status, diagnostic=text, command=command, hosts=hosts)).reason == reason


def test_provider_table_applies_to_no_other_host() -> None:
    ev = Evidence(status="5.5.0", diagnostic="550 5.5.0 Le compte est bloque. LPN007_426", hosts=("mx.example.org",))
    assert decide(ev).reason != "suspend"


def test_mta_family_tables() -> None:
    exchange = recognise(Headers([("x-mailer", "Internet Mail Service (5.5.2657.72)")]), "Undeliverable: x", "")
    assert exchange is not None and exchange.name == "exchange2003"
    assert format_reason(exchange, "MSEXCH:IMS:KIJITORA CAT:EXAMPLE:EXCHANGE 0 (000C05A6) Unknown Recipient") \
        == "userunknown"
    online = recognise(Headers([("x-ms-exchange-message-is-ndr", "")]), "Undeliverable: x", "")
    assert format_reason(online, "The email address wasn't found", "5.1.10") == "userunknown"
    assert recognise(Headers([("from", "a@example.org")]), "Hello", "") is None
    assert category_reason("bad-mailbox") == "userunknown"


def test_preset_reason_of_the_format_survives_a_missing_smtp_command() -> None:
    assert decide(Evidence(diagnostic="550 No such user", reason="userunknown")).reason == "userunknown"


def test_undeclared_iso_2022_jp_is_decoded() -> None:
    raw = "ディレクトリのリストにありません".encode("iso-2022-jp")
    assert decode_text(raw, "us-ascii") == "ディレクトリのリストにありません"


OPENSMTPD = eml("""
From: MAILER-DAEMON@mx.shopper.test
To: shopper@shopper.test
Subject: Delivery status notification: error
Message-Id: <open-1@mx.shopper.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B2"

--B2
Content-Type: text/plain; charset=utf-8

Hi!

    This is the MAILER-DAEMON, please DO NOT REPLY to this email.

    A message is delayed for more than 4 hours for the following
    list of recipients:

kiji@example.net: Network error on destination MXs

    Please note that this is only a temporary failure report.

--B2
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shopper.test

Final-Recipient: rfc822; kiji@example.net
Action: delayed
Status: 4.4.7

--B2--
""")


def test_opensmtpd_line_verdict_outranks_its_generic_dsn_status() -> None:
    result = classify(OPENSMTPD)
    assert (result.recipient, result.reason, result.status) == ("kiji@example.net", "networkerror", "5.0.944")


def _exim(body: str, subject: str = "Mail delivery failed: returning message to sender") -> bytes:
    return eml(f"""
From: Mail Delivery System <Mailer-Daemon@mx.shopper.test>
To: shopper@shopper.test
Subject: {subject}
Message-Id: <E1abCDe-000123-Xy@mx.shopper.test>
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

{body}
------ This is a copy of the message, including all the headers. ------

From: shopper@shopper.test
To: kiji@example.net
Subject: Hello
""")


def test_exim_keeps_the_pseudo_status_of_its_first_verdict() -> None:
    # Refused after MAIL FROM: Exim's own verdict is 'onhold', whose code stays whatever reason follows.
    refused = classify(_exim("  kiji@example.net\n    host mx.example.net [192.0.2.1]\n"
                             "    SMTP error from remote mail server after MAIL FROM:<shopper@shopper.test> SIZE=99:\n"
                             "    550 Unroutable sender address\n"))
    assert refused.recipient == "kiji@example.net" and refused.status == "5.0.901"
    # No reply code at all: 'retry timeout exceeded' is Exim's 'expired', a temporary code.
    expired = classify(_exim("  kiji@example.net\n    retry timeout exceeded\n"))
    assert (expired.reason, expired.status) == ("expired", "4.0.947")


def test_address_written_as_a_name_gives_way_to_the_one_in_angle_brackets() -> None:
    result = classify(_exim("  kiji@example.com <neko@example.net>: malformed address: <neko@example.net> "
                            "may not follow kiji@example.com\n", subject="Mail failure - malformed recipient address"))
    assert (result.recipient, result.reason, result.status) == ("neko@example.net", "syntaxerror", "5.0.902")


ARF_WITHOUT_RECIPIENT = eml("""
From: <fbl@isp.example>
To: <abuse@shopper.test>
Subject: FW: Hello
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="R"

--R
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.2.

--R
Content-Type: message/feedback-report

Feedback-Type: opt-out
User-Agent: ARF-Agent/1.0
Version: 0.1
Removal-Recipient: someone@isp.example

--R
Content-Type: text/rfc822-headers

From: <shopper@shopper.test>
To: <Undisclosed Recipients>
Subject: Hello

--R--
""")


def test_arf_report_naming_no_recipient_gets_the_placeholder() -> None:
    from shopper.mail.classify import UNDISCLOSED_RECIPIENT
    result = classify(ARF_WITHOUT_RECIPIENT)
    assert (result.reason, result.recipient) == ("feedback", UNDISCLOSED_RECIPIENT)


def test_apple_mail_unsubscribe_request_is_feedback_from_its_sender() -> None:
    raw = eml("""
From: kiji@icloud.example
To: unsubscribe-123@shopper.test
Subject: unsubscribe
X-Apple-Unsubscribe: true
Auto-Submitted: auto-replied

Apple Mail sent this email to unsubscribe from the message "Hello".
""")
    result = classify(raw)
    assert (result.reason, result.recipient) == ("feedback", "kiji@icloud.example")


def test_verizon_error_above_the_only_recipient() -> None:
    raw = eml("""
Received: from mx1.vtext.com (mx1.vtext.com [192.0.2.146]) by mx.shopper.test with SMTP
From: MMSC NDR Administrator <sysadmin@m01.vzwpix.com>
To: shopper@shopper.test
Subject: Undeliverable Message

Message could not be delivered to mobile.
Error: No valid recipients for this MM

Original Message:
From: Shopper <shopper@shopper.test>
To: 5550000000@vzwpix.com
Subject: Hello
""")
    result = classify(raw)
    assert (result.recipient, result.reason, result.status) == ("5550000000@vzwpix.com", "userunknown", "5.0.911")


def test_interscan_unable_to_deliver_is_userunknown() -> None:
    raw = eml("""
From: postmaster@mx.example.jp ("InterScan Notification")
To: shopper@shopper.test
Subject: Mail could not be delivered
Content-Type: text/plain

Message from InterScan Messaging Security Suite

Unable to deliver message to <kiji@example.jp> (and other recipients in the same domain).
""")
    assert classify(raw).reason == "userunknown"


def _ezweb(extra_header: str, body: str) -> bytes:
    return eml(f"""
Received: from wfilter (wfilter [172.26.26.68]) by wsmtp.ezweb.ne.jp (EZweb Mail) with ESMTP id EF2
From: <Postmaster@ezweb.ne.jp>
To: <shopper@shopper.test>
Subject: Mail System Error - Returned Mail
{extra_header}Message-Id: <20240101000000.EF2@wsmtp.ezweb.ne.jp>

{body}
""")


def test_ezweb_format_and_its_spam_filter_header() -> None:
    disabled = classify(_ezweb("", "The user(s) account is disabled.\n\n<kiji@ezweb.ne.jp>\n"))
    assert (disabled.reason, disabled.status) == ("suspend", "5.0.921")
    filtered = classify(_ezweb("X-SPASIGN: NG\n", "<kiji@ezweb.ne.jp>\n\nEach of the following recipients was "
                                                  "rejected by a remote mail server.\n"))
    assert (filtered.reason, filtered.status) == ("filtered", "5.0.910")


def test_fml_and_messagelabs_tables() -> None:
    fml = recognise(Headers([("x-mlserver", "fml [fml 4.0.3]"), ("from", "neko-admin@example.org"),
                             ("message-id", "<200504292334.FMLFF0.neko@example.org>")]), "x", "")
    assert format_reason(fml, "You are not a member of this mailing list <neko@example.org>.") == "rejected"
    labs = recognise(Headers([("x-msg-ref", "server-0.tower-0.messagelabs.com!1!2!3"),
                              ("from", "Mail Delivery System <MAILER-DAEMON@messagelabs.com>")]),
                     "Mail Delivery Failure", "")
    assert format_reason(labs, "542 kiji@example.com Rejected") == "userunknown"


def test_delivery_report_without_recipient_fields_is_undefined() -> None:
    raw = eml("""
From: Mail Delivery System <MAILER-DAEMON@mx.shopper.test>
To: shopper@shopper.test
Subject: Delivery status notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="D"

--D
Content-Type: text/plain

This is an automatically generated Delivery Status Notification.

Delivery to the following recipients failed permanently:

   * kiji@example.or.jp

--D
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shopper.test

--D--
""")
    result = classify(raw)
    assert (result.recipient, result.reason, result.status) == ("kiji@example.or.jp", "undefined", "5.0.900")


def test_exim_recognition_leaves_mail_ru_alone() -> None:
    exim = Headers([("from", "Mail Delivery System <mailer-daemon@mx.example.org>")])
    assert recognise(exim, "Mail delivery failed: returning message to sender", "").name == "exim"
    mailru = Headers([("from", "Mail Delivery System <mailer-daemon@corp.mail.ru>")])
    assert recognise(mailru, "Mail delivery failed: returning message to sender", "") is None


def test_html_character_references_are_decoded() -> None:
    from shopper.mail.parse import html_to_text

    assert html_to_text("<p>r&eacute;sum&eacute;&#160;ok &amp; &#x2014; &lt;b&gt;</p>") == " résumé ok & — <b>\n"


def test_delivery_status_is_read_from_the_parsed_blocks() -> None:
    from shopper.mail.parse import parse_message

    mail = parse_message(POSTFIX_FULL)
    assert isinstance(mail.dsn_parts[0], list), "the email parser's header blocks, not text"
    assert ("final-recipient", "rfc822; webmaster@company.example") in mail.dsn_parts[0][1]
    assert classify(mail).recipient == "webmaster@company.example"


@pytest.mark.parametrize("words", [
    "Message expired after sitting in queue for 5 days",
    "delivery failed: gave up after 5 days in the queue (maximal queue lifetime exceeded)",
    "retry timeout exceeded",
])
def test_final_failures_after_retries_are_bounces_not_delays(words: str) -> None:
    raw = eml(f"""
From: Mail Delivery System <MAILER-DAEMON@mx.shopper.test>
To: shopper@shopper.test
Subject: Undelivered Mail Returned to Sender

This is the mail system at host mx.shopper.test. Your message could not be delivered; we will not retry.

<sales@company.example>: {words}
""")
    c = classify(raw)
    assert (c.kind, c.recipient) == ("bounce", "sales@company.example")
    assert c.deliveries[0].action == "failed"


@pytest.mark.parametrize("text, dsn", [
    ("Delivery is delayed to these recipients: sales@company.example\nThe server will keep trying to deliver this "
     "message for the next 1 days, 19 hours and 57 minutes.\n\n450 4.4.7 Message delayed", ""),
    ("Your message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n"
     "<sales@company.example>: host mx.company.example said: 550 5.1.1 mailbox unavailable", ""),
    ("Delivery to sales@company.example is still being retried.", "Final-Recipient: rfc822; sales@company.example\n"
                                                                  "Action: delayed\nStatus: 5.2.2\n"),
])
def test_an_mta_still_trying_is_a_delay_whatever_its_status_code(text: str, dsn: str) -> None:
    head = ("From: Mail Delivery System <MAILER-DAEMON@mx.shopper.test>\nTo: shopper@shopper.test\n"
            "Subject: Delayed Mail (still being retried)\nMIME-Version: 1.0\n")
    if dsn:
        raw = eml(head + 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
                  f"--B\nContent-Type: text/plain\n\n{text}\n--B\nContent-Type: message/delivery-status\n\n"
                  f"Reporting-MTA: dns; mx.shopper.test\n\n{dsn}\n--B--")
    else:
        raw = eml(head + "\n" + text)
    c = classify(raw)
    assert (c.kind, c.recipient) == ("delay", "sales@company.example")
