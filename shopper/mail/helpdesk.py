"""A helpdesk's status mail to the requester (resolved, closed, status changed, pending, merged, assigned, overdue,
reopened, satisfaction survey): what it says happened to the request, and whether a person's answer is inside it.

Told apart by what the message says (subject and own text, six languages), never by one header: helpdesks put
the same headers (Precedence: bulk, RT-Ticket, X-Zendesk-*) on their agents' answers, and send status mail "from"
the agent's name through the queue address. Wording learnt from the stock templates of Request Tracker, Zendesk,
Freshdesk, osTicket, Zammad, FreeScout, Znuny/OTRS, Help Scout, Jira Service Management, HubSpot, Gorgias and
Kayako (tests/data/mail/helpdesk_status/labels.tsv names each source).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from shopper.mail.patterns import lazy
from shopper.mail.tokens import TOKEN

# what the request became, by the words each language uses (the order decides between two that match)
_REQ = (r"(?:request|ticket|case|issue|inquiry|enquiry|question|conversation|support request|service request|"
        r"anfrage|supportanfrage|ticket|fall|vorgang|demande|requête|dossier|solicitud|petición|consulta|caso|"
        r"richiesta|segnalazione|pratica|verzoek|aanvraag|vraag|melding|zaak)")
_NUM = r"(?:\s*[\(\[]?(?:#|no\.?|nr\.?|n°|nº|number|nummer|numéro|número|numero)?\s*[\w-]*\d[\w-]*[\)\]]?)?"
_STATES: tuple[tuple[str, str], ...] = (
    ("survey", r"\bhow would you rate\b|\bhow satisfied (?:are|were) you\b|\brate (?:our|the|my|your experience|"
               r"the support|the service)\b[^.\n]{0,40}?\b(?:support|service|reply|response|answer|experience)|"
               r"\bhow did we do\b|\bsatisfaction (?:survey|rating)\b|\bsurvey request\b|\bcustomer satisfaction\b|"
               r"\bwie (?:würden sie|bewerten sie|zufrieden waren sie)\b|\bzufriedenheitsumfrage\b|\bbewerten sie\b|"
               r"\bcomment évalueriez-vous\b|\benquête de satisfaction\b|\bévaluez notre\b|"
               r"\bcómo (?:calificaría|calificarías|valoraría|valorarías|evaluaría)\b|\bencuesta de satisfacción\b|"
               r"\bcome (?:valuteresti|valuterebbe|giudichi)\b|\bsondaggio (?:di|sulla) soddisfazione\b|"
               r"\bhoe (?:zou u|zou je|beoordeelt u|beoordeel je)\b[^.\n]{0,60}?\bbeoordelen\b|"
               r"\btevredenheidsonderzoek\b|\bbeoordeel (?:onze|ons)\b"),
    ("merged", r"\b(?:has been|was|have been|is) merged (?:into|with|to)\b|\bwurde (?:mit [^.\n]{0,40}? )?zusammengeführt\b|"
               r"\ba été fusionnée?\b|\bha sido fusionad[oa]\b|\bfue fusionad[oa]\b|\bè stat[oa] unit[oa]\b|"
               r"\bis samengevoegd\b"),
    ("reopened", r"\b(?:has been|was) re-?opened\b|\bwurde wieder ?eröffnet\b|\bwurde erneut geöffnet\b|"
                 r"\ba été rouverte?\b|\bha sido reabiert[oa]\b|\bè stat[oa] riapert[oa]\b|\bis heropend\b"),
    ("resolved", r"\b(?:has been|was|have been|is now|is|been) (?:marked (?:as )?)?(?:resolved|solved|closed|completed|"
                 r"fixed|set to (?:resolved|solved|closed))\b|\bwe(?:'ve| have)? (?:resolved|solved|closed|marked)"
                 r"\b[^.\n]{0,40}?\b(?:request|ticket|case|conversation)\b|\bresolved and closed\b|"
                 r"\b(?:wurde|ist)\b(?:\s+[\w-]+){0,5}?\s+(?:als )?(?:gelöst|geschlossen|erledigt|abgeschlossen)\b|"
                 r"\bha(?:s|ve) (?:resolved|solved|closed) (?:your|the) (?:request|ticket|case|issue)\b|"
                 r"\ba été (?:résolue?|fermée?|clôturée?|close|traitée? et (?:fermée?|clôturée?))\b|"
                 r"\b(?:ha sido|fue|se ha) (?:resuelt[oa]|cerrad[oa]|solucionad[oa])\b|"
                 r"\bè stat[oa] (?:risolt[oa]|chius[oa])\b|\bis (?:opgelost|gesloten|afgesloten|afgehandeld)\b"),
    ("pending", r"\b(?:has been|was) (?:put|placed|set) (?:on hold|to pending|to waiting)\b|\bis (?:now )?(?:on hold|"
                r"pending|waiting for (?:your|customer))\b|\bwaiting (?:for|on) (?:your|customer)\b|"
                r"\bwurde (?:auf )?(?:wartend|warten|zurückgestellt)\b|\bwarten auf ihre\b|"
                r"\ba été mise? en attente\b|\ben attente de votre\b|\bha sido puest[oa] en espera\b|"
                r"\ben espera de (?:su|tu)\b|\bè stat[oa] mess[oa] in attesa\b|\bin attesa (?:di|della) (?:sua|tua)\b|"
                r"\bis in de wacht gezet\b|\bwacht(?:en)? op (?:uw|je)\b"),
    ("escalated", r"\b(?:has been|was) escalated\b|\bis (?:now )?overdue\b|\bwurde eskaliert\b|\bist überfällig\b|"
                  r"\ba été escaladée?\b|\best en retard\b|\bha sido escalad[oa]\b|\bè stat[oa] inoltrat[oa] al\b|"
                  r"\bè in ritardo\b|\bis geëscaleerd\b|\bis te laat\b"),
    ("assigned", r"\b(?:has been|was|is now) (?:re-?)?assigned to\b|\bowner of (?:your )?(?:ticket|request)\b[^.\n]{0,60}?"
                 r"\bhas changed\b|\bwurde [^.\n]{0,40}?zugewiesen\b|\ba été (?:assignée?|attribuée?) à\b|"
                 r"\bha sido asignad[oa] a\b|\bè stat[oa] assegnat[oa] a\b|\bis toegewezen aan\b"),
    ("status_changed", r"\b(?:status|statut|estado|stato)\b[^.\n]{0,50}?\b(?:changed|geändert|modifié|changé|"
                       r"mis à jour|cambiado|actualizado|cambiato|modificato|gewijzigd|bijgewerkt|updated)\b|"
                       r"\bstatus (?:has )?(?:been )?changed to\b|\bstatus (?:of your (?:request|ticket) )?(?:is now|has "
                       r"changed|was changed|was updated)\b|\bstatus (?:wurde )?geändert (?:auf|zu|in)\b|"
                       r"\bstatus (?:ist jetzt|lautet jetzt)\b|\bstatut (?:a été )?(?:modifié|changé|mis à jour) (?:en|à|:)|"
                       r"\bestado (?:ha )?(?:cambiado|sido cambiado|sido actualizado) a\b|"
                       r"\bstato (?:è )?(?:cambiato|stato modificato|modificato) in\b|\bstatus (?:is )?gewijzigd "
                       r"(?:naar|in)\b"),
)
_STATE_PATTERNS = tuple((name, lazy(pattern, re.I)) for name, pattern in _STATES)
# The request itself must be what changed: "your request ... has been resolved", not "the problem was fixed".
_ABOUT_REQUEST = lazy(r"\b" + _REQ + r"\b", re.I)
_SUBJECT = lazy(
    r"^\s*(?:\[[^\]]{0,60}\]\s*)?(?:(?:re|aw|sv|fw)\s*:\s*)?(?:\[[^\]]{0,60}\]\s*)?"
    r"(?:(?P<resolved>resolved|solved|closed|gelöst|geschlossen|erledigt|résolue?|fermée?|clôturée?|resuelt[oa]|"
    r"cerrad[oa]|risolt[oa]|chius[oa]|opgelost|gesloten)\s*:|"
    r"(?P<status_changed>status changed to|status geändert (?:auf|zu)|statut modifié|estado cambiado|stato cambiato|"
    r"status gewijzigd)\s*:?)|"
    r"\b(?:ticket|request|case|anfrage|demande|solicitud|richiesta|verzoek)\s*(?:#?\s*[\w-]*\d[\w-]*\s*)?"
    r"(?:has been |was |is |is now |wurde |ist |ha sido |fue |a été |est |è stat[oa] |werd |is nu )?(?P<resolved2>resolved|solved|closed|gelöst|geschlossen|résolue?|fermée?|"
    r"resuelt[oa]|cerrad[oa]|risolt[oa]|chius[oa]|opgelost|gesloten)\b|"
    r"\[#[\w-]*\d[\w-]*\]\s*(?P<resolved3>closed|resolved)\s*$|"
    r"(?P<survey>\bsurvey request\b|\bhow would you rate\b|\brate your (?:support )?experience\b|\bhow did we do\b|"
    r"\bwie zufrieden\b|\bvotre avis\b|\btu opinión\b|\bla tua opinione\b|\buw mening\b)|"
    r"(?P<assigned>\bowner has changed\b|\bticket assigned\b)|(?P<merged>\bmerged\b)|(?P<reopened>\breopened\b)",
    re.I)

# Sentences of the notification's own template (not a person's answer): how to reply, reopen, rate, log in.
_BOILERPLATE = lazy(
    r"\b(?:reply|respond|answer) (?:to )?this (?:e-?mail|message)|\breopen|\bre-open|\bto add (?:additional )?comments\b|"
    r"\bif you have (?:any )?(?:further|more|other|additional) questions\b|\bthank you for (?:contacting|your)\b|"
    r"\bwe hope\b|\blog ?in\b|\bsign in\b|\bclick\b|\blink\b|\barchive\b|\bsurvey\b|\brate\b|\bfeedback\b|"
    r"\bticket (?:number|id|#)|\bstatus\b|\bthis (?:message|e-?mail) (?:is|was)\b|\bhttps?://|"
    r"\breply above this line\b|\bview (?:request|ticket|case)\b|\bturn off\b|\bnotifications?\b|\bpowered by\b|"
    r"\bshared with\b|\bunsubscribe\b|\byour (?:recent )?experience\b|\bspare a (?:minute|moment)\b|"
    r"\btake a (?:minute|moment)\b|\bwhat you think\b|\bhear (?:from you|what)\b|\bcustomer (?:service|support)\b|"
    r"\bkundenservice\b|\bkundensupport\b|\bservice client\b|\bservicio de atención\b|\bservizio clienti\b|"
    r"\bklantenservice\b|\bwas sie von\b|\bvotre avis\b|\bqué opina\b|\bcosa pensi\b|\bwat u van\b|"
    r"\bantworten sie|\bantworten sie auf|\bwieder ?eröffnen|\bvielen dank\b|\bbei weiteren fragen\b|\bumfrage\b|"
    r"\brépond(?:ez|re) à ce|\brouvrir\b|\bmerci de\b|\bsi vous avez d'autres questions\b|\benquête\b|"
    r"\bresponda a este|\breabrir\b|\bgracias por\b|\bsi tiene (?:más|alguna) pregunta|\bencuesta\b|"
    r"\brispond(?:a|i|ere) a questa|\briaprire\b|\bgrazie per\b|\bse ha altre domande\b|\bsondaggio\b|"
    r"\bbeantwoord (?:deze|dit)|\breageer op deze|\bheropenen\b|\bbedankt voor\b|\bals u nog vragen heeft\b", re.I)
_SENTENCE = lazy(r"[^.!?\n]+[.!?]*")
_ATTRIBUTION = lazy(r"^\s*(?:[\w.'’-]+(?:\s+[\w.'’()@-]+){0,7}|\S.{0,60}\d{1,2}:\d{2}.{0,20})\s*$")
# "reply to this email to reopen it": a template telling the customer how to undo a status
REOPEN_HINT = lazy(r"\bre-?open|\bwieder ?(?:zu )?eröffnen\b|\brouvrir\b|\breabrir\b|\briaprire\b|\bheropenen\b|"
                   r"\bwill be reopened\b|\bse reabrirá\b|\bsera rouvert", re.I)
ANSWER_WORDS = 12   # words of its own a notification must carry to hold a person's answer


@dataclass(frozen=True)
class StatusNotice:
    state: str            # resolved | status_changed | pending | merged | assigned | escalated | reopened | survey
    answer_words: int     # words beyond the template: a person's answer inside the notification when >= ANSWER_WORDS

    @property
    def closes(self) -> bool:
        """The helpdesk says the request is done (resolved, solved, closed)."""
        return self.state == "resolved"

    @property
    def holds_answer(self) -> bool:
        return self.answer_words >= ANSWER_WORDS


def status_notice(subject: str, own: str, text: str | None = None) -> StatusNotice | None:
    """What a helpdesk's status mail says happened to the request, or None when the message is no status mail.

    `own` is the message's own text (above any quoted original), `text` all of it: a helpdesk may carry the
    agent's answer below a separator line, and the customer reads it there."""
    state = subject_state(subject) or _text_state(own[:3000])
    if state is None:
        return None
    return StatusNotice(state, answer_words(_unquoted(text if text is not None else own)))


