"""The browser probe: find a Chromium, launch it, and give each journey a fresh, observed context."""
from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from ..errors import ProbeError
from .reach import Reach, ReachPolicy
from .reach_proxy import ReachProxy
from .settle import install as install_settle

log = logging.getLogger(__name__)

# On a machine whose network is closed: see DEVELOPERS.md. Chromium's sandbox stays on unless this runs as root,
# where Chromium refuses to start with it (sandbox_args); production runs as an unprivileged user.
LAUNCH_ARGS = ["--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-dev-shm-usage",
               # RFC 6761 reserved names never resolve; do not ask the network about them.
               "--host-resolver-rules=MAP *.test ~NOTFOUND, MAP *.invalid ~NOTFOUND, MAP *.example ~NOTFOUND"]
SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
SYSTEM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
                "/usr/bin/google-chrome", "/opt/google/chrome/chrome"]
# Headless, the old headless shell (what Playwright itself runs headless) costs a quarter of the CPU of a full
# Chromium per page: no GPU compositing, no spare renderers, no browser UI. Debian: chromium-headless-shell.
HEADLESS_SHELL_PATHS = ["/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell"]
HEADLESS_SHELL_NAMES = ["chromium-headless-shell"]
FIX = ("no Chromium found: run `make setup` (as root it installs Debian's chromium), "
       "or `apt-get install chromium`, or set browser.executable in config.yaml / SHOPPER_BROWSER")


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


SANDBOX_FIX = ("run the shopper as an unprivileged user (examples/mystery-shopper.service has User=shopper; "
               "the Kubernetes example runAsNonRoot): as root Chromium renders hostile pages without its sandbox")


def sandbox_on() -> bool:
    """Chromium's sandbox is on except as root (Chromium will not start sandboxed as root)."""
    return not running_as_root()


@dataclass(frozen=True)
class BrowserChoice:
    executable: str | None   # None: Playwright's own bundled Chromium
    source: str              # 'configured' | 'playwright' | 'system'


def find_browser(configured: str | None, playwright_executable: Callable[[], str] | None = None, *,
                 headless: bool = False) -> BrowserChoice:
    """The configured path, else Playwright's own browsers if installed, else a system Chromium.

    Headless, a system headless shell comes before a full Chromium (the same engine, far less work per page).
    """
    if configured:
        path = shutil.which(configured) or configured
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise ProbeError(f"browser.executable {configured!r} is not an executable file: fix the path in "
                             f"config.yaml / SHOPPER_BROWSER, or remove it to use a Chromium found on this machine")
        return BrowserChoice(path, "configured")
    if playwright_executable is not None:
        try:
            bundled = playwright_executable()
        except Exception as e:  # Playwright raises when its browsers were never downloaded
            log.debug("no Playwright browser: %s", e)
            bundled = ""
        if bundled and os.path.exists(bundled):
            return BrowserChoice(None, "playwright")
    shell = [*HEADLESS_SHELL_PATHS, *filter(None, map(shutil.which, HEADLESS_SHELL_NAMES))] if headless else []
    for path in [*shell, *filter(None, map(shutil.which, SYSTEM_NAMES)), *SYSTEM_PATHS]:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return BrowserChoice(path, "system")
    raise ProbeError(FIX)


def route_pattern(patterns: list[str]) -> re.Pattern[str]:
    """One URL regex that catches at least the requests to hosts matching `patterns` (glob: `*` any characters).

    Only those requests go through our route handler (a driver round trip each); every other request goes
    straight to the network. The handler decides with `host_blocked`; this only has to be a superset.

    >>> bool(route_pattern(["*.ads.example"]).search("https://ads.example:8443/x.js"))
    True
    """
    hosts = []
    for p in patterns:
        p = p.lower().rstrip(".")
        sub = p.startswith("*.")
        body = re.escape(p[2:] if sub else p).replace(r"\*", "[^/]*")
        hosts.append(rf"(?:[^/]*\.)?{body}" if sub else body)
    return re.compile(rf"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?:{'|'.join(hosts)})(?::\d+)?(?:[/?#]|$)", re.I)


def host_blocked(host: str, patterns: list[str]) -> bool:
    """`*.example.com` blocks example.com and every name under it; other globs match as written."""
    host = host.lower().rstrip(".")
    return any(fnmatch.fnmatch(host, p) or (p.startswith("*.") and host == p[2:]) for p in patterns)


