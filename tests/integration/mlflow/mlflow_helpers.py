"""Helpers of the MLflow module tests: the connection as environment variables (the modules'
documented fallbacks) and REST reads as admin to check what the modules did."""

from __future__ import annotations

import secrets

# One mlflow_workspace_members task over `members`, `exact` when given.
MEMBERS_PLAYBOOK = """
- name: mlflow_workspace_members
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge
      onprem.mlflow.mlflow_workspace_members:
        members: "{{ members }}"
        exact: "{{ exact | default(false) }}"
"""


def admin_env(server) -> dict:
    """The modules read the connection from MLFLOW_TRACKING_URI/USERNAME/PASSWORD when not given."""
    return {"MLFLOW_TRACKING_URI": server.url, "MLFLOW_TRACKING_USERNAME": server.admin_username,
            "MLFLOW_TRACKING_PASSWORD": server.admin_password}


def new_password() -> str:
    return "pw-" + secrets.token_urlsafe(15)


def user_roles(server, username: str) -> list[tuple[str, str]]:
    """(workspace, role name) of every role the user holds, synthetic ones included."""
    status, body = server.request("GET", f"/api/3.0/mlflow/users/roles/list?username={username}")
    assert status == 200, status
    return sorted((role["workspace"], role["name"]) for role in body["roles"])


def user_exists(server, username: str) -> bool:
    status, _ = server.request("GET", f"/api/2.0/mlflow/users/get?username={username}")
    assert status in (200, 404), status
    return status == 200


def get_workspace(server, name: str) -> dict | None:
    status, body = server.request("GET", f"/api/3.0/mlflow/workspaces/{name}")
    assert status in (200, 404), status
    return body["workspace"] if status == 200 else None


def can_login(server, username: str, password: str) -> bool:
    status, _ = server.request("GET", "/api/2.0/mlflow/users/current", auth=(username, password))
    assert status in (200, 401), status
    return status == 200

