"""Every role's meta/argument_specs.yml in step with its defaults/main.yml.

- every variable in defaults/main.yml is an option of the `main` entry point, with the same
  default (a role user reads one place and finds the other agreeing);
- every option of any entry point that has a default is in defaults/main.yml (nothing is
  documented that the role does not set), unless it is a required parameter of that entry point;
- every option says its type, and has a description.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[2] / "roles"
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
