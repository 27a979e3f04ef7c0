"""The node_prep role on Debian 12 node containers: `molecule test -s node_prep`.

Real here: podman containers made from a debootstrap root file system (built by the scenario's
create.yml once, then cached as localhost/onprem-mlflow-node:bookworm), packages installed from
Debian's archive, directories, exports file, exportfs, filesystems on disk images.
Not exercised (an unprivileged container cannot): the kernel NFS server, mounting, real disks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness.budget import cache_state

ROOT = Path(__file__).resolve().parents[2]
NODE_IMAGE = "localhost/onprem-mlflow-node:bookworm"  # molecule/node_prep/create.yml builds it when missing
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The virtual environment's molecule and ansible-playbook first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # Podman's defaults fail on these machines (cgroups v1 hybrid, capped RLIMIT_NPROC).
    env["CONTAINERS_CONF"] = str(ROOT / "molecule" / "containers.conf")
    env["NO_COLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "false"
    env["PY_COLORS"] = "0"
    return env


@pytest.mark.slow
def test_node_prep_scenario():
    assert shutil.which("podman"), "podman is not installed: apt-get install podman runc debootstrap"
    env = _env()
    # A podman that cannot start a container fails here with its own error, not 10 steps later.
    probe = subprocess.run(
        ["podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, f"podman info failed:\n{probe.stderr}"
    image = subprocess.run(["podman", "image", "exists", NODE_IMAGE], cwd=ROOT, env=env, timeout=120)
    cache_state("molecule node image", image.returncode == 0, NODE_IMAGE)

    result = subprocess.run(
        ["molecule", "test", "-s", "node_prep"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"molecule test -s node_prep failed:\n{output[-12000:]}"
    # Every step that carries an assertion ran and passed (a sequence that skipped one is no pass).
    for step in ("check", "converge", "idempotence", "verify", "destroy"):
        assert re.search(rf"node_prep \S+ {step}: Executed: Successful", output), (
            f"molecule did not report '{step}' as successful:\n{output[-6000:]}"
        )
    leftover = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}}", "--filter", "name=onprem-mlflow-"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert leftover.stdout.split() == [], f"containers left behind: {leftover.stdout}"
