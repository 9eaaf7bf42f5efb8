"""Argument types of the command line: garbage is a usage error (exit 2) with a message, never a traceback."""
from __future__ import annotations

import argparse


def web_url(text: str) -> str:
    """`--base-url`: an http:// or https:// address with a host."""
    from shopper.config import web_url_problem

    why = web_url_problem(text, "")
    if why:
        raise argparse.ArgumentTypeError(why.strip())
    return text


def count(minimum: int):
    """A whole number of at least `minimum` (`--workers` 1, `--retries` 0)."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"{n} is too small: give {minimum} or more")
        return n

    parse.__name__ = "count"
    return parse
