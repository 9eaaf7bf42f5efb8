"""`checkout`: from a product to a placed order, page by page, as a guest customer does it."""
from __future__ import annotations

import dataclasses
import re

from ..autofill.classify import KINDS, PERSONA_KINDS, SKIP_KINDS, classify
from ..autofill.fill import Filled, autofill, press, reread
from ..autofill.page import read_forms
from ..errors import JourneyBlocked, NotApplicable, OrderNotPlaced, StepError
from ..routes.links import Clickable, clickables, matching
from ..routes.words import ACTION_WORDS, ORDER_NUMBER, THANKS
from .registry import step_kind

NOT_FORWARD = re.compile(r"continue shopping|keep shopping|back|return to|zur[üu]ck|weiter einkaufen|retour|"
                         r"continuer (mes|vos) achats|volver|seguir comprando|torna|continua (lo )?shopping|"
                         r"terug|verder winkelen|remove|delete|entfernen|supprimer|eliminar|rimuovi|verwijder|"
                         r"log ?in|sign ?in|register|anmelden|wishlist|voucher|coupon", re.I)
ALERTS = "[role=alert], .alert-danger, .error, .errorlist, .invalid-feedback, .field-error, .form-error"


@step_kind("checkout", writes="always")
class Checkout:
    """Place an order as a guest customer: open the product (`product`, else the profile's
    `checkout_path` where its checkout starts, else its `product_path`, else the first product the
    home page offers), add it to the basket, go to the
    basket and on to the checkout, choose guest checkout when offered, autofill each page from the
    persona, pick the first shipping method, pay with the profile's test method (`payment:` of the
    site, else `shopper.payment`), confirm, until a page shows an order number; it is saved in `into`.
    Each page is an observation; where a customer could not go on, a `checkout_blocked` finding names
    the page, the button or field looked for, and has a screenshot. The payment method is the first of
    the shopper's preference list (`shopper.payment.prefer`) the shop offers, recorded with what was
    offered. `payment: [card]` names the methods the journey needs: a shop that offers none of them
    makes the journey not applicable, before any order is placed. `place_order: false` walks up to
    the final button and stops there; `shopper.place_orders: false` in config.yaml stops every
    checkout there (the journey is then incomplete, with that reason).

        - checkout
        - checkout: {product: /catalogue/slow-bread_3/, into: order_no}
        - checkout: {payment: [card], place_order: false}
    """

    product: str | None = None
    into: str = "order_no"
    fields: dict[str, str] | None = None   # extra values for fields the persona cannot fill (by kind or label)
    max_pages: int = 12
    payment: list[str] | None = None       # methods this journey needs (e.g. [card]): none offered -> not applicable
    place_order: bool = True               # false: walk up to the final button, check `payment`, never press it

    acts = True   # the runner waits for the page to settle afterwards

    def problems(self) -> list[str]:
        from ..autofill.payment import METHODS

        bad = [m for m in (self.payment or []) if m not in METHODS and not str(m).startswith("/")]
        return [f"payment: {m!r} is not a method ({', '.join(METHODS)}) or a /regex/" for m in bad]

    def defines(self) -> list[str]:
        return [self.into]

    def run(self, ctx) -> str:
        walk = _Walk(ctx, self, dry_run=not self.place_order)
        return walk.run()


def places_orders(journey) -> bool:
    """Whether the journey's steps (its default flows included) would place a real order."""
    steps = list(journey.steps) + [st for flow in journey.flows.values() for st in flow]
    return any(st.kind == "checkout" and getattr(st.spec, "place_order", True) for st in steps)


def _method_words(method: str) -> str:
    return method.replace("_", " ").strip("/")


class _StopBeforeOrder(Exception):
    """A dry run (init-site) reached the button that would place the order."""


