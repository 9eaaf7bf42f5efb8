"""One typed Config: built-in defaults < config.yaml < SHOPPER_* environment < command-line flags."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

from .alerts.settings import AlertsConfig
from .declared_kinds import DeclaredKind
from .duration import Duration
from .scheduler import SchedulesConfig
from .errors import ConfigError
from .schema import MISSING, bind_dataclass
from .yamlnodes import load


@dataclass(frozen=True)
class BrowserConfig:
    executable: str | None = None          # else Playwright's own Chromium, else a system Chromium
    headless: bool = True
    block_hosts: list[str] = field(default_factory=list)   # glob patterns: trackers, CDNs the audit does not need
    step_timeout: Duration = Duration(15)
    soft_timeout: Duration = Duration(5)   # how long a soft check (`finding:`/`severity:`) waits before it gives up
    journey_timeout: Duration = Duration(180)
    trace: Literal["on-failure", "always", "off"] = "on-failure"
    trace_snapshots: bool = True           # DOM snapshots + screencast in traces: the viewer shows the page
    viewport_width: int = 1280
    viewport_height: int = 800
    locale: str = "en-GB"


def web_url_problem(url: str, what: str) -> str | None:
    """Why `url` cannot be a site's address (only http and https are), or None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(str(url).strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as e:
        return f"{what} {url!r} is not a URL ({e}): give http://HOST[:PORT] or https://HOST[:PORT]"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return (f"{what} {url!r} must be an http:// or https:// address with a host "
                f"(e.g. https://shop.example.com)")
    return None


@dataclass(frozen=True)
class JourneySettings:
    """A site profile's settings for one journey (`sites: NAME: journeys: JOURNEY:`), docs/journeys.md."""

    vars: dict[str, str | None] = field(default_factory=dict)   # for this journey only (over the profile's vars)
    not_applicable: str | None = None     # the journey does not apply to this shop: the reason, shown in the report
    steps: dict[str, str] = field(default_factory=dict)   # optional steps (by name or kind) that do not apply: reason


@dataclass(frozen=True)
class SiteProfile:
    """What differs between sites: base URL and the variables journeys use (selectors, addresses...).
    A variable set to null is declared absent: the steps that use it are skipped with a note, not failed."""

    base_url: str
    vars: dict[str, str | None] = field(default_factory=dict)
    journeys: dict[str, JourneySettings] = field(default_factory=dict)   # per-journey vars and declarations
    hosts: list[str] = field(default_factory=list)   # other hosts of the audited site (`host` or `host:port`)
    payment: str | None = None        # this site's test payment: card, or its offline method's name (/regex/)
    flows: dict[str, Any] = field(default_factory=dict)   # named lists of steps journeys call with `- flow: NAME`
    secret_origins: dict[str, list[str]] = field(default_factory=dict)   # ENV name -> other origins it may go to

    def __post_init__(self) -> None:
        why = web_url_problem(self.base_url, "base_url")
        if why:
            raise ValueError(why)
        for env, origins in self.secret_origins.items():
            for o in origins:
                why = web_url_problem(o, f"secret_origins.{env}:")
                if why:
                    raise ValueError(why)


@dataclass(frozen=True)
class DnsConfig:
    nameservers: list[str] = field(default_factory=list)   # empty: the system's resolver
    port: int = 53
    timeout: Duration = Duration(3)
    hosts: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class LinksConfig:
    timeout: Duration = Duration(10)
    workers: int = 8
    verify_tls: bool = True

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1 (got {self.workers})")


@dataclass(frozen=True)
class NetworkConfig:
    """Where the bot may go besides public web servers on ports 80/443 and the audited site's own origins
    (docs/security.md): host names, addresses, CIDRs, each with an optional :PORT, and bare :PORTs."""

    allow: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from .probes.reach import AllowError, AllowRule

        for item in self.allow:
            try:
                AllowRule.parse(str(item))
            except AllowError as e:
                raise ValueError(f"allow: {e}") from None