def subject_state(subject: str) -> str | None:
    """The state a status mail's subject names ("Resolved: ...", "Status Changed to: ...", "[#123] Closed")."""
    m = _SUBJECT.search(subject or "")
    if m:
        name = next(k for k, v in m.groupdict().items() if v)
        return name.rstrip("23")
    survey = dict(_STATE_PATTERNS)["survey"]
    return "survey" if survey.search(subject or "") else None


def _text_state(own: str) -> str | None:
    for sentence in _SENTENCE.findall(own):
        about_request = bool(_ABOUT_REQUEST.search(sentence))
        for name, pattern in _STATE_PATTERNS:
            if (about_request or name == "survey") and pattern.search(sentence):
                return _new_state(sentence) if name == "status_changed" else name
    return None


def _new_state(sentence: str) -> str:
    """"Status changed to Resolved" closes the request; "... to Waiting for customer" puts it on hold."""
    tail = sentence[-80:]
    if _CLOSED_WORD.search(tail):
        return "resolved"
    if _WAITING_WORD.search(tail):
        return "pending"
    return "status_changed"


_CLOSED_WORD = lazy(r"\b(?:resolved|solved|closed|done|completed|gelöst|geschlossen|erledigt|résolue?|fermée?|"
                    r"clôturée?|resuelt[oa]|cerrad[oa]|risolt[oa]|chius[oa]|opgelost|gesloten)\b", re.I)