class _Walk:
    def __init__(self, ctx, spec: Checkout, dry_run: bool = False):
        self.ctx, self.spec, self.page = ctx, spec, ctx.page
        self.stage = "product"
        self.visited: list[str] = []
        self.pages: list[dict] = []            # what each page was and what was done there
        self.dry_run = dry_run
        self.stopped_before: str | None = None  # dry run: the page whose button would place the order
        self.offered: list[str] = []            # payment methods the checkout offered so far
        self.chosen: str | None = None          # the one the shopper picked
        self.required = [str(m) for m in (spec.payment or [])]
        prefer = ctx.state.variables.get("shopper_payment", "card")
        self.preference = self.required or prefer
        pattern = ctx.state.variables.get("order_number_pattern")
        self.order_re = re.compile(ctx.value(pattern)) if pattern else ORDER_NUMBER

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> str:
        try:
            return self._run()
        except _StopBeforeOrder:
            self.stopped_before = self.page.url
            paid = f" (payment: {self.chosen})" if self.chosen else ""
            return f"stopped before placing the order on {self.page.url}{paid}"

    def _dry_stop(self, what: str) -> None:
        """Before the button that places the order: the journey's payment must be on offer; a dry run
        or `shopper.place_orders: false` stops here."""
        ctx = self.ctx
        self._note_payment_fields()
        ctx.record("payment_methods", {"url": self.page.url, "offered": self.offered, "chosen": self.chosen,
                                       "required": self.required})
        self._require_payment(what)
        if self.dry_run:
            self._note("confirm", f"would press {what!r} (dry run: not pressed)")
            raise _StopBeforeOrder()
        if str(ctx.state.variables.get("shopper_place_orders", "true")).lower() in ("false", "no", "0"):
            self._note("confirm", f"not pressed {what!r}: shopper.place_orders is false")
            raise OrderNotPlaced(f"stopped before {what!r} on {self.page.url}: shopper.place_orders is false "
                                 f"in config.yaml, so no real order is placed")

    def _require_payment(self, what: str = "") -> None:
        """NotApplicable when the journey needs a payment method the shop does not offer (before any order)."""
        if not self.required or self.chosen in self.required or any(m in self.offered for m in self.required):
            return
        reason = f"the shop offers no {' or '.join(_method_words(m) for m in self.required)} payment" + \
                 (f" (it offers: {', '.join(_method_words(m) for m in self.offered)})" if self.offered else "")
        self.ctx.record("not_applicable", {"reason": reason, "url": self.page.url})
        self._note("confirm", f"not pressed {what!r}: {reason}" if what else reason)
        raise NotApplicable(reason)

    def _note_payment_fields(self) -> None:
        """A card form on the page is a card payment on offer."""
        for form in read_forms(self.page):
            if any(classify(f.info).kind == "cc_number" for f in form.fields) and "card" not in self.offered:
                self.offered.append("card")

    def _run(self) -> str:
        self._open_product()
        last = None
        for _ in range(self.spec.max_pages):
            self.page.wait_for_load_state("load", timeout=self.ctx.timeout_ms)
            number = self._order_number()
            if number:
                self.ctx.set_var(self.spec.into, number)
                # how the order was paid (later steps ask: a refund is due only for an order paid when placed)
                first = self.preference[0] if isinstance(self.preference, list) else \
                    str(self.preference).split(",")[0].strip()
                self.ctx.set_var("order_payment", self.chosen or first)
                self._note("confirmation", f"order number {number}")
                self.ctx.record("extracted", {"name": self.spec.into, "value": number})
                return f"order {number} placed in {len(self.visited)} pages"
            here = (self.page.url, self._text()[:2000])
            if here == last:
                self._blocked("the page did not change after the last action", self._alerts() or
                              "a way forward (continue, place order)")
            last = here
            self._step()
        self._blocked(f"no order number after {self.spec.max_pages} pages", "a page with an order number")
        return ""

    def _step(self) -> None:
        items = clickables(self.page)
        if self.stage == "product":
            button = self._first(items, "add_to_basket")
            if button is None:
                self._blocked("no add-to-basket button on the product page",
                              "a button named add to basket/cart, buy now, in den Warenkorb, ajouter au panier, …")
            self._click(button, "added to basket")
            self.stage = "basket"
            return
        form = self._fillable_form()
        if form is not None:
            self.stage = "checkout"
            self._fill_and_press(form)
            return
        order = ("place_order", "continue", "checkout") if self.stage == "checkout" else \
            ("place_order", "checkout", "continue")
        for words in order:
            button = self._first(items, words)
            if button is not None:
                if words == "place_order":
                    self._dry_stop(button.words)
                self._click(button, words.replace("_", " "))
                if words == "checkout":
                    self.stage = "checkout"
                return
        if self.stage == "basket":
            basket = self._first(items, "basket")
            if basket is not None and basket.href and basket.href not in self.visited:
                self._click(basket, "basket")
                return
        self._blocked("no way forward on this page",
                      "a checkout / continue / place order button or link, or a form to fill")

    # -- what is on the page --------------------------------------------------------------------
    def _open_product(self) -> None:
        ctx = self.ctx
        start = None if self.spec.product else ctx.state.variables.get("checkout_path")
        if start:   # the profile knows where its checkout starts
            self._goto(ctx.url(start))
            self.stage = "checkout" if self._fillable_form() is not None else "basket"
            return
        given = self.spec.product or ctx.state.variables.get("product_path")
        url = ctx.url(given) if given else ctx.url("/")
        self._goto(url)
        if given or self._first(clickables(self.page), "add_to_basket"):
            return
        # the home page offers no product to buy: try the links of its main content
        home = self.page.url
        links = [c for c in clickables(self.page) if c.is_link and c.region in ("main", "page")
                 and c.href.startswith(ctx.state.base_url or "http") and c.href.rstrip("/") != home.rstrip("/")]
        for c in links[:8]:
            self._goto(c.href)
            if self._first(clickables(self.page), "add_to_basket"):
                return
        self._blocked("no product with an add-to-basket button on the home page or the pages it links",
                      "a button named add to basket/cart, buy now, … (set product_path in the site profile)")

    def _first(self, items: list[Clickable], words: str) -> Clickable | None:
        for c in matching(items, ACTION_WORDS[words], in_href=words in ("checkout", "basket")):
            if words != "add_to_basket" and NOT_FORWARD.search(c.words):
                continue
            if c.is_link and c.href.split("#")[0].rstrip("/") in self.visited:
                continue   # back to a page already done (the checkout's step indicator)
            return c
        return None

    def _fillable_form(self):
        for form in read_forms(self.page):
            kinds = {classify(f.info).kind for f in form.fields if f.info.type not in ("checkbox", "radio")}
            if kinds & set(PERSONA_KINDS) and not (kinds <= {"email"} and len(form.fields) == 1
                                                   and self._is_newsletter(form)):
                return form
        return None

    @staticmethod
    def _is_newsletter(form) -> bool:
        return any(re.search(r"subscribe|newsletter|abonn|suscrib|iscriv|inschrijv", b["text"], re.I)
                   for b in form.buttons)

    def _order_number(self) -> str | None:
        text = self._text()
        m = self.order_re.search(text)
        if not m or not THANKS.search(text) or self._fillable_form() is not None:
            return None
        if self._first(clickables(self.page), "place_order") is not None and self.stage != "confirm":
            return None
        return (m.group(1) if m.groups() else m.group(0)).strip()

    def _text(self) -> str:
        return self.page.locator("body").inner_text(timeout=self.ctx.timeout_ms)

    def _alerts(self) -> str:
        texts = self.page.locator(ALERTS).all_inner_texts()
        return "; ".join(" ".join(t.split()) for t in texts if t.strip())[:300]

    # -- acting ---------------------------------------------------------------------------------
    def _fill_and_press(self, form) -> None:
        ctx = self.ctx
        explicit = dict(self.spec.fields or {})
        skip: tuple[str, ...] = ()
        guest = [f for f in form.fields if f.info.type in ("radio", "checkbox")
                 and ACTION_WORDS["guest"].search(f.info.title)]
        if guest:
            explicit[f"/{re.escape(guest[0].info.title)}/"] = "on"
            skip = ("password",)
        try:
            filled = autofill(ctx, explicit, skip_kinds=skip, scope=None, form_index=form.index,
                              choose_radios=True, payment=self.preference)
        except StepError as e:
            self._blocked("a field the persona cannot fill", str(e))
        filled = self._fill_loose(form, filled)
        for m in filled.plan.payment_offered:
            if m not in self.offered:
                self.offered.append(m)
        self.chosen = filled.plan.payment or self.chosen
        if filled.plan.payment_offered:
            self._require_payment()   # the choice is on this page: the method the journey needs is not
        order = [ACTION_WORDS["place_order"], ACTION_WORDS["continue"], ACTION_WORDS["checkout"], None]
        for words in order:
            if words is None or any(words.search(b["text"]) and not NOT_FORWARD.search(b["text"])
                                    for b in filled.form.buttons):
                if words is ACTION_WORDS["place_order"]:
                    self._dry_stop(next(b["text"] for b in filled.form.buttons if words.search(b["text"])))
                text = press(ctx, filled, words)
                ctx.settle()
                fields = ", ".join(f"{a.title} ({a.kind or a.source})" for a in filled.plan.actions)[:160]
                self._note("form", f"filled {len(filled.plan.actions)} field(s) [{fields}], pressed {text!r}")
                if words is ACTION_WORDS["place_order"]:
                    self.stage = "confirm"
                return

    def _fill_loose(self, form, filled):
        """A single-page checkout may keep a section outside the form (its shipping methods): choose
        there too (choices only: a stray search or newsletter box stays empty), then read the form's
        buttons again (one may enable only now)."""
        loose = next((f for f in read_forms(self.page) if f.loose), None)
        if loose is None or form.loose:
            return filled
        text_kinds = (*KINDS, *SKIP_KINDS, None)
        extra = autofill(self.ctx, {}, form_index=loose.index, choose_radios=True, fail_on_problems=False,
                         payment=self.preference, skip_kinds=text_kinds)
        plan = dataclasses.replace(filled.plan, actions=filled.plan.actions + extra.plan.actions,
                                   payment_offered=filled.plan.payment_offered or extra.plan.payment_offered,
                                   payment=filled.plan.payment or extra.plan.payment)
        return Filled(reread(self.page, None, filled.form), plan)

    def _click(self, c: Clickable, what: str) -> None:
        try:
            c.locator(self.page).click(timeout=5000)
        except Exception as e:  # covered, detached, or not clickable
            self._blocked(f"could not click {c.words!r}", str(e).splitlines()[0])
        self.ctx.settle()   # a mini-cart slides in, a counter changes, a page loads
        self._note(what, f"clicked {c.words!r}")

    def _goto(self, url: str) -> None:
        try:
            response = self.page.goto(url, timeout=self.ctx.timeout_ms, wait_until="load")
        except Exception as e:  # Playwright navigation errors
            raise StepError(f"could not open {url}: {str(e).splitlines()[0]}") from None
        if response is not None and response.status >= 400:
            self._blocked(f"the page answered HTTP {response.status}", "a product page")
        self.ctx.settle()   # client-side rendering finishes after `load`
        self._note("open", url)

    def _note(self, stage: str, action: str) -> None:
        self.visited.append(self.page.url.rstrip("/"))
        title = None
        try:
            title = self.page.title()
        except Exception:  # navigating; the URL is recorded anyway
            title = None
        page = {"stage": self.stage, "url": self.page.url, "title": title, "action": action}
        self.pages.append(page)
        self.ctx.record("checkout_page", page)

    def _blocked(self, reason: str, looked_for: str) -> None:
        ctx = self.ctx
        evidence: tuple[str, ...] = ()
        try:
            evidence = (ctx.screenshot("checkout-blocked", full_page=True),)
        except Exception as e:  # the page may be gone; the finding still names the page
            reason += f" (no screenshot: {str(e).splitlines()[0]})"
        title = None
        try:
            title = self.page.title()
        except Exception:  # navigating
            title = None
        alerts = self._alerts() if self.page else ""
        ctx.record("checkout_blocked", {"stage": self.stage, "url": self.page.url, "title": title, "reason": reason,
                                        "looked_for": looked_for, "alerts": alerts, "pages": self.visited},
                   evidence=evidence)
        raise JourneyBlocked(f"checkout stopped at the {self.stage} page {self.page.url}: {reason}; looked for "
                             f"{looked_for}" + (f" (the page says: {alerts})" if alerts else ""))
