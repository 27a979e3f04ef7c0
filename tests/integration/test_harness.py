"""The harness itself, against the real servers it starts."""

import secrets

from harness.playbook import run_playbook


def test_postgres_is_real_and_private(postgres):
    (version,) = postgres.execute("SHOW server_version")[0]
    assert int(version.split(".")[0]) >= 13
    (listen,) = postgres.execute("SHOW listen_addresses")[0]
    assert listen == "127.0.0.1"


def test_mlflow_health_answers_without_credentials(mlflow_server):
    status, _ = mlflow_server.request("GET", "/health", auth=(None, None))
    assert status == 200


def test_mlflow_refuses_unauthenticated_requests(mlflow_server):
    status, _ = mlflow_server.request("GET", "/api/2.0/mlflow/users/get?username=admin", auth=(None, None))
    assert status == 401


def test_mlflow_refuses_a_wrong_admin_password(mlflow_server):
    status, _ = mlflow_server.request("GET", "/api/2.0/mlflow/users/get?username=admin",
                                      auth=(mlflow_server.admin_username, "not-the-admin-password"))
    assert status == 401


def test_mlflow_admin_creates_and_reads_a_user(mlflow_server):
    username = f"harness-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    status, body = mlflow_server.request("POST", "/api/2.0/mlflow/users/create",
                                         {"username": username, "password": password})
    assert status == 200, body
    assert body["user"]["username"] == username
    status, body = mlflow_server.request("GET", f"/api/2.0/mlflow/users/get?username={username}")
    assert status == 200
    assert body["user"] == {"id": body["user"]["id"], "username": username, "is_admin": False}
    # The new user authenticates with its own password, and the server knows who it is.
    status, body = mlflow_server.request("GET", "/api/2.0/mlflow/users/current", auth=(username, password))
    assert status == 200
    assert body["user"]["username"] == username


def test_mlflow_stores_its_data_in_postgres(mlflow_server, postgres):
    tables = {row[0] for row in postgres.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", dbname="session_tracking")}
    assert {"experiments", "runs", "workspaces"} <= tables
    users = postgres.execute("SELECT username FROM users", dbname="session_auth")
    assert ("admin",) in users


def test_playbook_runner_reads_the_recap():
    play = """
- name: Harness check
  hosts: all
  gather_facts: false
  tasks:
    - name: Change something
      ansible.builtin.command: "true"
      changed_when: true
    - name: Change nothing
      ansible.builtin.debug:
        msg: hello
"""
    result = run_playbook(play)
    assert result.rc == 0, result.output
    assert result.changed == 1
    assert result.ok == 2
    assert result.failed == 0
    failing = run_playbook(play.replace('"true"', '"false"'))
    assert failing.rc != 0
    assert failing.failed == 1
