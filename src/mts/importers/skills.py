"""Skills from the paths a change touches: by default top-level directories and file types.

A path gives up to two skills: its top-level directory (``drivers/gpu/x.c``
gives ``drivers``; files at the root give none) and its language or file
type (``.c`` gives ``c``, ``.md`` gives ``docs``; unknown types give none).
A change's skill tags count, per skill, the paths that gave it, keeping the
``MAX_TAGS`` largest.

A skills map (``--skills-map FILE``, a CSV with columns ``pattern`` and
``skills``) overrides the defaults: the first rule whose glob matches a path
gives its skills (``skill`` or ``skill:weight`` separated by ``;``); a rule
with no skills drops the path (vendored or generated code). Paths no rule
matches keep the default skills. In a pattern ``*`` matches any characters,
``/`` included, and ``?`` one character.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mts.domain.evidence import SkillTag
from mts.domain.people import Skill
from mts.importers import fields as f
from mts.importers.files import read_file
from mts.importers.records import Column, RecordKind
from mts.services.history import slug

MAX_TAGS = 5
"""At most this many skills per change: a tree-wide change is not evidence of every skill."""

LANGUAGES: dict[str, str] = {
    **dict.fromkeys((".py", ".pyi", ".pyx", ".ipynb"), "python"),
    **dict.fromkeys((".c", ".h"), "c"),
    **dict.fromkeys((".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx"), "cpp"),
    **dict.fromkeys((".cu", ".cuh"), "cuda"),
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    **dict.fromkeys((".kt", ".kts"), "kotlin"),
    ".scala": "scala",
    ".swift": "swift",
    **dict.fromkeys((".m", ".mm"), "objective-c"),
    ".cs": "csharp",
    **dict.fromkeys((".js", ".jsx", ".mjs", ".cjs", ".vue", ".svelte"), "javascript"),
    **dict.fromkeys((".ts", ".tsx"), "typescript"),
    **dict.fromkeys((".html", ".css", ".scss", ".less"), "web"),
    ".rb": "ruby",
    ".php": "php",
    **dict.fromkeys((".sh", ".bash", ".zsh"), "shell"),
    ".sql": "sql",
    ".r": "r",
    ".jl": "julia",
    ".lua": "lua",
    ".hs": "haskell",
    **dict.fromkeys((".ml", ".mli"), "ocaml"),
    **dict.fromkeys((".ex", ".exs", ".erl"), "erlang-vm"),
    **dict.fromkeys((".s", ".asm"), "assembly"),
    **dict.fromkeys((".dts", ".dtsi"), "devicetree"),
    ".proto": "protobuf",
    ".tf": "terraform",
    **dict.fromkeys((".md", ".rst", ".adoc", ".tex", ".txt"), "docs"),
    **dict.fromkeys((".yml", ".yaml", ".toml", ".json", ".ini", ".cfg"), "config"),
}
"""File suffix (lower-case) -> skill."""

FILE_NAMES: dict[str, str] = {
    **dict.fromkeys(
        ("makefile", "dockerfile", "cmakelists.txt", "kconfig", "kbuild", "meson.build"), "build"
    ),
    **dict.fromkeys(("readme", "changelog", "news"), "docs"),
}
"""Whole file names (lower-case) whose type no suffix tells."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillRule:
    """Paths matching ``pattern`` exercise ``skills``; none means the paths are ignored."""

    pattern: str
    skills: tuple[tuple[Skill, float], ...]


SKILLS_MAP = RecordKind(
    name="skills-map",
    columns=(Column("pattern", f.text), Column("skills", f.weighted_skills, required=False)),
    key=lambda c: str(c["pattern"]),
    build=lambda c: SkillRule(pattern=c["pattern"], skills=c["skills"] or ()),
    flatten=lambda r: {
        "pattern": r.pattern,
        "skills": ";".join(f"{s}:{w:g}" for s, w in r.skills),
    },
)


def read_skills_map(path: Path) -> list[SkillRule]:
    """The rules of a skills-map file, or ``ImportRejected`` naming every bad row and column."""
    parsed = read_file(SKILLS_MAP, path, file_format="csv")
    parsed.raise_if_problems()
    return list(parsed.values)


def default_skills(path: str) -> tuple[tuple[Skill, float], ...]:
    """The top-level directory and the file type of ``path``, each with weight 1."""
    head, slash, _ = path.partition("/")
    name = path.rsplit("/", 1)[-1].lower()
    found: list[str] = []
    if slash and head.strip("."):
        found.append(slug(head))
    suffix = name[name.rfind(".") :] if "." in name.lstrip(".") else ""
    kind = LANGUAGES.get(suffix) or FILE_NAMES.get(name) or FILE_NAMES.get(name.split(".")[0])
    if kind is not None and kind not in found:
        found.append(kind)
    return tuple((Skill(s), 1.0) for s in found)


class PathSkills:
    """Turns the paths of a change into skill tags, remembering each path's answer."""

    _CACHE_LIMIT = 1 << 16

    def __init__(self, rules: Sequence[SkillRule] = ()) -> None:
        self._rules = [(re.compile(fnmatch.translate(r.pattern)), r.skills) for r in rules]
        self._cache: dict[str, tuple[tuple[Skill, float], ...]] = {}

    def of_path(self, path: str) -> tuple[tuple[Skill, float], ...]:
        """The skills ``path`` exercises."""
        found = self._cache.get(path)
        if found is None:
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()  # keeps memory bounded on huge trees
            found = self._cache[path] = self._lookup(path)
        return found

    def _lookup(self, path: str) -> tuple[tuple[Skill, float], ...]:
        for pattern, skills in self._rules:
            if pattern.match(path):
                return skills
        return default_skills(path)

    def tags(self, paths: Iterable[str]) -> tuple[SkillTag, ...]:
        """The ``MAX_TAGS`` skills most of ``paths`` exercise, weighted by how many did."""
        totals: dict[Skill, float] = {}
        for path in paths:
            for skill, weight in self.of_path(path):
                totals[skill] = totals.get(skill, 0.0) + weight
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:MAX_TAGS]
        return tuple(SkillTag(skill=skill, weight=weight) for skill, weight in ranked)
