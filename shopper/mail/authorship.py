"""Who wrote a message that is not a bounce: a person (`reply`) or a machine (vacation notice, acknowledgement,
transactional mail, newsletter). Never let an automatic mail count as a person's answer."""
from __future__ import annotations

import re
from dataclasses import dataclass

from shopper.mail import signals
from shopper.mail.helpdesk import ANSWER_WORDS, REOPEN_HINT, StatusNotice, answer_words, status_notice, subject_state
from shopper.mail.parse import Headers
from shopper.mail.patterns import lazy

# -- what a message's own text says (English, German, French, Spanish, Italian, Dutch) -------------------

# "We received your request, a ticket was opened, someone will get back to you": a helpdesk's receipt.
_ACK_TEXT = lazy(
    r"\bwe(?:'ve| have)? (?:successfully |now )?received your (?:support |service )?(?:request|message|e-?mail|"
    r"enquiry|inquiry|ticket|question|mail)|"
    r"\byour (?:support |service )?(?:request|message|ticket|enquiry|inquiry|e-?mail|case|follow[- ]up|question)\b"
    r"[^.\n]{0,40}? (?:has been|was|is) (?:successfully )?(?:received|created|registered|logged|opened|recorded)|"
    r"\b(?:request for support|(?:a |new )?(?:support )?ticket|case|request)\b[^.\n]{0,30}? has been "
    r"(?:created|opened|assigned|logged)|"
    r"\bwill (?:be )?(?:get back to|getting back to|respond to|reply to|answer|contact) you\b|"
    r"\bwill be (?:answered|reviewed|processed|handled) (?:by|as soon|shortly|within|in the order)|"
    r"\bwe(?:'ll| will) be in touch\b|\b(?:one of our|a member of our|our) (?:team|agents?|representatives?|"
    r"support (?:team|staff)|staff)\b[^.\n]{0,20}? will\b|\ba representative will\b|"
    r"\bthere is no need to reply to this\b|"
    r"\b(?:this|the) (?:message|e-?mail|response|reply) (?:has been|was|is) (?:automatically generated|"
    r"generated automatically|sent automatically|automatically sent)|"
    r"\bthis is an? automat(?:ed|ic|ically generated) (?:message|response|reply|e-?mail|confirmation|receipt)|"
    # German
    r"\bwir haben ihre (?:nachricht|anfrage|e-?mail|mail|frage|bestellung nicht)\b[^.\n]{0,20}? erhalten|"
    r"\bihre (?:anfrage|nachricht|e-?mail|supportanfrage)\b[^.\n]{0,30}? (?:ist|wurde)\b[^.\n]{0,20}? "
    r"(?:eingegangen|registriert|aufgenommen|angelegt|erfasst)|"
    r"\bein neues ticket wurde (?:erstellt|angelegt|eröffnet)|"
    r"\bwir (?:melden uns|werden uns)\b[^.\n]{0,40}? (?:bei ihnen|bei dir|melden|zurück)|"
    r"\b(?:diese|die) (?:nachricht|e-?mail|antwort) wurde automatisch (?:erstellt|generiert|erzeugt|versendet|"
    r"verschickt)|\bdies ist eine automatisch(?:e| erstellte| generierte) (?:nachricht|antwort|e-?mail|"
    r"eingangsbestätigung|bestätigung)|"
    # French
    r"\bnous avons (?:bien )?reçu votre (?:message|demande|e-?mail|courriel|requête)|"
    r"\bvotre (?:demande|message|requête|ticket)\b[^.\n]{0,30}? a (?:bien )?été (?:reçue?|enregistrée?|"
    r"prise? en compte|créée?)|"
    r"\bnous (?:vous répondrons|reviendrons vers vous|vous recontacterons|vous contacterons|traiterons votre)|"
    r"\bceci est un (?:message|e-?mail|courriel) automatique|"
    r"\b(?:message|e-?mail|courriel) (?:généré|envoyé) automatiquement|"
    # Spanish
    r"\bhemos recibido (?:su|tu) (?:mensaje|solicitud|consulta|correo|petición|e-?mail)|"
    r"\b(?:su|tu) (?:solicitud|consulta|petición|mensaje|ticket)\b[^.\n]{0,30}? (?:ha sido|fue) "
    r"(?:recibid[ao]|registrad[ao]|cread[ao])|"
    r"\bnos pondremos en contacto|\b(?:le|te|les) (?:responderemos|contestaremos|contactaremos)|"
    r"\beste es un (?:mensaje|correo) automático|\b(?:mensaje|correo) (?:generado|enviado) automáticamente|"
    # Italian
    r"\babbiamo ricevuto (?:la sua|la tua|il suo|il tuo|la vostra|il vostro) (?:richiesta|messaggio|e-?mail|"
    r"segnalazione)|"
    r"\b(?:la sua|la tua|la vostra) (?:richiesta|segnalazione)\b[^.\n]{0,30}? è stata (?:ricevuta|registrata|"
    r"presa in carico)|"
    r"\b(?:la|ti|vi) (?:ricontatteremo|risponderemo|contatteremo)|\ble risponderemo\b|"
    r"\bquesto è un messaggio (?:automatico|generato automaticamente)|\bmessaggio generato automaticamente|"
    # Dutch
    r"\b(?:we|wij) hebben (?:uw|je|jouw) (?:bericht|verzoek|aanvraag|e-?mail|vraag|melding)\b[^.\n]{0,20}? "
    r"ontvangen|"
    r"\b(?:uw|je|jouw) (?:verzoek|aanvraag|vraag|bericht|melding)\b[^.\n]{0,30}? is\b[^.\n]{0,20}? "
    r"(?:ontvangen|geregistreerd)|"
    r"\b(?:we|wij) nemen\b[^.\n]{0,30}? contact met (?:u|je|jou) op|"
    r"\b(?:we|wij) (?:reageren|antwoorden)\b[^.\n]{0,20}? (?:zo snel mogelijk|binnen)|"
    r"\bdit is een automatisch(?: gegenereerd| verzonden)? (?:bericht|antwoord|e-?mail)",
    re.I)
