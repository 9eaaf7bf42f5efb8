"""What a customer can click on a page, and where it sits (main content first, then navigation, then footer).

Landmarks are a preference, not a requirement: a page without `<main>` is searched whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urljoin

_COLLECT = r"""
() => {
  const text = el => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const region = el => {
    if (el.closest('main, [role=main]')) return 'main';
    if (el.closest('footer, [role=contentinfo]')) return 'footer';
    if (el.closest('nav, header, [role=navigation], [role=banner]')) return 'nav';
    return 'page';
  };
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  return [...document.querySelectorAll('a[href], button, [role=button], [role=link], input[type=submit]')]
    .filter(visible)
    .map((el, i) => { el.setAttribute('data-shopper-click', String(i));
                 return {index: i, text: (text(el) || el.value || '').slice(0, 120),
                 label: el.getAttribute('aria-label') || el.title || '',
                 href: el.tagName === 'A' ? (el.getAttribute('href') || '') : '', tag: el.tagName.toLowerCase(),
                 region: region(el)}; });
}
"""
REGION_ORDER = {"main": 0, "nav": 1, "page": 2, "footer": 3}


@dataclass(frozen=True)
class Clickable:
    text: str
    label: str
    href: str          # absolute for links, '' for buttons
    tag: str
    region: str
    index: int = -1    # data-shopper-click on the page, as collected last

    def locator(self, page: Any) -> Any:
        return page.locator(f"[data-shopper-click='{self.index}']")

    @property
    def words(self) -> str:
        return f"{self.text} {self.label}".strip()

    @property
    def is_link(self) -> bool:
        return bool(self.href) and not self.href.startswith(("javascript:", "#"))


def clickables(page: Any) -> list[Clickable]:
    """Everything clickable on the page, main content first (links made absolute)."""
    out = []
    for d in page.evaluate(_COLLECT):
        href = d["href"]
        if href and not href.startswith(("mailto:", "tel:", "javascript:", "#")):
            href = urljoin(page.url, href)
        out.append(Clickable(d["text"], d["label"], href, d["tag"], d["region"], d["index"]))
    return sorted(out, key=lambda c: REGION_ORDER.get(c.region, 2))


def matching(items: Iterable[Clickable], pattern: re.Pattern[str], *, in_href: bool = True,
             links_only: bool = False) -> list[Clickable]:
    """The clickables whose words (or, with `in_href`, URL path) match `pattern`."""
    out = []
    for c in items:
        if links_only and not c.is_link:
            continue
        path = re.sub(r"[/_\-.]+", " ", c.href.split("?")[0].split("://", 1)[-1].partition("/")[2]) if in_href else ""
        if pattern.search(c.words) or (path and c.is_link and pattern.search(path)):
            out.append(c)
    return out


def mail_links(links: Iterable[tuple[str, str]], pattern: re.Pattern[str], also: str = "") -> list[str]:
    """URLs of a mail's links (url, text) whose text or URL matches `pattern` or contains `also` (an order number)."""
    out = []
    for url, text in links:
        if not url.lower().startswith(("http://", "https://")):
            continue
        path = re.sub(r"[/_\-.]+", " ", url.split("://", 1)[-1].partition("/")[2])
        if pattern.search(text or "") or pattern.search(path) or (also and also in url):
            out.append(url)
    return out
