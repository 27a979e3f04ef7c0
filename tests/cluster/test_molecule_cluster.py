"""The live-cluster molecule scenario (molecule/cluster), run here against the suite's own
control plane (harness.kube_cluster): playbooks/site.yml applied, a second run with no change,
then the scenario's checks (workloads ready, claims bound to their volumes).

It uses its own platform namespace (`mlflow-molecule`, through a copy of the example's
group_vars), so it neither depends on nor disturbs tests/cluster/test_platform_apply.py, which
applies the example as it is. Without a control plane (ONPREM_MLFLOW_SKIP_CLUSTER, or none could
start) the fixture skips it: it is reported as skipped, never as passed.

The suite never applies to the cluster of your own $KUBECONFIG; run `molecule test -s cluster`
yourself for that (docs/cluster.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inventories" / "example"
NAMESPACE = "mlflow-molecule"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_molecule_cluster_scenario_on_the_suite_control_plane(kube_cluster, tmp_path):
    from kubernetes import client

    group_vars = tmp_path / "group_vars"
    shutil.copytree(EXAMPLE / "group_vars", group_vars)
    platform_vars = group_vars / "all" / "platform.yml"
    settings = yaml.safe_load(platform_vars.read_text())
    settings["platform_namespace"] = NAMESPACE
    platform_vars.write_text(yaml.safe_dump(settings, sort_keys=False))

    # kubernetes.core would read these before the scenario's kubeconfig: none of the user's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("K8S_AUTH_")}
    env.update({
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "KUBECONFIG": str(kube_cluster.kubeconfig),
        "NO_COLOR": "1",
        "PY_COLORS": "0",
        "MOLECULE_PLATFORM_INVENTORY": str(EXAMPLE / "hosts.yml"),
        "MOLECULE_PLATFORM_GROUP_VARS": f"{group_vars}/",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    molecule = Path(sys.executable).with_name("molecule")
    done = subprocess.run([str(molecule), "test", "-s", "cluster"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=3600)
    output = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, output[-8000:]
    # The scenario really ran its steps here (not a no-op that exits 0).
    for step in ("converge", "idempotence", "verify"):
        assert re.search(rf"cluster\W+{step}: Executed: Successful", output), f"no successful {step}:\n{output[-3000:]}"

    # And it really applied to this control plane, in its own namespace.
    with kube_cluster.api_client() as api:
        deployment = client.AppsV1Api(api).read_namespaced_deployment("mlflow", NAMESPACE)
        assert deployment.status.ready_replicas == deployment.spec.replicas
