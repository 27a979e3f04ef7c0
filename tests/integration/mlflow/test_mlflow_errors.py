"""Errors of the MLflow modules against the real server: each a clear message, nothing changed, no secret."""

from __future__ import annotations

from harness.playbook import run_playbook
from harness.procs import LOOPBACK, free_port
from mlflow_helpers import admin_env, get_workspace, new_password, user_exists

ERRORS = """
- name: Errors
  hosts: all
  gather_facts: false
  tasks:
    - name: Wrong admin password
      onprem.mlflow.mlflow_user:
        admin_password: "{{ wrong_admin_pw }}"
        username: "{{ prefix }}-wrongadmin"
        password: "{{ pw }}"
      register: wrong_admin
      ignore_errors: true
    - name: Server down
      onprem.mlflow.mlflow_workspace:
        tracking_uri: "{{ down_url }}"
        name: "{{ prefix }}-down"
      register: down
      ignore_errors: true
    - name: Member of an unknown workspace
      onprem.mlflow.mlflow_workspace_member:
        workspace: "{{ prefix }}-nowhere"
        username: "{{ prefix }}-member"
      register: no_workspace
      ignore_errors: true
    - name: Invalid workspace name
      onprem.mlflow.mlflow_workspace:
        name: Team_A
      register: bad_workspace
      ignore_errors: true
    - name: Reserved workspace name
      onprem.mlflow.mlflow_workspace:
        name: default
        description: mine now
      register: reserved
      ignore_errors: true
    - name: Invalid user name
      onprem.mlflow.mlflow_user:
        username: "{{ prefix }}:colon"
        password: "{{ pw }}"
      register: bad_user
      ignore_errors: true
    - name: Too short a password
      onprem.mlflow.mlflow_user:
        username: "{{ prefix }}-short"
        password: "{{ short_pw }}"
      register: short
      ignore_errors: true
    - name: A new user without a password
      onprem.mlflow.mlflow_user:
        username: "{{ prefix }}-nopw"
      register: nopw
      ignore_errors: true
    - name: Deleting the admin the module runs as
      onprem.mlflow.mlflow_user:
        username: admin
        state: absent
      register: self_delete
      ignore_errors: true
    - name: Every task failed without a change, with a message saying why
      ansible.builtin.assert:
        that:
          - item.failed
          - not item.changed
        fail_msg: "{{ item.msg | default('') }}"
      loop: "{{ [wrong_admin, down, no_workspace, bad_workspace, reserved, bad_user, short, nopw, self_delete] }}"
      loop_control:
        label: "{{ item.msg | default('') }}"
"""


def test_errors_are_clear_and_change_nothing(mlflow_server, uniq):
    prefix = f"err-{uniq}"
    member = f"{prefix}-member"
    pw = new_password()
    assert mlflow_server.request("POST", "/api/2.0/mlflow/users/create", {"username": member, "password": pw})[0] == 200
    down_url = f"http://{LOOPBACK}:{free_port()}"
    wrong_admin_pw = new_password()
    result = run_playbook(ERRORS, env=admin_env(mlflow_server), verbosity=1, extra_vars={
        "prefix": prefix, "pw": pw, "short_pw": "tooshort", "down_url": down_url, "wrong_admin_pw": wrong_admin_pw})
    out = result.output
    assert result.rc == 0, out[-6000:]
    assert result.changed == 0
    assert f"admin credentials rejected by {mlflow_server.url} (HTTP 401)" in out
    assert f"cannot reach MLflow at {down_url}: " in out
    assert f"workspace {prefix}-nowhere does not exist: create it first" in out
    assert "workspace name 'Team_A' is invalid" in out
    assert "workspace name 'default' is reserved" in out
    assert f"username '{prefix}:colon' contains ':'" in out
    assert "shorter than the 12 characters MLflow requires" in out
    assert f"password is required to create user(s) {prefix}-nopw" in out
    assert "refusing to delete admin, the admin user this module authenticates as" in out
    for name in ("wrongadmin", "short", "nopw", "colon"):
        assert not user_exists(mlflow_server, f"{prefix}-{name}")
    assert not user_exists(mlflow_server, f"{prefix}:colon")
    assert get_workspace(mlflow_server, "default")["description"] != "mine now"
    assert user_exists(mlflow_server, "admin")
    for secret in (pw, wrong_admin_pw, mlflow_server.admin_password, "tooshort"):
        assert secret not in out


DUPLICATE = """
- name: Create a user that exists, as a list entry the module did not know about
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge
      onprem.mlflow.mlflow_user:
        username: "{{ u }}"
        password: "{{ pw }}"
        update_password: on_create
"""


def test_a_server_error_carrying_a_password_hash_is_not_echoed(mlflow_server, uniq):
    # The server's duplicate-user error contains the password hash. The module checks first, so
    # provoke the error directly through the connection layer the modules use.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / ".collections"))
    from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowClient, MlflowError

    username, pw = f"dup-{uniq}", new_password()
    client = MlflowClient(mlflow_server.url, mlflow_server.admin_username, mlflow_server.admin_password)
    client.create_user(username, pw)
    try:
        client.create_user(username, pw)
    except MlflowError as exc:
        message = str(exc)
    else:
        raise AssertionError("a duplicate user was accepted")
    assert message == (f"MLflow at {mlflow_server.url} answered POST /api/2.0/mlflow/users/create with HTTP 400 "
                       "(RESOURCE_ALREADY_EXISTS)")
    assert "scrypt" not in message and "INSERT" not in message
    # And the module itself reports the existing user as unchanged rather than creating it again.
    result = run_playbook(DUPLICATE, env=admin_env(mlflow_server), extra_vars={"u": username, "pw": pw})
    assert result.rc == 0 and result.changed == 0, result.output[-3000:]
