"""Execution evidence from git history: who wrote what, who judged it, and what stuck.

The scheme (``docs/importers.md`` explains it with examples). Every piece is
evidence of source ``git`` on the scale 0..4, dated by the commit date:

==========================  ============================  ===========  =====
signal                      about (person)                reviewer     score
==========================  ============================  ===========  =====
``Reviewed-by:``            the commit's credited people  the trailer  4
``Tested-by:``              the commit's credited people  the trailer  3.5
``Acked-by:``               the commit's credited people  the trailer  3.5
applied by a committer      the commit's credited people  committer    3
merged by someone else      the branch tip's credited     the merger   3
shipped, nobody else judged the commit's credited people  none         2
``Fixes: <sha>``            the fixed commit's author     none         1
revert of a commit          the reverted commit's author  none         0
==========================  ============================  ===========  =====

* The author and each ``Co-authored-by:``/``Co-developed-by:`` person share a
  commit's credit equally; ``Helped-by:``/``Assisted-by:`` people take half a
  share. A commit's size weight (from the lines it changed) is split by share.
* A judge gives one piece per credited person (the strongest of their
  signals) and never judges work they share credit for.
* Reverts and merges are not work items themselves; a revert of a revert
  blames nobody, and a merge of the mainline into a branch accepts nothing.
  A cherry-pick (``-x``) or stable backport (``commit X upstream``) is the
  work item of the commit it copies.
* ``Reported-by:``, ``Signed-off-by:``, ``Suggested-by:`` and ``Cc:`` are not
  evidence about the author.
* Bots are never people; a commit applied by GitHub's web flow
  (``noreply@github.com``) counts as applied by nobody.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from mts.domain.evidence import Scale
from mts.importers.git_repository import Commit, Repository
from mts.importers.identities import identity, is_bot, normalise_email, parse_contact
from mts.importers.skills import PathSkills
from mts.services.history import EvidenceSource, HistoryItem, Identity, Judgement

SOURCE = "git"
SCALE = Scale(low=0.0, high=4.0)

# The scores of the table above.
REVIEWED, TESTED, ACKED = 4.0, 3.5, 3.5
APPLIED = MERGED = 3.0
SHIPPED, FIXED, REVERTED = 2.0, 1.0, 0.0

ENDORSEMENTS: dict[str, float] = {"reviewed-by": REVIEWED, "tested-by": TESTED, "acked-by": ACKED}
"""Trailers whose person vouches for the commit, and the score they give."""

CREDIT: dict[str, float] = {
    "co-authored-by": 1.0,
    "co-developed-by": 1.0,
    "helped-by": 0.5,
    "assisted-by": 0.5,
}
"""Trailers whose person shares the commit's credit, and the size of their share."""

_REVERT = re.compile(r"This reverts commit ([0-9a-fA-F]{7,40})")
_PICKED = re.compile(
    r"\(cherry picked from commit ([0-9a-f]{40})\)|^commit ([0-9a-f]{40}) upstream\b", re.MULTILINE
)
_SHA = re.compile(r"[0-9a-fA-F]{7,40}")
_MAX_HOPS = 4


def size_weight(lines: int) -> float:
    """``clip(log10(1 + lines) / 2, 0.25, 2)``: a 100-line change weighs 1, 10 000 lines 2."""
    return min(2.0, max(0.25, math.log10(1 + lines) / 2))


@dataclass(slots=True)
class GitStats:
    """What the reader saw, beyond the evidence it produced."""

    commits: int = 0
    work_items: int = 0
    merges: int = 0
    reverts: int = 0
    fixes: int = 0
    bot_commits: int = 0
    unusable_author: int = 0
    without_skills: int = 0
    outside_window: int = 0
    merged_branches: int = 0
    back_merges: int = 0
    unresolved: list[str] = field(default_factory=list)
    """Revert and ``Fixes:`` targets the repository does not have."""


@dataclass(frozen=True, slots=True)
class _Reference:
    target: str
    kind: str
    by: str
    day: date


@dataclass(frozen=True, slots=True)
class _Merge:
    sha: str
    tips: tuple[str, ...]
    merger: Identity
    day: date


