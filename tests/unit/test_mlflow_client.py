"""Unit tests of plugins/module_utils/mlflow/client.py: error mapping, retries, no server answer in
messages. The HTTP layer is replaced by canned answers; no server."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from urllib.error import HTTPError, URLError

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowClient, MlflowError

URL = "http://127.0.0.1:5999"
HASH_BODY = {"error_code": "RESOURCE_ALREADY_EXISTS",
             "message": "duplicate ... password_hash: 'scrypt:32768:8:1$secret$abcdef' [SQL: INSERT INTO users]"}


class Resp:
    def __init__(self, status, body):
        self.status, self.body = status, body

    def getcode(self):
        return self.status

    def read(self):
        return json.dumps(self.body).encode()


def client(answers, monkeypatch):
    """A client whose requests get `answers` in turn (an exception, or (status, body))."""
    sleeps, seen = [], []
    c = MlflowClient(URL + "/", "admin", "admin-password-123", sleep=sleeps.append)

    def fake_open(method, path, body, username, password, headers):
        seen.append((method, path, username))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, payload = answer
        if status >= 400:
            raise HTTPError(URL + path, status, "err", {}, io.BytesIO(json.dumps(payload).encode()))
        return Resp(status, payload)

    monkeypatch.setattr(c, "_open", fake_open)
    return c, sleeps, seen


def test_rejected_admin_credentials(monkeypatch):
    c, sleeps, _ = client([(401, {})], monkeypatch)
    with pytest.raises(MlflowError, match=r"admin credentials rejected by http://127.0.0.1:5999 \(HTTP 401\)"):
        c.list_users()
    assert sleeps == []  # a 401 is not retried


def test_forbidden_is_reported_as_rejected_credentials(monkeypatch):
    c, _, _ = client([(403, {})], monkeypatch)
    with pytest.raises(MlflowError, match="admin credentials rejected"):
        c.list_workspaces()


def test_unreachable_server_is_retried_with_backoff_then_named(monkeypatch):
    refused = URLError(ConnectionRefusedError(111, "Connection refused"))
    c, sleeps, seen = client([refused] * 4, monkeypatch)
    with pytest.raises(MlflowError, match=r"cannot reach MLflow at http://127.0.0.1:5999: .*Connection refused"):
        c.list_users()
    assert sleeps == [1, 2, 4] and len(seen) == 4


def test_5xx_is_retried_until_it_succeeds(monkeypatch):
    c, sleeps, _ = client([(503, {}), (502, {}), (200, {"users": [{"username": "a"}]})], monkeypatch)
    assert c.list_users() == [{"username": "a"}]
    assert sleeps == [1, 2]


def test_a_500_that_is_a_decision_is_not_retried(monkeypatch):
    c, sleeps, _ = client([(500, {"error_code": "INVALID_STATE", "message": "still holds 1 experiment"})], monkeypatch)
    with pytest.raises(MlflowError) as exc:
        c.delete_workspace("team-a", "RESTRICT")
    assert exc.value.error_code == "INVALID_STATE" and sleeps == []


def test_error_messages_never_carry_the_server_answer(monkeypatch):
    c, _, _ = client([(400, HASH_BODY)], monkeypatch)
    with pytest.raises(MlflowError) as exc:
        c.create_user("alice", "alice-password-123")
    message = str(exc.value)
    assert message == ("MLflow at http://127.0.0.1:5999 answered POST /api/2.0/mlflow/users/create with HTTP 400 "
                       "(RESOURCE_ALREADY_EXISTS)")
    assert "scrypt" not in message and "alice-password-123" not in message
    assert exc.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_missing_endpoint_suggests_the_server_flags(monkeypatch):
    c, _, _ = client([(404, {})], monkeypatch)
    with pytest.raises(MlflowError, match="--app-name basic-auth --enable-workspaces"):
        c.list_roles()


def test_password_check_logs_in_as_the_user(monkeypatch):
    c, _, seen = client([(200, {"user": {}}), (401, {})], monkeypatch)
    assert c.password_matches("alice", "alice-password-123") is True
    assert c.password_matches("alice", "wrong-password-123") is False
    assert seen == [("GET", "/api/2.0/mlflow/users/current", "alice")] * 2


def test_own_password_change_sends_the_current_password(monkeypatch):
    bodies = []
    c, _, _ = client([(200, {})], monkeypatch)
    monkeypatch.setattr(c, "raw_request", lambda m, p, body, u, pw, h: (bodies.append(body) or (200, {})))
    c.update_password("admin", "new-admin-password-1")
    assert bodies == [{"username": "admin", "password": "new-admin-password-1",
                       "current_password": "admin-password-123"}]
