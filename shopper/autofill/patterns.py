"""What a form field asks for, in words: WHATWG autocomplete tokens and label patterns in six languages.

The patterns follow the approach of Chromium's autofill regexes
(components/autofill/core/browser/form_parsing/regex_patterns) and Firefox's form autofill
heuristics (HeuristicsRegExp): one pattern per field kind, more specific kinds first (a card
holder's name before a plain name), written here for English, German, French, Spanish, Italian
and Dutch. They match lower-cased text with separators turned into spaces.
"""
from __future__ import annotations

import re

# WHATWG autocomplete field names -> our field kinds (section-*, shipping/billing and
# home/work/mobile prefixes are dropped before the lookup).
AUTOCOMPLETE: dict[str, str] = {
    "name": "name", "given-name": "given_name", "family-name": "family_name", "additional-name": "skip",
    "honorific-prefix": "skip", "nickname": "skip",
    "email": "email", "username": "email", "new-password": "password", "current-password": "password",
    "one-time-code": "skip", "organization": "company", "organization-title": "skip",
    "street-address": "street", "address-line1": "street", "address-line2": "line2", "address-line3": "skip",
    "address-level1": "region", "address-level2": "city", "address-level3": "skip", "address-level4": "skip",
    "country": "country", "country-name": "country", "postal-code": "postcode",
    "cc-name": "cc_name", "cc-given-name": "cc_name", "cc-family-name": "skip", "cc-number": "cc_number",
    "cc-exp": "cc_exp", "cc-exp-month": "cc_exp_month", "cc-exp-year": "cc_exp_year", "cc-csc": "cc_csc",
    "cc-type": "skip", "tel": "tel", "tel-national": "tel", "tel-local": "tel",
    "tel-country-code": "skip", "tel-area-code": "skip", "tel-extension": "skip",
    "bday": "skip", "bday-day": "skip", "bday-month": "skip", "bday-year": "skip", "sex": "skip", "url": "skip",
    "photo": "skip", "language": "skip", "transaction-amount": "skip", "transaction-currency": "skip",
}

# input types that say what they hold
INPUT_TYPES: dict[str, str] = {"email": "email", "tel": "tel", "password": "password", "search": "search"}

