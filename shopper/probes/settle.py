"""Waiting for a page to settle after an action: no request in flight and no DOM change for a quiet time.

A customer waits until the page stops changing before the next click: the mini-cart slides in after
"add to cart", a province list loads after the country, a button enables once the form is valid.
The page itself tells when that is: a script (installed before the page's own scripts when the
context has it, else on first use) counts fetch/XHR requests in flight and notes the time of the
last DOM mutation, the last request to end, and the last user event, and counts the short timers
(debounces) the page sets in answer to the customer's input. `settle()` waits until all
were quiet for `quiet_ms`, bounded by the caller's timeout; never a fixed sleep. Style and class
changes alone (animations, carousels) do not count as changes: they never end on some pages.

A page that did nothing at all in answer to the last event (the customer's, or the page being shown)
— no DOM change of any kind, no request, no timer, animation frame or message asked for — and has
nothing due within the quiet time has settled at once: waiting the quiet time out would only wait
(every `open` of a plain page, every `fill` of a plain field).

The first look goes through the page's own DevTools session (Chromium): one round trip, where Playwright's
`evaluate` builds its helper script in every new document first (5 ms a page: bench/runner_overhead.py). It
brings the document's title and URL with it, so the runner needs no round trip of its own for the title
(`seen_title`). Without such a session (another browser, a closed one) the look is a Playwright `evaluate`.
"""
from __future__ import annotations

import logging
import time
import weakref
from typing import Any

log = logging.getLogger(__name__)

QUIET_MS = 250            # nothing happened for this long: the page has settled
STALE_REQUEST_MS = 8000   # a request open longer (long polling, a stream) no longer holds the page
POLL_MS = 50              # how often the page is asked