_ACK_SUBJECT = lazy(
    r"\b(?:request|ticket|case|message|enquiry|inquiry) (?:received|created|opened|logged)\b|"
    r"\bwe(?:'ve| have)? received your\b|\bthanks? (?:you )?for (?:your (?:inquiry|enquiry|request|message|"
    r"e-?mail)|contacting)\b|\bsupport ticket opened\b|\bautoreply\b|"
    r"\beingangsbestätigung\b|\b(?:anfrage|nachricht|ticket) (?:erhalten|eingegangen)\b|"
    r"\baccusé de réception\b|\bdemande (?:reçue|enregistrée)\b|"
    r"\b(?:solicitud|consulta|mensaje) recibid[ao]\b|\brichiesta ricevuta\b|"
    r"\b(?:verzoek|aanvraag|bericht) ontvangen\b|\bontvangstbevestiging\b", re.I)

# An out-of-office notice.
_VACATION = lazy(
    r"\bout of (?:the )?office\b|\bon (?:vacation|holiday|leave|annual leave|parental leave)\b|"
    r"\baway (?:from (?:the |my )?(?:office|desk)|until)\b|\bi(?:'m| am) (?:currently )?(?:away|out|absent|off)\b|"
    r"\blimited access to (?:my )?e-?mail\b|\bback in the office\b|\boffice (?:is )?closed\b|"
    r"\babwesen(?:d|heit)\b|\bnicht im (?:büro|haus)\b|\burlaub\b|"
    r"\babsente?s? (?:du bureau|jusqu)|\ben (?:congés?|vacances)\b|"
    r"\bfuera de la oficina\b|\bde vacaciones\b|\bausente\b|"
    r"\bfuori (?:ufficio|sede)\b|\bin ferie\b|\bassente\b|"
    r"\bafwezig\b|\bop vakantie\b|\bniet op kantoor\b", re.I)

