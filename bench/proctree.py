"""Measure a command's whole process tree (Python, the Playwright driver, Chromium): CPU-seconds and peak memory.

The bench process becomes a child subreaper, so processes orphaned inside the tree are reaped here and their
CPU time is counted too; the total comes from the kernel's rusage of every reaped process, so nothing is
lost between samples. A sampler thread walks /proc every `interval` seconds (in this process: run servers the tree talks to in another) for the peak memory of the
tree (sum of RSS, and of PSS, which splits shared pages fairly) and the CPU split by process kind.
"""
from __future__ import annotations

import ctypes
import os
import re
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class TreeUsage:
    wall_s: float
    cpu_s: float                              # user + system of every process of the tree (exact)
    peak_rss_mb: float                        # peak of the summed RSS of the tree's live processes
    peak_pss_mb: float                        # the same with PSS (shared pages divided among their users)
    cpu_by_kind: dict[str, float] = field(default_factory=dict)   # sampled: ours / driver / chromium
    processes_by_kind: dict[str, int] = field(default_factory=dict)
    pss_at_peak_by_kind: dict[str, float] = field(default_factory=dict)   # MB, at the sample of the PSS peak
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""


def kind_of(comm: str, cmdline: str) -> str:
    """ours (Python), driver (Playwright's node) or chromium (browser, renderers, GPU, utility)."""
    exe = os.path.basename(cmdline.split(" ", 1)[0])
    if exe.startswith("python") or comm.startswith("python"):
        return "ours (python)"
    if exe == "node" or comm.startswith("node"):
        return "driver (node)"
    if "chrom" in exe or "chrom" in comm:
        kind = re.search(r"--type=([\w-]+)", cmdline)
        return f"chromium {kind.group(1) if kind else 'browser'}"
    return f"other ({comm})"


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode(errors="replace")
    except OSError:
        return ""


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, own CPU seconds) from /proc/PID/stat."""
    raw = _read(f"/proc/{pid}/stat")
    if not raw:
        return None
    rest = raw[raw.rfind(")") + 2:].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / TICK


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; PSS from smaps_rollup."""
    rss = pss = 0
    statm = _read(f"/proc/{pid}/statm").split()
    if len(statm) > 1:
        rss = int(statm[1]) * PAGE
    for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
            break
    return rss, pss


class _Sampler(threading.Thread):
    def __init__(self, root: int, interval: float):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.members: set[int] = {root}      # every pid seen in the tree (orphans stay members)
        self.cpu: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.peak_rss = self.peak_pss = 0
        self.pss_at_peak: dict[str, int] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = _stat(int(entry))
                if st is not None:
                    parents[int(entry)], cpu[int(entry)] = st
        changed = True
        while changed:   # children of members are members
            changed = False
            for pid, ppid in parents.items():
                if pid not in self.members and ppid in self.members:
                    self.members.add(pid)
                    changed = True
        rss = pss = 0
        by_kind: dict[str, int] = {}
        for pid in self.members & parents.keys():
            self.cpu[pid] = cpu[pid]
            if not self.kind.get(pid, "").startswith("chromium"):   # a fork shows its parent's name until exec
                k = kind_of(_read(f"/proc/{pid}/comm").strip(), _read(f"/proc/{pid}/cmdline").replace("\0", " "))
                if pid not in self.kind or not k.startswith("other"):   # an exiting process shows no name
                    self.kind[pid] = k
            r, p = _memory(pid)
            rss, pss = rss + r, pss + p
            by_kind[self.kind[pid]] = by_kind.get(self.kind[pid], 0) + p
        self.peak_rss = max(self.peak_rss, rss)
        if pss > self.peak_pss:
            self.peak_pss, self.pss_at_peak = pss, by_kind


def measure(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
            interval: float = 0.1, timeout: float = 1800) -> TreeUsage:
    """Run `cmd` to completion and measure its whole tree (other children of this process must outlive it)."""
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = _Sampler(proc.pid, interval)
    sampler.start()
    out, err = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    # Orphans of the tree were re-parented to this subreaper: wait for them (they are ending), then reap any
    # that ended between two samples. Other children of this process (a server) are left alone.
    for pid in sorted(sampler.members - {proc.pid}):
        try:
            os.wait4(pid, 0)
        except ChildProcessError:
            pass   # not ours: its own parent in the tree reaped it
    while True:
        try:
            pid, _, _ = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    # The child's rusage holds every descendant it reaped; the orphans' is added as they are reaped here.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    by_kind: dict[str, float] = {}
    count: dict[str, int] = {}
    for pid, seconds in sampler.cpu.items():
        k = sampler.kind.get(pid, "other")
        by_kind[k] = by_kind.get(k, 0.0) + seconds
        count[k] = count.get(k, 0) + 1
    return TreeUsage(wall, cpu, sampler.peak_rss / 2**20, sampler.peak_pss / 2**20, by_kind, count,
                     {k: v / 2**20 for k, v in sampler.pss_at_peak.items()}, proc.returncode, out, err)
