"""The live-cluster molecule scenario (molecule/cluster): playbooks/site.yml applied to the
cluster of $KUBECONFIG, a second run with no change, and checks of the result.

Skipped, and reported as skipped, when no KUBECONFIG is set: there is no cluster to apply to.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_platform_applies_to_a_live_cluster():
    kubeconfig = os.environ.get("KUBECONFIG", "")
    if not kubeconfig or not Path(kubeconfig).is_file():
        pytest.skip("molecule/cluster needs a live cluster: set KUBECONFIG to its kubeconfig file "
                    "(nothing was applied, nothing is counted as passed)")
    molecule = Path(sys.executable).with_name("molecule")
    done = subprocess.run([str(molecule), "test", "-s", "cluster"], cwd=ROOT, capture_output=True, text=True,
                          timeout=3600, env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")})
    assert done.returncode == 0, (done.stdout + done.stderr)[-8000:]