_P = {
    # -- not the persona's: search boxes, coupons, and what the journey gives (message, order number)
    "search": r"\bsearch\b|\bsuche\b|\bsuchen\b|recherch|\bbuscar\b|\bbusca\b|\bcerca\b|\bzoek|^q$|\bquery\b"
              # a store finder's postcode or town is not the customer's address
              r"|find (a |your |the |an? )?(nearest )?(store|shop|location|retailer|dealer)|store ?(locator|finder)|"
              r"filiale? (suchen|finden)|filialsuche|filialfinder|h[äa]ndlersuche|trouver (un|votre) magasin|"
              r"buscar (una |tu )?tienda|encuentra (una |tu )?tienda|trova (un |il )?negozio|"
              r"vind (een|je|uw) winkel|winkel zoeken",
    "coupon": r"\bsvc|stored.?value|gift.?(card|cert)|certificate|\bcerts?\b|coupon|voucher|promo|discount|gutschein|rabatt|code promo|bon de r[ée]duction|cup[oó]n|"
              r"descuento|buono|sconto|kortingscode|kortingsbon|gift ?card|geschenkkarte",
    # values a persona does not hold, whatever other word the label has: a job title, a member or customer
    # number, a landmark, a price, an attention line, one of two family names
    "not_held": r"(job|business|professional|position).?title|jobtitel|berufsbezeichnung|titre du poste|"
                r"puesto de trabajo|qualifica professionale|functietitel|"
                r"member(ship)?.?(id|number|num|no\b|nr)|loyalty|reward|bonus.?(card|number)|"
                r"customer.?(number|no\b|id\b)|kunden.?(nummer|nr)|mitglieds.?(nummer|nr)|"
                r"num[ée]ro (de )?(client|membre|adh[ée]rent)|carte (de )?fid[ée]lit|"
                r"n[úu]mero de (socio|cliente)|tarjeta de fidelidad|numero (cliente|socio|tessera)|"
                r"klant.?nummer|lid.?nummer|klantenkaart|"
                r"land.?mark|punto de referencia|\bprice\b|\bamount\b|\bbetrag\b|\bprix\b|\bprecio\b|"
                r"\bimporte\b|\bprezzo\b|\bimporto\b|\bbedrag\b|\bprijs\b|"
                r"\battn\b|^attention\b|\battention (line|to)\b|zu h[äa]nden|\bz ?hd\b|[àa] l.attention|a la atenci[óo]n|all.attenzione|"
                r"\bt\.? ?a\.? ?v\b\.?|"
                r"(primer|primero|segundo|segunda|1er|2do|2º|first|second) apellido|apellidos? (paterno|materno)|"
                r"apellido ?[12]\b|"
                # a card already on file (its security code re-entered): not the persona's card
                r"wallet|saved.?card|stored.?card|card on file|gespeicherte karte|carte enregistr[ée]e|"
                r"tarjeta guardada|carta salvata|opgeslagen kaart",
    "order_number": r"order.?(number|no\b|nr\b|#|id\b|ref)|order$|bestell.?(nummer|nr)|auftrags.?(nummer|nr)|"
                    r"num[ée]ro de (la )?commande|n[°º] de commande|n[úu]mero de(l)? pedido|"
                    r"numero (d[ie]ll?'? ?|d')?ordine|ordernummer|bestelnummer|bestelling.?(nummer|nr)",
    "message": r"message|nachricht|mitteilung|anliegen|mensaje|messaggio|bericht|comment|kommentar|"
               r"commentaire|comentario|commento|opmerking|question|frage|enquiry|inquiry|anfrage|demande|"
               r"consulta|richiesta|vraag|how can we help|wie k[öo]nnen wir|your text|ihr text",
    "subject": r"subject|betreff|objet|sujet|asunto|oggetto|onderwerp|topic|thema",
    # -- card data before names and numbers
    "cc_type": r"card.?type|type.{0,8}card|kartentyp|kartenart|type de carte|tipo de tarjeta|tipo (di )?carta|"
               r"kaarttype|payment.?method",
    "cc_name": r"card.?(holder|owner)|name.*on.*card|(card|cc).?name|\bcc\b.{0,6}name|"
               r"as (it )?(appears|shown|printed) on (the |your )?card|wie auf der karte|"
               r"tel qu.il (appara[îi]t|figure) sur la carte|como (aparece|figura) en la tarjeta|"
               r"come (appare|riportato) sulla carta|zoals (vermeld )?op de kaart|karteninhaber|inhaber der karte|"
               r"titulaire|nom.*carte|nombre.*tarjeta|titular|intestatario|titolare|nome.*cart|"
               r"kaarthouder|naam.*kaart|tenaamstelling",
    "cc_number": r"card.?(number|num|no\b|nr)|cc.?(number|num|no\b|nr)|"
                 r"kartennummer|kreditkarte.*nummer|num[ée]ro de (la )?carte|n[úu]mero de (la )?tarjeta|"
                 r"numero (della )?carta|kaartnummer|creditcardnummer|kaart ?nummer",
    "cc_csc": r"\bcvc|\bcvv|\bcsc\b|cvn|security.?code|card.?verification|"
              r"pr[üu]f.?(nummer|ziffer|code)|sicherheitscode|kartenpr[üu]f|cryptogramme|code de s[ée]curit[ée]|"
              r"c[óo]digo de seguridad|codice (di )?sicurezza|codice di verifica|beveiligingscode|"
              r"controlecode|kaartcode",
    "cc_exp_month": r"exp.*month|month.*exp|card.?month|cc.?month|exp.?mm\b|ablauf.*monat|monat.*ablauf|"
                    r"mois.*(exp|valid)|mes.*(venc|cad)|mese.*scad|maand.*(verval|geldig)",
    "cc_exp_year": r"exp.*year|year.*exp|card.?year|cc.?year|exp.?yy|ablauf.*jahr|jahr.*ablauf|"
                   r"ann[ée]e.*(exp|valid)|a[ñn]o.*(venc|cad)|anno.*scad|jaar.*(verval|geldig)",
    "cc_exp": r"expir|expiry|exp.?date|valid.?(thru|through|until|till)|mm ?/ ?yy|mm ?/ ?jj|mm ?/ ?aa|"
              r"ablauf|g[üu]ltig bis|verfall|date d.?expiration|date de validit|fecha de (caducidad|vencimiento|"
              r"expiraci[óo]n)|vencimiento|caducidad|scadenza|data di scadenza|vervaldatum|geldig tot",
    # -- contact
    "email_confirm": r"(confirm|repeat|retype|verify|re.?enter).*(e.?mail)|e.?mail.*(confirm|again|repeat|"
                     r"best[äa]tig|wiederhol)|e.?mail.*(confirmation|conferma|bevestig)|"
                     r"(best[äa]tig|wiederhol).*e.?mail|confirm.*courriel|confirmar.*correo|"
                     r"conferma.*e.?mail|bevestig.*e.?mail|herhaal.*e.?mail",
    "username": r"user.?name|benutzername|nom d.utilisateur|nombre de usuario|nome utente|gebruikersnaam|"
                r"\blog ?in\b|\blog ?on\b|sign.?in.?(name|id)|user.?id\b|login.?id|benutzerkennung|"
                r"identifiant|id utente|inlognaam",
    "email": r"e.?mail|courriel|adresse [ée]lectronique|correo|electr[óo]nico|posta elettronica|"
             r"indirizzo (di )?posta|mailadres",
    "phone_part": r"\bext\b|extension|durchwahl|area.?code|vorwahl|\bprefix\b|\bsuffix\b|dial.?code|"
                  r"(phone|tel).{0,12}country.?code|country.?code.{0,12}(phone|tel)|calling.?code|phone.?country|"
                  r"l[äa]ndervorwahl|indicatif|prefijo|prefisso|netnummer|landcode|\bexchange\b",
    "tel": r"phone|mobile|\bcell\b|telefon|telephone|t[ée]l[ée]phone|\btel\b|t[ée]l[ée]fono|cellulare|"
           r"\bhandy\b|\bportable\b|\bm[óo]vil\b|\bcelular\b|telefoonnummer|mobiel|rufnummer",
    "company": r"company|business|organi[sz]ation|firma|firmenname|unternehmen|soci[ée]t[ée]|entreprise|"
               r"empresa|ragione.?sociale|azienda|societ[àa]|bedrijf|bedrijfsnaam",
    # -- postal address
    "house_number": r"^(house ?(number|no)|hausnummer|huisnummer|дом|n[úu]mero|num[ée]ro|street ?(no|num|number)|"
                    r"house|hsnr|hnr|n[úu]mero (da|de la|de) (casa|resid[êe]ncia|vivienda|portal)|"
                    r"num[ée]ro de (la )?(maison|rue)|numero civico|civico)\s*[:*.]?\s*$",
    "skip": r"other.?state|not.?us.?state|military|"
            r"address.?(type|title|name|label|nickname|book|id\b)|middle.?name|additional.?name|\bmiddle\b|"
            r"zweiter vorname|(?<!address )country.?code|adres ba[şs]l|identifica[çc][ãa]o do endere|"
            r"tax.?id|\bvat\b|ust.?id|\btva\b|\bssn\b|social security|"
            r"address.?(line)?.?3|addr.?3|\bline.?3\b|third line|3rd line|dritte zeile",
    "line2": r"(address|addr|indirizzo|adresse|direcci[óo]n|adres|endere[çc]o|street)\s*(line)?\s*2\b|address.?(line)?.?2|addr.?2|\bline.?2\b|street.?2|second line|2nd line|zweite zeile|suite|apartment|\bapt\b|\bunit\b|"
             r"adresszusatz|zusatz|erg[äa]nzende|compl[ée]ment|appartement|b[âa]timent|piso|puerta|"
             r"apartamento|interno|scala|toevoeging",
    "postcode": r"\bzip|postal|post.?code|postcode|\bpcode|postleitzahl|\bplz\b|code postal|\bcp\b|"
                r"c[óo]digo postal|\bcap\b|codice postale|\bpostcode\b",
    "city": r"\bcity\b|\btown\b|\bort\b|ortschaft|stadt|wohnort|\bville\b|commune|localit[ée]|ciudad|"
            r"localidad|poblaci[óo]n|municipio|citt[àa]|comune|localit[àa]|plaats|woonplaats|gemeente|"
            r"address.?level.?2",
    "region": r"(?<!united )\bstate\b|county|province|provincia|region|r[ée]gion|bundesland|kanton|"
              r"d[ée]partement|comunidad aut[óo]noma|regione|provincie|address.?level.?1",
    "country": r"country|countries|\bland\b|staat|\bpays\b|pa[íi]s|nazione|paese|\bstato\b",
    "street": r"street|address|addr\b|\bline.?1\b|stra(ss|ß)e|hausnummer|anschrift|adresse|\brue\b|"
              r"num[ée]ro et rue|voie|direcci[óo]n|calle|domicilio|indirizzo|\bvia\b|straat|huisnummer|adres",
    # -- names
    "given_name": r"first.?name|given.?name|fore.?name|\bfirst\b(?!.*(line|addr|purchase|time))|\bfname\b|vorname|pr[ée]nom|"
                  r"\bnombre\b(?!.*apellid)|\bnome\b(?!.*cognome)|voornaam|roepnaam",
    "family_name": r"last.?name|family.?name|sur.?name|\blast\b(?! ?\d| ?(four|4))(?!.*(line|addr))|\blname\b|nachname|familienname|"
                   r"nom de famille|\bnom\b(?!.*pr[ée]nom)|apellidos?|cognome|achternaam|familienaam",
    "name": r"\bname\b|full.?name|your.?name|\bnom\b|nom complet|\bnombre\b|nombre y apellidos|nome e cognome|"
            r"\bnome\b|\bnaam\b|volledige naam|ihr name|votre nom|tu nombre|il tuo nome|uw naam",
    "password": r"password|passwort|kennwort|mot de passe|contrase[ñn]a|wachtwoord",
}

