"""Browser discovery: configured path, else Playwright's own, else a system Chromium, else a fix."""
import stat

import pytest

from shopper.errors import ProbeError
from shopper.probes import browser
from shopper.probes.browser import find_browser, host_blocked


def make_exe(path):
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_configured_path_wins(tmp_path):
    exe = make_exe(tmp_path / "mychrome")
    assert find_browser(exe, lambda: exe).source == "configured"


def test_configured_path_that_is_not_executable_names_the_fix(tmp_path):
    with pytest.raises(ProbeError, match="not an executable file"):
        find_browser(str(tmp_path / "nope"))


def test_playwright_browser_before_system(tmp_path):
    exe = make_exe(tmp_path / "chrome")
    assert find_browser(None, lambda: exe) == browser.BrowserChoice(None, "playwright")


def test_system_chromium_when_playwright_has_none(tmp_path, monkeypatch):
    exe = make_exe(tmp_path / "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    choice = find_browser(None, lambda: str(tmp_path / "missing"))
    assert choice == browser.BrowserChoice(exe, "system")


def test_nothing_found_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(browser, "SYSTEM_PATHS", [])
    with pytest.raises(ProbeError, match="make setup"):
        find_browser(None, lambda: (_ for _ in ()).throw(RuntimeError("not installed")))


@pytest.mark.parametrize("host,blocked", [("www.google-analytics.com", True), ("google-analytics.com", True),
                                          ("tracker.shop-demo.test", True), ("shop-demo.test", False)])
def test_host_blocking_patterns(host, blocked):
    assert host_blocked(host, ["*.google-analytics.com", "tracker.shop-demo.test"]) is blocked


def test_headless_prefers_the_headless_shell_to_a_full_chromium(tmp_path, monkeypatch):
    full = make_exe(tmp_path / "chromium")
    shell = make_exe(tmp_path / "chromium-headless-shell")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(browser, "HEADLESS_SHELL_PATHS", [])
    missing = lambda: str(tmp_path / "missing")   # noqa: E731
    assert find_browser(None, missing, headless=True) == browser.BrowserChoice(shell, "system")
    assert find_browser(None, missing, headless=False) == browser.BrowserChoice(full, "system")   # a window


@pytest.mark.parametrize("url,routed", [
    ("https://www.google-analytics.com/collect?v=1", True), ("http://google-analytics.com", True),
    ("http://tracker.shop-demo.test:8000/pixel.gif", True), ("http://user@tracker.shop-demo.test/p", True),
    ("http://shop-demo.test/", False), ("http://notgoogle-analytics.com/", False),
    ("http://shop.test/?next=http://tracker.shop-demo.test/", False)])
def test_only_requests_that_may_be_blocked_are_routed(url, routed):
    pattern = browser.route_pattern(["*.google-analytics.com", "tracker.shop-demo.test"])
    assert bool(pattern.search(url)) is routed
