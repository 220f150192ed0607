"""Staffing round benchmark: the optimiser against the greedy baseline and unpruned HiGHS.

Builds a realistic round from its own seeded synthetic organisation (numpy
only): departments of uneven size, a merit table where most people have
evidence and some are newcomers the table has never seen, people already
partly committed (some leading), projects of one lead and a few member
roles with skill needs, department and stretch rules, groundwork, stated
interest, a few pins and forbids.

Each configuration runs in a fresh subprocess so that peak RSS is its own.

    python benchmarks/staffing_round.py                      # 1k and 10k, 30 s each
    python benchmarks/staffing_round.py --sizes 100000x60000 --methods optimiser --time-limit 120

``optimiser`` is ``solve_round`` (its ``greedy`` column is the baseline it
computed on the way); ``highs-unpruned`` is plain HiGHS on every eligible
pair, warm-started from the greedy plan, with the same time limit;
``lp-all-pairs`` is no plan but the LP relaxation over every pair, by
column generation without a time limit: the yardstick for the optimiser's
objective when its own bound is loose. ``gap``
is against a bound over all pairs; ``cand.gap`` against one over the
candidates only. ``total s`` adds generating the organisation.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from mts.domain.people import DepartmentId, PersonId, Skill
from mts.domain.projects import (
    Groundwork,
    Interest,
    Project,
    ProjectId,
    ProjectRules,
    Role,
    RoleId,
    RoleKind,
    SkillNeed,
)
from mts.merit.table import MeritTable
from mts.staffing import (
    Candidate,
    Commitment,
    Forbid,
    Pin,
    StaffingRequest,
    StaffingSettings,
    solve_round,
)
from mts.staffing.board import greedy_baseline, objective, violations
from mts.staffing.lp import lp_start, solve_mip  # HiGHS alone, bypassing the pipeline
from mts.staffing.problem import Edges, build_problem
from mts.staffing.solver import seat_edges

N_SKILLS = 40
N_DEPARTMENTS = 12
PRIOR_SD = 0.2  # merit units; values come out in prior-sd units whatever this is


def organisation(n_people: int, n_roles: int, seed: int) -> StaffingRequest:
    """A seeded synthetic round with ``n_people`` candidates and about ``n_roles`` roles."""
    rng = np.random.default_rng(seed)
    people = tuple(PersonId(f"p{i:06d}") for i in range(n_people))
    skills = tuple(Skill(f"s{j:02d}") for j in range(N_SKILLS))
    candidates = _candidates(rng, people)
    projects, roles = _projects(rng, people, skills, n_roles)
    return StaffingRequest(
        roles=roles,
        projects=projects,
        candidates=candidates,
        merit=_merit(rng, people, skills),
        interests=_interests(rng, people, projects, roles),
        groundwork=_groundwork(rng, projects),
        pins=_pins(rng, candidates, roles),
        forbids=_forbids(rng, people, roles),
    )


def _merit(rng: np.random.Generator, people: tuple[PersonId, ...],
           skills: tuple[Skill, ...]) -> MeritTable:
    """85% of people have evidence; the rest are newcomers the table has never seen."""
    seen = people[: int(0.85 * len(people))]
    n, s = len(seen), len(skills)
    evidence = rng.gamma(1.5, 4.0, size=n)
    general_sd = PRIOR_SD / np.sqrt(1.0 + evidence)
    general = rng.normal(0.0, PRIOR_SD * 0.8, size=n) * (1.0 - general_sd / PRIOR_SD * 0.5)
    skill_evidence = rng.gamma(0.6, 2.0, size=(n, s)) * (rng.random((n, s)) < 0.25)
    skill_sd = np.hypot(general_sd[:, None], 0.1 / np.sqrt(1.0 + skill_evidence))
    specific = rng.normal(0.0, 0.1, size=(n, s)) * (skill_evidence > 0)
    shuffled = rng.permutation(n)  # newcomers are not the last ids only
    return MeritTable(
        people=tuple(seen[i] for i in shuffled),
        skills=skills,
        mean=(general[:, None] + specific)[shuffled],
        sd=skill_sd[shuffled],
        n_effective=skill_evidence[shuffled],
        general_mean=general[shuffled],
        general_sd=general_sd[shuffled],
        general_n_effective=evidence[shuffled],
        prior_sd=PRIOR_SD,
        skill_prior_sd=0.1,
    )


def _candidates(rng: np.random.Generator, people: tuple[PersonId, ...]) -> tuple[Candidate, ...]:
    sizes = rng.dirichlet(np.full(N_DEPARTMENTS, 2.0))
    department = rng.choice(N_DEPARTMENTS, size=len(people), p=sizes)
    held = rng.choice([0.0, 0.2, 0.5, 0.8, 1.0], size=len(people), p=[0.35, 0.2, 0.25, 0.1, 0.1])
    leads = rng.random(len(people)) < 0.08
    out = []
    for i, person in enumerate(people):
        commitments = ()
        if held[i] > 0:
            commitments = (Commitment(project=ProjectId(f"old{i % 997}"), fte=float(held[i]),
                                      lead=bool(leads[i]), title=f"Existing {i % 997}"),)
        out.append(Candidate(person=person, department=DepartmentId(f"d{department[i]:02d}"),
                             commitments=commitments))
    return tuple(out)


def _projects(
    rng: np.random.Generator,
    people: tuple[PersonId, ...],
    skills: tuple[Skill, ...],
    n_roles: int,
) -> tuple[tuple[Project, ...], tuple[Role, ...]]:
    """Projects of one lead and three member roles; a quarter with a department rule."""
    n_projects = max(1, n_roles // 4)
    projects, roles = [], []
    for j in range(n_projects):
        pid = ProjectId(f"P{j:05d}")
        rules = ProjectRules(
            min_departments=int(rng.choice([0, 2, 3], p=[0.75, 0.2, 0.05])),
            min_stretch_seats=int(rng.random() < 0.2),
        )
        proposer = people[int(rng.integers(len(people)))]
        projects.append(Project(id=pid, title=f"Project {j}", summary="", proposer=proposer,
                                rules=rules))
        focus = rng.choice(len(skills), size=3, replace=False)
        roles.append(_role(rng, pid, f"{pid}-lead", RoleKind.LEAD, skills, focus))
        for k in range(3):
            roles.append(_role(rng, pid, f"{pid}-m{k}", RoleKind.MEMBER, skills, focus))
    return tuple(projects), tuple(roles)


def _role(rng: np.random.Generator, project: ProjectId, rid: str, kind: RoleKind,
          skills: tuple[Skill, ...], focus: np.ndarray) -> Role:
    n_needs = int(rng.integers(1, 4))
    picked = rng.choice(focus, size=n_needs, replace=False)
    needs = tuple(SkillNeed(skill=skills[int(s)], weight=float(rng.choice([1.0, 2.0, 3.0])))
                  for s in picked)
    lead = kind is RoleKind.LEAD
    return Role(
        id=RoleId(rid),
        project=project,
        title=rid,
        kind=kind,
        headcount=1 if lead else int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])),
        fte=float(rng.choice([0.5, 1.0])) if lead else float(rng.choice([0.2, 0.5, 1.0])),
        needs=needs,
    )


def _interests(rng: np.random.Generator, people: tuple[PersonId, ...],
               projects: tuple[Project, ...], roles: tuple[Role, ...]) -> tuple[Interest, ...]:
    out = []
    for person in people:
        for rank in (1, 2):
            j = int(rng.integers(len(projects)))
            role = roles[4 * j + int(rng.integers(4))].id if rng.random() < 0.3 else None
            out.append(Interest(person=person, project=projects[j].id, rank=rank, role=role))
    return tuple(out)


def _groundwork(rng: np.random.Generator, projects: tuple[Project, ...]) -> tuple[Groundwork, ...]:
    return tuple(
        Groundwork(project=p.id, person=p.proposer, day=date(2025, 1, 1),
                   declines_lead=bool(rng.random() < 0.1))
        for p in projects
        if rng.random() < 0.6
    )


def _pins(rng: np.random.Generator, candidates: tuple[Candidate, ...],
          roles: tuple[Role, ...]) -> tuple[Pin, ...]:
    """A few member roles pinned to people with a whole FTE free, one pin each."""
    free = [c.person for c in candidates if c.fte_available >= 1.0]
    members = [r for r in roles if r.kind is RoleKind.MEMBER]
    n = min(len(free), max(1, len(roles) // 200))
    who = rng.choice(len(free), size=n, replace=False)
    where = rng.choice(len(members), size=n, replace=False)
    return tuple(Pin(person=free[int(a)], role=members[int(b)].id, reason="council")
                 for a, b in zip(who, where, strict=True))


def _forbids(rng: np.random.Generator, people: tuple[PersonId, ...],
             roles: tuple[Role, ...]) -> tuple[Forbid, ...]:
    n = max(1, len(roles) // 30)
    return tuple(Forbid(person=people[int(rng.integers(len(people)))],
                        role=roles[int(rng.integers(len(roles)))].id) for _ in range(n))


# -- running ------------------------------------------------------------------------------


def run_one(config: dict[str, Any]) -> dict[str, Any]:
    """Build one round and run one method on it; time and peak RSS are this process's."""
    started = time.perf_counter()
    request = organisation(int(config["people"]), int(config["roles"]), int(config["seed"]))
    generated = time.perf_counter() - started
    settings = StaffingSettings(time_limit=float(config["time_limit"]),
                                seed=int(config["seed"]), mip_gap=float(config["mip_gap"]))
    started = time.perf_counter()
    if config["method"] == "highs-unpruned":
        row = _unpruned(request, settings, int(config["people"]))
    elif config["method"] == "lp-all-pairs":
        row = _lp_all_pairs(request, settings)
    else:
        row = _optimiser(request, settings)
    return {**config, **row, "generate_s": generated, "seconds": time.perf_counter() - started,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _optimiser(request: StaffingRequest, settings: StaffingSettings) -> dict[str, Any]:
    plan = solve_round(request, settings)
    stats = plan.stats
    return {
        "objective": stats.objective,
        "bound": stats.bound,
        "gap": stats.gap,
        "candidate_gap": stats.mip_gap,
        "greedy": stats.greedy_objective,
        "status": stats.status,
        "pairs": stats.candidate_pairs,
        "seats": len(plan.seats),
        "vacant": sum(v.seats for v in plan.vacancies),
        "solver_s": stats.seconds,
    }


def _unpruned(
    request: StaffingRequest, settings: StaffingSettings, n_people: int
) -> dict[str, Any]:
    """Plain HiGHS on every eligible pair, warm-started from the greedy plan, same time limit."""
    problem = build_problem(request, replace(settings, top_k=n_people, top_k_person=0))
    begun = time.perf_counter()
    greedy = greedy_baseline(problem)
    start = greedy if not violations(problem, greedy) else None
    left = settings.time_limit - (time.perf_counter() - begun)
    result = solve_mip(problem, problem.edges, start, left)
    seats = result.seats if result.seats is not None else start
    value = None if seats is None else objective(problem, seats)
    gap = None
    if value is not None and result.bound is not None and np.isfinite(result.bound):
        gap = max(0.0, result.bound - value) / max(abs(value), 1.0)
    return {
        "objective": value,
        "bound": result.bound if result.bound is not None and np.isfinite(result.bound) else None,
        "gap": gap,
        "candidate_gap": None,
        "greedy": None if start is None else objective(problem, start),
        "status": result.status,
        "pairs": len(problem.edges),
        "seats": None if seats is None else len(seats),
        "vacant": None if seats is None else int(problem.headcount.sum()) - len(seats),
        "solver_s": time.perf_counter() - begun,
    }


def _lp_all_pairs(request: StaffingRequest, settings: StaffingSettings) -> dict[str, Any]:
    """The LP relaxation over every pair, by column generation run to the end (no time limit).

    Not a plan: an upper bound on every plan, against which the optimiser's
    objective can be judged when its own bound is loose. ``objective`` is the
    LP value; ``bound`` the lowest Lagrangian dual value over every pair that
    the rounds proved (each person's FTE knapsack kept whole, so at most the
    LP value). It runs the optimiser's own LP rounds (``lp_start``).
    """
    # no time limit to speak of: the LP rounds stop only when pricing finds nothing
    problem = build_problem(request, replace(settings, time_limit=1e9))
    begun = time.perf_counter()
    greedy = greedy_baseline(problem)
    edges = Edges.union([problem.edges, seat_edges(problem, greedy)], problem.n_people)
    lp = lp_start(problem, edges, begun, share=1.0)
    return {
        "objective": lp.value,
        "bound": lp.bound,
        "greedy": objective(problem, greedy),
        "status": f"LP over all pairs, {lp.rounds} LP solves",
        "pairs": len(lp.edges),
        "solver_s": time.perf_counter() - begun,
    }


def _spawn(config: dict[str, Any], limit: float) -> dict[str, Any]:
    try:
        out = subprocess.run([sys.executable, __file__, "--one", json.dumps(config)],
                             capture_output=True, text=True, check=False, timeout=limit)
    except subprocess.TimeoutExpired:
        return {**config, "status": f"killed after {limit:.0f} s"}
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines() or ["no output"]
        return {**config, "status": "error: " + lines[-1]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _fmt(value: object, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: list[dict[str, Any]]) -> None:
    """One line per (size, method)."""
    head = (f"{'people x roles':>15} {'method':>14} {'greedy':>10} {'objective':>10} "
            f"{'bound':>10} {'gap':>8} {'cand.gap':>8} {'pairs':>9} {'seats':>6} {'vacant':>6} "
            f"{'solve s':>8} {'total s':>8} {'RSS MB':>7}  status")
    print(head)
    print("-" * len(head))
    for r in rows:
        size = f"{r['people']} x {r['roles']}"
        total = None if "seconds" not in r else r["seconds"] + r["generate_s"]
        print(f"{size:>15} {r['method']:>14} {_fmt(r.get('greedy'), '10.1f')} "
              f"{_fmt(r.get('objective'), '10.1f')} {_fmt(r.get('bound'), '10.1f')} "
              f"{_fmt(r.get('gap'), '8.3%')} {_fmt(r.get('candidate_gap'), '8.3%')} "
              f"{_fmt(r.get('pairs'), '9d')} {_fmt(r.get('seats'), '6d')} "
              f"{_fmt(r.get('vacant'), '6d')} {_fmt(r.get('seconds'), '8.1f')} "
              f"{_fmt(total, '8.1f')} {_fmt(r.get('peak_rss_mb'), '7.0f')}  {r.get('status')}")


def main() -> None:
    """Run every configuration in its own process and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000x600,10000x6000")
    parser.add_argument("--methods", default="optimiser,highs-unpruned")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--mip-gap", type=float, default=1e-4)
    parser.add_argument("--unpruned-max-pairs", type=int, default=5_000_000)
    parser.add_argument("--kill-after", type=float, default=3600.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(json.loads(args.one))))
        return
    rows = []
    for size in args.sizes.split(","):
        people, roles = (int(x) for x in size.split("x"))
        for method in args.methods.split(","):
            if method == "highs-unpruned" and people * roles > args.unpruned_max_pairs:
                continue
            config = {"people": people, "roles": roles, "method": method, "seed": args.seed,
                      "time_limit": args.time_limit, "mip_gap": args.mip_gap}
            rows.append(_spawn(config, args.kill_after))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
