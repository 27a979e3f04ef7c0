"""Tenant isolation with the real `mlflow` client: two workspaces and two users put in place only by
the modules; each logs a run and an artifact in its own workspace, sees nothing of the other's,
and is refused (403) the other's experiment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from harness.playbook import run_playbook
from mlflow_helpers import admin_env, new_password

TENANTS = """
- name: Two tenants
  hosts: all
  gather_facts: false
  tasks:
    - name: Workspaces
      onprem.mlflow.mlflow_workspaces:
        workspaces: "{{ workspaces }}"
    - name: Users
      onprem.mlflow.mlflow_user:
        username: "{{ item.user }}"
        password: "{{ item.pw }}"
      loop: "{{ tenants }}"
      loop_control:
        label: "{{ item.user }}"
    - name: Each user in its own workspace
      onprem.mlflow.mlflow_workspace_member:
        workspace: "{{ item.ws }}"
        username: "{{ item.user }}"
      loop: "{{ tenants }}"
      loop_control:
        label: "{{ item.user }}"
"""

# Run as one tenant: log a run with a metric and an artifact, then look at the other workspace.
CLIENT = r"""
import json, os, sys, tempfile
import mlflow
from mlflow.exceptions import MlflowException

other_ws, other_experiment = sys.argv[1], sys.argv[2]
out = {}
exp = mlflow.set_experiment("isolation")
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.9)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.txt")
        with open(path, "w") as f:
            f.write("weights of " + os.environ["MLFLOW_WORKSPACE"])
        mlflow.log_artifact(path)
client = mlflow.MlflowClient()
out["experiment_id"] = exp.experiment_id
out["artifacts"] = [a.path for a in client.list_artifacts(run.info.run_id)]
local = client.download_artifacts(run.info.run_id, "model.txt", tempfile.mkdtemp())
out["artifact_text"] = open(local).read()
out["own_experiments"] = sorted(e.name for e in client.search_experiments())
if other_experiment != "-":
    try:
        client.get_experiment(other_experiment)
        out["other_get"] = "allowed"
    except MlflowException as exc:
        out["other_get"] = exc.get_http_status_code()
mlflow.set_workspace(other_ws)
out["other_experiments"] = sorted(e.name for e in mlflow.MlflowClient().search_experiments())
print("RESULT " + json.dumps(out))
"""


def as_tenant(server, user, pw, ws, other_ws, other_experiment="-") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(server.client_env(user, pw, ws))
    proc = subprocess.run([sys.executable, "-c", CLIENT, other_ws, other_experiment], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def test_two_tenants_are_isolated(mlflow_server, uniq):
    tenants = [{"ws": f"iso-a-{uniq}", "user": f"iso-a-{uniq}", "pw": new_password()},
               {"ws": f"iso-b-{uniq}", "user": f"iso-b-{uniq}", "pw": new_password()}]
    result = run_playbook(TENANTS, env=admin_env(mlflow_server), extra_vars={
        "tenants": tenants, "workspaces": [{"name": t["ws"]} for t in tenants]})
    assert result.rc == 0, result.output[-4000:]
    a, b = tenants

    seen_a = as_tenant(mlflow_server, a["user"], a["pw"], a["ws"], b["ws"])
    assert seen_a["artifacts"] == ["model.txt"]
    assert seen_a["artifact_text"] == f"weights of {a['ws']}"
    assert seen_a["own_experiments"] == ["isolation"]
    assert seen_a["other_experiments"] == []  # nothing of B's workspace

    seen_b = as_tenant(mlflow_server, b["user"], b["pw"], b["ws"], a["ws"], seen_a["experiment_id"])
    assert seen_b["artifacts"] == ["model.txt"]
    assert seen_b["artifact_text"] == f"weights of {b['ws']}"
    assert seen_b["own_experiments"] == ["isolation"]  # its own only, not A's of the same name
    assert seen_b["experiment_id"] != seen_a["experiment_id"]
    assert seen_b["other_get"] == 403
    assert seen_b["other_experiments"] == []