# Beyond the six languages: words Chromium's tables also know (Portuguese, Turkish, Russian, Indonesian,
# Polish, Hindi, Malayalam...), so a shop in another language is not left empty.
_MORE = {
    "email": r"\be-?posta\b|\beposta\b|почта\b|почты\b|электронн|e-?mail|surel|ईमेल|ഇ-?മെയില|メール|电子邮件|이메일",
    "tel": r"telefone|telefon|телефон|telepon|ponsel|nomor hp|मोबाइल|फ़ोन|फोन|മൊബൈല|ഫോൺ|電話|电话|전화",
    "company": r"şirket|sirket|компания|организация|perusahaan|firma|会社|公司|회사",
    "line2": r"informaci[óo]n adicional|complemento|дом|квартира|mieszkanie|lokal",
    "postcode": r"posta kodu|\bcep\b|c[óo]digo postal|индекс|kode ?pos|kod pocztowy|पिन|പിന|郵便番号|邮政编码|우편번호",
    "city": r"il[çc]e|cidade|город|\bkota\b|miasto|miejscowo|शहर|നഗര|市区町村|城市|도시",
    "region": r"\bstates\b|^i̇l\b|^il\b|şehir|sehir|estado|область|регион|provinsi|województwo|राज्य|സംസ്ഥാന|都道府県|省",
    "country": r"ülke|ulke|страна|negara|kraj|देश|രാജ്യ|国|국가",
    "street": r"endere[çc]o|logradouro|\brua\b|улица|адрес|alamat|ulica|adres|पता|വിലാസ|住所|地址|주소",
    "cc_name": r"cc.?holder|card.?holder|владел|pemegang kartu|w[łl]a[śs]ciciel karty",
    "cc_csc": r"security.?(number|value)|\bc ?v ?[vc]\b",
    "cc_type": r"\bcc.?type",
    "cc_number": r"n[úu]mero do cart[ãa]o|номер.{0,20}карт|nomor kartu|numer karty",
    "cc_exp": r"validade|срок действия|masa berlaku|data wa[żz]no",
    "name_full": r"ad[ıi] soyad[ıi]|full.?name|nome completo|полное имя|\bфио\b|nama lengkap|imi[ęe] i nazwisko|nome e cognome|"
                 r"nombre y apellidos|vor.? ?und nachname|nom et pr[ée]nom|pr[ée]nom et nom|voor.? en achternaam",
    "given_name": r"^ad\b|primeiro nome|\bимя\b|nama depan|imi[ęe]|नाम|പേര",
    "family_name": r"soyad|sobrenome|фамилия|nama belakang|nazwisko|उपनाम|മറുപേര",
}
for _kind, _extra in _MORE.items():
    _P[_kind] = f"{_P[_kind]}|{_extra}" if _kind in _P else _extra
