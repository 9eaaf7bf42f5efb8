"""How shops name their routes, in English, German, French, Spanish, Italian and Dutch (lower-case text)."""
from __future__ import annotations

import re


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.I)


ROUTE_WORDS: dict[str, re.Pattern[str]] = {
    "contact": _words(r"contact", r"support", r"\bhelp\b", r"customer (service|care)", r"get in touch", r"write to us",
                      r"kontakt", r"kundenservice", r"kundendienst", r"\bhilfe\b", r"service.?center",
                      r"nous contacter", r"service client", r"\baide\b", r"contacto", r"cont[áa]ctanos",
                      r"atenci[óo]n al cliente", r"\bayuda\b", r"contatti", r"contattaci", r"assistenza",
                      r"servizio clienti", r"klantenservice", r"\bhulp\b", r"neem contact"),
    "newsletter": _words(r"newsletter", r"subscribe", r"sign ?up", r"mailing list", r"abonnieren", r"anmelden",
                         r"s.?abonner", r"s.?inscrire", r"infolettre", r"suscr[ií]b", r"bolet[íi]n", r"iscriviti",
                         r"inschrijven", r"nieuwsbrief", r"aanmelden"),
    "unsubscribe": _words(r"unsubscribe", r"opt.?out", r"(email|mail|newsletter|communication) preferences",
                          r"manage (your )?subscription", r"abmelden", r"abbestellen", r"austragen",
                          r"d[ée]sabonner", r"d[ée]sinscri", r"darse de baja", r"cancelar (la )?suscripci[óo]n",
                          r"annulla (l.)?iscrizione", r"disiscriv", r"cancellati", r"afmelden", r"uitschrijven"),
    "order_status": _words(r"track (my |your )?order", r"order (status|tracking)", r"(my|your) orders?",
                           r"where is my order", r"view order", r"order history", r"sendungsverfolgung",
                           r"bestellstatus", r"meine bestellungen", r"bestellung verfolgen", r"suivi (de )?commande",
                           r"suivre (ma )?commande", r"mes commandes", r"estado del pedido", r"seguimiento",
                           r"mis pedidos", r"stato (dell.)?ordine", r"traccia (il )?(mio )?ordine", r"i miei ordini",
                           r"bestelstatus", r"mijn bestellingen", r"volg (je |mijn )?bestelling"),
    "account": _words(r"log ?in", r"sign ?in", r"(my )?account", r"register", r"anmelden", r"mein konto",
                      r"se connecter", r"mon compte", r"iniciar sesi[óo]n", r"mi cuenta", r"accedi", r"il mio account",
                      r"inloggen", r"mijn account"),
}

# a link to a newsletter page says so plainly ("sign up" alone is as often an account)
NEWSLETTER_LINK = _words(r"newsletter", r"mailing list", r"infolettre", r"bolet[íi]n", r"nieuwsbrief",
                         r"e-?mail (updates|news)")

ACTION_WORDS: dict[str, re.Pattern[str]] = {
    "add_to_basket": _words(r"add to (basket|cart|bag)", r"buy now", r"\bbuy\b", r"in den (warenkorb|einkaufswagen)",
                            r"jetzt kaufen", r"ajouter au panier", r"acheter", r"a[ñn]adir (a la|al) (cesta|carrito)",
                            r"comprar", r"aggiungi al carrello", r"acquista", r"in (de )?winkel(wagen|mand)",
                            r"toevoegen aan", r"\bkopen\b"),
    "basket": _words(r"basket", r"\bcart\b", r"\bbag\b", r"warenkorb", r"einkaufswagen", r"panier", r"cesta",
                     r"carrito", r"carrello", r"winkel(wagen|mand)"),
    "checkout": _words(r"check ?out", r"proceed to (checkout|payment)", r"zur kasse", r"kasse", r"commander",
                       r"passer (la )?commande", r"tramitar", r"finalizar (la )?compra", r"procedi", r"cassa",
                       r"afrekenen", r"bestellen"),
    "guest": _words(r"guest", r"without (an )?account", r"as a new customer", r"als gast", r"ohne (kunden)?konto",
                    r"invit[ée]", r"sans (cr[ée]er de )?compte", r"invitado", r"sin (crear )?cuenta", r"ospite",
                    r"senza (registra|account)", r"als gast", r"zonder account"),
    "continue": _words(r"continue", r"\bnext\b", r"proceed", r"weiter", r"fortfahren", r"continuer", r"suivant",
                       r"continuar", r"siguiente", r"continua", r"avanti", r"doorgaan", r"volgende", r"verder"),
    "place_order": _words(r"place (the |my )?order", r"confirm (the |my )?order", r"complete (the |my )?order",
                          r"submit order", r"\bpay\b", r"pay now", r"buy now", r"zahlungspflichtig bestellen",
                          r"jetzt (kaufen|bezahlen)", r"bestellung (abschicken|absenden)", r"kaufen",
                          r"valider (la |ma )?commande", r"confirmer (la |ma )?commande", r"payer",
                          r"realizar (el )?pedido", r"confirmar (el )?pedido", r"pagar", r"conferma (l.)?ordine",
                          r"paga( ora)?", r"effettua (l.)?ordine", r"bestelling plaatsen", r"nu betalen",
                          r"betalen", r"bevestig (de |je )?bestelling"),
    "card_payment": _words(r"card", r"credit", r"debit", r"visa", r"mastercard", r"karte", r"carte", r"tarjeta",
                           r"carta", r"kaart"),
}

ORDER_NUMBER = re.compile(
    r"(?:order|bestellung|bestellnummer|auftrag|commande|pedido|ordine|bestelling|bestelnummer)"
    r"\s*(?:number|no\.?|nr\.?|n[°º]|#|nummer|num[ée]ro|n[úu]mero|id)?\s*(?:is|ist|est|es|[èe])?\s*[:#]?\s*"
    r"([A-Z]{0,5}-?\d[\dA-Z-]{2,})", re.I)

THANKS = _words(r"thank", r"confirm", r"placed", r"received", r"success", r"danke", r"erfolgreich", r"r[ée]ussi",
                r"exitos", r"riuscit", r"gelukt", r"geslaagd", r"vielen dank", r"best[äa]tig", r"merci",
                r"confirm[ée]e", r"gracias", r"confirmad", r"grazie", r"confermat", r"bedankt", r"bevestigd")
