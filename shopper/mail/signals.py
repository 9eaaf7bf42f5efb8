"""Header and subject signals that tell bounces, auto-replies and bulk mail apart."""
from __future__ import annotations

import re

from shopper.mail.patterns import caseless, lazy
from shopper.mail.parse import Headers

BOUNCE_SENDER = lazy(r"(?:^|<|\s)(?:mailer-daemon|postmaster|mail-daemon|mail\.delivery|"
                           r"maildelivery|bounce[sd]?|mdaemon|nobody|post_master)(?:@|>|\s|$)", re.I)
BOUNCE_SUBJECT = lazy(
    r"undeliver|delivery (?:status|fail|notification|report|problem|has failed)|failure notice|"
    r"mail delivery (?:failed|failure|subsystem|system)|returned mail|returning message|"
    r"could not be delivered|not delivered|non[- ]?delivery|delivery error|mail system error|"
    r"nondeliverable|unzustellbar|non remis|no se puede entregar|message delayed|delayed mail|"
    r"warning: (?:could not|message)|mail failure|bounce|rejected|error sending|delivery notification|"
    r"message not delivered|unable to deliver|notificaci[oó]n de estado|\bdsn\b|mail failed|"
    r"returning to sender|not member|failed delivery|delivery failure|error notification", re.I)
COMPLAINT_SUBJECT = lazy(r"^\s*complaint about message from", re.I)
DELAY_TEXT = caseless(
    r"will (?:continue|keep) (?:to )?try|will (?:be )?retr(?:y|ied)|not yet been delivered|"
    r"has been delayed|is delayed|delivery (?:is )?delayed|message delayed|\(delay\)|"
    r"still trying|temporary (?:failure|problem)|warning: message .* delayed|delayed mail", re.I)
# An MTA that says it is still trying (Postfix's "Delayed Mail (still being retried)", "THIS IS A WARNING ONLY",
# Exim's "Delivery attempts will continue", Microsoft's "will keep trying"): a delay whatever its status code.
RETRYING_TEXT = caseless(r"still being retried|will (?:keep|continue to) try(?:ing)?|will be retried until|"
                     r"delivery attempts will continue|this is a warning only|you do not need to resend|"
                     r"only a temporary failure report|has not yet been delivered|will retry (?:for|until)|"
                     r"server will (?:keep|retry)|no action is required on your part", re.I)
# An MTA that stopped retrying: the failure is final, whatever its 4.x.x status says.
FINAL_TEXT = caseless(r"\bgave up\b|\bgiving up\b|retry timeout exceeded|message expired|envelope expired|"
                        r"delivery time expired|queue lifetime|too long in (?:the )?queue|in the queue too long|"
                        r"expired after sitting in queue|"
                        r"maximum time in queue|retry time not reached for any host after a long failure", re.I)
PERMANENT_TEXT = caseless(r"permanent(?:ly)? (?:error|fail)|given up|gave up|could not be delivered|"
                            r"failed permanently|undeliverable|has expired|too long", re.I)
BOUNCE_TEXT = caseless(
    r"could not be delivered|couldn't be delivered|wasn't delivered|was not delivered|undeliverable|"
    r"delivery (?:has )?failed|failed permanently|permanent (?:error|failure)|fatal errors?|"
    r"wasn't able to deliver|unable to deliver|could not deliver|error delivering|"
    r"following (?:address(?:es|\(es\))?|recipients?)(?: \w+)? (?:failed|could not|had)|"
    r"did not reach|rejected by|delivery (?:to the following|status notification)|"
    r"returned mail|mail delivery|not be delivered|error occurred|non[- ]?delivery|"
    r"diagnostic-code:|remote host said|smtp error|transcript of session|message will be retried|"
    r"failed addresses|no valid recipients|not a member|requested action not taken|"
    r"temporary failure|delivery attempts|could not be sent|unzustellbar|no se pudo entregar", re.I)
AUTOREPLY_SUBJECT = lazy(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response|answer)|autoreply|auto:|"
    r"out of (?:the )?office|abwesenheit|r[ée]ponse automatique|respuesta autom[aá]tica|"
    r"risposta automatica|on vacation|away from (?:my|the) (?:desk|office)|vacation)|"
    r"\b(?:out of office|auto[- ]?reply|automatic reply)\b", re.I)
TICKET_SUBJECT = lazy(r"\[#?\d{3,}\]|\bticket\b|\bcase\b|request (?:received|#)|"
                            r"we(?:'ve| have) received|thank you for (?:contacting|your)", re.I)


def auto_submitted(headers: Headers) -> str | None:
    value = headers.get("auto-submitted")
    return value.strip().lower() if value else None


def is_autoreply(headers: Headers, subject: str) -> bool:
    """RFC 3834 and the vendor headers that mark a machine-written answer to a person's message."""
    auto = auto_submitted(headers) or ""
    if auto.startswith("auto-replied"):
        return True
    if "x-autoreply" in headers or "x-autorespond" in headers or "x-autoresponder" in headers:
        return True
    precedence = (headers.get("precedence") or "").lower()
    if "auto_reply" in precedence or "auto-reply" in precedence:
        return True
    if (headers.get("x-auto-response-suppress") or "") and AUTOREPLY_SUBJECT.search(subject):
        return True
    if AUTOREPLY_SUBJECT.search(subject):
        return True
    if auto.startswith("auto-generated") and TICKET_SUBJECT.search(subject):
        return True
    return False


def is_bulk(headers: Headers) -> bool:
    """List and campaign headers of newsletters and other bulk mail."""
    if "list-unsubscribe" in headers or "list-id" in headers:
        return True
    precedence = (headers.get("precedence") or "").lower()
    if precedence in ("bulk", "list", "junk"):
        return True
    return any(name in headers for name in ("x-campaign", "x-campaign-id", "x-mailchimp-campaign",
                                             "feedback-id", "x-mc-user", "x-sg-eid", "x-mailgun-tag"))