# a full name before its parts (`adı soyadı`, `nome e cognome` hold both words)
_ORDER = list(_P)
_ORDER.remove("name_full")
_ORDER.insert(_ORDER.index("given_name"), "name_full")
# family names before given names where a language's family word holds the given one (soyad / ad)
_ORDER.remove("family_name")
_ORDER.insert(_ORDER.index("given_name"), "family_name")
# a person's names before the postal words (`addrFirstName` is a first name, not a street)
for _kind in ("name_full", "family_name", "given_name"):
    _ORDER.remove(_kind)
    _ORDER.insert(_ORDER.index("skip"), _kind)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(_P[kind], re.I)) for kind in _ORDER]
HOUSE_NUMBER = re.compile(_P["house_number"], re.I)

# Words that mark a submit button in each language, for forms that have several buttons.
SUBMIT_WORDS = re.compile(
    r"submit|send|continue|next|proceed|save|confirm|subscribe|sign ?up|search|find|show|check|track|go\b|"
    r"senden|absenden|abschicken|weiter|fortfahren|speichern|best[äa]tigen|anmelden|abonnieren|suchen|"
    r"envoyer|continuer|suivant|valider|confirmer|s.?inscrire|s.?abonner|rechercher|"
    r"enviar|continuar|siguiente|confirmar|suscrib|buscar|"
    r"invia|continua|avanti|conferma|iscriviti|cerca|"
    r"verzenden|versturen|doorgaan|volgende|bevestig|inschrijven|aanmelden|zoeken", re.I)

COUNTRY_NAMES: dict[str, str] = {
    # code: names in the six languages (and common short forms), matched against option text
    "GB": "united kingdom|great britain|\\buk\\b|britain|england|vereinigtes k[öo]nigreich|gro[sß]britannien|"
          "royaume.uni|reino unido|regno unito|verenigd koninkrijk|groot.brittanni[ëe]",
    "IE": "ireland|irland|irlande|irlanda|ierland",
    "DE": "germany|deutschland|allemagne|alemania|germania|duitsland",
    "FR": "france|frankreich|francia|frankrijk",
    "ES": "spain|spanien|espagne|espa[ñn]a|spagna|spanje",
    "IT": "italy|italien|italie|italia|itali[ëe]",
    "NL": "netherlands|niederlande|pays.bas|pa[íi]ses bajos|paesi bassi|nederland|holland",
    "BE": "belgium|belgien|belgique|b[ée]lgica|belgio|belgi[ëe]",
    "AT": "austria|[öo]sterreich|autriche",
    "CH": "switzerland|schweiz|suisse|suiza|svizzera|zwitserland",
    "US": "united states|\\busa\\b|\\bus\\b|america|vereinigte staaten|[ée]tats.unis|estados unidos|stati uniti|"
          "verenigde staten",
}
