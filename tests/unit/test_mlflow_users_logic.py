"""Unit tests of plugins/module_utils/mlflow/users.py with an in-memory server (no MLflow)."""
# ruff: noqa: S105, S106, S107 - test passwords and the update_password mode names are test values

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.users import converge_users, validate_user
from mlflow_fake import FakeMlflow

PW = "twelve-chars-or-more"
PW2 = "another-long-password"


def item(username="alice", password=PW, update_password="always", is_admin=None, state="present"):
    return dict(username=username, password=password, update_password=update_password, is_admin=is_admin,
                state=state)


def server():
    return FakeMlflow(users=[{"id": 1, "username": "admin", "is_admin": True},
                             {"id": 2, "username": "alice", "is_admin": False}], passwords={"alice": PW})


@pytest.mark.parametrize(("entry", "message"), [
    (item(username=""), "is empty"),
    (item(username=" bob"), "leading/trailing spaces"),
    (item(username="a:b"), "contains ':'"),
    (item(password="short"), "shorter than the 12 characters"),
    (item(username="admin", state="absent"), "refusing to delete admin"),
    (item(username="admin", is_admin=False), "refusing to remove the admin flag"),
])
def test_bad_users_are_refused(entry, message):
    assert message in validate_user(entry, "admin")


def test_good_user_passes():
    assert validate_user(item(), "admin") is None
    assert validate_user(item(username="bob", password=None, state="absent"), "admin") is None


def test_unchanged_user_verifies_the_password_and_writes_nothing():
    fake = server()
    result = converge_users(fake, [item()], check_mode=False)
    assert not result["changed"]
    assert fake.writes == []
    assert ("password_matches", "alice") in fake.calls
    assert result["users"][0]["user"] == {"id": 2, "username": "alice", "is_admin": False}
    assert result["diff"] == {"before": {}, "after": {}}


def test_on_create_never_checks_the_password():
    fake = server()
    assert not converge_users(fake, [item(password=PW2, update_password="on_create")], False)["changed"]
    assert fake.calls == [("list_users",)]


def test_password_drift_is_fixed_and_masked_in_the_diff():
    fake = server()
    result = converge_users(fake, [item(password=PW2)], check_mode=False)
    assert result["changed"]
    assert fake.writes == [("update_password", "alice")]
    assert result["diff"]["after"]["alice"]["password"] == "(new value hidden)"
    assert PW2 not in repr(result)


def test_check_mode_predicts_without_writing():
    fake = server()
    result = converge_users(fake, [item(username="bob"), item(is_admin=True), item(username="alice2", state="absent")],
                            check_mode=True)
    assert result["changed"]
    assert fake.writes == []
    assert [u["actions"] for u in result["users"]] == [["created"], ["admin flag set"], []]
    assert result["users"][0]["user"]["id"] is None


def test_missing_password_and_duplicates_fail_before_any_change():
    fake = server()
    with pytest.raises(ValueError, match="password is required to create user"):
        converge_users(fake, [item(is_admin=True), item(username="bob", password=None)], False)
    with pytest.raises(ValueError, match="users listed more than once: alice"):
        converge_users(fake, [item(), item()], False)
    assert fake.writes == []


def test_a_noop_run_costs_one_list_whatever_the_number_of_users():
    users = [{"id": i, "username": f"u{i}", "is_admin": False} for i in range(400)]
    fake = FakeMlflow(users=users)
    wanted = [item(username=f"u{i}", update_password="on_create") for i in range(400)]
    assert not converge_users(fake, wanted, False)["changed"]
    assert fake.calls == [("list_users",)]


def test_password_checks_run_on_at_most_workers_threads_with_results_in_order():
    users = [{"id": i, "username": f"u{i}", "is_admin": False} for i in range(30)]
    # Every third user's password was changed behind the module's back.
    fake = FakeMlflow(users=users, passwords={f"u{i}": PW2 if i % 3 == 0 else PW for i in range(30)})
    check, lock, in_flight, most = fake.password_matches, threading.Lock(), [0], [0]
    # Three checks must be in flight together to pass the barrier: it proves they run at once.
    barrier = threading.Barrier(3, timeout=10)

    def counted_check(username, password):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        barrier.wait()
        try:
            return check(username, password)
        finally:
            with lock:
                in_flight[0] -= 1

    fake.password_matches = counted_check
    result = converge_users(fake, [item(username=f"u{i}") for i in range(30)], False, workers=3)
    assert most[0] == 3
    assert [u["username"] for u in result["users"]] == [f"u{i}" for i in range(30)]
    assert sorted(result["diff"]["after"]) == sorted(f"u{i}" for i in range(0, 30, 3))
    assert [u["actions"] for u in result["users"]][:3] == [["password updated"], [], []]


def test_one_worker_gives_the_same_result_as_many():
    def run(workers):
        fake = server()
        return converge_users(fake, [item(password=PW2), item(username="bob"), item(username="admin", is_admin=True)],
                              False, workers=workers), sorted(fake.writes)

    assert run(1) == run(8)
