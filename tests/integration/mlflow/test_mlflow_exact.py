"""Exact membership, the refusal of a member listed twice, and the workers check, against the real
MLflow server: mlflow_workspace_members with exact, mlflow_workspace_rosters, every list module."""

from __future__ import annotations

from harness.playbook import run_playbook
from mlflow_helpers import MEMBERS_PLAYBOOK, admin_env, new_password, user_roles

MEMBERS = MEMBERS_PLAYBOOK

ROSTERS = """
- name: mlflow_workspace_rosters
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge
      onprem.mlflow.mlflow_workspace_rosters:
        rosters: "{{ rosters }}"
"""

WORKERS = """
- name: workers below 1
  hosts: all
  gather_facts: false
  tasks:
    - name: mlflow_users
      onprem.mlflow.mlflow_users:
        users: [{username: "{{ name }}", password: "{{ pw }}"}]
        workers: 0
      register: users
      ignore_errors: true
    - name: mlflow_workspaces
      onprem.mlflow.mlflow_workspaces:
        workspaces: [{name: "{{ name }}"}]
        workers: 0
      register: workspaces
      ignore_errors: true
    - name: mlflow_workspace_members
      onprem.mlflow.mlflow_workspace_members:
        members: [{workspace: "{{ name }}", username: "{{ name }}"}]
        workers: 0
      register: members
      ignore_errors: true
    - name: mlflow_workspace_rosters
      onprem.mlflow.mlflow_workspace_rosters:
        rosters: [{workspace: "{{ name }}", members: []}]
        workers: 0
      register: rosters
      ignore_errors: true
    - name: Each failed, unchanged, saying why
      ansible.builtin.assert:
        that:
          - item.failed
          - not item.changed
          - item.msg == 'workers must be 1 or more (requests in flight at once), not 0'
      loop: "{{ [users, workspaces, members, rosters] }}"
"""


def setup(server, uniq):
    users = [f"ex{i}-{uniq}" for i in range(3)]
    ws, other = f"exact-{uniq}", f"exact2-{uniq}"
    for user in users:
        assert server.request("POST", "/api/2.0/mlflow/users/create",
                              {"username": user, "password": new_password()})[0] == 200
    for name in (ws, other):
        assert server.request("POST", "/api/3.0/mlflow/workspaces", {"name": name})[0] == 201
    return users, ws, other


def test_exact_members_remove_the_unlisted_ones_check_mode_and_diff_say_so(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    users, ws, other = setup(mlflow_server, uniq)
    everyone = [{"workspace": ws, "username": u} for u in users] + [{"workspace": other, "username": users[2]}]
    assert run_playbook(MEMBERS, env=env, extra_vars={"members": everyone, "exact": False}).changed == 1
    wanted = [{"workspace": ws, "username": users[0], "role": "admin"}]

    check = run_playbook(MEMBERS, env=env, check=True, diff=True, extra_vars={"members": wanted, "exact": True})
    assert check.rc == 0 and check.changed == 1, check.output[-4000:]
    for user in users[1:]:
        assert f"{ws}/{user}" in check.output  # the diff names the members to remove
    assert user_roles(mlflow_server, users[1]) == [(ws, "user")]  # check mode changed nothing

    run = run_playbook(MEMBERS, env=env, diff=True, extra_vars={"members": wanted, "exact": True})
    assert run.rc == 0 and run.changed == 1, run.output[-4000:]
    assert user_roles(mlflow_server, users[0]) == [(ws, "admin")]
    assert user_roles(mlflow_server, users[1]) == []
    assert user_roles(mlflow_server, users[2]) == [(other, "user")]  # a workspace not named keeps its members
    again = run_playbook(MEMBERS, env=env, extra_vars={"members": wanted, "exact": True})
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]


def test_a_member_twice_with_different_roles_is_refused_in_every_form(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    users, ws, _ = setup(mlflow_server, uniq)
    twice = [{"workspace": ws, "username": users[0], "role": "admin"}, {"workspace": ws, "username": users[0]}]
    expected = f"memberships listed more than once: {users[0]} in {ws} (with different roles: admin, user)"
    for exact in (False, True):
        result = run_playbook(MEMBERS, env=env, extra_vars={"members": twice, "exact": exact})
        assert result.rc != 0 and expected in result.output, result.output[-3000:]
    rosters = [{"workspace": ws, "members": [{"username": users[0], "role": "admin"}, {"username": users[0]}]}]
    result = run_playbook(ROSTERS, env=env, extra_vars={"rosters": rosters})
    assert result.rc != 0 and expected in result.output, result.output[-3000:]
    assert user_roles(mlflow_server, users[0]) == []


def test_every_list_module_refuses_workers_below_one(mlflow_server, uniq):
    result = run_playbook(WORKERS, env=admin_env(mlflow_server), extra_vars={"name": f"w-{uniq}",
                                                                             "pw": new_password()})
    assert result.rc == 0, result.output[-4000:]
    assert result.changed == 0
    assert mlflow_server.request("GET", f"/api/2.0/mlflow/users/get?username=w-{uniq}")[0] == 404
    assert mlflow_server.request("GET", f"/api/3.0/mlflow/workspaces/w-{uniq}")[0] == 404
