"""Unit tests of plugins/module_utils/mlflow/members.py with an in-memory server (no MLflow)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow import members
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import (
    converge_members,
    converge_rosters,
    is_synthetic,
)
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


def team():
    """Workspace a: alice admin, bob user, carol reviewer (and her synthetic role); workspace b: bob admin."""
    by_id = {r["id"]: r for r in ROLES}
    people = {"alice": (1,), "bob": (2, 3), "carol": (5, 9)}
    return FakeMlflow(users=[{"id": i, "username": name, "is_admin": False, "roles": [by_id[r] for r in roles]}
                             for i, (name, roles) in enumerate(people.items(), start=7)],
                      workspaces=[{"name": "a"}, {"name": "b"}], roles=ROLES)


def test_exact_removes_the_unlisted_members_of_the_named_workspaces_only():
    fake = team()
    wanted = [item(username="alice", role="admin"), item(username="bob", role="admin")]
    check = converge_members(fake, wanted, True, exact=["a"])
    assert fake.writes == []
    assert check["changed"]
    # Check mode and diff say what would go: bob's role changes, carol is removed; b is not named.
    assert check["diff"] == {"before": {"a/bob": ["user"], "a/carol": ["reviewer"]},
                             "after": {"a/bob": ["admin"], "a/carol": []}}
    assert [(r["username"], r["state"], r["changed"]) for r in check["members"]] == [
        ("alice", "present", False), ("bob", "present", True), ("carol", "absent", True)]
    assert check["members"][2]["actions"] == ["unassigned reviewer"]

    result = converge_members(fake, wanted, False, exact=["a"])
    assert result["diff"] == check["diff"]
    assert sorted(fake.writes) == sorted([("assign_role", "bob", 1), ("unassign_role", "bob", 2),
                                          ("unassign_role", "carol", 5)])
    assert [r["id"] for r in fake.users["carol"]["roles"]] == [9]  # the synthetic role stays
    assert [r["id"] for r in fake.users["bob"]["roles"]] == [3, 1]  # workspace b untouched

    again = converge_members(fake, wanted, False, exact=["a"])
    assert not again["changed"] and again["diff"] == {"before": {}, "after": {}}
    assert len(fake.writes) == 3


def test_without_exact_unlisted_members_stay():
    fake = team()
    assert not converge_members(fake, [item(username="alice", role="admin")], False)["changed"]
    assert fake.writes == []


def test_rosters_are_the_exact_form_of_the_same_converge():
    fake = team()
    rosters = [{"workspace": "a", "members": [{"username": "alice", "role": "admin"}]},
               {"workspace": "b", "members": []}]
    result = converge_rosters(fake, rosters, False)
    assert result["diff"]["after"] == {"a/bob": [], "a/carol": [], "b/bob": []}
    assert not converge_rosters(fake, rosters, False)["changed"]


@pytest.mark.parametrize("exact", [(), ("a",)])
def test_one_member_twice_with_different_roles_is_refused_before_any_change(exact):
    fake = team()
    with pytest.raises(ValueError) as info:
        converge_members(fake, [item(username="bob", role="admin"), item(username="carol"),
                                item(username="bob", role="user")], False, exact=exact)
    assert "memberships listed more than once: bob in a (with different roles: admin, user)" in str(info.value)
    assert fake.calls == []  # refused before even reading the server


def test_rosters_refuse_a_member_listed_twice_with_different_roles_instead_of_flipping():
    fake = team()
    rosters = [{"workspace": "a", "members": [{"username": "alice", "role": "admin"},
                                              {"username": "alice", "role": "user"}]}]
    with pytest.raises(ValueError, match=r"more than once: alice in a \(with different roles: admin, user\)"):
        converge_rosters(fake, rosters, False)
    assert fake.writes == []


def test_identical_duplicates_are_refused_too_in_every_form():
    with pytest.raises(ValueError, match=r"more than once: alice in a; a user may appear once per workspace"):
        converge_members(server(), [item(), item()], False)
    with pytest.raises(ValueError, match="more than once: alice in a;"):
        converge_rosters(server(), [{"workspace": "a", "members": [{"username": "alice", "role": "user"}] * 2}],
                         False)
    with pytest.raises(ValueError, match="workspaces listed more than once: a"):
        converge_rosters(server(), [{"workspace": "a", "members": []}] * 2, False)


def test_check_mode_reports_members_of_workspaces_and_users_still_to_be_created():
    fake = server()
    wanted = [item(workspace="new"), item(username="ghost")]
    result = converge_members(fake, wanted, True)
    assert result["changed"] and fake.writes == []
    assert result["diff"]["after"] == {"new/alice": ["user"], "a/ghost": ["user"]}
    with pytest.raises(ValueError, match="workspace new does not exist"):
        converge_members(fake, wanted, False)


def test_the_changes_run_on_the_shared_thread_pool_with_workers(monkeypatch):
    seen = []
    run_all = members.run_all

    def spy(func, items, workers):
        seen.append((len(items), workers))
        return run_all(func, items, workers)

    monkeypatch.setattr(members, "run_all", spy)
    fake = FakeMlflow(users=[{"id": i, "username": f"u{i}", "is_admin": False} for i in range(20)],
                      workspaces=[{"name": "w"}], roles=[{"id": 1, "name": "user", "workspace": "w"}])
    result = converge_members(fake, [item(workspace="w", username=f"u{i}") for i in range(20)], False, workers=3)
    assert [r["username"] for r in result["members"]] == [f"u{i}" for i in range(20)]
    assert seen == [(20, 3)]
