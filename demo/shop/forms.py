"""Reading and checking what customers type into the shop's forms."""
from __future__ import annotations

import re

from flask import request

MAX_FIELD = 5000  # characters; longer input is cut, not trusted


def form_value(name: str) -> str:
    """A posted form field, stripped and size-limited ('' when missing)."""
    return request.form.get(name, "").strip()[:MAX_FIELD]


def looks_like_email(text: str) -> bool:
    """A plausible address: `someone@example.test`. The shop is a demo, not a validator."""
    return re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) is not None
