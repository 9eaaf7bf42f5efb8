"""Imported by the fork server of `run --workers` before anything else: it dies with the run (see lifeline)."""
from .lifeline import die_with_parent

die_with_parent()
