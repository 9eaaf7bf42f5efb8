"""Processes the shopper starts die with the process that started them, even after a SIGKILL (Linux).

A worker of `run --workers` is forked by multiprocessing's fork server, itself a child of the run: each
asks the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), so a killed run takes its fork
server, the fork server its workers, and a worker's Playwright driver closes its Chromium when its pipe to
the dead worker closes. Elsewhere (no prctl) it does nothing.
"""
from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask for SIGKILL when this process's parent exits; exit now if it already has."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):   # not Linux: the parent's own clean-up is all there is
        return
    if os.getppid() != parent:   # the parent died before the request took effect
        os._exit(1)
