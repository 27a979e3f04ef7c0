"""Unit tests of plugins/module_utils/mlflow/members.py with an in-memory server (no MLflow)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import converge_members, is_synthetic
from mlflow_fake import FakeMlflow

ROLES = [{"id": 1, "name": "admin", "workspace": "a"}, {"id": 2, "name": "user", "workspace": "a"},
         {"id": 3, "name": "admin", "workspace": "b"}, {"id": 4, "name": "user", "workspace": "b"},
         {"id": 5, "name": "reviewer", "workspace": "a"}, {"id": 9, "name": "__user_7__", "workspace": "a"}]


def server(roles_of_alice=()):
    return FakeMlflow(users=[{"id": 7, "username": "alice", "is_admin": False,
                              "roles": [r for r in ROLES if r["id"] in roles_of_alice]}],
                      workspaces=[{"name": "a"}, {"name": "b"}], roles=ROLES)


def item(workspace="a", username="alice", role="user", state="present"):
    return dict(workspace=workspace, username=username, role=role, state=state)


def test_synthetic_role_names():
    assert is_synthetic("__user_12__")
    assert not is_synthetic("user") and not is_synthetic("__user_x__")


def test_changing_the_role_assigns_first_then_unassigns_and_keeps_the_synthetic_role():
    fake = server(roles_of_alice=(2, 9))
    result = converge_members(fake, [item(role="admin")], False)
    assert fake.writes == [("assign_role", "alice", 1), ("unassign_role", "alice", 2)]
    assert result["diff"] == {"before": {"a/alice": ["user"]}, "after": {"a/alice": ["admin"]}}


def test_several_workspaces_and_a_custom_role():
    fake = server(roles_of_alice=(2,))
    converge_members(fake, [item(role="reviewer"), item(workspace="b", role="admin")], False)
    assert sorted(r["id"] for r in fake.users["alice"]["roles"]) == [3, 5]


def test_absent_removes_every_role_but_the_synthetic_one():
    fake = server(roles_of_alice=(1, 5, 9))
    converge_members(fake, [item(state="absent")], False)
    assert [r["id"] for r in fake.users["alice"]["roles"]] == [9]


def test_noop_and_check_mode_write_nothing():
    fake = server(roles_of_alice=(2,))
    assert not converge_members(fake, [item()], False)["changed"]
    assert converge_members(fake, [item(role="admin")], True)["changed"]
    assert fake.writes == []


def test_unknown_objects_fail_before_any_change():
    fake = server()
    with pytest.raises(ValueError) as exc:
        converge_members(fake, [item(workspace="b"), item(workspace="zz"), item(username="ghost", workspace="b"),
                                item(role="nope")], False)
    for text in ("workspace zz does not exist", "user ghost does not exist", "role nope does not exist in workspace a"):
        assert text in str(exc.value)
    assert fake.writes == []
    # Nothing to remove from a workspace or for a user that does not exist.
    assert not converge_members(fake, [item(workspace="zz", state="absent")], False)["changed"]


def test_synthetic_roles_cannot_be_asked_for_and_duplicates_are_refused():
    with pytest.raises(ValueError, match="per-user roles"):
        converge_members(server(), [item(role="__user_7__")], False)
    with pytest.raises(ValueError, match="more than once: alice in a"):
        converge_members(server(), [item(), item(role="admin")], False)


def test_a_noop_run_costs_three_lists_whatever_the_number_of_members():
    roles = [{"id": i, "name": "user", "workspace": f"w{i}"} for i in range(200)]
    users = [{"id": i, "username": f"u{i}", "is_admin": False, "roles": [roles[i // 2]]} for i in range(400)]
    fake = FakeMlflow(users=users, workspaces=[{"name": f"w{i}"} for i in range(200)], roles=roles)
    wanted = [item(workspace=f"w{i // 2}", username=f"u{i}") for i in range(400)]
    assert not converge_members(fake, wanted, False)["changed"]
    assert fake.calls == [("list_users",), ("list_workspaces",), ("list_roles",)]
