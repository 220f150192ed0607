"""Accuracy of the merit engine against simple baselines, on organisations with known truth.

Each synthetic organisation (numpy only, from a seed) has:

* people in teams of ``team_size``; true general execution ``g_p`` with
  sd 0.10 of the scale (30% of its variance shared by the team), skill
  deviations ``d_ps`` with sd 0.05 on a profile of 2-6 of 30 skills;
* reviewers with leniency sd 0.05 (half the ability sd); each team has three
  reviewers who give most of its reviews, and ``cross_team`` of reviews come
  from a reviewer drawn from the whole organisation (they connect the graph);
  10% of evidence is unreviewed ("shipped" outcomes, a second source);
* heavy-tailed evidence counts (every person has at least one piece), dates
  over the last two years, size weights 0.5/1/2, and noise sd 0.12/sqrt(w).

Abilities are static, so the truth is the ability that generated every score.
The "random" row draws every reviewer uniformly instead (leniency then
averages out, the easy case for the baselines).

Metrics, on general execution ``g_p`` (every person) and on ``theta_ps``
(each person-skill pair with evidence): RMSE and Spearman against the truth
(both centred on their mean), coverage of the 50% and 90% intervals, and for
reviewer leniency the correlation and RMSE of the estimate (centred the same way).

Run: ``python benchmarks/merit_accuracy.py [--quick] [--seeds N] [--people N]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.stats import spearmanr

from mts.domain.people import PersonId, Skill
from mts.merit.columns import NO_REVIEWER, EvidenceColumns
from mts.merit.model import MeritModel

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

AS_OF = date(2026, 1, 1)
ABILITY_SD, SKILL_SD, LENIENCY_SD, NOISE_SD = 0.10, 0.05, 0.05, 0.12
TEAM_SHARE = 0.3
Z50, Z90 = 0.6744897501960817, 1.6448536269514722


@dataclass(frozen=True)
class Organisation:
    """Evidence columns and the truth that generated them."""

    columns: EvidenceColumns
    ability: Floats
    skill: Floats
    leniency: Floats


def organisation(
    *,
    people: int,
    reviewers: int,
    rows: int,
    skills: int = 30,
    team_size: int = 10,
    cross_team: float = 0.2,
    random_reviewers: bool = False,
    seed: int = 0,
) -> Organisation:
    """A synthetic organisation's evidence, generated from ``seed`` with numpy alone."""
    rng = np.random.default_rng(seed)
    team = np.arange(people) // team_size
    n_teams = int(team[-1]) + 1
    team_effect = rng.normal(0, ABILITY_SD * np.sqrt(TEAM_SHARE), n_teams)
    ability = team_effect[team] + rng.normal(0, ABILITY_SD * np.sqrt(1 - TEAM_SHARE), people)
    skill_dev = rng.normal(0, SKILL_SD, (people, skills))
    leniency = rng.normal(0, LENIENCY_SD, reviewers)
    person = np.repeat(np.arange(people), _evidence_counts(rng, people, rows)).astype(np.int32)
    indptr, tag_skill, tag_weight = _tags(rng, person, people, skills)
    reviewer = _reviewers(rng, person, team, n_teams, reviewers, cross_team, random_reviewers)
    source = (reviewer == NO_REVIEWER).astype(np.int32)
    weight = rng.choice(np.array([0.5, 1.0, 2.0]), size=person.size)
    score = _scores(
        rng,
        person,
        reviewer,
        source,
        indptr,
        tag_skill,
        tag_weight,
        weight,
        ability,
        skill_dev,
        leniency,
    )
    columns = EvidenceColumns(
        people=tuple(PersonId(f"p{i:07d}") for i in range(people)),
        reviewers=tuple(PersonId(f"r{i:06d}") for i in range(reviewers)),
        skills=tuple(Skill(f"skill-{i:02d}") for i in range(skills)),
        sources=("review", "shipped"),
        person=person,
        reviewer=reviewer,
        source=source,
        skill_indptr=indptr,
        skill_code=tag_skill,
        skill_weight=tag_weight,
        score=score,
        day=(AS_OF.toordinal() - rng.integers(0, 730, person.size)).astype(np.int32),
        weight=weight,
    )
    return Organisation(columns=columns, ability=ability, skill=skill_dev, leniency=leniency)


def _evidence_counts(rng: np.random.Generator, people: int, rows: int) -> Ints:
    """One piece each, the rest spread by a heavy-tailed (log-normal) activity."""
    activity = rng.lognormal(0.0, 1.0, people)
    extra = rng.multinomial(rows - people, activity / activity.sum())
    return (1 + extra).astype(np.int64)


