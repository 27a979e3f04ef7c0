"""Run ansible-playbook from a test, the way a user runs it, and read the result.

    result = run_playbook(playbook_text_or_path, extra_vars={...}, env={...}, check=True)
    assert result.rc == 0, result.output
    assert result.changed == 0

The run uses the project's ansible.cfg (the collection resolves as onprem.mlflow). The recap
counts are summed over hosts; `result.output` is stdout+stderr for assertions about secrets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.M,
)


@dataclass
class PlaybookResult:
    rc: int
    output: str
    recap: dict[str, dict[str, int]]

    def _sum(self, key: str) -> int:
        return sum(host[key] for host in self.recap.values())

    @property
    def changed(self) -> int:
        return self._sum("changed")

    @property
    def failed(self) -> int:
        return self._sum("failed") + self._sum("unreachable")

    @property
    def ok(self) -> int:
        return self._sum("ok")


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    recap: dict[str, dict[str, int]] = {}
    tail = output.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in output else ""
    for match in RECAP.finditer(tail):
        recap[match.group("host")] = {k: int(v) for k, v in match.groupdict().items() if k != "host"}
    return recap


def run_playbook(playbook: str | os.PathLike, inventory: str | os.PathLike | None = None,
                 extra_vars: dict | None = None, env: dict | None = None, check: bool = False,
                 diff: bool = False, verbosity: int = 0, args: list[str] | None = None,
                 timeout: float = 1200) -> PlaybookResult:
    """Run a playbook file, or playbook YAML text (anything containing a newline)."""
    with tempfile.TemporaryDirectory(prefix="onprem-mlflow-play-") as tmp:
        path = Path(playbook) if "\n" not in str(playbook) else Path(tmp, "play.yml")
        if path.parent == Path(tmp):
            path.write_text(str(playbook))
        argv = [str(Path(sys.executable).with_name("ansible-playbook")), str(path)]
        # Without an inventory the play runs on the controller itself, with this interpreter.
        argv += ["-i", str(inventory)] if inventory else ["-i", "localhost,", "-c", "local"]
        if extra_vars:
            vars_file = Path(tmp, "extra_vars.json")
            vars_file.write_text(json.dumps(extra_vars))
            vars_file.chmod(0o600)
            argv += ["-e", f"@{vars_file}"]
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        argv += args or []
        run_env = {
            **os.environ,
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            **(env or {}),
        }
        if not inventory:
            run_env.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
        proc = subprocess.run(argv, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=timeout)
    output = proc.stdout + proc.stderr
    return PlaybookResult(proc.returncode, output, parse_recap(output))


@pytest.fixture
def playbook():
    """The `run_playbook` function, as a fixture for tests that prefer injection."""
    return run_playbook
