"""Fetch URLs the way a link checker should: our own DNS resolver, HEAD then GET, redirects followed."""
from __future__ import annotations

import ipaddress
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .dns import DnsFailure, Resolver

log = logging.getLogger(__name__)
USER_AGENT = "MysteryShopper/0.1 (+link check)"


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status: int | None = None
    error: str | None = None       # 'DNS: ...' or 'connection: ...'; None when the server answered
    final_url: str | None = None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


class LinkChecker:
    """Checks many links at once (bounded threads). Every host name goes through `resolver`, so tests
    and reserved names (`*.test`) never reach the real internet."""

    def __init__(self, resolver: Resolver, *, timeout: float = 10.0, workers: int = 8, max_redirects: int = 8,
                 verify_tls: bool = True):
        self.resolver = resolver
        self.timeout = timeout
        self.workers = workers
        self.max_redirects = max_redirects
        self._client = httpx.Client(timeout=timeout, verify=verify_tls, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._client.close()

    def check_all(self, urls: list[str]) -> list[LinkResult]:
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(urls))) as pool:
            return list(pool.map(self.check, urls))

    def check(self, url: str) -> LinkResult:
        current = url
        for _ in range(self.max_redirects + 1):
            try:
                resp = self._request(current, "HEAD")
                if resp.status_code >= 400:  # many servers answer HEAD wrongly: a customer's GET decides
                    resp = self._request(current, "GET")
            except DnsFailure as e:
                return LinkResult(url, False, error=f"DNS: {e}", final_url=current)
            except httpx.TimeoutException:
                return LinkResult(url, False, error=f"timeout after {self.timeout:g}s", final_url=current)
            except httpx.HTTPError as e:
                return LinkResult(url, False, error=f"connection: {e or type(e).__name__}", final_url=current)
            if resp.is_redirect and "location" in resp.headers:
                current = urljoin(current, resp.headers["location"])
                continue
            return LinkResult(url, resp.status_code < 400, status=resp.status_code, final_url=current)
        return LinkResult(url, False, error=f"more than {self.max_redirects} redirects", final_url=current)

    def fetch_text(self, url: str, limit: int = 512 * 1024) -> tuple[LinkResult, str]:
        """GET `url` as a customer's click would (redirects followed, our resolver): the result and up to
        `limit` bytes of its body as text ('' when it did not answer)."""
        current = url
        for _ in range(self.max_redirects + 1):
            try:
                status, location, body = self._get_body(current, limit)
            except DnsFailure as e:
                return LinkResult(url, False, error=f"DNS: {e}", final_url=current), ""
            except httpx.TimeoutException:
                return LinkResult(url, False, error=f"timeout after {self.timeout:g}s", final_url=current), ""
            except httpx.HTTPError as e:
                return LinkResult(url, False, error=f"connection: {e or type(e).__name__}", final_url=current), ""
            if location is not None:
                current = urljoin(current, location)
                continue
            return LinkResult(url, status < 400, status=status, final_url=current), body
        return LinkResult(url, False, error=f"more than {self.max_redirects} redirects", final_url=current), ""

    def _get_body(self, url: str, limit: int) -> tuple[int, str | None, str]:
        """(status, redirect location or None, body text up to `limit` bytes) of one GET."""
        target, headers, extensions = self._route(url)
        with self._client.stream("GET", target, headers=headers, extensions=extensions) as resp:
            if resp.is_redirect and "location" in resp.headers:
                return resp.status_code, resp.headers["location"], ""
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= limit:
                    break
            return resp.status_code, None, b"".join(chunks)[:limit].decode(resp.encoding or "utf-8", "replace")

    def post(self, url: str, form: dict[str, str]) -> tuple[int | None, str | None]:
        """POST a form (e.g. RFC 8058 one-click unsubscribe); (status, None) or (None, error)."""
        try:
            resp = self._request(url, "POST", data=form)
        except DnsFailure as e:
            return None, f"DNS: {e}"
        except httpx.TimeoutException:
            return None, f"timeout after {self.timeout:g}s"
        except httpx.HTTPError as e:
            return None, f"connection: {e or type(e).__name__}"
        return resp.status_code, None

    def _route(self, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """(URL to connect to, headers, extensions): the host resolved by our resolver, Host and SNI kept."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if _is_ip(host):
            return url, {}, {}
        ip = self.resolver.addresses(host)[0]
        netloc_ip = f"[{ip}]" if ":" in ip else ip
        if parts.port:
            netloc_ip += f":{parts.port}"
        target = urlunsplit((parts.scheme, netloc_ip, parts.path or "/", parts.query, ""))
        return target, {"Host": parts.netloc.rsplit("@", 1)[-1]}, \
            ({"sni_hostname": host} if parts.scheme == "https" else {})

    def _request(self, url: str, method: str, data: dict[str, str] | None = None) -> httpx.Response:
        target, headers, extensions = self._route(url)
        if method == "GET":
            with self._client.stream("GET", target, headers=headers, extensions=extensions) as resp:
                return resp  # status and headers only; the body is not read
        return self._client.request(method, target, headers=headers, extensions=extensions, data=data)