def _tags(
    rng: np.random.Generator, person: npt.NDArray[np.int32], people: int, skills: int
) -> tuple[Ints, npt.NDArray[np.int32], Floats]:
    """1-3 skill tags per piece, from the person's profile of 2-6 skills, weights 1-3."""
    profile = np.argsort(rng.random((people, skills)), axis=1)[:, :6]
    profile_size = rng.integers(2, 7, people)
    n_tags = rng.choice(np.array([1, 2, 3]), size=person.size, p=[0.5, 0.35, 0.15])
    indptr = np.zeros(person.size + 1, dtype=np.int64)
    np.cumsum(n_tags, out=indptr[1:])
    owner = np.repeat(person, n_tags)
    pick = (rng.random(owner.size) * profile_size[owner]).astype(np.int64)
    return (
        indptr,
        profile[owner, pick].astype(np.int32),
        rng.integers(1, 4, owner.size).astype(np.float64),
    )


def _reviewers(
    rng: np.random.Generator,
    person: npt.NDArray[np.int32],
    team: Ints,
    n_teams: int,
    reviewers: int,
    cross_team: float,
    random_reviewers: bool,
) -> npt.NDArray[np.int32]:
    team_reviewers = rng.integers(0, reviewers, (n_teams, 3))
    local = team_reviewers[team[person], rng.integers(0, 3, person.size)]
    anyone = rng.integers(0, reviewers, person.size)
    crossing = (
        np.ones(person.size, dtype=bool)
        if random_reviewers
        else rng.random(person.size) < cross_team
    )
    reviewer = np.where(crossing, anyone, local)
    return np.where(rng.random(person.size) < 0.1, NO_REVIEWER, reviewer).astype(np.int32)


def _scores(
    rng: np.random.Generator,
    person: npt.NDArray[np.int32],
    reviewer: npt.NDArray[np.int32],
    source: npt.NDArray[np.int32],
    indptr: Ints,
    tag_skill: npt.NDArray[np.int32],
    tag_weight: Floats,
    weight: Floats,
    ability: Floats,
    skill_dev: Floats,
    leniency: Floats,
) -> Floats:
    """``base_c + g_p + sum_s a_es d_ps + b_r + N(0, 0.12^2 / w)``, clipped to [0, 1]."""
    tag_row = np.repeat(np.arange(person.size), np.diff(indptr))
    share = tag_weight / np.bincount(tag_row, tag_weight, minlength=person.size)[tag_row]
    skill_part = np.bincount(
        tag_row, share * skill_dev[person[tag_row], tag_skill], minlength=person.size
    )
    bias = np.where(reviewer >= 0, leniency[np.maximum(reviewer, 0)], 0.0)
    base = np.array([0.62, 0.55])[source]
    noise = rng.normal(0, NOISE_SD, person.size) / np.sqrt(weight)
    return np.clip(base + ability[person] + skill_part + bias + noise, 0.0, 1.0)


@dataclass(frozen=True)
class Estimates:
    """One method's estimates: per person, per (person, skill) with evidence, per reviewer."""

    general: Floats
    theta: Floats
    general_sd: Floats | None = None
    theta_sd: Floats | None = None
    leniency: Floats | None = None


def _pairs(org: Organisation) -> tuple[Ints, Ints]:
    """The (person, skill) pairs with evidence, as sorted codes."""
    c = org.columns
    tag_row = np.repeat(np.arange(c.n_rows), np.diff(c.skill_indptr))
    keys = np.unique(c.person[tag_row].astype(np.int64) * len(c.skills) + c.skill_code)
    return keys // len(c.skills), keys % len(c.skills)


def _grouped(code: Ints, value: Floats, size: int, how: str) -> Floats:
    if how == "mean":
        return np.bincount(code, value, minlength=size) / np.maximum(
            np.bincount(code, minlength=size), 1
        )
    order = np.lexsort((value, code))
    code, value = code[order], value[order]
    start = np.searchsorted(code, np.arange(size))
    stop = np.searchsorted(code, np.arange(size), side="right")
    return np.array(
        [np.median(value[a:b]) if b > a else 0.0 for a, b in zip(start, stop, strict=True)]
    )


def baseline(org: Organisation, how: str) -> Estimates:
    """Per-person (and per person-skill) mean or median; ``centred`` removes reviewer means."""
    c = org.columns
    score = c.score.copy()
    leniency = None
    if how == "centred":
        reviewed = c.reviewer >= 0
        leniency = _grouped(
            c.reviewer[reviewed].astype(np.int64), score[reviewed], len(c.reviewers), "mean"
        )
        leniency -= score[reviewed].mean()
        score[reviewed] -= leniency[c.reviewer[reviewed]]
    summary = "median" if how == "median" else "mean"
    general = _grouped(c.person.astype(np.int64), score, len(c.people), summary)
    tag_row = np.repeat(np.arange(c.n_rows), np.diff(c.skill_indptr))
    key = c.person[tag_row].astype(np.int64) * len(c.skills) + c.skill_code
    p, s = _pairs(org)
    pair_key = p * len(c.skills) + s
    theta = _grouped(np.searchsorted(pair_key, key), score[tag_row], pair_key.size, summary)
    return Estimates(general=general, theta=theta, leniency=leniency)