@dataclass(frozen=True)
class PostalAddress:
    """Where the shopper's orders go (autofill of address forms)."""

    street: str = "1 Test Street"
    line2: str = ""
    city: str = "London"
    postcode: str = "SW1A 1AA"
    region: str = ""
    country: str = "GB"               # ISO 3166 alpha-2; selects are matched by code or country name


@dataclass(frozen=True)
class PaymentCard:
    """A card a payment provider's test mode accepts; never a real card."""

    number: str = "4242 4242 4242 4242"
    expiry: str = "12/30"             # MM/YY; month and year fields get their parts
    cvc: str = "123"
    holder: str = ""                  # empty: the shopper's name


@dataclass(frozen=True)
class PaymentData:
    """How the shopper pays: a test card, or an offline method the site offers (bank transfer, invoice...)."""

    method: str = "card"              # card, or a /regex/ or text naming the site's offline method
    # when `method` is card: the methods the shopper accepts, first offered wins (shopper/autofill/payment.py)
    prefer: list[str] = field(default_factory=lambda: ["card", "cash_on_delivery", "bank_transfer", "invoice",
                                                       "pay_at_pickup"])
    card: PaymentCard = field(default_factory=PaymentCard)


@dataclass(frozen=True)
class ShopperIdentity:
    """Who the shopper is when writing to companies and filling in forms (the persona autofill uses)."""

    address: str = "shopper@example.test"
    name: str = "Alex Shopper"
    plus_addressing: bool = True     # shopper+TOKEN@domain per message, so replies match even when stripped
    given_name: str = ""              # empty: the first word of `name`
    family_name: str = ""             # empty: the rest of `name`
    phone: str = "+44 20 7946 0000"
    company: str = ""
    postal: PostalAddress = field(default_factory=PostalAddress)
    payment: PaymentData = field(default_factory=PaymentData)
    password_env: str = "SHOPPER_SITE_PASSWORD"   # for account forms; read from the environment, never stored
    place_orders: bool = True         # false (a production shop): `checkout` stops before the final button


@dataclass(frozen=True)
class SmtpConfig:
    """The shopper's own mail provider (submission), used to send as a customer."""

    host: str = ""
    port: int = 587
    security: Literal["ssl", "starttls", "none"] = "starttls"
    user: str = ""
    password_env: str = "SHOPPER_SMTP_PASSWORD"
    timeout: Duration = Duration(30)
    verify_tls: bool = True
    ca_file: str | None = None


@dataclass(frozen=True)
class ImapConfig:
    """The shopper's mailbox, swept for replies and bounces."""

    host: str = ""
    port: int = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    user: str = ""
    password_env: str = "SHOPPER_IMAP_PASSWORD"
    folders: list[str] = field(default_factory=lambda: ["INBOX", "\\Junk"])
    timeout: Duration = Duration(30)
    max_fetch_bytes: int = 256 * 1024
    verify_tls: bool = True
    ca_file: str | None = None
    sweep_timeout: Duration = Duration(900)   # a whole sweep's limit; past it, what was read is saved
    trusted_authserv_ids: list[str] = field(default_factory=list)   # Authentication-Results of the own provider


@dataclass(frozen=True)
class ExpectationDefaults:
    ack_within: Duration | None = None
    answer_within: Duration = Duration(2 * 86400)


@dataclass(frozen=True)
class ReportConfig:
    """How reports look and where they are published."""

    timezone: str = "UTC"              # times in reports and report mails (an IANA name: Europe/Berlin)
    url: str | None = None             # where the published report lives (linked from the report mail)
    company: str = ""                  # the audited company's name, on the report and its mail
    logo: str | None = None            # a PNG/JPEG/GIF file (relative to config.yaml), inlined in both
    from_: str = ""                    # `from:` of the report mail (default: the alerts' sender), never the persona
    subject_prefix: str = ""           # put in front of the report mail's subject, e.g. "[Kettle & Co audit]"

    def zone(self) -> Any:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"report.timezone {self.timezone!r} is not a time zone: use an IANA name such as "
                              "UTC or Europe/Berlin") from None


