"""Write the labelled helpdesk mail of this folder: status notifications, acknowledgements and agents' answers as
twelve helpdesks send them to the requester, in six languages. Run it to regenerate *.eml and labels.tsv:

    .venv/bin/python tests/data/mail/helpdesk_status/make_messages.py

Each message is built from the stock template named in its `source` label (subject and wording) with that
helpdesk's header set; the shop, the people and the shopper's reference are those of the tests. Headers are each
helpdesk's documented or source-read set; for the hosted ones whose headers could not be read here (Freshdesk,
HubSpot, Gorgias, Kayako, Help Scout) only the Message-ID domain marks them. Where a label says "translated", the wording is the English template's meaning in that language as the helpdesk's own
translation would say it (its locale files were not read here).
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN = "ms-abcdefghijk2"
SENT_ID = f"<{TOKEN}.contact@shopper.test>"
REQUEST = "Hello, my kettle has not arrived. Could you check where it is, please?"
WHEN = datetime(2024, 7, 2, 9, 12, 40, tzinfo=timezone.utc)

# -- header sets: what each helpdesk puts on every mail to a requester -------------------------------------
HEADERS = {
    "rt": {"From": '"Ann Baker via RT" <support@kettle-shop.test>', "Reply-To": "support@kettle-shop.test",
           "Message-ID": "<rt-5.0.5-4521-18301-4.2.9@kettle-shop.test>", "Precedence": "bulk",
           "X-RT-Loop-Prevention": "kettle-shop.test", "RT-Ticket": "kettle-shop.test #4521",
           "Managed-BY": "RT 5.0.5 (http://www.bestpractical.com/rt/)", "RT-Originator": "ann.baker@kettle-shop.test"},
    "zendesk": {"From": '"Ann Baker (Kettle Support)" <support@kettle-shop.test>',
                "Reply-To": "Kettle Support <support+id4521@kettle-shop.zendesk.com>",
                "Message-ID": "<RG5K7QX2_6683e2c1a0b1c_3e8b1a2c9d5_sprut@zendesk.com>",
                "X-Mailer": "Zendesk Mailer", "X-Zendesk-From-Account-Id": "1a2b3c4",
                "X-Zendesk-Email-Id": "01J1Z8Q4M3K9V2B7XN5T6C8D0E"},
    "freshdesk": {"From": '"Kettle Support" <support@kettle-shop.test>',
                  "Message-ID": "<6683e2c1a0b1c.1a2b3c4d.4521@kettle-shop.freshdesk.com>"},
    "osticket": {"From": "Kettle Shop Support <support@kettle-shop.test>",
                 "Message-ID": "<9Pq1-Zr0c-Lm4Kd3@kettle-shop.test>", "X-Mailer": "osTicket Mailer"},
    "zammad": {"From": "Marta Lopez via Kettle Shop Support <support@kettle-shop.test>",
               "Message-ID": "<6683f0b2c3d4e_2b.kettle-shop.test@zammad>", "X-Loop": "yes", "Precedence": "bulk",
               "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    "freescout": {"From": '"Lena Vogel" <support@kettle-shop.test>',
                  "Message-ID": "<reply-1194-2d9c1e7a0b6f43c2@kettle-shop.test>"},
    "znuny": {"From": '"Kettle Shop Support" <support@kettle-shop.test>',
              "Message-ID": "<1719916263.771022.2210433113@kettle-shop.test>", "X-Loop": "yes",
              "Precedence": "bulk", "Auto-Submitted": "auto-generated"},
    "helpscout": {"From": '"Lena Vogel" <support@kettle-shop.test>',
                  "Message-ID": "<reply-2210433.4521@helpscout.net>", "X-HS-Conversation-Id": "2210433"},
    "jira": {"From": '"Ann Baker (Jira)" <jira@kettle-shop.atlassian.net>',
             "Message-ID": "<JIRA.10452.1719828040000.311.1719911560000@Atlassian.JIRA>",
             "Auto-Submitted": "auto-generated", "X-JIRA-FingerPrint": "3e8b1a2c9d5f6a7b8c9d0e1f2a3b4c5d",
             "Precedence": "bulk"},
    "hubspot": {"From": '"Kettle Support" <support@kettle-shop.test>',
                "Message-ID": "<1719911560000.4521@kettle-shop.hubspot-inbox.com>"},
    "gorgias": {"From": '"Kettle Support" <support@kettle-shop.test>',
                "Message-ID": "<gorgias.4521.1719911560@kettle-shop.gorgias.io>"},
    "kayako": {"From": '"Kettle Support" <support@kettle-shop.test>',
               "Message-ID": "<kayako.4521.1719911560@kettle-shop.kayako.com>"},
}

SOURCES = {
    "rt": "bestpractical/rt etc/initialdata templates \"Resolved\", \"Status Change\", \"Autoreply\", "
          "\"Correspondence\"; headers lib/RT/Action/SendEmail.pm SetRTSpecialHeaders",
    "zendesk": "Zendesk standard triggers (support.zendesk.com 'About the standard triggers': 'Notify requester of "
               "received request', 'Notify requester of solved request', 'Notify requester and CCs of comment "
               "update'; wording of 'Notify requester of received request' as in nukosuke/go-zendesk testdata) and "
               "the CSAT automation 'Request customer satisfaction rating'",
    "freshdesk": "Freshdesk default requester notifications 'Agent solves the ticket', 'Agent closes the ticket', "
                 "'Agent adds comment to ticket' (Admin > Email notifications)",
    "osticket": "osTicket/osTicket include/i18n/en_US/templates/email/ticket.autoclose.yaml, ticket.autosurvey.yaml, "
                "ticket.reply.yaml",
    "zammad": "zammad/zammad db/seeds/triggers.rb trigger 'customer notification (on owner change)' (\"The owner of "
              "ticket (Ticket#...) has changed and is now ...\"); headers app/models/channel/email_build.rb",
    "freescout": "freescout-help-desk/freescout customer notifications (reply_fancy_text.blade.php) and the "
                 "Satisfaction Ratings module's rating request",
    "znuny": "znuny/Znuny Kernel/Config/Files/XML/Ticket.xml MergeText (\"Your email with ticket number ... is "
             "merged to ...\"); headers Kernel/System/Email.pm",
    "helpscout": "Help Scout satisfaction ratings ('How would you rate my reply? Great / Okay / Not Good') and "
                 "conversation status emails (docs.helpscout.com)",
    "jira": "Jira Service Management customer notifications 'Request resolved' and 'Public comment added' "
            "(Project settings > Customer notifications)",
    "hubspot": "HubSpot help desk ticket-closed and CSAT survey emails (knowledge.hubspot.com)",
    "gorgias": "Gorgias satisfaction survey email ('How would you rate the support you received?')",
    "kayako": "Kayako case status and CSAT emails ('Your case has been completed', 'How would you rate')",
}

# -- wording per language ------------------------------------------------------------------------------------
ANSWER = {
    "en": "The courier lost your parcel in Leipzig. I have sent a new kettle today by express; it will be with you "
          "on Thursday, and you will not be charged again.",
    "de": "Der Paketdienst hat Ihr Paket in Leipzig verloren. Ich habe Ihnen heute per Express einen neuen Wasserkocher "
          "geschickt; er ist am Donnerstag bei Ihnen, und wir berechnen ihn nicht noch einmal.",
    "fr": "Le transporteur a perdu votre colis à Leipzig. Je vous ai envoyé aujourd'hui une nouvelle bouilloire en "
          "express ; elle arrivera jeudi et ne vous sera pas facturée une seconde fois.",
    "es": "La empresa de mensajería perdió su paquete en Leipzig. Hoy le he enviado un hervidor nuevo por envío "
          "urgente; le llegará el jueves y no se lo cobraremos de nuevo.",
    "it": "Il corriere ha smarrito il suo pacco a Lipsia. Oggi le ho spedito un nuovo bollitore con corriere espresso; "
          "arriverà giovedì e non le verrà addebitato di nuovo.",
    "nl": "De koerier is uw pakket in Leipzig kwijtgeraakt. Ik heb u vandaag per express een nieuwe waterkoker "
          "gestuurd; hij is donderdag bij u en wordt niet nog eens in rekening gebracht.",
}
L = {  # the templates' sentences, per language
    "rt_resolved": {
        "en": ("Resolved: {s}", "According to our records, your request has been resolved. If you have any\n"
                                "further questions or concerns, please respond to this message."),
        "de": ("Gelöst: {s}", "Laut unseren Unterlagen wurde Ihre Anfrage gelöst. Wenn Sie weitere Fragen\n"
                              "oder Anliegen haben, antworten Sie bitte auf diese Nachricht."),
        "fr": ("Résolu : {s}", "D'après nos informations, votre demande a été résolue. Si vous avez d'autres\n"
                               "questions, merci de répondre à ce message."),
        "es": ("Resuelto: {s}", "Según nuestros registros, su solicitud ha sido resuelta. Si tiene más preguntas,\n"
                                "por favor responda a este mensaje."),
        "it": ("Risolto: {s}", "Secondo i nostri archivi, la sua richiesta è stata risolta. Se ha altre domande,\n"
                               "risponda a questo messaggio."),
        "nl": ("Opgelost: {s}", "Volgens onze gegevens is uw verzoek opgelost. Als u nog vragen heeft,\n"
                                "reageer dan op dit bericht."),
    },
    "rt_status": {
        "en": ("Status Changed to: stalled", ""), "de": ("Status geändert auf: wartend", ""),
        "fr": ("Statut modifié : en attente", ""), "es": ("Estado cambiado a: en espera", ""),
        "it": ("Stato cambiato: in attesa", ""), "nl": ("Status gewijzigd: in de wacht", ""),
    },
    "zendesk_solved": {
        "en": "Your request ({n}) has been solved. To reopen this request, reply to this email.",
        "de": "Ihre Anfrage ({n}) wurde gelöst. Um diese Anfrage wieder zu eröffnen, antworten Sie auf diese E-Mail.",
        "fr": "Votre demande ({n}) a été résolue. Pour la rouvrir, répondez à ce message.",
        "es": "Su solicitud ({n}) ha sido resuelta. Para reabrirla, responda a este correo.",
        "it": "La sua richiesta ({n}) è stata risolta. Per riaprirla, risponda a questa e-mail.",
        "nl": "Uw verzoek ({n}) is opgelost. Om het te heropenen, reageer op deze e-mail.",
    },
    "zendesk_updated": {
        "en": "Your request ({n}) has been updated. To add additional comments, reply to this email.",
        "de": "Ihre Anfrage ({n}) wurde aktualisiert. Für weitere Kommentare antworten Sie auf diese E-Mail.",
        "fr": "Votre demande ({n}) a été mise à jour. Pour ajouter des commentaires, répondez à ce message.",
        "es": "Su solicitud ({n}) ha sido actualizada. Para añadir comentarios, responda a este correo.",
        "it": "La sua richiesta ({n}) è stata aggiornata. Per aggiungere commenti, risponda a questa e-mail.",
        "nl": "Uw verzoek ({n}) is bijgewerkt. Om opmerkingen toe te voegen, reageer op deze e-mail.",
    },
    "zendesk_received": {
        "en": ("[Request received] {s}", "Your request ({n}) has been received and is being reviewed by our support "
                                         "staff.\n\nTo add additional comments, reply to this email."),
        "de": ("[Anfrage erhalten] {s}", "Ihre Anfrage ({n}) ist eingegangen und wird von unserem Support-Team "
                                         "geprüft.\n\nFür weitere Kommentare antworten Sie auf diese E-Mail."),
        "fr": ("[Demande reçue] {s}", "Votre demande ({n}) a bien été reçue et est en cours d'examen par notre "
                                      "équipe.\n\nPour ajouter des commentaires, répondez à ce message."),
        "es": ("[Solicitud recibida] {s}", "Su solicitud ({n}) ha sido recibida y nuestro equipo la está "
                                           "revisando.\n\nPara añadir comentarios, responda a este correo."),
        "it": ("[Richiesta ricevuta] {s}", "La sua richiesta ({n}) è stata ricevuta ed è in esame da parte del "
                                           "nostro team.\n\nPer aggiungere commenti, risponda a questa e-mail."),
        "nl": ("[Verzoek ontvangen] {s}", "Uw verzoek ({n}) is ontvangen en wordt door ons supportteam "
                                          "bekeken.\n\nOm opmerkingen toe te voegen, reageer op deze e-mail."),
    },
    "survey": {
        "en": ("Request #{n}: How would you rate the support you received?",
               "We'd love to hear what you think of our customer service. Please take a moment to answer one simple "
               "question by clicking either link below:\n\nHow would you rate the support you received?\n\n"
               "Good, I'm satisfied\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good\n\n"
               "Bad, I'm unsatisfied\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/bad"),
        "de": ("Anfrage #{n}: Wie würden Sie den erhaltenen Support bewerten?",
               "Wir möchten gern wissen, was Sie von unserem Kundenservice halten. Wie würden Sie den erhaltenen "
               "Support bewerten?\n\nGut, ich bin zufrieden\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good"),
        "fr": ("Demande #{n} : Comment évalueriez-vous l'assistance reçue ?",
               "Nous aimerions connaître votre avis sur notre service client. Comment évalueriez-vous l'assistance "
               "reçue ?\n\nBonne, je suis satisfait\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good"),
        "es": ("Solicitud #{n}: ¿Cómo calificaría la asistencia recibida?",
               "Nos gustaría saber qué opina de nuestro servicio de atención al cliente. ¿Cómo calificaría la "
               "asistencia recibida?\n\nBuena, estoy satisfecho\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good"),
        "it": ("Richiesta #{n}: Come valuteresti l'assistenza ricevuta?",
               "Vorremmo sapere cosa pensi del nostro servizio clienti. Come valuteresti l'assistenza ricevuta?\n\n"
               "Buona, sono soddisfatto\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good"),
        "nl": ("Verzoek #{n}: Hoe zou u de ontvangen ondersteuning beoordelen?",
               "We horen graag wat u van onze klantenservice vindt. Hoe zou u de ontvangen ondersteuning "
               "beoordelen?\n\nGoed, ik ben tevreden\nhttps://kettle-shop.zendesk.com/requests/{n}/satisfaction/good"),
    },
    "freshdesk_resolved": {
        "en": ("Ticket Resolved - {s}", "Dear Alex,\n\nOur Customer Support team has resolved your ticket.\n\nIf you "
               "feel that the ticket has not been resolved to your satisfaction, please reply to this email to reopen "
               "the ticket.\n\nRegards,\nKettle Support"),
        "de": ("Ticket gelöst - {s}", "Hallo Alex,\n\nIhr Ticket wurde von unserem Kundensupport gelöst.\n\nFalls das "
               "Problem nicht zu Ihrer Zufriedenheit gelöst wurde, antworten Sie bitte auf diese E-Mail, um das Ticket "
               "wieder zu eröffnen.\n\nViele Grüße\nKettle Support"),
        "fr": ("Ticket résolu - {s}", "Bonjour Alex,\n\nVotre ticket a été résolu par notre service client.\n\nSi le "
               "problème n'est pas résolu, répondez à ce message pour rouvrir le ticket.\n\nCordialement,\nKettle Support"),
        "es": ("Ticket resuelto - {s}", "Hola Alex:\n\nSu ticket ha sido resuelto por nuestro equipo de atención al "
               "cliente.\n\nSi cree que no se ha resuelto, responda a este correo para reabrir el ticket.\n\n"
               "Saludos,\nKettle Support"),
        "it": ("Ticket risolto - {s}", "Gentile Alex,\n\nil suo ticket è stato risolto dal nostro servizio clienti.\n\n"
               "Se ritiene che non sia stato risolto, risponda a questa e-mail per riaprire il ticket.\n\n"
               "Cordiali saluti,\nKettle Support"),
        "nl": ("Ticket opgelost - {s}", "Beste Alex,\n\nUw ticket is opgelost door onze klantenservice.\n\nAls het "
               "probleem niet naar tevredenheid is opgelost, reageer dan op deze e-mail om het ticket te heropenen.\n\n"
               "Met vriendelijke groet,\nKettle Support"),
    },
    "freshdesk_closed": {
        "en": ("Ticket Closed - {s}", "Dear Alex,\n\nYour ticket - {s} - has been closed.\n\nWe hope that the ticket "
               "was resolved to your satisfaction. If you feel that the ticket should not be closed or if it has not "
               "been resolved, please reply to this email.\n\nSincerely,\nKettle Support"),
    },
    "osticket_closed": {
        "en": ("Re: {s} [#684219] Closed", "Dear Alex,\nThank you for contacting the Support Department.\nThis message "
               "is to confirm that we have resolved and closed your ticket 684219 on your behalf.\n\nYour Kettle Shop "
               "Team,\n\n----\nWe hope we have sufficiently answered your questions. If you wish to provide additional "
               "comments or information, please reply to this email or login to your account for a complete archive "
               "of your support requests."),
    },
    "osticket_survey": {
        "en": ("[#684219] Survey Request: Re: {s}", "Dear Alex,\nI'm sure you're very busy, but hopefully you could "
               "spare a minute to answer just THREE multiple choice questions about your recent experience with our "
               "Support Department?\n\nHere is a link to the survey.\n\nKind Regards,\nSupport Department\nKettle Shop"),
    },
    "zammad_owner": {
        "en": ("Owner has changed ({s})", "The owner of ticket (Ticket#31005) has changed and is now \"Marta Lopez\".\n\n"
               "To provide additional information, please reply to this email or click on the following link:\n"
               "https://support.kettle-shop.test/#ticket/zoom/31005\n\nYour Kettle Shop Support Team"),
        "de": ("Besitzer hat sich geändert ({s})", "Der Besitzer des Tickets (Ticket#31005) hat sich geändert. Ihr "
               "Ticket wurde Marta Lopez zugewiesen.\n\nUm weitere Informationen zu geben, antworten Sie auf diese "
               "E-Mail oder klicken Sie auf den folgenden Link:\nhttps://support.kettle-shop.test/#ticket/zoom/31005"),
    },
    "znuny_merged": {
        "en": ("[Ticket#2024070110000031] RE: {s}", "Your email with ticket number \"2024070110000031\" is merged to "
               "\"2024070110000029\"."),
        "de": ("[Ticket#2024070110000031] RE: {s}", "Ihre Anfrage mit der Ticketnummer \"2024070110000031\" wurde mit "
               "\"2024070110000029\" zusammengeführt."),
    },
    "jira_resolved": {
        "en": ("[JIRA] (KSD-52) {s}", "Your request status changed to Resolved.\n\nView request · Turn off this "
               "request's notifications\n\nThis is shared with Alex Shopper.\n\nPowered by Jira Service Management"),
        "fr": ("[JIRA] (KSD-52) {s}", "Le statut de votre demande a été modifié en : Résolu.\n\nAfficher la demande"),
        "es": ("[JIRA] (KSD-52) {s}", "El estado de su solicitud ha cambiado a: Resuelto.\n\nVer solicitud"),
        "it": ("[JIRA] (KSD-52) {s}", "Lo stato della sua richiesta è cambiato in: Risolto.\n\nVisualizza richiesta"),
        "nl": ("[JIRA] (KSD-52) {s}", "De status van uw verzoek is gewijzigd naar: Opgelost.\n\nVerzoek bekijken"),
    },
    "jira_waiting": {
        "en": ("[JIRA] (KSD-52) {s}", "Your request status changed to Waiting for customer.\n\nView request"),
    },
    "hubspot_closed": {
        "en": ("Your ticket has been closed", "Hi Alex,\n\nYour ticket #4521 \"{s}\" has been closed. If you need more "
               "help, just reply to this email and we'll reopen it.\n\nKettle Support"),
        "nl": ("Uw ticket is gesloten", "Hallo Alex,\n\nUw ticket #4521 \"{s}\" is gesloten. Heeft u nog hulp nodig? "
               "Reageer op deze e-mail en we heropenen het.\n\nKettle Support"),
    },
    "gorgias_survey": {
        "en": ("How did we do?", "Hi Alex,\n\nHow would you rate the support you received?\n\n"
               "https://kettle-shop.gorgias.help/satisfaction-survey/4521\n\nThank you for your feedback!"),
        "it": ("Come ci siamo comportati?", "Ciao Alex,\n\ncome valuteresti l'assistenza ricevuta?\n\n"
               "https://kettle-shop.gorgias.help/satisfaction-survey/4521\n\nGrazie per il tuo feedback!"),
    },
    "kayako_completed": {
        "en": ("[Kettle Support] {s}", "Hi Alex,\n\nYour case #4521 has been completed. If you need anything else, "
               "reply to this email and your case will be reopened.\n\nKettle Support"),
        "es": ("[Kettle Support] {s}", "Hola Alex:\n\nSu caso #4521 ha sido cerrado. Si necesita algo más, responda a "
               "este correo y su caso se reabrirá.\n\nKettle Support"),
    },
    "helpscout_rating": {
        "en": ("Re: {s}", "{answer}\n\nLena Vogel\nKettle Support\n\nHow would you rate my reply?\nGreat   Okay   Not Good"),
    },
    "pending": {
        "en": ("[kettle-shop.test #4521] {s}", "Your request has been put on hold while we wait for the courier's "
               "report. We will write again when we know more."),
        "de": ("[kettle-shop.test #4521] {s}", "Ihre Anfrage wurde zurückgestellt, bis der Bericht des Paketdienstes "
               "vorliegt."),
        "fr": ("[kettle-shop.test #4521] {s}", "Votre demande a été mise en attente en attendant le rapport du "
               "transporteur."),
        "es": ("[kettle-shop.test #4521] {s}", "Su solicitud ha sido puesta en espera hasta recibir el informe de la "
               "empresa de mensajería."),
        "it": ("[kettle-shop.test #4521] {s}", "La sua richiesta è stata messa in attesa fino al rapporto del "
               "corriere."),
        "nl": ("[kettle-shop.test #4521] {s}", "Uw verzoek is in de wacht gezet tot het rapport van de koerier er is."),
    },
    "escalated": {
        "en": ("[kettle-shop.test #4521] {s}", "Your ticket has been escalated to our senior support team."),
        "de": ("[kettle-shop.test #4521] {s}", "Ihre Anfrage wurde eskaliert und an unser Team weitergegeben."),
    },
    "reopened": {
        "en": ("[kettle-shop.test #4521] {s}", "Your request has been reopened."),
        "fr": ("[kettle-shop.test #4521] {s}", "Votre demande a été rouverte."),
    },
}
SUBJECT = {"en": "Where is my kettle?", "de": "Wo ist mein Wasserkocher?", "fr": "Où est ma bouilloire ?",
           "es": "¿Dónde está mi hervidor?", "it": "Dov'è il mio bollitore?", "nl": "Waar is mijn waterkoker?"}
NAME_DATE = "Alex Shopper\n\nJul 1, 2024, 10:00 GMT+2\n\n{request}\n\nReference: {token}"
AGENT_DATE = "Ann Baker (Kettle Support)\n\nJul 2, 2024, 11:12 GMT+2\n\n{answer}"


# Zammad and Znuny mark their trigger and auto-response mail as automatic, not an agent's answer.
AUTOMATIC_ONLY = {"zammad": ("X-Loop", "Precedence", "Auto-Submitted", "X-Auto-Response-Suppress"),
                  "znuny": ("X-Loop", "Precedence", "Auto-Submitted")}


def message(desk: str, subject: str, body: str, extra: dict[str, str] | None = None, person: bool = False) -> bytes:
    msg = EmailMessage()
    for name, value in {**HEADERS[desk], **(extra or {})}.items():
        if person and name in AUTOMATIC_ONLY.get(desk, ()):
            continue
        msg[name] = value
    msg["To"] = f"Alex Shopper <alex+{TOKEN}@shopper.test>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(WHEN)
    msg["In-Reply-To"] = SENT_ID
    msg["References"] = SENT_ID
    msg.set_content(body)
    return msg.as_bytes()


def rows() -> list[tuple[str, str, str, str, str, bytes]]:
    """(file, kind, helpdesk, language, what it is, bytes) for every message."""
    out = []

    def add(name, kind, desk, lang, what, subject, body, extra=None):
        out.append((f"{desk}-{name}-{lang}.eml", kind, desk, lang, what,
                    message(desk, subject, body, extra, person=kind == "reply")))

    for lang in SUBJECT:
        s, tag = SUBJECT[lang], "[kettle-shop.test #4521] "
        subj, body = L["rt_resolved"][lang]
        add("resolved", "helpdesk_status", "rt", lang, "template Resolved (no answer was ever written)",
            tag + subj.format(s=s), body)
        subj, body = L["rt_status"][lang]
        add("status-stalled", "helpdesk_status", "rt", lang, "template Status Change",
            tag + subj, "https://support.kettle-shop.test/Ticket/Display.html?id=4521\n\n" + body)
        add("correspondence", "reply", "rt", lang, "template Correspondence: the agent's answer",
            tag + s, f"{ANSWER[lang]}\n\nAnn Baker\nKettle Shop")
        request = NAME_DATE.format(request=REQUEST, token=TOKEN)
        add("solved", "helpdesk_status", "zendesk", lang, "trigger Notify requester of solved request, no agent comment",
            f"[Kettle Support] Re: {s}",
            "##- Please type your reply above this line -##\n\n" + L["zendesk_solved"][lang].format(n=4521)
            + "\n\n----------------------------------------------\n\n" + request)
        add("solved-with-answer", "reply", "zendesk", lang,
            "trigger Notify requester of solved request with the agent's public comment above the request",
            f"[Kettle Support] Re: {s}",
            "##- Please type your reply above this line -##\n\n" + L["zendesk_solved"][lang].format(n=4521)
            + "\n\n----------------------------------------------\n\n" + AGENT_DATE.format(answer=ANSWER[lang])
            + "\n\n" + request)
        add("comment", "reply", "zendesk", lang, "trigger Notify requester and CCs of comment update",
            f"[Kettle Support] Re: {s}",
            "##- Please type your reply above this line -##\n\n" + L["zendesk_updated"][lang].format(n=4521)
            + "\n\n----------------------------------------------\n\n" + AGENT_DATE.format(answer=ANSWER[lang])
            + "\n\n" + request)
        subj, body = L["zendesk_received"][lang]
        add("received", "acknowledgement", "zendesk", lang, "trigger Notify requester of received request",
            subj.format(s=s), body.format(n=4521))
        subj, body = L["survey"][lang]
        add("satisfaction", "helpdesk_status", "zendesk", lang, "automation Request customer satisfaction rating",
            subj.format(n=4521), "Hello Alex,\n\n" + body.format(n=4521))
        subj, body = L["freshdesk_resolved"][lang]
        add("resolved", "helpdesk_status", "freshdesk", lang, "notification Agent solves the ticket",
            subj.format(s=s), body)
        subj, body = L["pending"][lang]
        add("on-hold", "helpdesk_status", "rt", lang, "a queue's On Status Change scrip: stalled/on hold wording",
            subj.format(s=s), body)
    for key, kind, desk, what in (
            ("freshdesk_closed", "helpdesk_status", "freshdesk", "notification Agent closes the ticket"),
            ("osticket_closed", "helpdesk_status", "osticket", "ticket.autoclose.yaml"),
            ("osticket_survey", "helpdesk_status", "osticket", "ticket.autosurvey.yaml"),
            ("zammad_owner", "helpdesk_status", "zammad", "trigger customer notification (on owner change)"),
            ("znuny_merged", "helpdesk_status", "znuny", "MergeText of a merged ticket"),
            ("jira_resolved", "helpdesk_status", "jira", "customer notification Request resolved"),
            ("jira_waiting", "helpdesk_status", "jira", "customer notification Request status changed"),
            ("hubspot_closed", "helpdesk_status", "hubspot", "ticket closed email"),
            ("gorgias_survey", "helpdesk_status", "gorgias", "satisfaction survey email"),
            ("kayako_completed", "helpdesk_status", "kayako", "case completed email"),
            ("escalated", "helpdesk_status", "rt", "a queue's escalation scrip"),
            ("reopened", "helpdesk_status", "rt", "template On Reopen notification"),
    ):
        for lang, (subj, body) in L[key].items():
            add(key.split("_", 1)[-1].replace("_", "-"), kind, desk, lang, what, subj.format(s=SUBJECT[lang]),
                body.format(s=SUBJECT[lang]))
    subj, body = L["helpscout_rating"]["en"]
    add("reply-with-rating", "reply", "helpscout", "en", "an agent's reply with the satisfaction rating links below it",
        subj.format(s=SUBJECT["en"]), body.format(answer=ANSWER["en"]))
    add("reply", "reply", "freescout", "en", "reply_fancy_text.blade.php: the agent's answer",
        f"Re: {SUBJECT['en']}", f"{ANSWER['en']}\n\nLena Vogel\n\n-- Please reply above this line --")
    add("rating-request", "helpdesk_status", "freescout", "en", "Satisfaction Ratings module: rating request",
        f"Re: {SUBJECT['en']}", "Hi Alex,\n\nHow would you rate the support you received from Lena Vogel?\n\n"
        "Great  Okay  Not Good\n\nKettle Support")
    add("answer", "reply", "jira", "en", "customer notification Public comment added: the agent's comment",
        f"[JIRA] (KSD-52) {SUBJECT['en']}", f"Ann Baker commented:\n\n{ANSWER['en']}\n\nView request")
    add("answer", "reply", "hubspot", "en", "an agent's reply from the help desk inbox",
        f"Re: {SUBJECT['en']}", f"Hi Alex,\n\n{ANSWER['en']}\n\nAnn\nKettle Support")
    add("answer", "reply", "gorgias", "en", "an agent's reply", f"Re: {SUBJECT['en']}", f"Hi Alex,\n\n{ANSWER['en']}\n\nAnn")
    add("answer", "reply", "kayako", "en", "an agent's reply", f"[Kettle Support] Re: {SUBJECT['en']}",
        f"{ANSWER['en']}\n\nAnn Baker\nKettle Support")
    add("answer", "reply", "freshdesk", "en", "notification Agent adds comment to ticket: the agent's reply",
        f"Re: {SUBJECT['en']}", f"Hi Alex,\n\n{ANSWER['en']}\n\nAnn\nKettle Support")
    add("answer", "reply", "osticket", "en", "ticket.reply.yaml with an agent's %{response}",
        f"Re: {SUBJECT['en']} [#684219]", f"Dear Alex,\n\n{ANSWER['en']}\n\nAnn Baker\n\nWe hope this response has "
        "sufficiently answered your questions.")
    add("answer", "reply", "zammad", "en", "an agent's answer", f"RE: {SUBJECT['en']} [Ticket#31005]",
        f"Hello Alex,\n\n{ANSWER['en']}\n\nMarta Lopez")
    add("answer", "reply", "znuny", "en", "an agent's answer", f"[Ticket#2024070110000031] RE: {SUBJECT['en']}",
        f"Dear Alex,\n\n{ANSWER['en']}\n\nPeter Brandt")
    return out


def main() -> None:
    lines = ["file\tkind\thelpdesk\tlanguage\tsource"]
    for name, kind, desk, lang, what, raw in rows():
        (HERE / name).write_bytes(raw)
        how = "" if lang == "en" else "; translated"
        lines.append(f"{name}\t{kind}\t{desk}\t{lang}\t{what}: {SOURCES[desk]}{how}")
    (HERE / "labels.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
