"""Reading a git repository through the git CLI: a streamed ``git log`` and a few look-ups.

``git log`` runs with ``-z`` and a format whose fields end in NUL bytes, so
no message or path can break the parse; its output is read a chunk at a
time, so memory does not grow with the history. Author and committer come
from ``%aN``/``%aE``/``%cN``/``%cE``, which apply the repository's
``.mailmap`` (``HEAD:.mailmap`` in a bare repository); trailer contacts go
through ``git check-mailmap``. Trailers are git's own parse
(``%(trailers:only,unfold)``). Repository configuration never runs a
program: diff drivers, text conversion and fsmonitor are switched off.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from mts.domain.errors import InvalidInput

_FIELDS = ("%H", "%P", "%aN", "%aE", "%cN", "%cE", "%cs", "%(trailers:only,unfold)", "%B")
FORMAT = "%x1e" + "".join(f"{field}%x00" for field in _FIELDS)
"""One commit: a record-separator byte, then nine NUL-terminated fields, then its numstat."""

_SAFE = (
    "-c", "core.fsmonitor=false",
    "-c", "diff.external=",
    "-c", "log.showSignature=false",
    "-c", "core.quotepath=false",
)  # fmt: skip
_LOG = ("log", "-z", "--numstat", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color")
_READ_BYTES = 1 << 20
_BATCH = 2000
_HEX = re.compile(rb"[0-9a-f]+")
_NO_GIT = "git is not installed (mts reads repositories with the git CLI)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    """One commit as ``git log`` shows it (mailmap applied to author and committer)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    day: date
    trailers: tuple[tuple[str, str], ...]
    """(key lower-cased, value) pairs, in message order."""
    message: str
    changes: tuple[tuple[str, int], ...]
    """(path, lines added + deleted); a binary file counts one line."""

    @property
    def is_merge(self) -> bool:
        """Whether the commit has more than one parent."""
        return len(self.parents) > 1


class _Parser:
    """Turns NUL-separated ``git log`` tokens into commits."""

    def __init__(self) -> None:
        self._header: list[bytes] = []
        self._changes: list[tuple[str, int]] = []

    def feed(self, tokens: Iterable[bytes]) -> Iterator[Commit]:
        """The commits completed by ``tokens``."""
        for token in tokens:
            if 0 < len(self._header) < len(_FIELDS):
                self._header.append(token)
            elif _is_start(token):
                if self._header:
                    yield self._commit()
                self._header = [token[1:]]
            elif self._header and token.strip():
                self._changes.append(_change(token.lstrip(b"\n")))

    def finish(self) -> Iterator[Commit]:
        """The last commit, if any."""
        if len(self._header) == len(_FIELDS):
            yield self._commit()
        self._header = []

    def _commit(self) -> Commit:
        sha, parents, a_name, a_email, c_name, c_email, day, trailers, body = (
            field.decode("utf-8", "replace") for field in self._header
        )
        changes, self._changes = tuple(self._changes), []
        return Commit(
            sha=sha,
            parents=tuple(parents.split()),
            author_name=a_name,
            author_email=a_email,
            committer_name=c_name,
            committer_email=c_email,
            day=date.fromisoformat(day),
            trailers=_trailers(trailers),
            message=body,
            changes=changes,
        )


def _is_start(token: bytes) -> bool:
    # Only a record separator then a full object name opens a commit: messages are
    # read by position, and a path would have to be named exactly like that.
    return token[:1] == b"\x1e" and len(token) in (41, 65) and _HEX.fullmatch(token, 1) is not None


def _change(token: bytes) -> tuple[str, int]:
    added, _, rest = token.partition(b"\t")
    deleted, _, path = rest.partition(b"\t")
    lines = int(added) + int(deleted) if added.isdigit() and deleted.isdigit() else 1
    return path.decode("utf-8", "replace"), lines