@dataclass(frozen=True)
class Config:
    var_dir: str = "var"
    store: str | None = None          # default: sqlite file <var_dir>/shopper.db
    journeys: str = "journeys"
    default_site: str | None = None
    sites: dict[str, SiteProfile] = field(default_factory=dict)
    site_files: list[str] = field(default_factory=list)   # site profiles in their own files (name: file stem)
    browser: BrowserConfig = field(default_factory=BrowserConfig)
    dns: DnsConfig = field(default_factory=DnsConfig)
    links: LinksConfig = field(default_factory=LinksConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    shopper: ShopperIdentity = field(default_factory=ShopperIdentity)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    imap: ImapConfig = field(default_factory=ImapConfig)
    expectations: ExpectationDefaults = field(default_factory=ExpectationDefaults)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    schedules: SchedulesConfig = field(default_factory=SchedulesConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    retries: int = 0                  # re-run a journey that failed before writing to anyone, up to N times
    fail_on: list[str] = field(default_factory=list)   # kinds or a severity that fail a run; empty: any finding
    findings: dict[str, DeclaredKind] = field(default_factory=dict)   # finding kinds journeys' soft checks may name
    base_dir: str = "."               # the directory relative paths are resolved against (not a YAML key)

    def __post_init__(self) -> None:
        if isinstance(self.retries, int) and self.retries < 0:
            raise ValueError(f"retries must be 0 or more (got {self.retries})")

    def path(self, p: str) -> Path:
        q = Path(os.path.expanduser(p))
        return q if q.is_absolute() else Path(self.base_dir) / q

    @property
    def var_path(self) -> Path:
        return self.path(self.var_dir)

    @property
    def report_settings(self) -> ReportConfig:
        """`report:` with the logo's path resolved against config.yaml's directory."""
        logo = self.report.logo
        return dataclasses.replace(self.report, logo=str(self.path(logo))) if logo else self.report

    @property
    def store_url(self) -> str:
        return self.store or str(self.var_path / "shopper.db")

    def site(self, name: str | None) -> SiteProfile | None:
        name = name or self.default_site
        if name is None:
            return None
        if name not in self.sites:
            raise ConfigError(f"site profile '{name}' is not in config.yaml (sites: {', '.join(self.sites) or 'none'})")
        return self.sites[name]


ENV = {  # SHOPPER_* environment variables and the setting each overrides
    "SHOPPER_VAR_DIR": ("var_dir",),
    "SHOPPER_STORE": ("store",),
    "SHOPPER_BROWSER": ("browser", "executable"),
    "SHOPPER_SITE": ("default_site",),
    "SHOPPER_ADDRESS": ("shopper", "address"),
    "SHOPPER_SMTP_HOST": ("smtp", "host"),
    "SHOPPER_SMTP_USER": ("smtp", "user"),
    "SHOPPER_IMAP_HOST": ("imap", "host"),
    "SHOPPER_IMAP_USER": ("imap", "user"),
}


def _with(cfg: Any, path: tuple[str, ...], value: Any) -> Any:
    if len(path) == 1:
        return dataclasses.replace(cfg, **{path[0]: value})
    return dataclasses.replace(cfg, **{path[0]: _with(getattr(cfg, path[0]), path[1:], value)})


def _fail_on_problems(root: Any, path: str, problems: list) -> None:
    """`fail_on:` items are severities or registered finding kinds: a typo must not turn CI green."""
    node = root.value.get("fail_on") if root.is_map else None
    if node is None or not node.is_list:
        return
    from checks.registry import fail_on_problem

    from .errors import Problem

    for item in node.value:
        msg = fail_on_problem(str(item.value)) if isinstance(item.value, str) else None
        if msg is not None:
            problems.append(Problem(path, item.line, item.col, "fail_on: " + msg.removeprefix("--fail-on ")))


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None,
                overrides: Mapping[tuple[str, ...], Any] | None = None) -> Config:
    """Read config.yaml (when present), then the environment, then flag overrides."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or "SHOPPER_CONFIG" in environ
    p = Path(path or environ.get("SHOPPER_CONFIG") or "config.yaml")
    cfg = Config(base_dir=str(Path.cwd()))
    if p.exists():
        root, problems = load(read_config_text(p), str(p))
        if root is not None:
            bound = bind_dataclass(Config, root, str(p), "config", problems)
            if bound is not MISSING:
                sites_node = root.value.get("sites") if root.is_map else None
                cfg = dataclasses.replace(bound, sites={
                    name: with_flows(prof, sites_node.value.get(name) if sites_node is not None and sites_node.is_map
                                     else None, str(p), problems) for name, prof in bound.sites.items()})
            if bound is not MISSING:
                _declare_kinds(bound.findings, root, str(p), problems)
            _fail_on_problems(root, str(p), problems)
        if problems:
            raise ConfigError(f"{p}: {len(problems)} problem(s)", problems)
        cfg = dataclasses.replace(cfg, base_dir=str(p.resolve().parent))
        cfg = with_site_files(cfg)
    elif explicit:
        raise ConfigError(f"config file {p} does not exist: pass --config PATH or create it (see docs/configuration.md)")
    for env, target in ENV.items():
        if environ.get(env):
            cfg = _with(cfg, target, environ[env])
    for target, value in (overrides or {}).items():
        if value is not None:
            cfg = _with(cfg, target, value)
    cfg.report.zone()   # an unknown time zone is a configuration error now, not when a report is written
    return cfg


def read_config_text(p: Path) -> str:
    """A config file's text; ConfigError with file:line:col at a byte that is not UTF-8."""
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ConfigError(f"{p}: cannot read it ({e.strerror or e}): check the path and its permissions") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfigError(f"{p}:{line}:{col}: byte 0x{data[e.start]:02x} is not UTF-8: save the file as UTF-8") from None


def _declare_kinds(kinds: dict[str, Any], root: Any, path: str, problems: list[Any]) -> None:
    """Register the kinds config.yaml declares under `findings:` (journeys may name them)."""
    from .declared_kinds import register_declared
    from .errors import Problem

    node = root.value.get("findings") if root.is_map else None
    for name, kind in kinds.items():
        msg = register_declared(name, kind)
        if msg is not None:
            line, col = node.key_marks.get(name, (node.line, node.col)) if node is not None and node.is_map \
                else (root.line, root.col)
            problems.append(Problem(path, line, col, f"findings.{name}: {msg}"))


def load_site_file(path: str | Path) -> SiteProfile:
    """A site profile in its own file (`runner.py init-site` writes them); ConfigError with file:line:col."""
    p = Path(path)
    text = read_config_text(p)
    root, problems = load(text, str(p))
    profile = bind_dataclass(SiteProfile, root, str(p), "site", problems) if root is not None else MISSING
    if profile is not MISSING:
        profile = with_flows(profile, root, str(p), problems)
    if problems or profile is MISSING:
        raise ConfigError(f"{p}: {len(problems)} problem(s)", problems)
    return profile


def with_flows(profile: SiteProfile, node: Any, path: str, problems: list) -> SiteProfile:
    """The profile with its `flows:` bound to steps (validated like journeys, file:line:col)."""
    flows_node = node.value.get("flows") if node is not None and node.is_map else None
    if flows_node is None:
        return profile
    from .journey import parse_flows   # the step kinds: only when a profile has flows

    return dataclasses.replace(profile, flows=parse_flows(flows_node, path, problems))


def with_site_files(cfg: Config) -> Config:
    """The config with the profiles of `site_files` added under their file names."""
    sites = dict(cfg.sites)
    for f in cfg.site_files:
        path = cfg.path(f)
        name = path.stem
        if name in sites:
            raise ConfigError(f"site profile '{name}' is defined in config.yaml and in {path}: keep one")
        sites[name] = load_site_file(path)
    return dataclasses.replace(cfg, sites=sites)
