"""Unit tests of the helpers behind the tenants role's modules: workspace rosters, the bounded
thread pools, kept secrets and env files (no servers)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible_collections.onprem.mlflow.plugins.module_utils.common.files import private_dir
from ansible_collections.onprem.mlflow.plugins.module_utils.minio import bulk as minio_bulk
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow import parallel as mlflow_parallel
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import plan_members, roster_members
from ansible_collections.onprem.mlflow.plugins.modules import env_files, persisted_secrets


def user(name, *roles):
    return {"username": name, "roles": [{"workspace": ws, "name": role} for ws, role in roles]}


def test_roster_items_add_listed_and_remove_unlisted_members():
    users = {u["username"]: u for u in [
        user("alice", ("team-a", "admin"), ("team-b", "user")),
        user("bob", ("team-a", "user"), ("team-a", "__user_3__")),
        user("carol", ("team-a", "__user_4__")),  # only MLflow's synthetic role: not a member
        user("dave"),
    ]}
    rosters = [{"workspace": "team-a", "members": [{"username": "alice", "role": "admin"},
                                                   {"username": "dave", "role": "user"},
                                                   {"username": "erin", "role": "user"}]},
               {"workspace": "team-new", "members": [{"username": "alice", "role": "user"}]},
               {"workspace": "team-gone", "members": []}]
    exact = [roster["workspace"] for roster in rosters]
    items, pending = plan_members(roster_members(rosters), exact, users, {"team-a", "team-b"})
    assert {(i["workspace"], i["username"], i["state"]) for i in items} == {
        ("team-a", "alice", "present"), ("team-a", "dave", "present"), ("team-a", "bob", "absent")}
    # Users or workspaces that do not exist yet (check mode reports them, a real run refuses them).
    assert {(i["workspace"], i["username"]) for i in pending} == {("team-a", "erin"), ("team-new", "alice")}


def test_thread_pools_bound_concurrency_and_keep_order():
    running, peak, lock = [0], [0], threading.Lock()

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return item * 2

    assert minio_bulk.parallel(work, list(range(40)), workers=3) == [i * 2 for i in range(40)]
    assert peak[0] <= 3
    peak[0] = 0
    assert mlflow_parallel.run_all(work, list(range(40)), workers=5) == [i * 2 for i in range(40)]
    assert 1 < peak[0] <= 5
    assert minio_bulk.parallel(work, []) == []


def test_thread_pools_run_every_item_then_report_failures():
    done = []

    def work(item):
        done.append(item)
        if item % 2:
            raise MinioModuleError("cannot do %d" % item)
        return item

    with pytest.raises(MinioModuleError, match="cannot do 1; cannot do 3"):
        minio_bulk.parallel(work, [0, 1, 2, 3])
    assert sorted(done) == [0, 1, 2, 3]

    def fail(item):
        raise MlflowError("boom %d" % item, 500, "INTERNAL_ERROR")

    with pytest.raises(MlflowError, match=r"boom 0 \(and 2 more failed requests\)") as info:
        mlflow_parallel.run_all(fail, [0, 1, 2], 2)
    assert info.value.status == 500


def test_duplicates_and_fail_on():
    from ansible_collections.onprem.mlflow.plugins.module_utils.common.lists import listed_twice

    assert listed_twice(item["n"] for item in [{"n": "a"}, {"n": "b"}, {"n": "a"}]) == ["a"]
    twice = minio_bulk.duplicate_problems([{"n": "a"}, {"n": "a"}], "n", "buckets")
    assert twice == ["buckets listed more than once: a"]
    with pytest.raises(MinioModuleError, match="nothing was changed: x; y"):
        minio_bulk.fail_on(["x", "y"])
    minio_bulk.fail_on([])
    from ansible_collections.onprem.mlflow.plugins.module_utils.common.secrets import generate_secret

    assert len(generate_secret()) == 40


@pytest.mark.parametrize("secret_id, ok", [("mlflow-user/alice", True), ("minio-service-account/team-a", True),
                                           ("mlflow-user/alice@lab.example", True), ("mlflow-user/jörg+ml", True),
                                           ("../etc/passwd", False), ("/abs", False), ("a/../b", False),
                                           ("a/./b", False), ("a b", False), ("a//b", False), ("a/b\n", False)])
def test_secret_ids(secret_id, ok):
    assert (persisted_secrets.id_problem(secret_id) is None) is ok


def test_secret_files_are_private_and_atomic(tmp_path):
    root = tmp_path / "secrets"
    private_dir(str(root))
    path = root / "mlflow-user" / "alice"
    persisted_secrets.write_secret(str(path), "s3cr3t-value-123")
    assert persisted_secrets.read_secret(str(path)) == "s3cr3t-value-123"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700 and root.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["alice"]  # no temporary file left


def test_fingerprints_recognise_the_value_and_never_hold_it():
    kept = persisted_secrets.fingerprint("inventory-password-1")
    assert "inventory-password-1" not in kept and kept.startswith("sha256:")
    assert persisted_secrets.fingerprint_matches(kept, "inventory-password-1")
    assert not persisted_secrets.fingerprint_matches(kept, "inventory-password-2")
    assert not persisted_secrets.fingerprint_matches("a generated secret", "a generated secret")
    # Salted: the same value gives another fingerprint each time it is recorded.
    assert persisted_secrets.fingerprint("inventory-password-1") != kept


def test_env_files_render_and_refuse_unsafe_values():
    text = env_files.render({"B": "2", "A": "https://x.example.com/p?q=1"})
    assert text == "A=https://x.example.com/p?q=1\nB=2\n"
    problems = env_files.problems_of({"team-a": {"GOOD": "x", "bad key": "y", "SPACE": "a b", "DOLLAR": "a$b"},
                                      "../x": {}}, ["team-a"])
    text = " ".join(problems)
    assert "'bad key' is not a variable name" in text
    assert "the value of SPACE" in text and "the value of DOLLAR" in text and "a$b" not in text
    assert "file name '../x'" in text and "both written and absent: team-a" in text
    assert env_files.problems_of({"team-a": {"K": "v"}}, []) == []