class GitHistory:
    """The evidence in a repository's history between ``since`` and ``until`` (inclusive)."""

    def __init__(
        self,
        repository: Repository,
        *,
        since: date | None = None,
        until: date | None = None,
        skills: PathSkills | None = None,
    ) -> None:
        self.repository = repository
        self.since, self.until = since, until
        self.skills = skills or PathSkills()
        self.stats = GitStats()
        self._references: list[_Reference] = []
        self._merges: list[_Merge] = []

    @property
    def source(self) -> EvidenceSource:
        """The evidence source this history feeds."""
        return EvidenceSource(name=SOURCE, scale=SCALE, origin=self.repository.name)

    def _window(self) -> list[str]:
        # git filters on timestamps and guesses the time of a bare date, so ask a
        # little wider and cut exactly on the commit date below.
        window = []
        if self.since is not None:
            window.append(f"--since={(self.since - timedelta(days=2)).isoformat()}")
        if self.until is not None:
            window.append(f"--until={(self.until + timedelta(days=2)).isoformat()}")
        return window

    def count(self) -> int:
        """How many commits the import reads (the length of its progress bar)."""
        return self.repository.count(self._window())

    def items(self) -> Iterator[HistoryItem]:
        """One item per commit read, then the evidence that needed the whole history."""
        try:
            for commit in self.repository.log(self._window()):
                yield HistoryItem(judgements=tuple(self._judge(commit)))
            yield from self._merged_branches()
            yield from self._negative_evidence()
        finally:
            self.repository.close()

    def _in_window(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )

    def _judge(self, commit: Commit) -> list[Judgement]:
        if not self._in_window(commit.day):
            self.stats.outside_window += 1
            return []
        self.stats.commits += 1
        self._note_references(commit)
        if commit.is_merge:
            self._note_merge(commit)
            return []
        if _reverted(commit):
            self.stats.reverts += 1
            return []
        if not self._has_author(commit):
            return []
        judgements = self._work(commit, self._judges(commit), commit.day)
        self.stats.work_items += bool(judgements)
        self.stats.without_skills += not judgements
        return judgements

    def _has_author(self, commit: Commit) -> bool:
        email = normalise_email(commit.author_email)
        if email is None:
            self.stats.unusable_author += 1
        elif is_bot(commit.author_name, email):
            self.stats.bot_commits += 1
        return email is not None and not is_bot(commit.author_name, email)

    def _note_references(self, commit: Commit) -> None:
        for target in _reverted(commit):
            self._references.append(_Reference(target.lower(), "reverted", commit.sha, commit.day))
        for key, value in commit.trailers:
            match = _SHA.fullmatch(value.split()[0].strip("(),.:;")) if key == "fixes" else None
            if match is not None:
                self.stats.fixes += 1
                self._references.append(
                    _Reference(match[0].lower(), "fixed", commit.sha, commit.day)
                )

    def _note_merge(self, commit: Commit) -> None:
        self.stats.merges += 1
        merger = identity(commit.author_name, commit.author_email) or identity(
            commit.committer_name, commit.committer_email
        )
        if merger is not None:
            self._merges.append(_Merge(commit.sha, commit.parents[1:], merger, commit.day))

    def _judges(self, commit: Commit) -> dict[str, tuple[Identity, float]]:
        judges: dict[str, tuple[Identity, float]] = {}
        committer = identity(commit.committer_name, commit.committer_email)
        if committer is not None:
            judges[committer.email] = (committer, APPLIED)
        for key, value in commit.trailers:
            score = ENDORSEMENTS.get(key)
            person = self._contact(value) if score is not None else None
            if person is not None and score is not None:
                best = max(score, judges.get(person.email, (person, score))[1])
                judges[person.email] = (person, best)
        return judges

    def _contact(self, text: str) -> Identity | None:
        parsed = parse_contact(text)
        if parsed is None:
            return None
        return identity(*self.repository.mailmap(parsed.name, parsed.email))

    def _credited(self, commit: Commit) -> dict[str, tuple[Identity, float]] | None:
        author = identity(commit.author_name, commit.author_email)
        if author is None:
            return None
        shares = {author.email: (author, 1.0)}
        for key, value in commit.trailers:
            share = CREDIT.get(key)
            person = self._contact(value) if share is not None else None
            if person is not None and share is not None and person.email not in shares:
                shares[person.email] = (person, share)
        return shares

    def _work(
        self, commit: Commit, judges: dict[str, tuple[Identity, float]], day: date
    ) -> list[Judgement]:
        """The judgements of ``commit`` as a work item, judged by ``judges`` on ``day``."""
        credited = self._credited(commit)
        tags = self.skills.tags(path for path, _ in commit.changes)
        if credited is None or not tags:
            return []
        weight = size_weight(sum(lines for _, lines in commit.changes))
        total = sum(share for _, share in credited.values())
        work_item = f"commit {_original(commit)}"
        # Nobody judges work they share credit for.
        others: list[tuple[Identity | None, float]] = [
            (judge, score) for key, (judge, score) in judges.items() if key not in credited
        ]
        judgements = []
        for person, share in credited.values():
            for judge, score in others or [(None, SHIPPED)]:
                judgements.append(
                    Judgement(
                        person=person,
                        reviewer=judge,
                        work_item=work_item,
                        skills=tags,
                        score=score,
                        day=day,
                        weight=weight * share / total,
                    )
                )
        return judgements

    # -- evidence that needs more of the history ------------------------------------

    def _merged_branches(self) -> Iterator[HistoryItem]:
        """Each merge accepts the commit at the tip of the branch it merged.

        A merge whose merged side is on HEAD's first-parent line brings the
        mainline into a branch (a back-merge): it accepts nothing.
        """
        mainline = self.repository.on_first_parent_line(t for m in self._merges for t in m.tips)
        self.stats.back_merges = sum(t in mainline for m in self._merges for t in m.tips)
        for start in range(0, len(self._merges), 1000):
            merges = self._merges[start : start + 1000]
            names = [tip for m in merges for tip in m.tips if tip not in mainline]
            tips = self._work_commits(names, first_hop=0)
            judgements: list[Judgement] = []
            for merge in merges:
                for tip in (tips[t] for t in merge.tips if t in tips):
                    if normalise_email(tip.committer_email) == merge.merger.email:
                        continue  # already counted as the committer who applied it
                    judges = {merge.merger.email: (merge.merger, MERGED)}
                    found = [j for j in self._work(tip, judges, merge.day) if j.reviewer]
                    self.stats.merged_branches += bool(found)
                    judgements.extend(found)
            yield HistoryItem(judgements=tuple(judgements), units=0)
        self._merges.clear()

    def _negative_evidence(self) -> Iterator[HistoryItem]:
        """Reverts and ``Fixes:`` count against the author of the commit they name."""
        references = self._references
        for start in range(0, len(references), 1000):
            batch = references[start : start + 1000]
            targets = self._work_commits([r.target for r in batch], first_hop=1)
            judgements = [
                j for r in batch if (j := self._against(r, targets.get(r.target))) is not None
            ]
            yield HistoryItem(judgements=tuple(judgements), units=0)
        self._references = []

    def _against(self, reference: _Reference, target: Commit | None) -> Judgement | None:
        if target is None:
            self.stats.unresolved.append(reference.target)
            return None
        author = identity(target.author_name, target.author_email)
        tags = self.skills.tags(path for path, _ in target.changes)
        if author is None or not tags or _reverted(target):
            return None  # a bot's commit, nothing skilled, or a revert of a revert
        return Judgement(
            person=author,
            work_item=f"commit {target.sha} {reference.kind} by {reference.by}",
            skills=tags,
            score=REVERTED if reference.kind == "reverted" else FIXED,
            day=reference.day,
            weight=size_weight(sum(lines for _, lines in target.changes)),
        )

    def _work_commits(self, names: Sequence[str], *, first_hop: int) -> dict[str, Commit]:
        """The non-merge commit carrying each named commit's work.

        A merge's work is on the side it merged: from a merge named by a revert,
        follow its second parent (``first_hop=1``); from a branch tip, which is
        already that side, its first parent (``first_hop=0``).
        """
        found: dict[str, Commit] = {}
        pending = {name: name for name in names}
        hop = first_hop
        for _ in range(_MAX_HOPS):
            commits = self.repository.commits(set(pending.values()))
            following: dict[str, str] = {}
            for name, sha in pending.items():
                commit = commits.get(sha)
                if commit is not None and not commit.is_merge:
                    found[name] = commit
                elif commit is not None and len(commit.parents) > hop:
                    following[name] = commit.parents[hop]
            pending, hop = following, 0
            if not pending:
                break
        return found


def _reverted(commit: Commit) -> list[str]:
    return _REVERT.findall(commit.message)


def _original(commit: Commit) -> str:
    """The commit a cherry-pick or backport copies (it is the same work item), else itself."""
    match = _PICKED.search(commit.message)
    return (match[1] or match[2]) if match else commit.sha