# "Please do not reply": text of mail a program sent.
_DO_NOT_REPLY = lazy(
    r"\b(?:please )?(?:do not|don't|don’t) (?:reply|respond) (?:to )?(?:this|directly)\b|"
    r"\bthis (?:e-?mail|message) was sent (?:automatically|from a notification-only)\b|"
    r"\bthis (?:mailbox|address) is (?:not monitored|unmonitored)\b|\bnotification-only address\b|"
    r"\bbitte (?:antworten sie|antworte) nicht auf diese\b|\bauf diese (?:e-?mail|nachricht) (?:kann nicht|bitte nicht)\b|"
    r"\bmerci de ne pas répondre\b|\bne (?:pas )?répondez pas à ce\b|\bne pas répondre à ce\b|"
    r"\bno (?:responda|respondas|conteste) a este\b|\bpor favor,? no (?:responda|respondas)\b|"
    r"\bnon rispondere a questa\b|\bsi prega di non rispondere\b|"
    r"\b(?:gelieve|graag|a\.u\.b\.) niet (?:te )?(?:beantwoorden|reageren|antwoorden)\b|"
    r"\bniet (?:op deze e-?mail|op dit bericht) (?:reageren|antwoorden)\b", re.I)

# Orders, shipping, payment, account and notification mail, by its subject.
_TRANSACTIONAL_SUBJECT = lazy(
    r"\border\b|\bconfirmation\b|\bshipp(?:ed|ing|ment)\b|\bdispatch|\bdelivery\b|\bdelivered\b|\btracking\b|"
    r"\binvoice\b|\breceipt\b|\bpayment\b|\brefund\b|\bpassword\b|\bverif(?:y|ication)\b|\bactivat|"
    r"\bconfirm your\b|\bwelcome\b|\baccount\b|\bsecurity alert\b|\bsign[- ]?in\b|\blog[- ]?in\b|"
    r"\bback in stock\b|\b(?:stock|price|product) alert\b|\bsubscri(?:ption|bed)\b|\bunsubscribed\b|"
    r"\bnotification\b|\bstatement\b|\bregist(?:er|ered|ering|ration)\b|\bsign(?:ed)?[- ]?up\b|\bbooking\b|\breservation\b|\bparcel\b|\bpackage\b|"
    r"\bbestell|\bauftrag|\bversand|\bversandt|\blieferung|\bsendung|\brechnung|\bzahlung|\bquittung|"
    r"\bpasswort|\bkennwort|\bkonto\b|\bbestätig|\bwillkommen|\bwieder verfügbar|\babmeldung|\banmeldung|"
    r"\bcommande|\bexpédi|\blivraison|\bcolis\b|\bfacture|\bpaiement|\breçu\b|\bmot de passe|\bcompte\b|"
    r"\bconfirmez|\bbienvenue|\bdésinscription|\bdésabonnement|\binscription|"
    r"\bpedido|\benvío|\benviado|\bentrega\b|\bseguimiento|\bfactura|\bpago\b|\brecibo\b|\bcontraseña|"
    r"\bcuenta\b|\bconfirma|\bbienvenid|\bsuscripción|"
    r"\bordine|\bspedizion|\bspedito|\bconsegna|\bfattura|\bpagamento|\bricevuta|\bbenvenut|\biscrizione|"
    r"\bbestelling|\bverzend|\bverzonden|\blevering|\bbezorg|\bfactuur|\bbetaling|\bwachtwoord|"
    r"\bbevestig|\bwelkom\b|\bvoorraad|\bafmelding|\binschrijving", re.I)

_REPLY_SUBJECT = lazy(r"^\s*(?:re|aw|antw|sv|vs|r|rif|ref|réf|odp|wg|tr|fw|fwd)\s*(?:\[\d+\])?\s*:", re.I)
_TICKET_SUBJECT = lazy(r"\[(?:[^\]\[]{0,40}?\s)?#\s?\d{2,}\]|\[?ticket\s?#\s?:?\s?\d{3,}|\(#\d{3,}\)|"
                             r"\b(?:case|request|ticket|anfrage|demande|solicitud|richiesta)\s?(?:#|no\.?|nr\.?)\s?"
                             r"\d{3,}", re.I)
