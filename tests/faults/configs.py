"""Configs the faults tests write: the shopper as a user would configure it, aimed at the test's servers."""
from __future__ import annotations

from pathlib import Path


def sending_config(tmp_path: Path, smtp_port: int, store: str | None = None) -> Path:
    """config.yaml in `tmp_path` for journeys that only send mail: SMTP at `smtp_port` (no TLS), no mailbox, a
    site nobody listens on; the store in tmp_path/var unless `store` names one."""
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"""var_dir: {tmp_path / 'var'}
{f'store: "{store}"' if store else ''}
shopper: {{address: "alex@mail.test", name: Alex Shopper}}
smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, timeout: 60s}}
sites: {{shop: {{base_url: "http://127.0.0.1:9"}}}}
default_site: shop
""")
    return cfg
