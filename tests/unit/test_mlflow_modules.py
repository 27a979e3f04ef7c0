"""The seven onprem.mlflow.mlflow_* modules run in-process (module_utils/mlflow/module.py's
MlflowModule) against the in-memory server: one calling convention, the common checks, the
error mapping, and the single, list and roster forms of membership through one converge."""
# ruff: noqa: S106 - test passwords

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible.module_utils.testing import patch_module_args
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow import members, module
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError
from ansible_collections.onprem.mlflow.plugins.modules import (
    mlflow_user,
    mlflow_users,
    mlflow_workspace,
    mlflow_workspace_member,
    mlflow_workspace_members,
    mlflow_workspace_rosters,
    mlflow_workspaces,
)
from mlflow_fake import FakeMlflow

ADMIN_PW = "the-admin-password-123"
CONNECTION = {"tracking_uri": "http://mlflow.invalid", "admin_username": "admin", "admin_password": ADMIN_PW}
ROLES = [{"id": 1, "name": "admin", "workspace": "a"}, {"id": 2, "name": "user", "workspace": "a"}]

LIST_MODULES = {
    mlflow_users: {"users": [{"username": "alice"}]},
    mlflow_workspaces: {"workspaces": [{"name": "team-a"}]},
    mlflow_workspace_members: {"members": [{"workspace": "a", "username": "alice"}]},
    mlflow_workspace_rosters: {"rosters": [{"workspace": "a", "members": [{"username": "alice"}]}]},
}


@pytest.fixture
def fake(monkeypatch):
    server = FakeMlflow(users=[{"id": 1, "username": "admin", "is_admin": True},
                               {"id": 7, "username": "alice", "is_admin": False, "roles": [ROLES[1]]},
                               {"id": 8, "username": "bob", "is_admin": False, "roles": [ROLES[0]]}],
                        workspaces=[{"name": "a"}], roles=ROLES)
    built = []

    def client(**params):
        built.append(params)
        return server

    monkeypatch.setattr(module, "MlflowClient", client)
    server.built = built
    return server


def run(mod, capsys, check_mode=False, **args):
    args = dict(CONNECTION, **args)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        mod.main()
    result = json.loads(capsys.readouterr().out)
    assert (info.value.code != 0) == bool(result.get("failed")), result
    return result


@pytest.mark.parametrize("mod", list(LIST_MODULES), ids=lambda mod: mod.__name__.rsplit(".", 1)[-1])
@pytest.mark.parametrize("workers", [0, -2])
def test_every_list_module_refuses_workers_below_one_before_any_request(fake, capsys, mod, workers):
    result = run(mod, capsys, workers=workers, **LIST_MODULES[mod])
    assert result["failed"] and not result["changed"]
    assert result["msg"] == "workers must be 1 or more (requests in flight at once), not %d" % workers
    assert fake.built == [] and fake.calls == []


@pytest.mark.parametrize("mod", list(LIST_MODULES), ids=lambda mod: mod.__name__.rsplit(".", 1)[-1])
def test_every_list_module_takes_workers_from_one(fake, capsys, mod):
    result = run(mod, capsys, workers=1, **LIST_MODULES[mod])
    assert not result.get("failed"), result
    assert fake.built == [dict(CONNECTION, validate_certs=True, ca_path=None, timeout=30)]


def test_bad_input_and_server_errors_fail_with_safe_messages(fake, capsys, monkeypatch):
    result = run(mlflow_user, capsys, username="carol", password="tiny-pw")
    assert result["failed"] and not result["changed"]
    assert "shorter than the 12 characters" in result["msg"]

    def broken():
        raise MlflowError("MLflow at http://mlflow.invalid answered GET /x with HTTP 500 (INTERNAL_ERROR)", 500,
                          "INTERNAL_ERROR")

    monkeypatch.setattr(fake, "list_workspaces", broken)
    result = run(mlflow_workspace, capsys, name="team-a")
    assert result["failed"] and result["status"] == 500 and result["error_code"] == "INTERNAL_ERROR"
    assert "HTTP 500" in result["msg"]
    assert ADMIN_PW not in json.dumps(result)


def test_single_list_and_roster_forms_share_one_converge(fake, capsys, monkeypatch):
    seen = []
    converge_member = members.converge_member

    def spy(client, item, user, roles, check_mode):
        seen.append((item["workspace"], item["username"], item["state"]))
        return converge_member(client, item, user, roles, check_mode)

    monkeypatch.setattr(members, "converge_member", spy)
    single = run(mlflow_workspace_member, capsys, workspace="a", username="alice", role="admin", _ansible_diff=True)
    assert single["changed"] and single["member"] == {"workspace": "a", "username": "alice", "role": "admin"}
    assert single["diff"] == {"before": {"roles": ["user"]}, "after": {"roles": ["admin"]}}
    listed = run(mlflow_workspace_members, capsys, members=[{"workspace": "a", "username": "alice", "role": "admin"}],
                 exact=True)
    assert listed["changed"]  # bob, not listed, goes
    assert [(m["username"], m["state"], m["changed"]) for m in listed["members"]] == [
        ("alice", "present", False), ("bob", "absent", True)]
    roster = run(mlflow_workspace_rosters, capsys, rosters=[{"workspace": "a", "members": [{"username": "alice",
                                                                                            "role": "admin"}]}])
    assert not roster["changed"] and roster["members"][0]["roles"] == ["admin"]
    assert seen == [("a", "alice", "present"), ("a", "alice", "present"), ("a", "bob", "absent"),
                    ("a", "alice", "present")]


def test_exact_in_check_mode_reports_the_removals_and_changes_nothing(fake, capsys):
    result = run(mlflow_workspace_members, capsys, check_mode=True, exact=True,
                 members=[{"workspace": "a", "username": "alice"}])
    assert result["changed"] and fake.writes == []
    assert result["diff"] == {"before": {"a/bob": ["admin"]}, "after": {"a/bob": []}}


def test_duplicates_with_different_roles_fail_every_membership_form(fake, capsys):
    twice = [{"workspace": "a", "username": "alice", "role": "admin"}, {"workspace": "a", "username": "alice"}]
    for mod, args in ((mlflow_workspace_members, {"members": twice}),
                      (mlflow_workspace_members, {"members": twice, "exact": True}),
                      (mlflow_workspace_rosters, {"rosters": [{"workspace": "a", "members": [
                          {"username": "alice", "role": "admin"}, {"username": "alice"}]}]})):
        result = run(mod, capsys, **args)
        assert result["failed"] and not result["changed"]
        assert "alice in a (with different roles: admin, user)" in result["msg"]
    assert fake.writes == []


def test_the_single_modules_return_their_keys(fake, capsys):
    user = run(mlflow_user, capsys, username="carol", password="a-long-enough-password")
    assert user["changed"] and user["actions"] == ["created"] and user["user"]["username"] == "carol"
    assert "a-long-enough-password" not in json.dumps(user)
    workspace = run(mlflow_workspace, capsys, name="team-a", description="A")
    assert workspace["workspace"] == {"name": "team-a", "description": "A", "default_artifact_root": ""}
    assert not run(mlflow_workspace, capsys, name="team-a", description="A")["changed"]