_WAITING_WORD = lazy(r"\b(?:waiting|pending|on hold|stalled|wartend|en attente|en espera|in attesa|in de wacht)\b",
                     re.I)
_QUOTED_LINE = lazy(r"^\s*>")
_QUOTE_HEAD = lazy(r"^\s*(?:on .{4,120}\bwrote:|am .{4,120}\bschrieb|le .{4,120}\ba écrit|el .{4,120}\bescribió|"
                   r"il .{4,120}\bha scritto|op .{4,120}\bschreef|-{2,}\s*(?:original message|ursprüngliche nachricht|"
                   r"message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht))", re.I)


def _unquoted(text: str) -> str:
    """The text without what it quotes of the customer's mail ("> " lines, below "On ... wrote:")."""
    out = []
    for line in text[:50_000].splitlines():
        if _QUOTE_HEAD.match(line):
            break
        if not _QUOTED_LINE.match(line):
            out.append(line)
    return "\n".join(out)


def answer_words(own: str) -> int:
    """Words of the notification that are neither its template's sentences nor the customer's own request."""
    lines = own.splitlines()
    token_line = next((i for i, line in enumerate(lines) if TOKEN.search(line)), None)
    if token_line is not None:
        # The helpdesk quotes the customer's request (its comment thread): it ends with the shopper's reference
        # line and starts at the name or date line above it; without one, nothing after the status counts.
        start = None
        for i in range(token_line - 1, -1, -1):
            if lines[i].strip() and _ATTRIBUTION.match(lines[i]) and (i == 0 or not lines[i - 1].strip()) \
                    and i + 1 < len(lines) and not lines[i + 1].strip():
                start = i
                break
        lines = lines[:start] if start is not None else []
    words = 0
    # sentences run across line breaks inside a paragraph; blank lines end them
    paragraphs = "\n".join(" ".join(p.split()) for p in "\n".join(lines).split("\n\n"))
    for sentence in _SENTENCE.findall(paragraphs):
        if _BOILERPLATE.search(sentence) or any(p.search(sentence) for _, p in _STATE_PATTERNS):
            continue
        count = len(sentence.split())
        if count >= 4:   # greetings, names, dates and sign-offs are short
            words += count
    return words
