"""Fetch URLs the way a link checker should: our own DNS resolver, the reach policy at every hop, HEAD then GET."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .dns import DnsFailure, Resolver
from .reach import Reach, ReachPolicy

log = logging.getLogger(__name__)
USER_AGENT = "MysteryShopper/0.1 (+link check)"


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status: int | None = None
    error: str | None = None       # 'unreachable: <cause>'; None when the server answered
    final_url: str | None = None
    refused: str | None = None     # the reach policy did not let us go there (not a broken link)


class Refused(Exception):
    """The reach policy refused a URL; str() is the sentence for the report."""

    def __init__(self, reach: Reach):
        super().__init__(reach.refused)
        self.reach = reach


def unreachable(e: Exception, timeout: float) -> str:
    """One wording for every failure to reach a server, with its cause and nothing a port scan could use."""
    if isinstance(e, DnsFailure):
        return f"unreachable: DNS: {e}"
    if isinstance(e, httpx.TimeoutException):
        return f"unreachable: no answer within {timeout:g}s"
    if "SSL" in str(e) or "certificate" in str(e).lower():
        return "unreachable: TLS handshake failed (certificate or protocol)"
    return "unreachable: no connection"


class LinkChecker:
    """Checks many links at once (bounded threads). Every host name goes through `resolver`, so tests
    and reserved names (`*.test`) never reach the real internet, and every hop through the reach policy
    (`policy`, or the journey's own passed to `check`): the connection goes to the address it checked."""

    def __init__(self, resolver: Resolver, *, timeout: float = 10.0, workers: int = 8, max_redirects: int = 8,
                 verify_tls: bool = True, policy: ReachPolicy | None = None):
        self.resolver = resolver
        self.policy = policy or ReachPolicy.build([], [], resolver.addresses)
        self.timeout = timeout
        self.workers = workers
        self.max_redirects = max_redirects
        self._client = httpx.Client(timeout=timeout, verify=verify_tls, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._client.close()

    def check_all(self, urls: list[str], policy: ReachPolicy | None = None) -> list[LinkResult]:
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(urls))) as pool:
            return list(pool.map(lambda u: self.check(u, policy), urls))

    def check(self, url: str, policy: ReachPolicy | None = None) -> LinkResult:
        current = url
        for _ in range(self.max_redirects + 1):
            try:
                resp = self._request(current, "HEAD", policy=policy)
                if resp.status_code >= 400:  # many servers answer HEAD wrongly: a customer's GET decides
                    resp = self._request(current, "GET", policy=policy)
            except Refused as e:
                return LinkResult(url, False, final_url=current, refused=str(e))
            except (DnsFailure, httpx.HTTPError) as e:
                return LinkResult(url, False, error=unreachable(e, self.timeout), final_url=current)
            if resp.is_redirect and "location" in resp.headers:
                current = urljoin(current, resp.headers["location"])
                continue
            return LinkResult(url, resp.status_code < 400, status=resp.status_code, final_url=current)
        return LinkResult(url, False, error=f"more than {self.max_redirects} redirects", final_url=current)

    def fetch_text(self, url: str, limit: int = 512 * 1024,
                   policy: ReachPolicy | None = None) -> tuple[LinkResult, str]:
        """GET `url` as a customer's click would (redirects followed, each hop through the reach policy): the
        result and up to `limit` bytes of its body as text ('' when it did not answer)."""
        current = url
        for _ in range(self.max_redirects + 1):
            try:
                status, location, body = self._get_body(current, limit, policy)
            except Refused as e:
                return LinkResult(url, False, final_url=current, refused=str(e)), ""
            except (DnsFailure, httpx.HTTPError) as e:
                return LinkResult(url, False, error=unreachable(e, self.timeout), final_url=current), ""
            if location is not None:
                current = urljoin(current, location)
                continue
            return LinkResult(url, status < 400, status=status, final_url=current), body
        return LinkResult(url, False, error=f"more than {self.max_redirects} redirects", final_url=current), ""

    def _get_body(self, url: str, limit: int, policy: ReachPolicy | None) -> tuple[int, str | None, str]:
        """(status, redirect location or None, body text up to `limit` bytes) of one GET."""
        target, headers, extensions = self._route(url, policy)
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

    def post(self, url: str, form: dict[str, str], policy: ReachPolicy | None = None) -> tuple[int | None, str | None]:
        """POST a form (e.g. RFC 8058 one-click unsubscribe); (status, None) or (None, error)."""
        try:
            resp = self._request(url, "POST", data=form, policy=policy)
        except Refused as e:
            return None, str(e)
        except (DnsFailure, httpx.HTTPError) as e:
            return None, unreachable(e, self.timeout)
        return resp.status_code, None

    def _route(self, url: str, policy: ReachPolicy | None) -> tuple[str, dict[str, str], dict[str, str]]:
        """(URL to connect to, headers, extensions): the address the reach policy checked, Host and SNI kept.
        Raises Refused when the policy says no."""
        reach = (policy or self.policy).check(url)
        if not reach.allowed:
            raise Refused(reach)
        parts = urlsplit(url)
        ip = reach.address or ""
        netloc_ip = f"[{ip}]" if ":" in ip else ip
        if parts.port:
            netloc_ip += f":{parts.port}"
        # the checked address, never the name again (a second lookup could answer otherwise); no userinfo
        target = urlunsplit((reach.scheme, netloc_ip, parts.path or "/", parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
        extensions = {"sni_hostname": reach.host} if reach.scheme == "https" and reach.host != ip else {}
        return target, headers, extensions

    def _request(self, url: str, method: str, data: dict[str, str] | None = None,
                 policy: ReachPolicy | None = None) -> httpx.Response:
        target, headers, extensions = self._route(url, policy)
        if method == "GET":
            with self._client.stream("GET", target, headers=headers, extensions=extensions) as resp:
                return resp  # status and headers only; the body is not read
        return self._client.request(method, target, headers=headers, extensions=extensions, data=data)