def merit(org: Organisation) -> Estimates:
    """The merit engine's posterior means and sds, in the organisation's own codes."""
    model = MeritModel().fit(org.columns, as_of=AS_OF)
    table = model.table_
    p, s = _pairs(org)
    lenient = model.reviewers_
    leniency = np.zeros(len(org.columns.reviewers))
    where = {r: i for i, r in enumerate(org.columns.reviewers)}
    leniency[[where[r] for r in lenient.reviewers]] = lenient.leniency
    return Estimates(
        general=table.general_mean,
        theta=table.mean[p, s],
        general_sd=table.general_sd,
        theta_sd=table.sd[p, s],
        leniency=leniency,
    )


def _centred(x: Floats) -> Floats:
    return x - x.mean()


def _scores_of(truth: Floats, estimate: Floats, sd: Floats | None) -> dict[str, float]:
    t, e = _centred(truth), _centred(estimate)
    out = {
        "rmse": float(np.sqrt(np.mean((e - t) ** 2))),
        "spearman": float(spearmanr(e, t).statistic),
    }
    if sd is not None:
        out["cover50"] = float(np.mean(np.abs(e - t) <= Z50 * sd))
        out["cover90"] = float(np.mean(np.abs(e - t) <= Z90 * sd))
    return out


def evaluate(org: Organisation, estimates: Estimates) -> dict[str, float]:
    """Every metric of one method on one organisation."""
    p, s = _pairs(org)
    general = _scores_of(org.ability, estimates.general, estimates.general_sd)
    theta = _scores_of(org.ability[p] + org.skill[p, s], estimates.theta, estimates.theta_sd)
    out = {f"g_{k}": v for k, v in general.items()} | {f"t_{k}": v for k, v in theta.items()}
    if estimates.leniency is not None:
        reviewed = org.columns.reviewer[org.columns.reviewer >= 0]
        seen = np.bincount(reviewed, minlength=len(org.columns.reviewers)) > 0
        truth, found = _centred(org.leniency[seen]), _centred(estimates.leniency[seen])
        out["b_corr"] = float(np.corrcoef(truth, found)[0, 1])
        out["b_rmse"] = float(np.sqrt(np.mean((truth - found) ** 2)))
    return out


METHODS = ("naive mean", "median", "reviewer-centred mean", "mts")
COLUMNS = (
    ("g_rmse", "RMSE g"),
    ("g_spearman", "Spearman g"),
    ("g_cover50", "cover50 g"),
    ("g_cover90", "cover90 g"),
    ("t_rmse", "RMSE theta"),
    ("t_spearman", "Spearman theta"),
    ("t_cover90", "cover90 theta"),
    ("b_corr", "leniency corr"),
    ("b_rmse", "leniency RMSE"),
)


def run(
    assignment: str, *, people: int, per_person: int, seeds: int
) -> dict[str, list[dict[str, float]]]:
    """Metrics of every method over ``seeds`` organisations with the given reviewer assignment."""
    results: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
    for seed in range(seeds):
        org = organisation(
            people=people,
            reviewers=max(1, people // 10),
            rows=people * per_person,
            random_reviewers=assignment == "random",
            seed=seed,
        )
        estimates = {
            "naive mean": baseline(org, "mean"),
            "median": baseline(org, "median"),
            "reviewer-centred mean": baseline(org, "centred"),
            "mts": merit(org),
        }
        for method, found in estimates.items():
            results[method].append(evaluate(org, found))
    return results


def table(title: str, results: dict[str, list[dict[str, float]]]) -> str:
    """A markdown table of mean metrics over seeds, and mts RMSE relative to the naive mean."""
    lines = [f"### {title}", "", "| method | " + " | ".join(h for _, h in COLUMNS) + " |"]
    lines.append("|---|" + "---:|" * len(COLUMNS))
    for method, runs in results.items():
        cells = []
        for key, _ in COLUMNS:
            values = [r[key] for r in runs if key in r]
            cells.append(f"{np.mean(values):.3f}" if values else "—")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    naive = np.mean([r["g_rmse"] for r in results["naive mean"]])
    mts = np.mean([r["g_rmse"] for r in results["mts"]])
    naive_t = np.mean([r["t_rmse"] for r in results["naive mean"]])
    mts_t = np.mean([r["t_rmse"] for r in results["mts"]])
    lines += [
        "",
        f"mts RMSE / naive RMSE: g {mts / naive:.2f}, theta {mts_t / naive_t:.2f} (target <= 0.70)",
    ]
    return "\n".join(lines)


def main() -> None:
    """Print the accuracy tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small organisation")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--per-person", type=int, default=20, help="mean pieces of evidence per person"
    )
    args = parser.parse_args()
    people, seeds = (500, 1) if args.quick else (args.people, args.seeds)
    print(
        f"{people} people, {people // 10} reviewers, {people * args.per_person} rows, "
        f"{seeds} seed(s)\n"
    )
    for assignment in ("team-local", "random"):
        results = run(assignment, people=people, per_person=args.per_person, seeds=seeds)
        print(table(f"{assignment} reviewers", results) + "\n")


if __name__ == "__main__":
    main()
