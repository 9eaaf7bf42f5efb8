"""`runner.py init-site URL`: visit a shop like a customer and write a site profile with what was found."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .autofill.persona import payment_preference, persona_variables
from .clock import SystemClock
from .config import ShopperIdentity
from .errors import JourneyBlocked, ProbeError, StepError
from .routes.find import LOOKED_FOR, SHOWS, candidate_urls
from .routes.links import clickables, matching
from .routes.words import ACTION_WORDS, ROUTE_WORDS
from .secrets import Redactor
from .steps.context import JourneyState, StepContext

REVIEWS = re.compile(r"review|bewertung|rezension|avis|rese[ñn]a|opinion|recension|beoordeling", re.I)


@dataclass
class Found:
    """One thing init-site looked for: the profile variable, its value (None: not found), and how."""

    what: str
    var: str | None
    value: str | None
    how: str


@dataclass
class Survey:
    base_url: str
    found: list[Found] = field(default_factory=list)
    landmarks: dict[str, int] = field(default_factory=dict)
    wording: list[str] = field(default_factory=list)
    checkout_pages: list[dict] = field(default_factory=list)
    home: str = ""

    def add(self, what: str, var: str | None, value: str | None, how: str) -> None:
        self.found.append(Found(what, var, value, how))


def _path(base: str, url: str) -> str:
    parts = urlsplit(url)
    if not url.startswith(base.rstrip("/")):
        return url
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _context(page: Any, base_url: str, var_dir: Path) -> StepContext:
    ident = ShopperIdentity()
    state = JourneyState(journey="init-site", variables={**persona_variables(ident, ident.address),
                                                         "shopper_payment": payment_preference(ident.payment),
                                                         "base_url": base_url.rstrip("/")},
                         redactor=Redactor(), environ={}, clock=SystemClock(), artifact_dir=var_dir / "init-site",
                         var_dir=var_dir, base_url=base_url)
    return StepContext(state=state, page=page, index=0, timeout_ms=15000, probes=None)


def _open(ctx: StepContext, url: str) -> None:
    """Open a page as a customer does: wait for it to load and then to settle (client-side rendering).
    A page that cannot be opened at all is a ProbeError naming the URL (the CLI's one line, exit 2)."""
    try:
        ctx.page.goto(url, wait_until="load", timeout=ctx.timeout_ms)
    except Exception as e:  # Playwright: DNS, refused, TLS, timeout
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ProbeError(f"cannot open {url}: {first}: check the URL and that the shop is running") from None
    ctx.settle()


def survey_site(page: Any, base_url: str, var_dir: Path, progress=lambda s: None,
                guard: "PhaseGuard | None" = None) -> Survey:
    """Home page, footer, a product, the basket and the checkout up to (never past) placing the order,
    contact and account pages. Under a `guard`, a page that stops responding costs its phase only (noted in the
    survey); a home page that does is a ProbeError: nothing else can be surveyed."""
    s = Survey(base_url.rstrip("/"))
    ctx = _context(page, base_url, var_dir)
    guard = guard or PhaseGuard()
    progress(f"home page {base_url}")
    if not guard(ctx, lambda: _home(s, ctx, base_url)):
        raise ProbeError(f"the home page {base_url} stopped responding (its scripts kept the browser busy for "
                         f"{guard.seconds:g} s): init-site cannot survey it; open it in a browser to see why")
    home = s.home
    for route in ("contact", "newsletter", "unsubscribe", "order_status"):
        progress(f"looking for the {route.replace('_', ' ')} route")
        if not guard(ctx, lambda route=route: (_open(ctx, home), _route(s, ctx, route, home))):
            s.add(route, f"{route}_path", None, guard.hung_note())
    if not guard(ctx, lambda: _account(s, ctx, home)):
        s.add("account / log in", "login_path", None, guard.hung_note())
    progress("a product, the basket and the checkout")
    if not guard(ctx, lambda: _product_and_checkout(s, ctx, home)):
        s.add("checkout", None, None, guard.hung_note())
    return s


class PhaseGuard:
    """Runs one phase of the survey (a route, the checkout walk) under the watchdog when it has a browser: past
    `seconds`, the pages' processes are killed, the phase ends, and the next one gets a fresh page. Returns
    whether the phase finished; errors of a phase that did not hang are the caller's."""

    def __init__(self, browser: Any = None, fresh_page: Any = None, seconds: float = 0.0):
        self.browser, self.fresh_page, self.seconds = browser, fresh_page, seconds

    def __call__(self, ctx: StepContext, phase: Any) -> bool:
        if self.browser is None or not hasattr(self.browser, "kill_pages"):
            phase()
            return True
        from .watchdog import Watchdog

        with Watchdog(self.browser).armed(self.seconds) as alarm:
            try:
                phase()
            except Exception:   # a page killed under a Playwright call: whatever it raised, the phase hung
                if not alarm.fired:
                    raise
        if alarm.fired:
            ctx.page = self.fresh_page()
        return not alarm.fired

    def hung_note(self) -> str:
        return f"not surveyed: a page stopped responding (its scripts kept the browser busy for {self.seconds:g} s)"


def _home(s: Survey, ctx: StepContext, base_url: str) -> None:
    page = ctx.page
    _open(ctx, base_url)
    s.home = page.url
    s.add("home page", "home_path", _path(s.base_url, s.home), f"answered at {s.home}")
    s.landmarks = page.evaluate("""() => Object.fromEntries(['main', 'nav', 'header', 'footer', '[role=main]',
        '[role=navigation]', '[role=contentinfo]'].map(k => [k, document.querySelectorAll(k).length]))""")
    items = clickables(page)
    s.wording = [c.words for c in items if c.region in ("nav", "footer") and c.words][:25]


def _account(s: Survey, ctx: StepContext, home: str) -> None:
    _open(ctx, home)
    for c in matching(clickables(ctx.page), ROUTE_WORDS["account"], links_only=True)[:1]:
        s.add("account / log in", "login_path", _path(s.base_url, c.href), f"link {c.words!r} ({c.region})")
    if not any(f.var == "login_path" for f in s.found):
        s.add("account / log in", "login_path", None, "no link named log in/sign in/my account/… on the home page")


def survey_in_browser(config: Any, url: str, progress=lambda s: None) -> Survey:
    """`init-site`: survey `url` in the configured Chromium, one fresh context, the site surveyed being the only one
    the reach policy adds. Each phase runs under the watchdog (browser.journey_timeout): a hostile page that loops
    cannot hold the command."""
    from .probes import Probes
    from .compose import browser_for

    probes = Probes.from_config(config)
    contexts: list[Any] = []

    def fresh_page() -> Any:
        context, _ = browser.new_context(block_hosts=config.browser.block_hosts, reach=probes.reach_for([url]))
        contexts.append(context)
        return context.new_page()

    with browser_for(config) as browser:
        guard = PhaseGuard(browser, fresh_page, config.browser.journey_timeout.seconds)
        try:
            return survey_site(fresh_page(), url, config.var_path, progress=progress, guard=guard)
        finally:
            for context in contexts:
                try:
                    context.close()
                except Exception:  # noqa: BLE001 - a context whose pages were killed may not close cleanly
                    pass


def _route(s: Survey, ctx: StepContext, route: str, home: str) -> None:
    page = ctx.page
    var = f"{route}_path"
    if route in ("contact", "newsletter") and SHOWS[route](page):
        s.add(route, var, _path(s.base_url, page.url), "on the home page itself")
        return
    for url in candidate_urls(route, page)[:4]:
        _open(ctx, url)
        ok = SHOWS[route](page) if route != "order_status" else SHOWS[route](page, "", False)
        if ok:
            s.add(route, var, _path(s.base_url, page.url), f"linked from the home page ({ok})")
            return
    extra = " (at run time the journey also tries the links of the mail it got)" \
        if route in ("unsubscribe", "order_status") else ""
    s.add(route, var, None, f"looked for {LOOKED_FOR[route]}{extra}")


def _product_and_checkout(s: Survey, ctx: StepContext, home: str) -> None:
    from .steps.checkout import Checkout, _Walk

    page = ctx.page
    _open(ctx, home)
    product = None
    links = [c for c in clickables(page) if c.is_link and c.region in ("main", "page") and c.href.startswith(s.base_url)
             and c.href.rstrip("/") != home.rstrip("/") and not ROUTE_WORDS["account"].search(c.words)]
    listing = None   # a page with many add buttons is a category list; a product page has one, under its name
    seen: set[str] = set()
    # product names are longer than category names: try the long link texts first
    for c in sorted([c for c in links if c.text], key=lambda c: -len(c.text))[:40]:
        if c.href in seen or len(seen) >= 15:
            continue
        seen.add(c.href)
        _open(ctx, c.href)
        buttons = len(matching(clickables(page), ACTION_WORDS["add_to_basket"]))
        heading = page.locator("h1").first.inner_text(timeout=2000) if page.locator("h1").count() else ""
        if buttons == 1 and c.text.rstrip("…. ").lower()[:20] in heading.lower():
            product = page.url
            break
        listing = listing or (page.url if buttons else None)
    product = product or listing
    if product is not None and product != page.url:
        _open(ctx, product)
    if product is None:
        s.add("product", "product_path", None, "no page linked from home shows an add-to-basket / buy button")
        return
    s.add("product", "product_path", _path(s.base_url, product), "first product page with an add-to-basket button")
    reviews = [c for c in clickables(page) if c.is_link and REVIEWS.search(f"{c.words} {c.href}")]
    s.add("reviews", "reviews_path", _path(s.base_url, reviews[0].href) if reviews else None,
          f"link {reviews[0].words!r}" if reviews else "no reviews link on the product page")
    walk = _Walk(ctx, Checkout(product=_path(s.base_url, product)), dry_run=True)
    try:
        walk.run()
    except (JourneyBlocked, StepError) as e:
        s.add("checkout", None, None, f"stopped: {e}")
    basket = [p for p in walk.pages if p["stage"] == "basket" and "basket" in p["url"].lower()]
    for p in walk.pages:
        s.checkout_pages.append(p)
    if basket:
        s.add("basket", "basket_path", _path(s.base_url, basket[0]["url"]), "reached after add to basket")
    if walk.stopped_before:
        s.add("checkout", None, _path(s.base_url, walk.stopped_before), "walked as a guest up to the button that "
              "places the order (not pressed)")


def render_profile(s: Survey, url: str) -> str:
    """The site profile as YAML, with a comment for everything not found."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# Site profile written by `runner.py init-site {url}` on {now}.",
           "# Check it, correct what is wrong (mark each hand edit with a comment), then use it with",
           "# `site_files: [THIS FILE]` in config.yaml and `--site NAME` (NAME: the file name).",
           f"base_url: {s.base_url}", "vars:"]
    missing = []
    for f in s.found:
        if f.var and f.value is not None:
            out.append(f"  {f.var}: {_yaml(f.value)}    # {f.how}")
        elif f.var:
            missing.append(f"#   {f.var}: not found — {f.how}")
    if missing:
        out += ["# Not found (journeys that need these find the route at run time, or report it missing):",
                *missing]
    marks = ", ".join(f"{k}: {v}" for k, v in s.landmarks.items())
    out.append(f"# landmarks on the home page: {marks}" + ("" if s.landmarks.get("main") or
                                                         s.landmarks.get("[role=main]") else
                                                         " (no <main>: the journeys search whole pages)"))
    if s.wording:
        out.append("# wording in the navigation and footer: " + "; ".join(w[:40] for w in s.wording))
    if s.checkout_pages:
        out.append("# checkout pages seen (as a guest, with the persona):")
        for p in s.checkout_pages:
            out.append(f"#   {p['stage']:<9} {_path(s.base_url, p['url'])}  {p.get('title') or ''}: {p['action']}"[:200])
    for f in s.found:
        if f.var is None:
            out.append(f"# {f.what}: {f.how}"[:300])
    return "\n".join(out) + "\n"


def summary_rows(s: Survey) -> list[tuple[str, str, str]]:
    return [(f.what, f.value if f.value is not None else "—", f.how[:90]) for f in s.found]


def _yaml(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z0-9_./?=&%-]+", value) else '"' + value.replace('"', '\\"') + '"'