def _trailers(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip() and value.strip():
            pairs.append((key.strip().lower(), value.strip()))
    return tuple(pairs)


class Repository:
    """A git work tree or bare repository, read through the git CLI."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.resolve().name.removesuffix(".git") or "repository"
        self._mailmap: subprocess.Popen[str] | None = None
        self._contacts: dict[str, str] = {}
        self._check()

    def _git(self, *args: str) -> list[str]:
        return ["git", "--no-pager", "-C", str(self.path), *_SAFE, *args]

    def _run(self, *args: str, stdin: str | None = None) -> str:
        done = self._try(*args, stdin=stdin)
        if done.returncode != 0:
            raise InvalidInput(f"{self.path}: git {args[0]} failed: {_first_line(done.stderr)}")
        return done.stdout

    def _try(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                self._git(*args), input=stdin, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise InvalidInput(_NO_GIT) from None

    def _check(self) -> None:
        if not self.path.is_dir():
            raise InvalidInput(f"{self.path}: expected a git work tree or bare repository")
        probe = self._try("rev-parse", "--git-dir")
        if probe.returncode != 0:
            detail = _first_line(probe.stderr)
            raise InvalidInput(f"{self.path}: not a git repository ({detail})")
        if self._try("rev-parse", "--verify", "-q", "HEAD^{commit}").returncode != 0:
            raise InvalidInput(f"{self.path}: the repository has no commits")

    def count(self, window: Sequence[str] = ()) -> int:
        """How many commits ``log`` with ``window`` would read."""
        return int(self._run("rev-list", "--count", *window, "HEAD").strip() or 0)

    def log(self, window: Sequence[str] = ()) -> Iterator[Commit]:
        """Every commit reachable from HEAD, oldest first, streamed."""
        args = [*_LOG, "--reverse", f"--format={FORMAT}", *window, "HEAD", "--"]
        yield from self._stream(args)

    def on_first_parent_line(self, shas: Iterable[str]) -> set[str]:
        """Those of ``shas`` (full) on HEAD's first-parent line: the mainline, as merged into."""
        wanted, found = set(shas), set[str]()
        if not wanted:
            return found
        with tempfile.TemporaryFile() as errors:
            process = self._start(["rev-list", "--first-parent", "HEAD"], errors, False)
            assert process.stdout is not None
            for line in process.stdout:
                if (sha := line.strip().decode()) in wanted:
                    found.add(sha)
            process.wait()
        return found

    def commits(self, shas: Iterable[str]) -> dict[str, Commit]:
        """The commits that ``shas`` (full or abbreviated) name; unknown names are left out."""
        found: dict[str, Commit] = {}
        for batch in _batches(list(dict.fromkeys(shas))):
            full = self._expand(batch)
            if full:
                args = [*_LOG, "--no-walk=unsorted", "--stdin", f"--format={FORMAT}"]
                by_sha = {c.sha: c for c in self._stream(args, "\n".join(full.values()) + "\n")}
                found.update({short: by_sha[sha] for short, sha in full.items() if sha in by_sha})
        return found

    def _expand(self, names: Sequence[str]) -> dict[str, str]:
        text = self._run(
            "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="\n".join(names) + "\n"
        )
        lines = text.splitlines()
        return {
            name: line.split()[0]
            for name, line in zip(names, lines, strict=False)
            if line.endswith(" commit")
        }

    def _stream(self, args: Sequence[str], stdin: str | None = None) -> Iterator[Commit]:
        with tempfile.TemporaryFile() as errors:
            process = self._start(args, errors, stdin is not None)
            try:
                if stdin is not None and process.stdin is not None:
                    process.stdin.write(stdin.encode())
                    process.stdin.close()
                yield from _read(process)
            finally:
                if process.poll() is None:
                    process.kill()
                code = process.wait()
            if code != 0:
                errors.seek(0)
                detail = _first_line(errors.read().decode("utf-8", "replace"))
                raise InvalidInput(f"{self.path}: git log failed: {detail}")

    def _start(
        self, args: Sequence[str], errors: IO[bytes], stdin: bool
    ) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                self._git(*args),
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except FileNotFoundError:
            raise InvalidInput(_NO_GIT) from None

    def mailmap(self, name: str, email: str) -> tuple[str, str]:
        """``name`` and ``email`` as the repository's ``.mailmap`` maps them."""
        contact = f"{' '.join(name.split())} <{email}>"
        mapped = self._contacts.get(contact)
        if mapped is None:
            mapped = self._contacts[contact] = self._check_mailmap(contact)
        shown, _, rest = mapped.rpartition(" <")
        return shown, rest.removesuffix(">")

    def _check_mailmap(self, contact: str) -> str:
        if self._mailmap is None:
            self._mailmap = subprocess.Popen(
                self._git("check-mailmap", "--stdin"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        assert self._mailmap.stdin is not None and self._mailmap.stdout is not None
        self._mailmap.stdin.write(contact + "\n")
        self._mailmap.stdin.flush()
        return self._mailmap.stdout.readline().rstrip("\n") or contact

    def close(self) -> None:
        """Stop the helper process, if one was started."""
        if self._mailmap is not None:
            if self._mailmap.stdin is not None:
                self._mailmap.stdin.close()
            self._mailmap.wait()
            self._mailmap = None


def _read(process: subprocess.Popen[bytes]) -> Iterator[Commit]:
    assert process.stdout is not None
    stdout = process.stdout
    yield from parse_log(iter(lambda: stdout.read(_READ_BYTES), b""))


def parse_log(chunks: Iterable[bytes]) -> Iterator[Commit]:
    """The commits in ``git log -z --format=FORMAT --numstat`` output, however it is chunked."""
    parser, rest = _Parser(), b""
    for chunk in chunks:
        tokens = (rest + chunk).split(b"\0")
        rest = tokens.pop()
        yield from parser.feed(tokens)
    yield from parser.feed([rest] if rest else [])
    yield from parser.finish()


def _batches(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no detail given"
