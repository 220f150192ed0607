"""Sweeps: many (policy, seed) runs of the lab, in parallel, summed up per policy.

Each run is independent and pure (``run_lab``), so a sweep is an
embarrassingly parallel map. Three ways to run it:

* in this process (``workers=1``);
* a local process pool (``workers=N``, the default with 2), started with
  ``spawn`` so that each worker begins clean;
* a Ray cluster (``ray_address``: an address such as ``ray://head:10001``
  or ``auto``, or ``local`` for an in-process Ray instance). Ray is an
  optional extra (``pip install 'mts[ray]'``) and is imported only here,
  only when asked for.

This module reads no files and no clock; starting processes or connecting to
Ray is its only contact with the outside.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from typing import Any

from mts.domain.errors import InvalidInput
from mts.sim.assumptions import LabSettings
from mts.sim.lab import History, run_lab
from mts.sim.metrics import PolicySummary, QuarterMetrics, Target, summarise, targets
from mts.sim.policies import Policy

OnDone = Callable[[History], None]
"""Called with each run as it finishes (for progress bars); order is not guaranteed."""

_COST_ORDER = (Policy.EXPLORE, Policy.MERIT, Policy.ORACLE, Policy.LEVEL_GATED)
"""Heaviest runs first, so that the last runs to finish are short ones."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepJob:
    """One run of a sweep."""

    settings: LabSettings
    policy: str
    seed: int


def run_job(job: SweepJob) -> History:
    """Run one job (a top-level function, so that process pools and Ray can ship it)."""
    return run_lab(job.settings, job.policy, job.seed)


@dataclass(frozen=True, kw_only=True)
class SweepResult:
    """Every run of a sweep, in (policy, seed) order, and their summaries."""

    settings: LabSettings
    policies: tuple[str, ...]
    seeds: tuple[int, ...]
    histories: tuple[History, ...]

    def rows(self) -> tuple[QuarterMetrics, ...]:
        """Every quarter of every run."""
        return tuple(m for h in self.histories for m in h.quarters)

    def summaries(self) -> tuple[PolicySummary, ...]:
        """One summary per policy, in the order asked for."""
        rows = self.rows()
        return tuple(summarise(policy, rows) for policy in self.policies)

    def targets(self) -> tuple[Target, ...]:
        """The issue's targets, as measured by this sweep."""
        return targets(self.summaries())

    def to_dict(self) -> dict[str, Any]:
        """The sweep as JSON-ready data: settings, summaries, targets, every quarter."""
        return {
            "settings": self.settings.to_dict(),
            "policies": list(self.policies),
            "seeds": list(self.seeds),
            "summaries": [asdict(s) for s in self.summaries()],
            "targets": [asdict(t) for t in self.targets()],
            "quarters": [asdict(m) for m in self.rows()],
        }


def sweep_jobs(
    settings: LabSettings, policies: Sequence[str], seeds: Sequence[int]
) -> tuple[SweepJob, ...]:
    """Every (policy, seed) pair as a job, heaviest policies first.

    Raises ``InvalidInput`` naming unknown policies, repeated policies or seeds,
    negative seeds, and settings out of range.
    """
    problems = settings.problems()
    known = [p.value for p in Policy]
    problems += [
        f"unknown policy {p!r} (choose from {', '.join(known)})" for p in policies if p not in known
    ]
    if len(set(policies)) < len(policies) or len(set(seeds)) < len(seeds):
        problems.append("policies and seeds must not repeat")
    if not policies or not seeds:
        problems.append("a sweep needs at least one policy and one seed")
    problems += [f"seeds must be >= 0, got {s}" for s in seeds if s < 0]
    if problems:
        raise InvalidInput("invalid sweep: " + "; ".join(problems))
    ordered = sorted(policies, key=lambda p: _COST_ORDER.index(Policy(p)))
    return tuple(SweepJob(settings=settings, policy=p, seed=s) for p in ordered for s in seeds)


def run_sweep(
    settings: LabSettings,
    policies: Sequence[str],
    seeds: Sequence[int],
    *,
    workers: int = 2,
    ray_address: str | None = None,
    on_done: OnDone | None = None,
) -> SweepResult:
    """Run every (policy, seed) and collect the histories.

    Parameters
    ----------
    workers : processes of the local pool; 1 runs in this process. Ignored with Ray.
    ray_address : run on Ray instead (``local`` starts an in-process instance);
        an instance this call starts is shut down at the end, one already
        running is left as it was.
    on_done : called with each history as its run finishes.
    """
    jobs = sweep_jobs(settings, policies, seeds)
    report = on_done or (lambda _: None)
    if ray_address is not None:
        histories = _on_ray(jobs, ray_address, report)
    elif workers <= 1:
        histories = [_reported(run_job(job), report) for job in jobs]
    else:
        histories = _on_pool(jobs, workers, report)
    order = {(p, s): k for k, (p, s) in enumerate((p, s) for p in policies for s in seeds)}
    ranked = sorted(histories, key=lambda h: order[(h.policy, h.seed)])
    return SweepResult(
        settings=settings, policies=tuple(policies), seeds=tuple(seeds), histories=tuple(ranked)
    )


def _reported(history: History, report: OnDone) -> History:
    report(history)
    return history


def _on_pool(jobs: Sequence[SweepJob], workers: int, report: OnDone) -> list[History]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(run_job, job) for job in jobs]
        return [_reported(f.result(), report) for f in as_completed(futures)]


def ray_module() -> Any:
    """The ``ray`` package, or ``InvalidInput`` saying how to install it."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise InvalidInput(
            "Ray is not installed; install the extra: pip install 'mts[ray]'"
        ) from None


def _on_ray(jobs: Sequence[SweepJob], address: str, report: OnDone) -> list[History]:
    ray = ray_module()
    started = not ray.is_initialized()
    if started:
        # a run is one task; more BLAS threads per task than cores only contend
        ray.init(
            address=None if address == "local" else address,
            runtime_env={"env_vars": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}},
            include_dashboard=False,
            log_to_driver=False,
        )
    try:
        remote = ray.remote(run_job)
        pending = [remote.remote(job) for job in jobs]
        histories: list[History] = []
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            histories.extend(_reported(ray.get(ref), report) for ref in done)
        return histories
    finally:
        if started:
            ray.shutdown()
