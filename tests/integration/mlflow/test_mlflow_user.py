"""onprem.mlflow.mlflow_user and mlflow_users against the real MLflow server (basic-auth, PostgreSQL)."""

from __future__ import annotations

import pytest
from harness.playbook import run_playbook
from mlflow_helpers import admin_env, can_login, new_password, user_exists

LIFECYCLE = """
- name: mlflow_user lifecycle
  hosts: all
  gather_facts: false
  tasks:
    - name: Create in check mode
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw1 }}"
      check_mode: true
      register: r
    - name: Check mode reports a creation without an id
      ansible.builtin.assert:
        that:
          - r.changed
          - r.user.id is none
          - r.user.username == u
          - r.actions == ['created']

    - name: Check mode created nothing
      ansible.builtin.uri:
        url: "{{ url }}/api/2.0/mlflow/users/get?username={{ u }}"
        url_username: admin
        url_password: "{{ admin_pw }}"
        force_basic_auth: true
        status_code: 404

    - name: Create, the admin password given as an option this time
      onprem.mlflow.mlflow_user:
        admin_password: "{{ admin_pw }}"
        username: "{{ u }}"
        password: "{{ pw1 }}"
      register: r
    - name: Created
      ansible.builtin.assert:
        that:
          - r.changed
          - r.user.id > 1
          - not r.user.is_admin
          - r.user.username == u
          - "'password' not in r.user"

    - name: Same again (update_password always checks the password as the user)
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw1 }}"
      register: r
    - name: Unchanged
      ansible.builtin.assert:
        that:
          - not r.changed
          - r.actions == []

    - name: Another password with update_password on_create
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw2 }}"
        update_password: on_create
      register: r
    - name: Unchanged, the password is only set on creation
      ansible.builtin.assert:
        that:
          - not r.changed

    - name: Another password, check mode
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw2 }}"
      check_mode: true
      register: r
    - name: Check mode reports the password change
      ansible.builtin.assert:
        that:
          - r.changed
          - r.actions == ['password updated']

    - name: Change the password
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw2 }}"
      register: r
    - name: Password changed
      ansible.builtin.assert:
        that:
          - r.changed
          - r.actions == ['password updated']

    - name: Same password again
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw2 }}"
      register: r
    - name: Unchanged after the change
      ansible.builtin.assert:
        that:
          - not r.changed

    - name: Make the user an admin
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        is_admin: true
      register: r
    - name: Admin flag set
      ansible.builtin.assert:
        that:
          - r.changed
          - r.user.is_admin
          - r.actions == ['admin flag set']

    - name: Admin again
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        is_admin: true
      register: r
    - name: Unchanged admin
      ansible.builtin.assert:
        that:
          - not r.changed

    - name: Remove the admin flag
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        is_admin: false
      register: r
    - name: Admin flag removed
      ansible.builtin.assert:
        that:
          - r.changed
          - not r.user.is_admin

    - name: Delete in check mode
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        state: absent
      check_mode: true
      register: r
    - name: Check mode reports the deletion
      ansible.builtin.assert:
        that:
          - r.changed
          - r.user == {}

    - name: The user survived check mode
      ansible.builtin.uri:
        url: "{{ url }}/api/2.0/mlflow/users/get?username={{ u }}"
        url_username: admin
        url_password: "{{ admin_pw }}"
        force_basic_auth: true
        status_code: 200

    - name: Delete
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        state: absent
      register: r
    - name: Deleted
      ansible.builtin.assert:
        that:
          - r.changed
          - r.actions == ['deleted']

    - name: Delete again
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        state: absent
      register: r
    - name: Nothing to delete
      ansible.builtin.assert:
        that:
          - not r.changed
"""