@contextlib.contextmanager
def _driver_environment() -> Iterator[None]:
    """The environment the Playwright driver (node) starts with; this process's own is restored after.

    A compile cache kept between starts saves a quarter of the driver's start-up CPU (once per worker
    process); a 1 MB young generation instead of 16 MB keeps it ~25 MB smaller at no measurable CPU cost.
    """
    saved = {k: os.environ.get(k) for k in ("NODE_COMPILE_CACHE", "NODE_OPTIONS")}
    os.environ.setdefault("NODE_COMPILE_CACHE", os.path.join(tempfile.gettempdir(), "mystery-shopper-node-cache"))
    if "--max-semi-space-size" not in (saved["NODE_OPTIONS"] or ""):
        os.environ["NODE_OPTIONS"] = f"{saved['NODE_OPTIONS'] or ''} --max-semi-space-size=1".strip()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class BrowserProbe:
    """Owns Playwright and one Chromium for a run; `new_context()` per journey. Not thread-safe by design."""

    def __init__(self, *, executable: str | None = None, headless: bool = True, viewport=(1280, 800),
                 locale: str = "en-GB"):
        self._configured = executable
        self.headless = headless
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self.locale = locale
        self._pw: Any = None
        self._browser: Any = None
        self.choice: BrowserChoice | None = None
        self.pid: int | None = None   # the Chromium browser process, found at launch (for the watchdog)

    def start(self) -> "BrowserProbe":
        from playwright.sync_api import sync_playwright

        with _driver_environment():
            self._pw = sync_playwright().start()
        try:
            self.choice = find_browser(self._configured, lambda: self._pw.chromium.executable_path,
                                       headless=self.headless)
            self._launch()
        except BaseException:
            self._pw.stop()
            raise
        return self

    def _launch(self) -> None:
        assert self.choice is not None
        before = set(browser_processes())
        try:
            # Playwright adds --no-sandbox unless chromium_sandbox is set: only root goes without
            self._browser = self._pw.chromium.launch(executable_path=self.choice.executable,
                                                     headless=self.headless, args=LAUNCH_ARGS,
                                                     chromium_sandbox=sandbox_on(), handle_sigint=False)
        except Exception as e:
            raise ProbeError(f"could not start Chromium ({self.choice.executable or 'Playwright bundled'}): "
                             f"{str(e).splitlines()[0]} — check the browser install (`make setup`)") from e
        log.info("browser: %s (%s)", self.choice.executable or "playwright chromium", self.choice.source)
        started = [pid for pid in browser_processes() if pid not in before]
        self.pid = started[0] if len(started) == 1 else None

    def kill_pages(self) -> int:
        """Kill the browser's renderer processes (what runs the pages' scripts): a page that loops forever
        crashes, and whatever waited on it fails at once; the browser itself lives on. Called from a watchdog
        thread: touches no Playwright object. Returns how many were killed."""
        table = _process_table()
        victims = [p for b in self._browser_pids(table) for p in _descendants(b, table)
                   if "--type=renderer" in table[p][1]]
        return sum(_kill(p) for p in victims)

    def kill(self) -> bool:
        """Kill the browser process itself (the last resort of the watchdog); the next journey starts another."""
        return any([_kill(p) for p in self._browser_pids(_process_table())])

    def _browser_pids(self, table: dict[int, tuple[int, str]]) -> list[int]:
        """This probe's Chromium: the process found at launch while it runs, else (not found then, or gone and
        restarted since) the Chromium browser processes under this process that are alive now, when one is."""
        if self.pid and self.pid in table and "--remote-debugging-pipe" in table[self.pid][1]:
            return [self.pid]
        found = [p for p in _descendants(os.getpid(), table)
                 if "--remote-debugging-pipe" in table[p][1] and "--type=" not in table[p][1]]
        return found if len(found) == 1 else []

    @property
    def version(self) -> str:
        return self._browser.version if self._browser else ""

    @property
    def connected(self) -> bool:
        """False once Chromium has exited (crashed, killed); the next new_context() starts a new one."""
        return self._browser is not None and self._browser.is_connected()

    def new_context(self, *, block_hosts: list[str], reach: ReachPolicy | None = None,
                    on_refused: Callable[[Reach], None] | None = None) -> tuple[Any, Counter]:
        """A fresh context (cookies, storage) for one journey; blocked requests are aborted and counted.

        With `reach`, every request but those to the site's own origins goes through a ReachProxy that asks
        the policy first (refusals go to `on_refused`) and drops the blocked hosts; the proxy closes with the
        context. No downloads. Only a blocked host that is also one of the site's own (which the proxy never
        sees) needs a route in the context, which costs every request a round trip (ReachProxy's doc).
        """
        if self._browser is None or not self._browser.is_connected():
            log.warning("browser disconnected; starting a new one")
            self._launch()
        options: dict[str, Any] = {}
        proxy = None
        blocked: Counter = Counter()
        lock = threading.Lock()

        def count(host: str) -> None:
            with lock:
                blocked[host] += 1

        if reach is not None:
            proxy = ReachProxy(reach, on_refused, blocked=lambda host: host_blocked(host, block_hosts),
                               on_blocked=count)
            # the site's own origins are allowed whatever their address: straight to the network, no detour
            bypass = ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in sorted(reach.own))
            options["proxy"] = {"server": proxy.url, "bypass": bypass or None}
        try:
            ctx = self._browser.new_context(viewport=self.viewport, locale=self.locale, ignore_https_errors=False,
                                            accept_downloads=False, **options)
        except BaseException:
            if proxy is not None:
                proxy.close()
            raise
        if proxy is not None:
            ctx.on("close", lambda _ctx: proxy.close())
        install_settle(ctx)   # pages count their requests from the start: steps wait for them to settle
        if block_hosts and (reach is None or any(host_blocked(h, block_hosts) for h, _ in reach.own)):
            def route(r: Any) -> None:
                host = urlsplit(r.request.url).hostname or ""
                if host_blocked(host, block_hosts):
                    count(host)
                    r.abort("blockedbyclient")
                else:
                    r.fallback()
            ctx.route(route_pattern(block_hosts), route)
        return ctx, blocked

    def close(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
            self._browser = self._pw = None

    def __enter__(self) -> "BrowserProbe":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def attach_observers(page: Any, record: Callable[[str, dict], None], site_hosts: set[str]) -> None:
    """Observe what a customer would suffer: failed documents/XHRs, uncaught JS errors, console errors."""

    def on_response(resp: Any) -> None:
        req = resp.request
        if req.resource_type not in ("document", "xhr", "fetch"):
            return
        host = urlsplit(resp.url).hostname or ""
        record("response", {"url": resp.url, "status": resp.status, "type": req.resource_type,
                            "method": req.method, "audited": host in site_hosts,
                            "main_frame": req.frame == page.main_frame if req.resource_type == "document" else None})

    def on_request_failed(req: Any) -> None:
        if req.resource_type not in ("document", "xhr", "fetch"):
            return
        host = urlsplit(req.url).hostname or ""
        record("request_failed", {"url": req.url, "type": req.resource_type, "error": req.failure or "",
                                  "audited": host in site_hosts})

    def on_page_error(err: Any) -> None:
        stack = (getattr(err, "stack", None) or "").splitlines()[:6]
        record("js_error", {"message": str(getattr(err, "message", err))[:500], "name": getattr(err, "name", ""),
                            "stack": "\n".join(stack), "url": page.url})

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            record("console_error", {"text": msg.text[:500], "url": page.url})

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("pageerror", on_page_error)
    page.on("console", on_console)


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we can see (Linux /proc; empty elsewhere)."""
    table: dict[int, tuple[int, str]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except (OSError, ValueError, IndexError):
            continue
        table[int(name)] = (ppid, cmd)
    return table


def _descendants(root: int, table: dict[int, tuple[int, str]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def browser_processes() -> list[int]:
    """Chromium browser processes started under this process (by Playwright's driver)."""
    table = _process_table()
    return [p for p in _descendants(os.getpid(), table)
            if "--remote-debugging-pipe" in table[p][1] and "--type=" not in table[p][1]]


def _kill(pid: int) -> bool:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        return True
    except OSError:   # already gone
        return False


def guard_pages(context: Any, page: Any, record: Callable[[str, dict], None]) -> None:
    """What a customer's browser would do on its own and the audit must not: pop-ups are recorded and closed,
    file choosers are never opened (the page's chooser is taken over and left unanswered), and no step can
    send the page to a local URL."""

    def on_page(other: Any) -> None:
        if other is page:
            return
        try:
            opener = other.opener()
            url = other.url
        except Exception as e:  # the pop-up may close itself first
            log.debug("pop-up gone before it was recorded: %s", e)
            opener, url = None, ""
        record("popup", {"url": url, "opened_by": opener.url if opener is not None else None})
        try:
            other.close()
        except Exception as e:  # already closed
            log.debug("pop-up could not be closed: %s", e)

    context.on("page", on_page)
    page.on("filechooser", lambda chooser: record("file_chooser", {"url": page.url, "opened": False}))
    opened_by_us = page.goto

    def goto(url: str, **kwargs: Any) -> Any:
        """Nothing local, whichever step asks: the browser is never sent to file:, chrome:, javascript:, blob:…"""
        scheme = str(url).split(":", 1)[0].lower().strip()
        if scheme not in ("http", "https", "data") and str(url) != "about:blank":
            record("link_refused", {"url": str(url)[:500], "reason": f"link to a local resource ({scheme}:), "
                                    "not followed", "via": "browser"})
            raise ProbeError(f"{str(url)[:200]} was not opened: only http and https addresses are (docs/security.md)")
        return opened_by_us(url, **kwargs)

    page.goto = goto


def trace_has_secret(path: Path, contains_secret: Callable[[bytes], bool]) -> bool:
    """True when any member of a trace zip holds a secret value (then it must not be kept)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return any(contains_secret(z.read(name)) for name in z.namelist())