_MACHINE_SENDER = lazy(r"^(?:.*[-_.])?(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|noreply|donotreply|"
                             r"notifications?|notify|alerts?|mailer|automated|automailer|robot|bot|system|"
                             r"auto[-_.]?confirm|confirm(?:ation)?s?)(?:[-_.+].*)?$", re.I)
_ROLE_SENDER = lazy(r"^(?:orders?|order-?confirmation|shop|store|billing|invoices?|payments?|accounts?|"
                          r"shipping|delivery|bestellung(?:en)?|versand|rechnung|commandes?|pedidos?|ordini|"
                          r"bestellingen|newsletter|news|marketing|updates?|security)(?:[-_.+].*)?$", re.I)
# Headers by which helpdesks mark their mail (Request Tracker, Zendesk, OTRS/Znuny, Zammad, FreeScout, ...).
_HELPDESK_HEADER_PREFIXES = ("x-zendesk-", "x-otrs-", "x-znuny-", "x-zammad-", "x-freescout-", "x-helpscout-",
                             "x-freshdesk-", "x-osticket-", "x-rt-", "x-kayako-", "x-hs-", "x-jira-")
_HELPDESK_HEADERS = ("rt-ticket", "rt-originator", "x-rt-loop-prevention", "x-ticket-id", "x-loop")
# "Ann Baker commented:" / "hat kommentiert:" ...: the line a helpdesk puts above an agent's public comment.
_COMMENTED = lazy(r"^\s*\S.{1,60}? (?:commented|replied|responded|added a comment|hat kommentiert|hat geantwortet|"
                  r"a commenté|a répondu|comentó|respondió|ha commentato|ha risposto|heeft gereageerd|"
                  r"reageerde)\s*:\s*$", re.I | re.M)
# FreeScout writes its automatic replies with Message-IDs <autoreply-...> (app/Misc/Mail.php).
_AUTOREPLY_ID = lazy(r"^\s*<?autoreply-", re.I)
# Lines that start the quoted original under an answer.
_QUOTE_START = lazy(
    r"^\s*(?:>|on .{4,120}\bwrote:|am .{4,120}\bschrieb|le .{4,120}\ba écrit|el .{4,120}\bescribió|"
    r"il .{4,120}\bha scritto|op .{4,120}\bschreef|-{2,}\s*(?:original message|ursprüngliche nachricht|"
    r"message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)|"
    r"(?:from|von|de|da|van):\s.+|you wrote:|sie schrieben:|vous avez écrit|usted escribió|ha scritto:|"
    r"u schreef:|-- ?please (?:type your )?reply above this line|-{20,}\s*$)", re.I | re.M)


@dataclass(frozen=True)
class Authorship:
    """The kind of a non-bounce message and the signal that decided it (for evidence and debugging)."""
    kind: str    # reply | helpdesk_status | acknowledgement | transactional | autoreply | newsletter | other
    why: str
    status: StatusNotice | None = None   # what a helpdesk's status mail says (also when a person's answer is in it)


def own_text(text: str) -> str:
    """The message's own words: the text above the quoted original (or the whole text when it quotes none)."""
    m = _QUOTE_START.search(text)
    return text[:m.start()] if m else text


def helpdesk_headers(headers: Headers) -> bool:
    if any(name in headers for name in _HELPDESK_HEADERS):
        return True
    if (headers.get("managed-by") or "").lower().startswith("rt "):
        return True
    return any(key.startswith(_HELPDESK_HEADER_PREFIXES) for key, _ in headers.items)


def _local_part(address: str | None) -> str:
    return (address or "").rpartition("@")[0].lower()


