"""``mts merit``: fit merit offline, take snapshots, and show one person's estimates."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from mts.cli.console import console, errors_console, progress_bar
from mts.cli.data import open_application
from mts.cli.operator import OPERATOR
from mts.domain.people import PersonId
from mts.importers.files import read_file
from mts.importers.records import EVIDENCE
from mts.merit.model import MeritModel
from mts.merit.table import GENERAL, MeritRow
from mts.services import merit as merit_service

merit_app = typer.Typer(
    help="Merit: a posterior over each person's execution.", no_args_is_help=True
)

AsOf = typer.Option(..., "--as-of", formats=["%Y-%m-%d"], help="Fit as of this date (YYYY-MM-DD).")


@merit_app.command("fit")
def fit(
    evidence: Path = typer.Option(..., help="An evidence CSV (see docs/formats.md)."),
    as_of: datetime = AsOf,
    out: Path = typer.Option(..., help="Where to write person_id, skill, mean, sd, n_effective."),
    reviewers_out: Path | None = typer.Option(None, help="Where to write reviewer leniency."),
    half_life_days: float = typer.Option(365.0, min=1, help="Evidence this old counts half."),
) -> None:
    """Fit merit on an evidence file, offline: no database involved."""
    parsed = read_file(EVIDENCE, evidence)
    parsed.raise_if_problems()
    settings = merit_service.MeritSettings(half_life_days=half_life_days)
    with progress_bar("fitting merit", None):
        model = merit_service.fit_merit(
            parsed.values, as_of=as_of.date(), settings=settings, file=evidence.name
        )
    _write_rows(out, model.table_.rows())
    if reviewers_out is not None:
        _write_reviewers(reviewers_out, model)
    people = len(model.table_.people)
    errors_console.print(
        f"rated {people} people on {model.n_evidence_} pieces of evidence -> {out}"
    )


def _write_rows(path: Path, rows: Iterable[MeritRow]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["person_id", "skill", "mean", "sd", "n_effective"])
        for row in rows:
            writer.writerow(
                [
                    row.person,
                    row.skill,
                    f"{row.mean:.6g}",
                    f"{row.sd:.6g}",
                    f"{row.n_effective:.6g}",
                ]
            )


def _write_reviewers(path: Path, model: MeritModel) -> None:
    table = model.reviewers_
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["reviewer_id", "leniency", "sd", "reviews"])
        for i, reviewer in enumerate(table.reviewers):
            writer.writerow(
                [
                    reviewer,
                    f"{table.leniency[i]:.6g}",
                    f"{table.sd[i]:.6g}",
                    int(table.n_reviews[i]),
                ]
            )


@merit_app.command("snapshot")
def snapshot(as_of: datetime = AsOf) -> None:
    """Fit merit on the database's evidence and store it as a versioned snapshot."""
    application = open_application()
    with progress_bar("merit snapshot", None) as bar:
        task = bar.task_ids[0]
        header = merit_service.take_snapshot(
            application.unit_of_work,
            as_of=as_of.date(),
            now=datetime.now(UTC),
            stage=lambda name: bar.update(task, description=name),
        )
    hyper = header.parameters["hyperparameters"]
    console.print(
        f"snapshot {header.id} as of {header.as_of}: {header.evidence_count} pieces of evidence, "
        f"input hash {header.input_hash[:12]}; noise sd {hyper['noise_sd']:.3f}, "
        f"general sd {hyper['general_sd']:.3f}, skill sd {hyper['skill_sd']:.3f}"
    )


@merit_app.command("show")
def show(
    person: str = typer.Argument(..., help="A member id."),
    snapshot_id: int | None = typer.Option(None, "--snapshot", help="Default: the latest."),
) -> None:
    """Print one person's merit per skill, with 50% and 90% interval bars."""
    application = open_application()
    found = merit_service.person_merit(
        application.unit_of_work, OPERATOR, PersonId(person), snapshot=snapshot_id
    )
    table = Table(
        "skill", "mean", "sd", "evidence", "━ 50%  ─ 90%  on -0.5 .. +0.5",
        title=f"{person}: merit as of {found.snapshot.as_of} (snapshot {found.snapshot.id})",
    )  # fmt: skip
    shown = [r for r in found.rows if r.skill == GENERAL or r.n_effective > 0]
    for row in shown:
        table.add_row(
            "general" if row.skill == GENERAL else row.skill,
            f"{row.mean:+.3f}",
            f"{row.sd:.3f}",
            f"{row.n_effective:.1f}",
            interval_bar(row),
        )
    console.print(table)
    if unseen := len(found.rows) - len(shown):
        console.print(f"{unseen} other skills have no evidence yet: their estimate is the prior.")


def interval_bar(row: MeritRow, *, width: int = 35, span: float = 0.5) -> str:
    """A text picture of the 50% (━) and 90% (─) intervals and the mean (●) on [-span, span]."""

    def at(x: float) -> int:
        return round((min(max(x, -span), span) + span) / (2 * span) * (width - 1))

    cells = [" "] * width
    for z, mark in ((1.645, "─"), (0.674, "━")):
        for i in range(at(row.mean - z * row.sd), at(row.mean + z * row.sd) + 1):
            cells[i] = mark
    if cells[at(0.0)] == " ":
        cells[at(0.0)] = "┊"
    cells[at(row.mean)] = "●"
    return "".join(cells)
