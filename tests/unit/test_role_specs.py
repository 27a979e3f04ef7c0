"""Every role's meta/argument_specs.yml in step with its defaults/main.yml.

- every variable in defaults/main.yml is an option of the `main` entry point, with the same
  default (a role user reads one place and finds the other agreeing);
- every option of any entry point that has a default is in defaults/main.yml (nothing is
  documented that the role does not set), unless it is a required parameter of that entry point;
- every option says its type, and has a description;
- every description is about its own option: it shares a meaningful word with the option's
  name, the comment directly above the variable in defaults/main.yml or the role README's lines
  that name it; it does not read as the defaults comment of another variable (the way the
  descriptions of `mlflow_replicas` and the `*_resources` options once repeated the comment of
  the uid/gid above them); and no two options of a role share one description.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = ROOT / "roles"
ALL_ROLES = sorted(p.name for p in ROLES.iterdir() if (p / "tasks").is_dir())


def load(path: Path):
    return yaml.safe_load(path.read_text()) if path.exists() else None


def options(entry: dict) -> dict:
    return entry.get("options") or {}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_argument_specs_match_defaults(role):
    defaults = load(ROLES / role / "defaults" / "main.yml") or {}
    specs = load(ROLES / role / "meta" / "argument_specs.yml")
    assert specs, f"roles/{role}/meta/argument_specs.yml is missing"
    entries = specs["argument_specs"]
    assert "main" in entries, f"roles/{role}: no `main` entry point"
    main = options(entries["main"])
    missing = sorted(set(defaults) - set(main))
    assert not missing, f"roles/{role}: defaults without an argument spec: {missing}"
    for name, value in defaults.items():
        if "default" in main[name]:
            documented = main[name]["default"]
            assert documented == value, f"roles/{role}: {name} defaults differ ({documented!r} vs {value!r})"
    for entry_name, entry in entries.items():
        for name, spec in options(entry).items():
            assert spec.get("type"), f"roles/{role} {entry_name}: {name} has no type"
            assert spec.get("description"), f"roles/{role} {entry_name}: {name} has no description"
            if spec.get("required"):
                continue
            assert name in defaults, f"roles/{role} {entry_name}: option {name} is not in defaults/main.yml"


def test_every_role_is_covered():
    assert {"platform", "storage", "postgres", "minio", "mlflow"} <= set(ALL_ROLES)


# Words that say nothing about which option a text is about: English glue, and the names of the
# services and the platform, which nearly every description mentions.
_STOPWORD_TEXT = """a an and any are as at be because been before both but by can do each else empty every for from
given has have how if in into is it its may means more most must no none nor not of off on once
one only or other own per set sets so such than that the their them then there these they this
those through to too under up use used uses using via we what when where whether which while who
whose will with within without yes
mlflow minio postgres postgresql platform onprem role roles"""
STOPWORDS = set(_STOPWORD_TEXT.split())


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    """The meaningful words of a text, identifiers split at underscores (minio_uid: uid)."""
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    return {stem(t) for t in tokens if len(t) >= 2 and not t.isdigit() and t not in STOPWORDS}


def defaults_comments(defaults_text: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each top-level variable's own comment, the comment lines directly above it (none when
    another variable, a value or a blank line comes between); and, for a variable without one,
    the variable above it whose comment may cover it too (the same run of lines, no blank line
    between)."""
    comments, leaders, block, leader = {}, {}, [], None
    for line in defaults_text.splitlines():
        if line.startswith("#"):
            block.append(line.lstrip("#"))
            continue
        match = re.match(r"([A-Za-z_][A-Za-z0-9_]*):", line)
        if match:
            name = match.group(1)
            comments[name] = " ".join(block)
            if block:
                leader = name
            elif leader:
                leaders[name] = leader
        elif not line.strip():
            leader = None
        block = []
    return comments, leaders


def own_comments(defaults_text: str) -> dict[str, str]:
    return defaults_comments(defaults_text)[0]


def readme_lines(readme_text: str, names: set[str]) -> dict[str, str]:
    """The README lines that name each option; `a_b_c`, `_d` on one line also names a_b_d."""
    found: dict[str, list[str]] = {}
    for line in readme_text.splitlines():
        named = set(re.findall(r"[a-z][a-z0-9_]*", line)) & names
        ticked = re.findall(r"`([a-z_][a-z0-9_]*)`", line)
        full = [t for t in ticked if not t.startswith("_")]
        if full:
            base = full[0].rsplit("_", 1)[0]
            named |= {base + t for t in ticked if t.startswith("_")} & names
        for name in named:
            found.setdefault(name, []).append(line)
    return {name: " ".join(lines) for name, lines in found.items()}


def description_text(spec: dict) -> str:
    text = spec.get("description") or ""
    return " ".join(text) if isinstance(text, list) else str(text)


