"""onprem.mlflow.mlflow_workspace_member and mlflow_workspace_members against the real MLflow server."""

from __future__ import annotations

from harness.playbook import run_playbook
from mlflow_helpers import MEMBERS_PLAYBOOK, admin_env, new_password, user_roles

STEPS = """
- name: mlflow_workspace_member, step by step
  hosts: all
  gather_facts: false
  tasks:
    - name: One call per step
      onprem.mlflow.mlflow_workspace_member:
        workspace: "{{ item.ws }}"
        username: "{{ u }}"
        role: "{{ item.role | default(omit) }}"
        state: "{{ item.state | default('present') }}"
      check_mode: "{{ item.check | default(false) }}"
      loop: "{{ steps }}"
      register: r
    - name: Each step changed exactly what it should
      ansible.builtin.assert:
        that: (r.results | map(attribute='changed') | list) == (steps | map(attribute='changed') | list)
"""


def test_member_lifecycle_role_change_several_workspaces_and_synthetic_roles(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    user, password = f"mem-{uniq}", new_password()
    ws1, ws2 = f"mem1-{uniq}", f"mem2-{uniq}"
    status, _ = mlflow_server.request("POST", "/api/2.0/mlflow/users/create", {"username": user, "password": password})
    assert status == 200
    for ws in (ws1, ws2):
        assert mlflow_server.request("POST", "/api/3.0/mlflow/workspaces", {"name": ws})[0] == 201
    # A custom role in ws1, made by an admin, with workspace USE.
    status, body = mlflow_server.request("POST", "/api/3.0/mlflow/roles/create", {"name": "reviewer", "workspace": ws1})
    assert status == 200, body
    assert mlflow_server.request("POST", "/api/3.0/mlflow/roles/permissions/add", {
        "role_id": body["role"]["id"], "resource_type": "workspace", "resource_pattern": "*",
        "permission": "USE"})[0] == 200

    def run(*steps):
        result = run_playbook(STEPS, env=env, diff=True, extra_vars={"u": user, "steps": list(steps)})
        assert result.rc == 0, result.output[-4000:]
        return result

    run({"ws": ws1, "check": True, "changed": True})
    assert user_roles(mlflow_server, user) == []
    first = run({"ws": ws1, "changed": True}, {"ws": ws1, "changed": False})
    assert "+    - user" in first.output.splitlines()
    assert user_roles(mlflow_server, user) == [(ws1, "user")]

    # The member creates an experiment: MLflow gives it a synthetic __user_<id>__ role in ws1.
    status, _ = mlflow_server.request("POST", "/api/2.0/mlflow/experiments/create", {"name": "mine"},
                                      auth=(user, password), headers={"X-MLFLOW-WORKSPACE": ws1})
    assert status == 200
    synthetic = [r for w, r in user_roles(mlflow_server, user) if r.startswith("__user_")]
    assert len(synthetic) == 1

    # Changing the role replaces it; the same user joins a second workspace; the synthetic role stays.
    changes = run({"ws": ws1, "role": "admin", "changed": True}, {"ws": ws1, "role": "admin", "changed": False},
                  {"ws": ws2, "changed": True})
    assert {"-    - user", "+    - admin"} <= set(changes.output.splitlines())
    assert user_roles(mlflow_server, user) == sorted([(ws1, "admin"), (ws1, synthetic[0]), (ws2, "user")])

    run({"ws": ws1, "role": "reviewer", "changed": True},
        {"ws": ws1, "state": "absent", "check": True, "changed": True})
    assert user_roles(mlflow_server, user) == sorted([(ws1, "reviewer"), (ws1, synthetic[0]), (ws2, "user")])

    run({"ws": ws1, "state": "absent", "changed": True}, {"ws": ws1, "state": "absent", "changed": False})
    assert user_roles(mlflow_server, user) == sorted([(ws1, synthetic[0]), (ws2, "user")])


BULK = MEMBERS_PLAYBOOK


def test_members_bulk_checks_everything_before_a_change(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    users = [f"bm{i}-{uniq}" for i in range(2)]
    ws = f"bm-{uniq}"
    for user in users:
        assert mlflow_server.request("POST", "/api/2.0/mlflow/users/create",
                                     {"username": user, "password": new_password()})[0] == 200
    assert mlflow_server.request("POST", "/api/3.0/mlflow/workspaces", {"name": ws})[0] == 201
    members = [{"workspace": ws, "username": users[0], "role": "admin"}, {"workspace": ws, "username": users[1]}]

    unknown = run_playbook(BULK, env=env, extra_vars={"members": [
        *members, {"workspace": f"nope-{uniq}", "username": users[0]}, {"workspace": ws, "username": f"ghost-{uniq}"}]})
    assert unknown.rc != 0
    assert f"workspace nope-{uniq} does not exist: create it first" in unknown.output
    assert f"user ghost-{uniq} does not exist: create it first" in unknown.output
    bad_role = run_playbook(BULK, env=env, extra_vars={"members": [
        members[0], {"workspace": ws, "username": users[1], "role": "nope"}]})
    assert bad_role.rc != 0
    assert f"role nope does not exist in workspace {ws}" in bad_role.output
    assert all(user_roles(mlflow_server, u) == [] for u in users)

    assert run_playbook(BULK, env=env, check=True, extra_vars={"members": members}).changed == 1
    assert all(user_roles(mlflow_server, u) == [] for u in users)
    assert run_playbook(BULK, env=env, extra_vars={"members": members}).changed == 1
    assert user_roles(mlflow_server, users[0]) == [(ws, "admin")]
    assert user_roles(mlflow_server, users[1]) == [(ws, "user")]
    assert run_playbook(BULK, env=env, extra_vars={"members": members}).changed == 0
    gone = [dict(m, state="absent") for m in members]
    assert run_playbook(BULK, env=env, extra_vars={"members": gone}).changed == 1
    assert all(user_roles(mlflow_server, u) == [] for u in users)