def test_user_lifecycle_diff_and_no_password_in_vvv_output(mlflow_server, uniq):
    username = f"life-{uniq}"
    pw1, pw2 = new_password(), new_password()
    result = run_playbook(LIFECYCLE, env=admin_env(mlflow_server), diff=True, verbosity=3, extra_vars={
        "u": username, "pw1": pw1, "pw2": pw2, "url": mlflow_server.url, "admin_pw": mlflow_server.admin_password})
    assert result.rc == 0, result.output[-6000:]
    assert result.failed == 0
    # creations, password change, admin set, admin removed, deletion (check-mode tasks count too: 3)
    assert result.changed == 8, result.output[-6000:]
    assert not user_exists(mlflow_server, username)
    # The diffs: the new password shows only as hidden, the admin flag as before/after.
    assert "+    password: (new value hidden)" in result.output
    assert "-    is_admin: false\n+    is_admin: true" in result.output
    assert f"-    username: {username}" in result.output  # the deletion's diff
    # -vvv prints every module's arguments and results: none of the passwords may appear.
    for secret in (pw1, pw2, mlflow_server.admin_password):
        assert secret not in result.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.output  # the arguments were printed, masked


BULK = """
- name: mlflow_users
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge the users
      onprem.mlflow.mlflow_users:
        users: "{{ users }}"
      register: r
    - name: Report
      ansible.builtin.debug:
        var: r.users
"""


def test_users_bulk_lifecycle(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    names = [f"bulk{i}-{uniq}" for i in range(3)]
    pws = [new_password() for _ in names]
    users = [{"username": n, "password": p, "update_password": "on_create"} for n, p in zip(names, pws, strict=True)]

    check = run_playbook(BULK, env=env, check=True, extra_vars={"users": users})
    assert check.rc == 0 and check.changed == 1, check.output[-3000:]
    assert not any(user_exists(mlflow_server, n) for n in names)

    first = run_playbook(BULK, env=env, extra_vars={"users": users})
    assert first.rc == 0 and first.changed == 1, first.output[-3000:]
    assert all(can_login(mlflow_server, n, p) for n, p in zip(names, pws, strict=True))

    again = run_playbook(BULK, env=env, extra_vars={"users": users})
    assert again.rc == 0 and again.changed == 0, again.output[-3000:]

    # One admin, one deleted, one password verified and changed; a fourth entry is bad: nothing changes.
    changed = [{"username": names[0], "is_admin": True},
               {"username": names[1], "state": "absent"},
               {"username": names[2], "password": pws[0]},
               {"username": f"new-{uniq}", "password": "tiny-pw"}]
    bad = run_playbook(BULK, env=env, extra_vars={"users": changed})
    assert bad.rc != 0
    assert "shorter than the 12 characters" in bad.output
    assert user_exists(mlflow_server, names[1])

    changed.pop()
    diff = run_playbook(BULK, env=env, diff=True, extra_vars={"users": changed})
    assert diff.rc == 0 and diff.changed == 1, diff.output[-3000:]
    assert not user_exists(mlflow_server, names[1])
    _, body = mlflow_server.request("GET", f"/api/2.0/mlflow/users/get?username={names[0]}")
    assert body["user"]["is_admin"] is True
    assert can_login(mlflow_server, names[2], pws[0])
    assert "'password updated'" in diff.output or "- password updated" in diff.output
    for secret in pws:
        assert secret not in diff.output + bad.output

    run_playbook(BULK, env=env, extra_vars={"users": [{"username": n, "state": "absent"} for n in names]})
    assert not any(user_exists(mlflow_server, n) for n in names)


ROTATE_PLAY = """
- name: Password change on a server without auth cache
  hosts: all
  gather_facts: false
  tasks:
    - name: Set the password
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw }}"
"""


@pytest.mark.slow
def test_old_password_stops_working_right_after_a_change(mlflow_server_factory, uniq):
    # The session server caches logins for 600 s per worker; this one does not, so the old
    # password must fail at once.
    server = mlflow_server_factory("pwtest", auth_cache_ttl=0)
    env = admin_env(server)
    username, old, new = f"rot-{uniq}", new_password(), new_password()
    assert run_playbook(ROTATE_PLAY, env=env, extra_vars={"u": username, "pw": old}).changed == 1
    assert can_login(server, username, old)
    result = run_playbook(ROTATE_PLAY, env=env, extra_vars={"u": username, "pw": new})
    assert result.rc == 0 and result.changed == 1, result.output[-3000:]
    assert not can_login(server, username, old)
    assert can_login(server, username, new)
    assert run_playbook(ROTATE_PLAY, env=env, extra_vars={"u": username, "pw": new}).changed == 0