def description_problems(role: str, specs: dict, defaults_text: str, readme_text: str) -> list[str]:
    entries = specs["argument_specs"]
    described = {}  # option name -> description, over every entry point
    for entry in entries.values():
        for name, spec in options(entry).items():
            described.setdefault(name, description_text(spec))
    comments, leaders = defaults_comments(defaults_text)
    readme = readme_lines(readme_text, set(described))
    role_word = {stem(role)}
    problems = []

    by_text: dict[str, list[str]] = {}
    for name, text in described.items():
        by_text.setdefault(" ".join(text.lower().split()), []).append(name)
    for names in by_text.values():
        if len(names) > 1:
            problems.append(f"{', '.join(sorted(names))} share one description")

    for name, text in described.items():
        said = words(text) - role_word
        name_words = words(name.removeprefix(f"{role}_"))
        evidence = (name_words | words(comments.get(name, "")) | words(readme.get(name, ""))) - role_word
        if not said & evidence:
            problems.append(
                f"{name}: the description {text!r} shares no word with the option's name, its comment in "
                "defaults/main.yml or the README lines that name it"
            )
            continue
        # A description copied from the comment of another variable (other than the one whose
        # comment covers this one too): it repeats most of that comment, and most of its words
        # come from there rather than from anything about the option itself.
        for other, comment in comments.items():
            if other in (name, leaders.get(name)) or not comment:
                continue
            comment_words = words(comment) - role_word
            theirs = said & comment_words
            if (
                len(theirs) >= 0.75 * len(said)
                and len(theirs) >= 0.6 * len(comment_words)
                and len(theirs) > len(said & evidence)
            ):
                problems.append(f"{name}: the description reads as the defaults comment of {other}: {text!r}")
    return problems


def role_sources(role: str):
    specs = load(ROLES / role / "meta" / "argument_specs.yml")
    defaults = ROLES / role / "defaults" / "main.yml"
    readme = ROLES / role / "README.md"
    return (specs, defaults.read_text() if defaults.exists() else "", readme.read_text() if readme.exists() else "")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_descriptions_are_about_their_own_option(role):
    specs, defaults_text, readme_text = role_sources(role)
    problems = description_problems(role, specs, defaults_text, readme_text)
    assert not problems, f"roles/{role}/meta/argument_specs.yml:\n" + "\n".join(problems)


def test_description_check_catches_copied_descriptions():
    # The drift this guards against, replayed on today's mlflow role: descriptions taken from the
    # comment of other variables (one unrelated to the option's name, one that shares words with
    # it), and two options given the same text.
    specs, defaults_text, readme_text = role_sources("mlflow")
    main = specs["argument_specs"]["main"]["options"]
    comments = own_comments(defaults_text)
    assert comments["mlflow_uid"], "the mlflow_uid comment this test copies is gone"
    broken = copy.deepcopy(specs)
    broken_main = broken["argument_specs"]["main"]["options"]
    broken_main["mlflow_replicas"]["description"] = [comments["mlflow_uid"].strip()]
    broken_main["mlflow_resources"]["description"] = main["mlflow_nodes"]["description"]
    broken_main["mlflow_ingress_host"]["description"] = [comments["mlflow_allowed_hosts_extra"].strip()]
    problems = description_problems("mlflow", broken, defaults_text, readme_text)
    assert any(
        p.startswith("mlflow_ingress_host: the description reads as the defaults comment of mlflow_allowed_hosts_extra")
        for p in problems
    ), problems
    assert any(p.startswith("mlflow_replicas:") for p in problems), problems
    assert any(p.startswith("mlflow_resources:") for p in problems), problems
    assert any("mlflow_nodes, mlflow_resources share one description" in p for p in problems), problems
    assert not description_problems("mlflow", specs, defaults_text, readme_text)


def test_node_prep_owns_the_volumes_with_the_workloads_uids():
    """The one value two plays need: the node play (node_prep) cannot read the platform roles'
    defaults, so node_prep's default owners restate postgres_uid/gid and minio_uid/gid, and the
    example inventory derives them from those variables; either way they must agree."""
    node_prep = load(ROOT / "roles/node_prep/defaults/main.yml")["node_prep_workloads"]
    for workload in ("postgres", "minio"):
        defaults = load(ROOT / f"roles/{workload}/defaults/main.yml")
        assert node_prep[workload]["owner"] == str(defaults[f"{workload}_uid"]), workload
        assert node_prep[workload]["group"] == str(defaults[f"{workload}_gid"]), workload
    example = load(ROOT / "inventories/example/group_vars/all/node_prep.yml")["node_prep_workloads"]
    assert example["postgres"]["owner"] == "{{ postgres_uid }}" and example["minio"]["owner"] == "{{ minio_uid }}"
