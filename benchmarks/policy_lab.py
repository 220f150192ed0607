"""Policy lab sweep: wall-clock time of a whole sweep on a local process pool, and its results.

The target: 2,000 people x 8 quarters x 3 policies (level-gated, merit,
merit+explore) x 10 seeds in under 10 minutes on a 2-core machine. The
oracle needs no run of its own for that table: every run re-staffs each
quarter with the oracle in its own world to measure regret.

Prints the machine (cores, load average before and after: the machine may
be shared), the wall time, then the sweep's per-policy table and targets.
Each worker uses one BLAS thread (``OPENBLAS_NUM_THREADS=1`` unless set):
with as many workers as cores, more threads only contend.

``--decompose`` adds a table that explains the regret: in the first round
of one seed, the share of the oracle's value the staffing engine reaches
when fed the merit table, the true general ability alone (no skill-specific
part), and the truth itself.

Run: ``python benchmarks/policy_lab.py [--quick] [--people 2000 --quarters 8 --seeds 10]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from dataclasses import replace

import numpy as np


def main() -> None:
    """Parse options, run the sweep, print the tables."""
    args = _options()
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(args.blas_threads))
    from mts.sim.assumptions import LabSettings
    from mts.sim.lab import History
    from mts.sim.sweep import run_sweep

    settings = LabSettings(people=args.people, quarters=args.quarters)
    policies = args.policies.split(",")
    seeds = list(range(args.seeds))
    print(f"machine: {os.cpu_count()} cores; load average before: {_load()}")
    print(
        f"sweep: {args.people} people x {args.quarters} quarters x {len(policies)} policies "
        f"x {len(seeds)} seeds = {len(policies) * len(seeds)} runs on {args.workers} workers"
    )
    started = time.perf_counter()
    cpu_before = _cpu()
    finished: list[float] = []

    def done(history: History) -> None:
        finished.append(time.perf_counter() - started)
        print(f"  {finished[-1]:7.1f} s  {history.policy} seed {history.seed} done", flush=True)

    result = run_sweep(settings, policies, seeds, workers=args.workers, on_done=done)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    print(f"wall time: {seconds:.1f} s ({seconds / 60:.2f} min); load average after: {_load()}")
    print(
        f"CPU time of this process and its workers: {cpu:.0f} s; on {args.workers} idle cores "
        f"that is at least {cpu / args.workers:.0f} s ({cpu / args.workers / 60:.2f} min) of wall"
    )
    print(f"first run done after {min(finished):.1f} s, median {np.median(finished):.1f} s")
    target = (args.people, args.quarters, len(policies), len(seeds)) == (2000, 8, 3, 10)
    verdict = ("met" if seconds < 600 else "missed") if target else "not this sweep's size"
    print(f"target < 600 s for 2,000 x 8 x 3 x 10: {verdict}\n")
    _print_tables(result)
    if args.decompose:
        _decompose(settings, seed=0)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--policies", default="level-gated,merit,merit+explore")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--decompose", action="store_true")
    parser.add_argument("--quick", action="store_true", help="200 people x 2 quarters x 2 seeds")
    args = parser.parse_args()
    if args.quick:
        args.people, args.quarters, args.seeds = 200, 2, 2
    return args


def _cpu() -> float:
    """User + system CPU seconds of this process and of its finished children (the workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _print_tables(result: object) -> None:
    from mts.sim.report import percent
    from mts.sim.sweep import SweepResult

    assert isinstance(result, SweepResult)
    last = result.settings.quarters
    print(
        f"{'policy':<15}{'value/q':>9}{'oracle/q':>10}{'regret':>9}{'Q4':>8}{f'Q{last}':>8}"
        f"{'nc leads':>10}{'nc top':>9}{'rmse':>7}{'rho':>7}{'attr/q':>8}  certificate"
    )
    for s in result.summaries():
        runs = s.certificates_passed + s.certificates_failed
        cert = (
            f"failed {s.certificates_failed}/{runs}"
            if s.certificates_failed
            else (f"passed {s.certificates_passed}/{runs}")
        )
        print(
            f"{s.policy:<15}{s.value:>9.1f}{s.oracle_value:>10.1f}{percent(s.regret_share):>9}"
            f"{percent(s.regret_at(4)):>8}{percent(s.regret_at(last)):>8}"
            f"{percent(s.newcomer_lead_share):>10}{percent(s.newcomer_top_share):>9}"
            f"{s.merit_rmse:>7.3f}{s.merit_rank_corr:>7.3f}{percent(s.attrition):>8}  {cert}"
        )
    print()
    for t in result.targets():
        verdict = "not measured" if t.met is None else "met" if t.met else "missed"
        print(f"target: {t.name}: {t.measured}; goal {t.goal}: {verdict}")


def _decompose(settings: object, seed: int) -> None:
    """Regret explained: the engine fed the merit table, the true g alone, and the truth."""
    from mts.domain.staffing import Exploration
    from mts.sim.assumptions import LabSettings
    from mts.sim.lab import opening_round, seat_pairs
    from mts.sim.metrics import plan_value, role_weights
    from mts.sim.policies import engine_settings, oracle, truth_table
    from mts.staffing import Plan, solve_round

    assert isinstance(settings, LabSettings)
    opening = opening_round(settings, seed)
    w, roles, inputs = opening.world, opening.roles, opening.inputs
    codes = w.active_codes()
    code = {p: i for i, p in enumerate(w.people.ids)}
    row = {r.id: k for k, r in enumerate(roles)}
    weights, truth, general = role_weights(roles, w.skills), w.people.truth(), w.people.general

    def value(plan: Plan) -> float:
        pairs = seat_pairs(plan)
        person = np.array([code[p] for _, p in pairs], dtype=np.int64)
        role = np.array([row[r] for r, _ in pairs], dtype=np.int64)
        return plan_value(
            roles,
            weights,
            person,
            role,
            truth,
            general,
            lead_weight=settings.lead_weight,
            vacancy_penalty=5.0,
        )

    staffing = engine_settings(settings, Exploration.NONE, 0)
    ids = [w.people.ids[i] for i in codes.tolist()]
    g = general[codes]
    general_only = truth_table(ids, w.skills, np.repeat(g[:, None], len(w.skills), 1), g)
    best = value(oracle(inputs, settings))
    rows = [
        ("merit table (the merit policy)", value(solve_round(inputs.request, staffing))),
        (
            "true general ability only",
            value(solve_round(replace(inputs.request, merit=general_only), staffing)),
        ),
        ("true ability (the oracle)", best),
    ]
    print(f"\nregret explained, round 1 of seed {seed} ({len(ids)} people, {len(roles)} roles):")
    for label, v in rows:
        print(f"  engine fed {label:<32} value {v:8.1f}  = {v / best:6.1%} of the oracle's")


if __name__ == "__main__":
    main()