# Installs window.__shopperSettle(quietMs, staleMs, pollMs) once per document.
INSTALL = r"""
(() => {
  if (window.__shopperSettle) return;
  // tick: a counter of what happens; cause: the tick of the last customer event (or the page shown),
  // reacted: the tick of the last thing the page did (a DOM change of any kind, a request, a timer or
  // animation frame asked for, a message posted).
  const s = {open: new Map(), next: 0, last: performance.now(), tick: 0, cause: -1, reacted: 0};
  const react = () => { s.reacted = ++s.tick; };
  const touch = () => { s.last = performance.now(); react(); };
  const begin = () => { const id = s.next++; s.open.set(id, performance.now()); touch(); return id; };
  const end = id => { if (s.open.delete(id)) touch(); };
  const origFetch = window.fetch;
  if (origFetch) {
    window.fetch = function (...args) {
      const id = begin();
      try { return origFetch.apply(this, args).finally(() => end(id)); } catch (e) { end(id); throw e; }
    };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    const id = begin();
    this.addEventListener('loadend', () => end(id));
    try { return send.apply(this, args); } catch (e) { end(id); throw e; }
  };
  const meaningful = m => m.type !== 'attributes' ||
    /^(aria-|disabled|hidden|value|checked|open|data-state|inert)/.test(m.attributeName || '');
  // watched once the document is parsed: the parser's own insertions (thousands of records on a big page)
  // cannot matter, as nothing counts before the page is shown (pageshow, after load)
  const watch = () => new MutationObserver(list => { if (list.some(meaningful)) touch(); else react(); })
    .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch, {once: true});
  else watch();
  // a debounce: a short timer set in answer to the customer's input (fetch the shipping methods 0.8 s
  // after the address changed). Timers the page sets on its own (carousels, polling) do not count.
  s.input = -1e9;
  const timers = new Map();   // the debounces, until they ran
  const soon = new Map();     // every timer of the page, until it ran: its due time
  const frames = new Set();   // animation frames and idle callbacks asked for, until they ran
  const setT = window.setTimeout, clearT = window.clearTimeout;
  // settle()'s own poll: Playwright sets its next poll timer right after the predicate says "not yet", through
  // this very setTimeout (it binds the page's at first use). Counted, it would hold the page for a second
  // after every input: the predicate marks the one timer that follows it (by its delay, the poll interval).
  s.ownPoll = null;
  window.setTimeout = function (fn, delay, ...rest) {
    const d = Number(delay) || 0;
    const ours = s.ownPoll !== null && d === s.ownPoll;
    s.ownPoll = null;
    if (ours) return setT.call(this, fn, delay, ...rest);
    react();
    const watched = typeof fn === 'function' && d >= 20 && d <= 2000 && performance.now() - s.input < 1000;
    let id;
    const run = typeof fn !== 'function' ? fn : function (...a) {
      soon.delete(id);
      if (watched) { timers.delete(id); touch(); }
      return fn.apply(this, a);
    };
    id = setT.call(this, run, delay, ...rest);
    if (typeof fn === 'function') soon.set(id, performance.now() + d);
    if (watched) timers.set(id, performance.now() + d);
    return id;
  };
  window.clearTimeout = function (id) { timers.delete(id); soon.delete(id); return clearT.call(this, id); };
  for (const [ask, cancel] of [['requestAnimationFrame', 'cancelAnimationFrame'],
                               ['requestIdleCallback', 'cancelIdleCallback']]) {
    const orig = window[ask], origCancel = window[cancel];
    if (!orig) continue;
    window[ask] = function (fn, ...rest) {
      react();
      let id;
      id = orig.call(this, function (...a) { frames.delete(id); return fn.apply(this, a); }, ...rest);
      frames.add(id);
      return id;
    };
    if (origCancel) window[cancel] = function (id) { frames.delete(id); return origCancel.call(this, id); };
  }
  for (const proto of [window, window.MessagePort && MessagePort.prototype]) {
    const post = proto && proto.postMessage;
    if (post) proto.postMessage = function (...a) { react(); return post.apply(this, a); };
  }
  const listen = EventTarget.prototype.addEventListener;   // the page's own may be replaced later
  const cause = () => { s.cause = ++s.tick; };
  const input = () => { s.input = performance.now(); touch(); cause(); };
  for (const ev of ['click', 'input', 'change', 'keydown', 'submit']) window.addEventListener(ev, input, true);
  window.addEventListener('pageshow', () => { s.leaving = false; touch(); cause(); }, true);
  // a navigation away has begun from the page (a link, a form, a script): the document may be replaced any
  // moment. The Navigation API tells; a beforeunload listener would make every navigation wait for this
  // renderer first and keep the page out of the back/forward cache, as a customer's browser does not.
  // (While the site has not answered a navigation, the page's own or a goto, DevTools cannot look into the
  // old document at all: a look waits, and trace.snapshot_from_here's bounded wait gives up.)
  const nav = window.navigation;
  if (nav && typeof nav.addEventListener === 'function') {
    listen.call(nav, 'navigate', e => { if (!(e.destination && e.destination.sameDocument)) s.leaving = true; });
    for (const done of ['navigatesuccess', 'navigateerror']) listen.call(nav, done, () => { s.leaving = false; });
  } else window.addEventListener('beforeunload', () => { s.leaving = true; }, true);
  window.__shopperLeaving = () => s.leaving === true;
  // a look at a document still loading waits for it in the page (at most ms): true once it is shown
  window.__shopperShown = ms => new Promise(resolve => {
    if (document.readyState === 'complete') return resolve(true);
    const t = setT.call(window, () => resolve(false), ms);
    listen.call(window, 'pageshow', () => setT.call(window, () => { clearT.call(window, t); resolve(true); }, 0),
                {once: true});
  });
  window.__shopperSettle = (quiet, stale, poll) => {
    const now = performance.now();
    for (const [id, t] of s.open) if (now - t > stale) s.open.delete(id);
    for (const [id, due] of timers) if (now > due + 1000) timers.delete(id);
    for (const [id, due] of soon) if (now > due + 1000) soon.delete(id);
    // nothing at all happened in answer to the last event, and nothing is due within the quiet time:
    // waiting it out would only wait (every `open` of a plain page, every `fill` of a plain field)
    const idle = s.reacted < s.cause && frames.size === 0 && ![...soon.values()].some(due => due <= now + quiet);
    const quietNow = document.readyState === 'complete' && s.open.size === 0 && timers.size === 0 &&
      (idle || now - s.last >= quiet);
    s.ownPoll = quietNow ? null : poll;   // Playwright sets its next poll timer next, synchronously (none: null)
    return quietNow;
  };
})();
"""

_PREDICATE = "([quiet, stale, poll]) => {" + INSTALL + " return window.__shopperSettle(quiet, stale, poll); }"
# a first look, short to compile: true (settled), "loading" (the document is), false (not yet), null (no script)
_LOOK = ("([quiet, stale]) => !window.__shopperSettle ? null : document.readyState !== 'complete' ? 'loading' : "
         "window.__shopperSettle(quiet, stale, null)")
# the same through DevTools, with the title (bounded: the page's own; null when its getter throws) and the URL;
# a document still loading (a submitted form's answer) is waited for in the page: one round trip, not three.
# A promise only then: a loaded document is answered at once (awaiting a promise costs every look ~1 ms more)
_LOOK_CDP = ("(() => {{ const look = state => {{ let title = null; "
             "try {{ title = String(document.title).slice(0, 2000); }} catch (e) {{}} "
             "return [state, title, String(location.href)]; }}; "
             "const settled = () => window.__shopperSettle({quiet}, {stale}, null); "
             "if (!window.__shopperSettle) return look(null); "
             "if (document.readyState === 'complete') return look(settled()); "
             "if (!window.__shopperShown) return look('loading'); "
             "return (async () => look(await window.__shopperShown({wait}) ? settled() : 'loading'))(); }})()")
