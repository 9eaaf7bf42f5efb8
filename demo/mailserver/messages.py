"""Mail a company's systems write: Postfix-style DSNs (RFC 3464), RFC 3834 auto-replies, a person's replies,
shop notices (orders, payments) and newsletters."""
from __future__ import annotations

from datetime import datetime
from email import message_from_bytes
from email.headerregistry import Address
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
    msg.set_content(f"{text}\n\n{_quote(orig)}")
    return msg.as_bytes()


def _quote(orig: Message) -> str:
    body = orig.get_body(preferencelist=("plain",))
    quoted = "\n".join("> " + line for line in (body.get_content() if body else "").splitlines())
    return f"On {orig['Date']}, {orig['From']} wrote:\n{quoted}\n"


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


# --- additions for the demo's company mail system (demo/mailserver/company.py) ------------------------

def agent_reply(original: bytes, *, name: str, address: str, text: str, when: datetime) -> bytes:
    """A named person's threaded answer ("Maria Keller" <maria.keller@...>), quoting the original."""
    orig = _original(original)
    msg = _answer(orig, address, when, "Re: ")
    msg.replace_header("From", Address(display_name=name, addr_spec=address))
    msg.set_content(f"{text}\n\n{_quote(orig)}")
    return msg.as_bytes()


def notice_reply(original: bytes, *, sender: str, subject: str, text: str, when: datetime) -> bytes:
    """An RFC 3834 automatic answer with its own subject (e.g. "You have been unsubscribed"), threaded."""
    orig = _original(original)
    msg = _answer(orig, sender, when, "")
    msg.replace_header("Subject", subject)
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(text)
    return msg.as_bytes()


def company_mail(*, sender: str | Address, to: str, subject: str, text: str, when: datetime,
                 auto_submitted: str | None = "auto-generated", in_reply_to: str | None = None,
                 headers: dict[str, str] | None = None, message_id: str | None = None) -> bytes:
    """A message a company's system or staff writes on its own (not answering a mail): notices, tickets.

    `message_id` (with angle brackets) lets a later answer thread on it before it is written.
    """
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    address = sender.addr_spec if isinstance(sender, Address) else sender
    msg["Message-ID"] = message_id or make_msgid(domain=address.rsplit("@", 1)[-1].strip("<> "))
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if auto_submitted:
        msg["Auto-Submitted"] = auto_submitted
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


def order_confirmation(*, sender: str | Address, to: str, shop_name: str, order_no: str, product: str,
                       total: str, order_url: str, tracking_url: str, when: datetime) -> bytes:
    """"Your order KC-10001 is confirmed", with the order page and the parcel tracking link."""
    text = (f"Hello,\n\nthank you for shopping at {shop_name}. We have your order {order_no}:\n\n"
            f"  {product}    {total}\n\n"
            f"Order status: {order_url}\n"
            f"Track your parcel: {tracking_url}\n\n"
            f"Kind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Your order {order_no} is confirmed", text=text, when=when)


def payment_failed(*, sender: str | Address, to: str, shop_name: str, order_no: str, attempt: int,
                   order_url: str, when: datetime) -> bytes:
    """"Payment declined for order KC-10001": the card was refused, try again from the order page."""
    text = (f"Hello,\n\nyour card was declined for order {order_no} (attempt {attempt}). Nothing was charged.\n"
            f"You can try another card on the order page: {order_url}\n\nKind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Payment declined for order {order_no}", text=text,
                        when=when)


def payment_received(*, sender: str | Address, to: str, shop_name: str, order_no: str, total: str,
                     order_url: str, when: datetime) -> bytes:
    """"Payment received for order KC-10001"."""
    text = (f"Hello,\n\nwe have received your payment of {total} for order {order_no}.\n"
            f"Order status: {order_url}\n\nKind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Payment received for order {order_no}", text=text,
                        when=when)


def order_shipped(*, sender: str | Address, to: str, shop_name: str, order_no: str, order_url: str,
                  tracking_url: str, when: datetime) -> bytes:
    """"Your order KC-10001 is on its way", with the tracking link."""
    text = (f"Hello,\n\nyour order {order_no} has left our warehouse.\n"
            f"Track your parcel: {tracking_url}\nOrder status: {order_url}\n\nKind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Your order {order_no} is on its way", text=text,
                        when=when)


def order_cancelled(*, sender: str | Address, to: str, shop_name: str, order_no: str, order_url: str,
                    when: datetime) -> bytes:
    """"Your order KC-10001 has been cancelled"."""
    text = (f"Hello,\n\nas you asked, we have cancelled your order {order_no}.\n"
            f"Order status: {order_url}\n\nKind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Your order {order_no} has been cancelled", text=text,
                        when=when)


def order_refunded(*, sender: str | Address, to: str, shop_name: str, order_no: str, total: str, order_url: str,
                   when: datetime) -> bytes:
    """"Refund for order KC-10001": the money of a cancelled order is back on the card."""
    text = (f"Hello,\n\nwe have refunded {total} for your cancelled order {order_no} to your card.\n"
            f"Order status: {order_url}\n\nKind regards\n{shop_name}\n")
    return company_mail(sender=sender, to=to, subject=f"Refund for order {order_no}", text=text, when=when)


def newsletter(*, sender: str | Address, to: str, shop_name: str, issue_no: int, list_id: str,
               unsubscribe_url: str, unsubscribe_mailto: str, when: datetime) -> bytes:
    """A newsletter issue with RFC 2369 List-* headers and RFC 8058 one-click unsubscribe."""
    text = (f"{shop_name} news, issue {issue_no}\n\n"
            "This month: descaling without vinegar, and why 80 degrees makes better green tea.\n\n"
            f"You receive this because {to} subscribed to our newsletter.\n"
            f"Unsubscribe: {unsubscribe_url}\n")
    headers = {
        "List-Id": f"<{list_id}>",
        "List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{unsubscribe_mailto}?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "bulk",
    }
    return company_mail(sender=sender, to=to, subject=f"{shop_name} news #{issue_no}: the descaling issue",
                        text=text, when=when, auto_submitted=None, headers=headers)
