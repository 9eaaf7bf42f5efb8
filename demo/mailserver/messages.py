"""Mail a company's systems write: Postfix-style DSNs (RFC 3464), RFC 3834 auto-replies, a person's replies."""
from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid


def _original(raw: bytes) -> Message:
    return message_from_bytes(raw, policy=default_policy)


def postfix_bounce(original: bytes, *, recipient: str, status: str, diagnostic: str, when: datetime,
                   reporting_mta: str = "mx.shop-demo.test", remote_mta: str | None = None,
                   to: str | None = None) -> bytes:
    """A non-delivery report the way Postfix writes it: text, message/delivery-status, text/rfc822-headers."""
    orig = _original(original)
    header_end = original.find(b"\r\n\r\n")
    header_end = header_end if header_end >= 0 else original.find(b"\n\n")
    headers = original[:header_end if header_end >= 0 else len(original)].decode("utf-8", "replace")
    boundary = "4Q1x2Y3z." + make_msgid().strip("<>").split("@")[0].replace(".", "")
    human = (f"This is the mail system at host {reporting_mta}.\n\n"
             "I'm sorry to have to inform you that your message could not\n"
             "be delivered to one or more recipients. It's attached below.\n\n"
             "For further assistance, please send mail to postmaster.\n\n"
             "If you do so, please include this problem report. You can\n"
             "delete your own text from the attached returned message.\n\n"
             "                   The mail system\n\n"
             f"<{recipient}>: host {remote_mta or reporting_mta} said: {diagnostic}\n")
    action = "delayed" if status.startswith("4") else "failed"
    dsn = (f"Reporting-MTA: dns; {reporting_mta}\nX-Postfix-Queue-ID: 4Q1x2Y3z\n"
           f"Arrival-Date: {format_datetime(when)}\n\n"
           f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\n"
           f"Action: {action}\nStatus: {status}\n"
           + (f"Remote-MTA: dns; {remote_mta}\n" if remote_mta else "")
           + f"Diagnostic-Code: smtp; {diagnostic}\n")
    subject = "Delayed Mail (still being retried)" if action == "delayed" else "Undelivered Mail Returned to Sender"
    text = (f"From: MAILER-DAEMON@{reporting_mta} (Mail Delivery System)\n"
            f"To: {to or orig['From']}\nSubject: {subject}\nDate: {format_datetime(when)}\n"
            f"Message-ID: {make_msgid(domain=reporting_mta)}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"\n"
            "Content-Transfer-Encoding: 8bit\n\nThis is a MIME-encapsulated message.\n\n"
            f"--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
            f"{human}\n--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
            f"{dsn}\n--{boundary}\nContent-Description: Undelivered Message Headers\n"
            f"Content-Type: text/rfc822-headers\n\n{headers.strip()}\n\n--{boundary}--\n")
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def auto_reply(original: bytes, *, sender: str, text: str, when: datetime, subject_prefix: str = "Automatic reply: ") -> bytes:
    """An RFC 3834 auto-reply (ticket acknowledgement, vacation notice)."""
    orig = _original(original)
    msg = _answer(orig, sender, when, subject_prefix)
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Autoreply"] = "yes"
    msg.set_content(text)
    return msg.as_bytes()


def person_reply(original: bytes, *, sender: str, text: str, when: datetime) -> bytes:
    """A person's answer from a mail client: threaded, quoting the original."""
    orig = _original(original)
    msg = _answer(orig, sender, when, "Re: ")
    body = orig.get_body(preferencelist=("plain",))
    quoted = "\n".join("> " + line for line in (body.get_content() if body else "").splitlines())
    msg.set_content(f"{text}\n\nOn {orig['Date']}, {orig['From']} wrote:\n{quoted}\n")
    return msg.as_bytes()


def _answer(orig: Message, sender: str, when: datetime, prefix: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(orig.get("Reply-To") or orig["From"])
    subject = str(orig["Subject"] or "")
    msg["Subject"] = subject if subject.lower().startswith(prefix.lower().strip()) else prefix + subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    if orig["Message-ID"]:
        msg["In-Reply-To"] = str(orig["Message-ID"])
        msg["References"] = str(orig["Message-ID"])
    return msg
