"""Classify one incoming message (bounce, delay, reply, acknowledgement, transactional, autoreply, newsletter,
other) and analyse bounces."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from shopper.mail import signals
from shopper.mail.authorship import decide_authorship
from shopper.mail.decide import Evidence, decide
from shopper.mail.dsn import RecipientStatus, address_in, read_dsn, read_dsn_fields
from shopper.mail.mtaformats import (Family, category_reason, format_reason, header_reason, interim_reason,
                                     line_verdict, recognise)
from shopper.mail.parse import Headers, ParsedMail, decode_words, parse_header_block, parse_message
from shopper.mail.patterns import lazy
from shopper.mail.reasons import pseudo_status
from shopper.mail.sesjson import read_ses
from shopper.mail.smtpcodes import find_command, find_status
from shopper.mail.textbounce import ADDRESS, Segment, segments, split_original
from shopper.mail.tokens import find_tokens

EXCERPT_LIMIT = 4096
DIAGNOSTIC_LIMIT = 1024
_MSGID = lazy(r"<[^<>\s]+>|[^<>\s]+@[^<>\s]+")
_EMBEDDED_DSN = lazy(r"^\s*(?:Reporting-MTA|Final-Recipient|Original-Recipient)\s*:", re.I | re.M)
_URI = lazy(r"<\s*((?:https?|mailto):[^>\s]+)\s*>", re.I)


@dataclass(frozen=True)
class Delivery:
    """One failed (or delayed) recipient of a bounce/delay."""
    recipient: str | None
    reason: str
    status: str | None
    reply_code: str | None
    hard: bool
    diagnostic: str
    reporting_mta: str | None
    remote_mta: str | None
    action: str | None


@dataclass(frozen=True)
class Classification:
    """What an incoming message is, who it is about, and which of our messages it answers."""
    kind: str
    deliveries: tuple[Delivery, ...]
    tokens: tuple[str, ...]
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_addr: str | None
    from_name: str | None
    to_addrs: tuple[str, ...]
    subject: str
    date: datetime | None
    list_id: str | None
    list_unsubscribe: tuple[str, ...]
    list_unsubscribe_post: bool
    original_message_id: str | None
    original_to: str | None
    original_subject: str | None
    auto_submitted: str | None
    excerpt: str
    parse_problems: tuple[str, ...]
    helpdesk_state: str | None = None   # a helpdesk's status mail: resolved, status_changed, pending, ... (docs/mail.md)

    def _first(self, name: str):
        return getattr(self.deliveries[0], name) if self.deliveries else None

    @property
    def reason(self) -> str | None:
        return self._first("reason")

    @property
    def status(self) -> str | None:
        return self._first("status")

    @property
    def recipient(self) -> str | None:
        return self._first("recipient")

    @property
    def hard(self) -> bool | None:
        return self._first("hard")

    @property
    def diagnostic(self) -> str | None:
        return self._first("diagnostic")

    def to_json(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        data["deliveries"] = [asdict(d) for d in self.deliveries]
        for key in ("tokens", "references", "to_addrs", "list_unsubscribe", "parse_problems"):
            data[key] = list(data[key])
        return data


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(m.strip("<>") for m in _MSGID.findall(value))


_PLAIN_ADDRESS = r"[^<>\s\"(),:;\\\[\]]+@[^<>\s\"(),:;\\\[\]]+"
_ONE_AT_ADDRESS = r"[^<>\s\"(),:;\\\[\]@]+@[^<>\s\"(),:;\\\[\]@]+"
# "addr", "Name <addr>", "addr (Comment)" and "\"Quoted, Name\" <addr>", each alone in the header
_SIMPLE_ADDRESS = lazy(rf"\s*(?:([^<>\"(),:;\\@\[\]]*?)\s*<({_PLAIN_ADDRESS})>|({_PLAIN_ADDRESS})|"
                       rf"({_ONE_AT_ADDRESS})\s*\(([^()\\\r]*)\)|\"([^\"\\\r]*)\"\s*<({_ONE_AT_ADDRESS})>)\s*")


def _addresses(value: str | None) -> list[tuple[str, str]]:
    if not value:
        return []
    simple = _SIMPLE_ADDRESS.fullmatch(value) if value.isascii() else None
    if simple:   # what getaddresses returns, without its parser (most headers)
        name, bracketed, bare, commented, comment, quoted, quoted_address = simple.groups()
        if commented:   # a comment and a quoted name are taken as written; atoms of a name joined by a space
            return [(decode_words(comment), commented)]
        if quoted_address:
            return [(decode_words(quoted), quoted_address)]
        return [(decode_words(" ".join(name.split())) if name else "", bracketed or bare)]
    return _parsed_addresses(value)


def _parsed_addresses(value: str) -> list[tuple[str, str]]:
    """The (name, address) pairs of a header, read by the email package's address parser."""
    try:
        pairs = getaddresses([value])
    except (ValueError, TypeError, IndexError):
        return [("", a) for a in ADDRESS.findall(value)]
    # 8-bit bytes in a header come back as lone surrogates: text nobody can store or show, so replace them
    return [(decode_words(name), addr.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
            for name, addr in pairs if "@" in addr]


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RFC5322_DATE = lazy(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
                     r"Nov|Dec) ([1-9][0-9]{3}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})")


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        m = _RFC5322_DATE.fullmatch(value)
        if m is None:
            return parsedate_to_datetime(value)
        # The usual form, read as parsedate_to_datetime reads it: "-0000" is no zone (a naive time), minutes
        # of the offset are taken as written
        day, month, year, hour, minute, second, sign, tz_hours, tz_minutes = m.groups()
        fields = (int(year), _MONTHS.index(month.lower()) + 1, int(day), int(hour), int(minute), int(second))
        offset = int(tz_hours) * 3600 + int(tz_minutes) * 60
        if offset == 0 and sign == "-":
            return datetime(*fields)
        return datetime(*fields, tzinfo=timezone(timedelta(seconds=-offset if sign == "-" else offset)))
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def _original_headers(mail: ParsedMail, quoted: str) -> Headers | None:
    if mail.original_headers is not None and mail.original_headers.items:
        return mail.original_headers
    if quoted:
        lines = quoted.split("\n")
        # Skip the marker line itself, then read the pasted header block.
        for start in range(min(len(lines), 4)):
            block = parse_header_block("\n".join(lines[start:]))
            if len(block.items) >= 2:
                return block
    return None


# Sisimai's documented placeholder for an ARF report that names no recipient (no Original-Rcpt-To, no
# address in the reported message's To:); kept so that such reports still group under one address.
UNDISCLOSED_RECIPIENT = "undisclosed-recipient-in-headers@libsisimai.org.invalid"


def _is_unsubscribe_request(headers: Headers) -> bool:
    """Apple Mail's one-click unsubscribe: a mail from the subscriber marked 'X-Apple-Unsubscribe: true'."""
    return (headers.get("x-apple-unsubscribe") or "").strip().lower() == "true"


def _feedback(mail: ParsedMail, original: Headers | None) -> list[Delivery]:
    if _is_unsubscribe_request(mail.headers):
        senders = [a for _, a in _addresses(mail.headers.get("from"))]
        return [Delivery(senders[0] if senders else None, "feedback", None, None, False,
                         "feedback-type: opt-out", None, None, "failed")]
    fields = parse_header_block(mail.feedback_parts[0]) if mail.feedback_parts else Headers()
    # Original-Rcpt-To names the complainer; a redacted one ('localpart@') gives way to the reported To:.
    # Removal-Recipient is the address to unsubscribe, not necessarily the one the report is about.
    recipients = [address_in(v) for v in fields.get_all("original-rcpt-to")]
    recipients = [r for r in recipients if r]
    if not recipients and original is not None:
        recipients = [a for _, a in _addresses(original.get("to"))]
    if not recipients and mail.feedback_parts:
        recipients = [UNDISCLOSED_RECIPIENT]
    reporter = (fields.get("reporting-mta") or "").partition(";")[2].strip() or None
    kind = fields.get("feedback-type") or "abuse"
    return [Delivery(r or None, "feedback", None, None, False, f"feedback-type: {kind}"[:DIAGNOSTIC_LIMIT],
                     reporter, None, "failed") for r in (recipients or [None])]


_REMOTE_HOST = lazy(r"\b(?:host|talking to|remote host)\s+\[?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)", re.I)


def _hosts(recipient: str, remote: str, diagnostic: str) -> tuple[str, ...]:
    """Remote MTA (field or 'host X said' text), then the recipient's domain: where provider codes come from."""
    hosts = []
    if remote:
        hosts.append(remote.split()[0].strip("[]"))
    m = _REMOTE_HOST.search(diagnostic)
    if m:
        hosts.append(m.group(1))
    if "@" in recipient:
        hosts.append(recipient.rpartition("@")[2])
    return tuple(hosts)


def _delivery(recipient: str, ev: Evidence, reporting: str, remote: str) -> Delivery:
    ev = ev.with_changes(hosts=_hosts(recipient, remote, ev.diagnostic))
    verdict = decide(ev)
    # A DSN's Action: is the MTA's word; without one an expiry is a delay unless the MTA says it gave up.
    action = ev.action or ("delayed" if verdict.reason == "expired" and not signals.FINAL_TEXT.found(ev.diagnostic)
                           else "failed")
    return Delivery(recipient or None, verdict.reason, verdict.status, verdict.reply, verdict.hard,
                    " ".join(ev.diagnostic.split())[:DIAGNOSTIC_LIMIT], reporting or None, remote or None,
                    action)


def _from_ses(entry) -> Delivery:
    if entry.kind == "complaint":
        return Delivery(entry.recipient or None, "feedback", None, None, False, "", None, None, "failed")
    ev = Evidence(status=entry.status, diagnostic=entry.diagnostic, spec="SMTP", action=entry.action,
                  command=find_command(entry.diagnostic))
    return _delivery(entry.recipient, ev, entry.reporting_mta, "")


def _provider_reason(prose: str, recipients: list[str]) -> str:
    """Reasons a provider's bounce format implies whatever its words (Google Groups refuses posters)."""
    if any(r.lower().endswith(("@googlegroups.com",)) or "google-groups" in r.lower() for r in recipients):
        return "rejected"
    if "groups.google.com" in prose or "support.google.com/a/answer/" in prose and "group" in prose.lower():
        return "rejected"
    return ""


def _fill_recipients(statuses: list[RecipientStatus], candidates: list[str]) -> list[RecipientStatus]:
    """DSN blocks whose Final-Recipient holds no address take the one address the prose names."""
    if len(candidates) != 1:
        return statuses
    return [s if "@" in s.recipient else RecipientStatus(candidates[0], s.action, s.status, s.diagnostic,
                                                         s.spec, s.remote_mta, s.reporting_mta)
            for s in statuses]


def _from_dsn(statuses: list[RecipientStatus], texts: dict[str, str], family: Family | None,
              prose: str, preset: str = "") -> list[Delivery]:
    found = []
    for st in statuses:
        segment = texts.get(st.recipient.lower(), "")
        # A delayed recipient without a Diagnostic-Code: the prose about it is not its error (Sisimai: expired).
        diagnostic = st.diagnostic or ("" if st.action == "delayed" else segment)
        verdict = line_verdict(prose, st.recipient) if family is not None and family.line_verdicts else ""
        if verdict:
            # The MTA's own per-recipient line decides; its DSN carries only a generic status.
            diagnostic, segment = verdict, verdict
            st = replace(st, status="", diagnostic="")
        command = find_command(st.diagnostic) or find_command(segment)
        stated = (preset or category_reason(st.category) or format_reason(family, diagnostic, st.status)
                  or format_reason(family, segment)
                  # The only recipient: the MTA's verdict may stand above its address.
                  or (format_reason(family, prose) if len(statuses) == 1 else ""))
        ev = Evidence(status=st.status if st.status[:1] in "245" else "", diagnostic=diagnostic,
                      spec=st.spec, command=command, action=st.action, reason=stated,
                      interim=interim_reason(family, diagnostic))
        found.append(_delivery(st.recipient, ev, st.reporting_mta, st.remote_mta))
    return found


def _from_prose(prose: str, excluded: set[str], soft: set[str], preferred: list[str],
                fallback_to: str | None, family: Family | None, preset: str = "") -> list[Delivery]:
    found = []
    parts = segments(prose, excluded | soft, preferred) or segments(prose, excluded, preferred)
    if not parts and fallback_to:
        parts = segments(prose + "\n" + fallback_to, excluded, [fallback_to])
    whole_command = find_command(prose) if len(parts) == 1 else ""
    group = preset or _provider_reason(prose, [p.recipient for p in parts])
    for seg in parts:
        if family is not None and family.line_verdicts:
            seg = Segment(seg.recipient, line_verdict(prose, seg.recipient) or seg.text)
        delivery = _prose_delivery(seg.recipient, seg.text, whole_command, group, family)
        if delivery.reason in ("onhold", "undefined") and len(parts) == 1:
            # The only failed recipient: the error may stand above its address ("Error: ...", then the
            # address), so the whole prose is its error text.
            delivery = _prose_delivery(seg.recipient, prose, whole_command, group, family)
        found.append(delivery)
    return found


def _prose_delivery(recipient: str, text: str, command: str, group: str, family: Family | None) -> Delivery:
    ev = Evidence(diagnostic=text, command=find_command(text) or command,
                  reason=group or format_reason(family, text, find_status(text)) or interim_reason(family, text),
                  interim=interim_reason(family, text))
    return _delivery(recipient, ev, "", "")


_REJECTED = lazy(r"automatic-action/[\w-]+;\s*(?:deleted|denied|failed|rejected)", re.I)


def _rejections(mail: ParsedMail, prose: str) -> list[Delivery]:
    """A Sieve `reject` (RFC 5429) answers with an MDN whose disposition is 'deleted': the recipient's own
    filter refused the message. Read receipts ('displayed') are no failure and give nothing."""
    found = []
    for part in mail.mdn_parts:
        for block in (read_dsn_fields(part)):
            disposition = block.get("disposition", "")
            recipient = address_in(block.get("final-recipient", "") or block.get("original-recipient", ""))
            if not _REJECTED.search(disposition) or not recipient:
                continue
            reporter = (block.get("reporting-ua", "") or "").partition(";")[0].strip() or None
            text = " ".join(prose.split())[:DIAGNOSTIC_LIMIT]
            found.append(Delivery(recipient, "filtered", pseudo_status("filtered", False), None, False, text,
                                  reporter, None, "failed"))
    return found


def _undiagnosed(delivery: Delivery) -> Delivery:
    """A delivery-status report without per-recipient fields gives no cause: an 'onhold' read from its
    boilerplate prose (no status, no reply code) is really 'undefined' (Sisimai: no diagnosis, no reason)."""
    temporary = (delivery.status or "").startswith("4")
    if delivery.reason != "onhold" or delivery.reply_code or delivery.status != pseudo_status("onhold", temporary):
        return delivery
    return replace(delivery, reason="undefined", status=pseudo_status("undefined", temporary))


def _still_trying(failed: list[Delivery], statuses: list[RecipientStatus], prose: str, has_dsn: bool) -> bool:
    """A delay, never a bounce, whatever the status code: the DSN says `Action: delayed` for every failed
    recipient, or (no DSN action) the MTA says it is still trying and never that it gave up. A DSN's
    `Action: failed` — a 4.x.x status after the last retry — is a final failure."""
    actions = {(s.action or "").lower() for s in statuses if s.action}
    if actions:
        return actions == {"delayed"} and all(d.action == "delayed" for d in failed)
    if signals.FINAL_TEXT.found(prose):
        return False
    if signals.RETRYING_TEXT.found(prose):
        return True
    return all(d.action == "delayed" for d in failed) and (
        has_dsn or signals.DELAY_TEXT.found(prose) and not signals.PERMANENT_TEXT.found(prose))


def _looks_like_bounce(mail: ParsedMail, headers: Headers, sender: str, subject: str, prose: str) -> bool:
    if mail.dsn_parts or "x-failed-recipients" in headers or mail.report_type == "delivery-status":
        return True
    cheap = sum((
        bool(signals.BOUNCE_SENDER.search(sender)),
        (headers.get("return-path") or "").strip() in ("<>", "<MAILER-DAEMON>"),
        bool(signals.BOUNCE_SUBJECT.search(subject)),
        mail.original_headers is not None,
    ))
    if cheap != 1:   # two signals without reading the text, or none (the text alone is not enough)
        return cheap >= 2
    return signals.BOUNCE_TEXT.found(prose[:20_000])   # the costly one, only when it decides


def classify(raw: bytes | ParsedMail) -> Classification:
    """Classify one message (its bytes, or what `parse_message` made of them, so a caller that reads the
    message further parses it once); never raises (an unreadable message is kind 'other' with parse_problems)."""
    try:
        return _classify(raw if isinstance(raw, ParsedMail) else parse_message(raw))
    except (ValueError, TypeError, LookupError, AttributeError, IndexError, RecursionError,
            UnicodeError, OverflowError, AssertionError) as err:
        return Classification("other", (), (), None, None, (), None, None, (), "", None, None, (), False,
                              None, None, None, None, "", (f"classification failed: {type(err).__name__}: {err}",))


def classify_strict(mail: ParsedMail) -> Classification:
    """Classify a parsed message and let any error through: the sweep quarantines what it cannot read."""
    if mail.problems and any(p.startswith("unparseable message") for p in mail.problems):
        raise ValueError(mail.problems[0][:200])
    return _classify(mail)


def _classify(mail: ParsedMail) -> Classification:  # noqa: C901 - the decision reads top to bottom
    headers = mail.headers
    subject = decode_words(headers.get("subject"))
    senders = _addresses(headers.get("from"))
    from_name, from_addr = senders[0] if senders else ("", None)
    to_addrs = tuple(a for _, a in _addresses(headers.get("to")))
    prose, quoted = split_original(mail.text)
    original = _original_headers(mail, quoted)
    auto = signals.auto_submitted(headers)

    deliveries: list[Delivery] = []
    kind = "other"
    is_feedback = mail.report_type == "feedback-report" or bool(mail.feedback_parts) or bool(
        signals.COMPLAINT_SUBJECT.search(subject)) or _is_unsubscribe_request(headers)
    ses = read_ses(mail.text) if "notificationType" in mail.text[:50_000] else []
    if ses:
        deliveries = [_from_ses(e) for e in ses]
        is_feedback = all(e.kind == "complaint" for e in ses)
        if any(d.reason not in ("delivered", "feedback") for d in deliveries):
            kind = "bounce"
    elif is_feedback:
        deliveries = _feedback(mail, original)
    elif mail.mdn_parts and (rejected := _rejections(mail, prose)):
        deliveries, kind = rejected, "bounce"
    elif _looks_like_bounce(mail, headers, headers.get("from") or "", subject, prose):
        bounce_to = {a.lower() for a in to_addrs}
        excluded = {a.lower() for _, a in senders} | bounce_to
        original_to = None
        if original is not None:
            excluded |= {a.lower() for _, a in _addresses(original.get("from"))}
            excluded |= {a.lower() for _, a in _addresses(original.get("return-path"))}
            tos = _addresses(original.get("to"))
            original_to = tos[0][1] if tos else None
        preferred = [a for _, a in _addresses(headers.get("x-failed-recipients"))]
        family = recognise(headers, subject, prose)
        statuses = [s for part in mail.dsn_parts for s in read_dsn(part)]
        if not statuses and mail.nested_dsn_parts:
            statuses = [s for part in mail.nested_dsn_parts for s in read_dsn(part)]
        if not statuses:
            embedded = _EMBEDDED_DSN.search(mail.text)
            if embedded:
                statuses = read_dsn(mail.text[embedded.start():embedded.start() + 20_000])
                statuses = [s for s in statuses if s.recipient]
        if statuses:
            texts = {s.recipient: s.text for s in segments(prose, excluded - {s.recipient.lower() for s in statuses},
                                                            [s.recipient for s in statuses if s.recipient])}
            if any("@" not in s.recipient for s in statuses):
                statuses = _fill_recipients(statuses, list(texts) or [a for _, a in _addresses(
                    original.get("to") if original is not None else None)])
            seen: set[tuple[str, str]] = set()
            statuses = [s for s in statuses if (s.recipient.lower(), s.status) not in seen
                        and not seen.add((s.recipient.lower(), s.status))]
            deliveries = _from_dsn(statuses, texts, family, prose, header_reason(family, headers))
        else:
            deliveries = _from_prose(prose, excluded - bounce_to, bounce_to, preferred, original_to, family,
                                     header_reason(family, headers))
            if mail.dsn_parts:
                deliveries = [_undiagnosed(d) for d in deliveries]
        failed = [d for d in deliveries if d.reason != "delivered"]
        if failed:
            kind = "delay" if _still_trying(failed, statuses, prose, bool(mail.dsn_parts)) else "bounce"
            if kind == "delay":   # the MTA's own word, where its report gave no Action: field
                deliveries = [replace(d, action="delayed") if d.reason != "delivered" else d for d in deliveries]
    helpdesk_state = None
    if kind == "other" and not deliveries and not is_feedback:
        authorship = decide_authorship(headers, subject, from_addr, mail.text)
        kind = authorship.kind
        helpdesk_state = authorship.status.state if authorship.status else None

    unsubscribe = tuple(_URI.findall(headers.get("list-unsubscribe") or ""))
    post = (headers.get("list-unsubscribe-post") or "").replace(" ", "").lower() == "list-unsubscribe=one-click"
    list_id = headers.get("list-id")
    original_to = None
    original_subject = None
    original_message_id = None
    if original is not None and (kind in ("bounce", "delay") or is_feedback or deliveries):
        tos = _addresses(original.get("to"))
        original_to = tos[0][1] if tos else None
        original_subject = decode_words(original.get("subject")) or None
        ids = _message_ids(original.get("message-id"))
        original_message_id = ids[0] if ids else None
    in_reply_to = _message_ids(headers.get("in-reply-to"))
    return Classification(
        kind=kind,
        deliveries=tuple(deliveries),
        tokens=find_tokens(mail, prose, quoted),
        message_id=(_message_ids(headers.get("message-id")) or (None,))[0],
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_message_ids(headers.get("references")),
        from_addr=from_addr,
        from_name=from_name or None,
        to_addrs=to_addrs,
        subject=subject,
        date=_date(headers.get("date")),
        list_id=list_id.strip() if list_id else None,
        list_unsubscribe=unsubscribe,
        list_unsubscribe_post=post,
        original_message_id=original_message_id,
        original_to=original_to,
        original_subject=original_subject,
        auto_submitted=auto,
        excerpt=" ".join(prose.split())[:EXCERPT_LIMIT] if prose else "",
        parse_problems=tuple(mail.problems),
        helpdesk_state=helpdesk_state,
    )


_MBOX_FROM = lazy(rb"^From \S+ +\S.*\d{4}\r?$", re.M)


def split_mbox(raw: bytes) -> list[bytes]:
    """The messages of an mbox file ("From sender date" lines between them); a plain message is one."""
    if not raw.startswith(b"From "):
        return [raw]
    starts = [m.start() for m in _MBOX_FROM.finditer(raw)]
    if len(starts) < 2 or starts[0] != 0:
        return [raw]
    return [raw[a:b] for a, b in zip(starts, starts[1:] + [len(raw)])]


def classify_file(path) -> dict:
    """The JSON line of `runner.py classify FILE --json` (docs/mail.md): the message's kind, its first
    failed recipient at the top level, and every recipient the bounce names in `recipients` (of every
    message, when the file is an mbox holding several)."""
    results = [classify(part) for part in split_mbox(Path(path).read_bytes())]
    result = results[0] if len(results) == 1 else replace(results[0], deliveries=tuple(
        d for r in results for d in r.deliveries))   # replace() rebuilds all fields: only for an mbox
    reason = result.reason or ("vacation" if result.kind == "autoreply" else None)
    return {
        "file": str(path),
        "kind": result.kind,
        "reason": reason,
        "status": result.status,
        "recipient": result.recipient,
        "hard": result.hard,
        "diagnostic": result.diagnostic,
        "matched_token": result.tokens[0] if result.tokens else None,
        "recipients": [{"recipient": d.recipient, "reason": d.reason, "status": d.status, "reply_code": d.reply_code,
                        "hard": d.hard, "action": d.action, "diagnostic": d.diagnostic,
                        "reporting_mta": d.reporting_mta, "remote_mta": d.remote_mta} for d in result.deliveries],
    }
