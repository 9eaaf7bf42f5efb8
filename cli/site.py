"""`init-site`: visit a shop like a customer and write its site profile."""
from __future__ import annotations

import argparse
from pathlib import Path

from shopper.errors import ConfigError

from cli.command import EXIT_OK, _config, command


@command
def cmd_init_site(args: argparse.Namespace) -> int:
    from shopper.init_site import render_profile, summary_rows, survey_in_browser

    config = _config(args)
    out = Path(args.out or f"sites/{args.name or _site_name(args.url)}.yaml")
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists: pass --force to overwrite it, or --out another file")
    found = survey_in_browser(config, args.url, progress=lambda s: print(f"  … {s}", flush=True))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_profile(found, args.url), encoding="utf-8")
    rows = summary_rows(found)
    w = max(len(r[0]) for r in rows)
    v = min(45, max(len(r[1]) for r in rows))
    for what, value, how in rows:
        print(f"{what:<{w}}  {value[:45]:<{v}}  {how}")
    print(f"site profile: {out}  (add it to config.yaml: site_files: [{out}])")
    return EXIT_OK


def _site_name(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or "site"
    return host.replace(".", "-")