TITLE_MAX = 2000
_sessions: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()   # page -> CDP session, or False
_seen: "weakref.WeakKeyDictionary[Any, tuple[str, str]]" = weakref.WeakKeyDictionary()   # page -> (url, title)


def install(context: Any) -> None:
    """Have every page of a browser context count its requests from the start (before its own scripts)."""
    context.add_init_script(INSTALL)


def _session(page: Any) -> Any:
    """The page's DevTools session (made on first use), or None where there is none (not Chromium)."""
    session = _sessions.get(page)
    if session is None:
        try:
            session = page.context.new_cdp_session(page)
        except Exception as e:  # not Chromium, or the page is gone: Playwright's evaluate does the look
            log.debug("settle: no DevTools session for %s: %s", page.url, str(e).splitlines()[0] if str(e) else e)
            session = False
        _sessions[page] = session
    return session or None


def prepare(page: Any) -> None:
    """Open the page's DevTools session now, before the journey's trace starts (its calls are not the journey's)."""
    _session(page)


def look(page: Any, quiet_ms: int = QUIET_MS, wait_ms: float = 0) -> Any:
    """One look at the page: True (settled), "loading", False (not yet), None (no counting script here).
    Through DevTools it also notes the document's title for `seen_title`, and waits up to `wait_ms` in the page
    for a document still loading to be shown."""
    session = _session(page)
    if session is None:
        return page.evaluate(_LOOK, [quiet_ms, STALE_REQUEST_MS])
    try:
        reply = session.send("Runtime.evaluate", {"expression": _LOOK_CDP.format(quiet=int(quiet_ms),
                                                                                stale=STALE_REQUEST_MS,
                                                                                wait=max(0, int(wait_ms))),
                                                  "returnByValue": True, "awaitPromise": True})
    except Exception:
        _sessions.pop(page, None)   # detached (the renderer went away): the next look makes a new one
        raise
    if "exceptionDetails" in reply:   # e.g. a page that replaced the counting script with something else
        raise RuntimeError(f"settle: the look failed on {page.url}: "
                           f"{str(reply['exceptionDetails'].get('text', ''))[:200]}")
    value = reply.get("result", {}).get("value")
    if not isinstance(value, list) or len(value) != 3:
        return None
    state, title, url = value
    if state is True and isinstance(title, str) and isinstance(url, str):   # the title of the settled page
        _seen[page] = (url, title[:TITLE_MAX])
    return state if state in (True, False, None, "loading") else None


def seen_title(page: Any, url: str) -> str | None:
    """The title the last look saw, when that look was of the document at `url` (once: it is then used up)."""
    seen = _seen.pop(page, None)
    return seen[1] if seen is not None and seen[0] == url else None


def settle(page: Any, timeout_ms: float, quiet_ms: int = QUIET_MS) -> bool:
    """Wait until the page is quiet (see the module doc); False when `timeout_ms` passed first. A
    navigation in between (the action opened a new page) starts the wait again on the new page."""
    deadline = time.monotonic() + timeout_ms / 1000
    _seen.pop(page, None)   # a title seen before this action is not the title after it
    try:   # settled already (most pages, most actions): a round trip or two. Waiting costs more: Playwright
        # builds its helper script in the page's own world the first time a document is waited on (40 ms a page)
        for _ in range(3):
            state = look(page, quiet_ms, wait_ms=(deadline - time.monotonic()) * 1000)
            if state is True:
                return True
            if state != "loading":
                break
            # without DevTools (or the counting script): Playwright waits for the load
            page.wait_for_load_state("load", timeout=max(1.0, (deadline - time.monotonic()) * 1000))
    except Exception as e:  # the document went away under a navigation, or did not load: the wait below says
        log.debug("settle: first look at %s failed: %s", page.url, str(e).splitlines()[0] if str(e) else e)
    while True:
        remaining = (deadline - time.monotonic()) * 1000
        if remaining <= 0:
            return False
        try:
            page.wait_for_function(_PREDICATE, arg=[quiet_ms, STALE_REQUEST_MS, POLL_MS], polling=POLL_MS,
                                   timeout=remaining)
            return True
        except Exception as e:  # Playwright: a timeout, or the document went away under a navigation
            message = str(e)
            if "Timeout" in type(e).__name__ or "Timeout" in message.splitlines()[0]:
                log.debug("page %s did not settle within %.0f ms", page.url, timeout_ms)
                return False
            if page.is_closed():
                return False
            try:   # a navigation replaced the document: wait for the new one, then for it to settle
                page.wait_for_load_state("load", timeout=max(1.0, (deadline - time.monotonic()) * 1000))
            except Exception as e2:  # still loading when the time is up
                log.debug("no load after navigation on %s: %s", page.url, str(e2).splitlines()[0])
                return False
