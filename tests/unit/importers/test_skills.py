"""Skills from paths: top-level directory and file type, or a skills map."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mts.importers.skills import MAX_TAGS, PathSkills, SkillRule, default_skills


@pytest.mark.parametrize(
    ("path", "skills"),
    [
        ("drivers/gpu/drm/i915.c", ["drivers", "c"]),
        ("src/mts/cli/app.py", ["src", "python"]),
        ("Documentation/process/submitting-patches.rst", ["documentation", "docs"]),
        ("docs/guide.md", ["docs"]),
        ("README.md", ["docs"]),
        ("Makefile", ["build"]),
        ("LICENSE", []),
        (".github/workflows/ci.yml", ["github", "config"]),
        ("arch/x86/entry/entry_64.S", ["arch", "assembly"]),
    ],
)
def test_a_path_gives_its_top_level_directory_and_its_file_type(
    path: str, skills: list[str]
) -> None:
    assert [skill for skill, _ in default_skills(path)] == skills


def test_the_first_matching_rule_wins_and_an_empty_rule_drops_the_path() -> None:
    rules = [
        SkillRule(pattern="vendor/*", skills=()),
        SkillRule(pattern="src/*.rs", skills=(("systems", 2.0),)),
        SkillRule(pattern="src/*", skills=(("backend", 1.0),)),
    ]
    skills = PathSkills(rules)
    tags = skills.tags(["src/a.rs", "src/b.rs", "src/c.py", "vendor/lib.c", "docs/x.md"])
    assert [(t.skill, t.weight) for t in tags] == [
        ("systems", 4.0),
        ("backend", 1.0),
        ("docs", 1.0),
    ]


def test_a_tree_wide_change_keeps_only_its_largest_skills() -> None:
    paths = [f"dir{i}/file.py" for i in range(20)] + ["a/b.c"] * 3
    tags = PathSkills().tags(paths)
    assert len(tags) == MAX_TAGS and tags[0].skill == "python"


@given(st.lists(st.text(alphabet="ab/._Cc-xyz", min_size=1, max_size=12), max_size=15))
def test_tags_are_few_positive_and_valid_ids(paths: list[str]) -> None:
    tags = PathSkills().tags(paths)
    assert len(tags) <= MAX_TAGS and len({t.skill for t in tags}) == len(tags)
    assert all(t.weight > 0 and 0 < len(t.skill) <= 64 and " " not in t.skill for t in tags)
