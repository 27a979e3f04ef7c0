"""The list modules at tenant scale on the real server: one task per kind of object, and a no-op
re-run whose cost does not grow with the number of tenants (a few list requests in all)."""

from __future__ import annotations

import time

from harness.playbook import run_playbook
from mlflow_helpers import admin_env, new_password

TENANTS = 25  # x 2 members; the unit tests show the no-op request count is the same for 200

PLAY = """
- name: Tenants at scale
  hosts: all
  gather_facts: false
  tasks:
    - name: Workspaces
      onprem.mlflow.mlflow_workspaces:
        workspaces: "{{ workspaces }}"
    - name: Users
      onprem.mlflow.mlflow_users:
        users: "{{ users }}"
    - name: Memberships
      onprem.mlflow.mlflow_workspace_members:
        members: "{{ members }}"
"""


def test_many_tenants_converge_and_rerun_as_a_fast_noop(mlflow_server, uniq):
    workspaces, users, members = [], [], []
    for t in range(TENANTS):
        ws = f"scale{t}-{uniq}"
        workspaces.append({"name": ws, "description": f"tenant {t}", "default_artifact_root": f"/srv/{ws}"})
        for role in ("admin", "user"):
            name = f"{ws}-{role}"
            users.append({"username": name, "password": new_password(), "update_password": "on_create"})
            members.append({"workspace": ws, "username": name, "role": role})
    extra = {"workspaces": workspaces, "users": users, "members": members}
    start = time.monotonic()
    first = run_playbook(PLAY, env=admin_env(mlflow_server), extra_vars=extra)
    first_elapsed = time.monotonic() - start
    assert first.rc == 0, first.output[-4000:]
    assert first.changed == 3

    mark = mlflow_server.log_mark()
    start = time.monotonic()
    again = run_playbook(PLAY, env=admin_env(mlflow_server), extra_vars=extra)
    elapsed = time.monotonic() - start
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]
    # The first run made one request per object (125 writes); the no-op reads five lists in all,
    # whatever the number of tenants. Counted in the server's access log, not timed: how fast a
    # no-op is on a given machine is the benchmarks' business (benchmarks/noop_apply.py).
    time.sleep(1)  # uvicorn writes its access line after the answer
    made = mlflow_server.requests_since(mark)
    assert sorted(made) == sorted([
        ("GET", "/api/3.0/mlflow/workspaces"), ("GET", "/api/2.0/mlflow/users/list"),
        ("GET", "/api/2.0/mlflow/users/list"), ("GET", "/api/3.0/mlflow/workspaces"),
        ("GET", "/api/3.0/mlflow/roles/list"),
    ]), f"the no-op ({elapsed:.1f} s, first run {first_elapsed:.1f} s) made {len(made)} requests: {made}"
    status, body = mlflow_server.request("GET", "/api/2.0/mlflow/users/list")
    assert status == 200
    held = {(r["workspace"], r["name"]) for u in body["users"] if u["username"] == users[-1]["username"]
            for r in u["roles"]}
    assert held == {(workspaces[-1]["name"], "user")}
