"""Speed and memory of ``mts import git`` on synthetic histories of 10k-100k commits.

Each history is built with ``git fast-import`` in a bare repository: a few
hundred people (a tenth with an old address mapped in ``.mailmap``), 25
maintainers applying most patches (87%, as in a large real project),
kernel-style sign-offs, ``Reviewed-by``/``Acked-by``/``Tested-by``/
``Co-authored-by``/``Helped-by``/``Reported-by`` trailers, ``Fixes:`` naming
a real earlier sha (12 characters), reverts, topic branches merged with
merge commits, and dependency-bot commits. Files spread over 30 top-level
directories and a dozen languages; each commit touches 1-6 of them.

The import runs in a fresh process into a fresh SQLite database (a file in
the temporary directory), exactly as ``mts import git`` does: the streamed
``git log``, the scheme, identity resolution, one transaction; then again
(the re-import, which adds nothing). Wall-clock seconds include ``git log``;
CPU seconds (of mts and git together) tell more on a loaded machine. Peak
RSS is ``ru_maxrss`` of the importing process, and of ``git log`` run alone.
Target: 80k commits in under 60 s.

Run: ``python benchmarks/import_git.py [--quick] [--commits 80000 100000] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

DIRECTORIES = [f"area{i:02d}" for i in range(30)]
SUFFIXES = [".c", ".h", ".py", ".rs", ".go", ".ts", ".md", ".sh", ".yaml", ".cc", ".java", ".sql"]
TRAILERS = {
    "Reviewed-by": 0.03,
    "Acked-by": 0.02,
    "Tested-by": 0.01,
    "Co-authored-by": 0.02,
    "Helped-by": 0.005,
    "Reported-by": 0.02,
}
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


class Builder:
    """Writes a synthetic history into ``git fast-import``."""

    def __init__(self, repo: Path, *, people: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people = [(f"Dev {i:03d}", f"dev{i:03d}@example.org") for i in range(people)]
        self.old = {i: f"dev{i:03d}@old.example.org" for i in range(0, people, 10)}
        self.maintainers = list(range(25))
        self.process = subprocess.Popen(
            ["git", "-C", str(repo), "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout: IO[bytes] = self.process.stdout
        self.mark = 0
        self.time = 1_600_000_000
        self.main: int | None = None
        self.subjects: dict[int, str] = {}

    def write(self, text: str | bytes) -> None:
        """Send raw fast-import input."""
        self.stdin.write(text.encode() if isinstance(text, str) else text)

    def sha(self, mark: int) -> str:
        """The sha of an already written commit (fast-import's ``get-mark``)."""
        self.write(f"get-mark :{mark}\n")
        self.stdin.flush()
        return self.stdout.readline().decode().strip()

    def person(self) -> int:
        """Someone, with heavy-tailed activity."""
        return min(int(self.rng.paretovariate(1.2)) - 1, len(self.people) - 1)

    def contact(self, index: int, *, old_ok: bool = True) -> str:
        """``Name <email>``; people with an old address sometimes still use it."""
        name, email = self.people[index]
        if old_ok and index in self.old and self.rng.random() < 0.3:
            email = self.old[index]
        return f"{name} <{email}>"

    def files(self, number: int) -> list[tuple[str, bytes]]:
        """1-6 files under a couple of areas, with a few lines each."""
        areas = self.rng.sample(DIRECTORIES, self.rng.choice((1, 1, 1, 2)))
        chosen = []
        for _ in range(self.rng.randint(1, 6)):
            area = self.rng.choice(areas)
            path = f"{area}/m{self.rng.randrange(20)}/f{self.rng.randrange(40)}"
            path += self.rng.choice(SUFFIXES)
            lines = self.rng.randint(1, 30)
            chosen.append((path, "".join(f"{number} {i}\n" for i in range(lines)).encode()))
        return chosen

    def commit(self, ref: str, author: str, committer: str, message: str,
               files: list[tuple[str, bytes]], parents: list[int]) -> int:  # fmt: skip
        """Write one commit and return its mark."""
        self.mark += 1
        self.time += self.rng.randint(60, 1800)
        data = message.encode()
        self.write(f"commit {ref}\nmark :{self.mark}\n")
        self.write(f"author {author} {self.time} +0000\ncommitter {committer} {self.time} +0000\n")
        self.write(f"data {len(data)}\n")
        self.write(data + b"\n")
        if parents:
            self.write(f"from :{parents[0]}\n")
        for parent in parents[1:]:
            self.write(f"merge :{parent}\n")
        for path, content in files:
            self.write(f"M 100644 inline {path}\ndata {len(content)}\n")
            self.write(content + b"\n")
        self.write("\n")
        return self.mark

    def message(self, number: int, author: int, committer: int) -> str:
        """A subject, a body, maybe a revert or a Fixes:, and the trailers."""
        rng = self.rng
        subject, body = f"area: change {number}", "Why the change is needed.\n"
        trailers = []
        if number > 100 and rng.random() < 0.005:
            target = rng.randrange(max(1, number - 2000), number)
            if target in self.subjects:
                subject = f'Revert "{self.subjects[target]}"'
                body = f"This reverts commit {self.sha(target)}.\n"
        elif number > 100 and rng.random() < 0.02:
            target = rng.randrange(max(1, number - 5000), number)
            if target in self.subjects:
                trailers.append(f'Fixes: {self.sha(target)[:12]} ("{self.subjects[target]}")')
        for key, chance in TRAILERS.items():
            if rng.random() < chance:
                trailers.append(f"{key}: {self.contact(self.person())}")
        trailers.append(f"Signed-off-by: {self.contact(author, old_ok=False)}")
        if committer != author:
            trailers.append(f"Signed-off-by: {self.contact(committer, old_ok=False)}")
        return f"{subject}\n\n{body}\n" + "\n".join(trailers) + "\n"

    def one(self, ref: str, parents: list[int]) -> int:
        """One ordinary (or bot) commit."""
        number = self.mark + 1
        if self.rng.random() < 0.01:
            bot = f"{BOT[0]} <{BOT[1]}>"
            files = [("requirements.txt", f"pkg=={number}\n".encode())]
            return self.commit(ref, bot, bot, f"Bump pkg to {number}\n", files, parents)
        author = self.person()
        committer = author
        if self.rng.random() < 0.87:
            committer = self.rng.choice([m for m in self.maintainers if m != author])
        message = self.message(number, author, committer)
        mark = self.commit(ref, self.contact(author), self.contact(committer, old_ok=False),
                           message, self.files(number), parents)  # fmt: skip
        self.subjects[mark] = message.partition("\n")[0]
        return mark

    def mailmap(self) -> None:
        """The first commit: a ``.mailmap`` folding every old address into the new one."""
        lines = "".join(f"{self.people[i][0]} <{self.people[i][1]}> <{old}>\n"
                        for i, old in self.old.items())  # fmt: skip
        files = [(".mailmap", lines.encode()), ("README.md", b"synthetic\n")]
        first = self.contact(0, old_ok=False)
        self.main = self.commit("refs/heads/main", first, first, "Start\n", files, [])

    def build(self, commits: int) -> None:
        """``commits`` commits on main and topic branches, merged every so often."""
        self.mailmap()
        while self.mark < commits:
            assert self.main is not None
            if self.rng.random() < 0.04:
                self.topic(min(self.rng.randint(1, 5), commits - self.mark - 1))
            else:
                self.main = self.one("refs/heads/main", [self.main])
        self.write("done\n")
        self.stdin.close()
        if self.process.wait() != 0:
            raise SystemExit("git fast-import failed")

    def topic(self, length: int) -> None:
        """A topic branch of ``length`` commits, merged into main by a maintainer."""
        assert self.main is not None
        tip = self.main
        for _ in range(length):
            tip = self.one("refs/heads/topic", [tip])
        merger = self.contact(self.rng.choice(self.maintainers), old_ok=False)
        message = "Merge branch 'topic'\n"
        self.main = self.commit("refs/heads/main", merger, merger, message, [], [self.main, tip])


def build(repo: Path, commits: int, seed: int) -> float:
    """Create a bare repository with ``commits`` commits; return the seconds it took."""
    start = time.perf_counter()
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    Builder(repo, people=400, seed=seed).build(commits)
    return time.perf_counter() - start


def _cpu() -> float:
    """CPU seconds of this process and its finished children (git)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_import(repo: Path, database: Path) -> dict[str, float]:
    """Import ``repo`` into a fresh SQLite ``database`` (runs in its own process)."""
    from mts.bootstrap import bootstrap
    from mts.importers.git import GitHistory
    from mts.importers.git_repository import Repository
    from mts.services.history import import_history
    from mts.settings import Settings

    application = bootstrap(Settings(database_url=f"sqlite:///{database}"))
    application.upgrade_schema()
    results = {}
    for label in ("first", "again"):
        cpu, start = _cpu(), time.perf_counter()
        reader = GitHistory(Repository(repo))
        total = reader.count()
        report = import_history(application.unit_of_work, reader.source, reader.items())
        results[label] = time.perf_counter() - start
        results[f"{label}_cpu"] = _cpu() - cpu
        results[f"{label}_added"] = report.added
    results.update(
        commits=total,
        read=reader.stats.commits,
        judgements=report.judgements,
        people=report.people_matched,
        python_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return results


_PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def git_log_rss(repo: Path) -> float:
    """Peak RSS (MB) of the importer's ``git log``, run alone from a tiny process.

    Measured apart because a child forked from the importer reports the
    importer's own pages as its peak.
    """
    from mts.importers.git_repository import _LOG, _SAFE, FORMAT

    command = ["git", "-C", str(repo), *_SAFE, *_LOG, "--reverse", f"--format={FORMAT}", "HEAD"]
    done = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True)
    return int(done.stdout.strip()) / 1024


def measure(commits: int, folder: Path, seed: int) -> dict[str, float]:
    """Build (unless kept from an earlier run) and import one history in a child process."""
    repo = folder / f"history-{commits}-{seed}.git"
    built = build(repo, commits, seed) if not repo.exists() else float("nan")
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "bench.db"
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(repo), str(database)],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, float] = json.loads(child.stdout)
    result["build"] = built
    result["git_rss_mb"] = git_log_rss(repo)
    return result


def _seconds(value: float) -> str:
    return "kept" if value != value else f"{value:.0f}"  # NaN: built by an earlier run


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, nargs="+", default=[80_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="10k commits only")
    parser.add_argument("--keep", type=Path, help="build histories here and reuse them")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_import(*args.child)))
        return
    sizes = [10_000] if args.quick else args.commits
    print("| commits | build s | import s (CPU s) | commits/s | evidence | people | "
          "peak RSS mts | peak RSS git log | re-import s (added) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for commits in sizes:
            r = measure(commits, folder, args.seed)
            print(
                f"| {r['commits']:,.0f} | {_seconds(r['build'])} | "
                f"{r['first']:.1f} ({r['first_cpu']:.1f}) | "
                f"{r['commits'] / r['first']:,.0f} | {r['first_added']:,.0f} | {r['people']:.0f} | "
                f"{r['python_rss_mb']:.0f} MB | {r['git_rss_mb']:.0f} MB | "
                f"{r['again']:.1f} ({r['again_added']:.0f}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