def decide_authorship(headers: Headers, subject: str, from_addr: str | None, text: str) -> Authorship:
    """Person or machine, from the headers, the sender, the subject and the body's own words."""
    auto = signals.auto_submitted(headers) or ""
    auto = "" if auto.startswith("no") else auto
    raw_own = own_text(text[:50_000])
    own = " ".join(raw_own.split())[:4000]
    reply_subject = bool(_REPLY_SUBJECT.match(subject))
    fresh_subject = "" if reply_subject else subject
    autoreply = (auto.startswith("auto-replied") or signals.is_autoreply(headers, subject)
                 or bool(_AUTOREPLY_ID.match(headers.get("message-id") or "")))
    desk = helpdesk_headers(headers) or bool(_AUTOREPLY_ID.match(headers.get("message-id") or ""))
    ticket = bool(_TICKET_SUBJECT.search(subject))
    ack_subject = bool(_ACK_SUBJECT.search(fresh_subject))
    acknowledges = ack_subject or bool(_ACK_TEXT.search(own))
    vacation = bool(_VACATION.search(subject) or _VACATION.search(own[:1500]))
    local = _local_part(from_addr)
    machine_sender = bool(_MACHINE_SENDER.match(local)) or bool(signals.BOUNCE_SENDER.search(from_addr or ""))
    bulk = signals.is_bulk(headers)
    threaded = bool(headers.get("in-reply-to") or headers.get("references") or reply_subject)

    if autoreply and vacation:
        return Authorship("autoreply", "an out-of-office notice")
    notice = status_notice(subject, own, text)
    # A status sentence counts when something says a machine or a helpdesk wrote it (a survey, a status subject,
    # helpdesk or automatic-mail headers, a ticket subject, reopen instructions): a person may write "closed" too.
    if notice is not None and (notice.state == "survey" or subject_state(subject) is not None or desk or ticket
                               or bool(auto) or bulk or machine_sender or bool(_DO_NOT_REPLY.search(own))
                               or bool(REOPEN_HINT.search(own))):
        # A helpdesk's status mail: read as the customer reads it. With a person's answer inside (beyond the
        # template and the customer's own quoted request) the customer has an answer; without, only news.
        if notice.holds_answer:
            return Authorship("reply", "a person's answer inside a helpdesk's status mail", notice)
        return Authorship("helpdesk_status", f"a helpdesk's status mail ({notice.state})", notice)
    # An order confirmation says "received, will be processed" too: its subject names the order.
    if _TRANSACTIONAL_SUBJECT.search(fresh_subject) and not desk and not ticket and not ack_subject \
            and (auto or machine_sender or bulk or not threaded or _ROLE_SENDER.match(local)):
        return Authorship("transactional", "an order, account or notification subject")
    commented = _COMMENTED.search(raw_own) if desk else None
    if commented and answer_words(raw_own[commented.end():]) >= ANSWER_WORDS:
        # Jira Service Management, Zendesk and the like send an agent's public comment as a notification
        # ("Ann Baker commented:"): the customer reads a person's answer.
        return Authorship("reply", "an agent's comment carried by a helpdesk notification")
    if acknowledges:
        return Authorship("acknowledgement", "a helpdesk's receipt wording")
    if (autoreply or auto) and (desk or ticket):
        return Authorship("acknowledgement", "an automatic answer from a ticket system")
    if autoreply:
        return Authorship("autoreply", "an RFC 3834 automatic reply")
    if bulk and not desk:
        return Authorship("newsletter", "list or bulk-mail headers")
    if auto or machine_sender:
        return Authorship("transactional", "an automatic message from a program")
    if _DO_NOT_REPLY.search(own) and not desk:
        return Authorship("transactional", "'do not reply' wording")
    if not threaded and _ROLE_SENDER.match(local):
        return Authorship("transactional", "unprompted mail from a role address (orders@, billing@, ...)")
    if threaded or own.strip() and from_addr:
        return Authorship("reply", "written by a person")
    return Authorship("other", "no text")
