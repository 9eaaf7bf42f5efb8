"""Step kinds: one module each, registered with @step_kind; `load_all()` imports them."""
from .registry import KINDS, load_all, step_kind

__all__ = ["KINDS", "load_all", "step_kind"]
