"""Unit tests of the tenant list checks and plan (plugins/plugin_utils/tenants_spec.py); no servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible_collections.onprem.mlflow.plugins.filter.minio import minio_bucket_policy
from ansible_collections.onprem.mlflow.plugins.plugin_utils.tenants_spec import (
    TenantSpecError,
    generated_secret_ids,
    given_passwords,
    normalise_tenants,
    service_account_key,
    tenants_plan,
)

GOOD_PASSWORD = "correct-horse-battery"  # noqa: S105 - a test value


def good():
    return [
        {"name": "team-a", "quota": "50GiB", "members": [
            {"username": "alice", "role": "admin", "password": GOOD_PASSWORD}, {"username": "bob"}]},
        {"name": "team-b", "namespace": "ns-b", "members": [{"username": "alice", "role": "user"}]},
        {"name": "old-team", "state": "absent", "members": [{"username": "carol"}, {"username": "alice"}]},
    ]


def problems_of(tenants, **kwargs):
    with pytest.raises(TenantSpecError) as info:
        normalise_tenants(tenants, **kwargs)
    return str(info.value)


def test_good_list_is_normalised():
    tenants = normalise_tenants(good())
    a, b, old = tenants
    assert a["namespace"] == "team-a" and b["namespace"] == "ns-b"
    assert a["quota"] == 50 * 1024 ** 3 and a["quota_text"] == "50GiB" and b["quota"] == 0
    assert a["bucket"] == a["policy"] == a["minio_user"] == "mlflow-team-a"
    assert a["members"][1] == {"username": "bob", "role": "user", "password": None}
    assert a["workload_username"] == "team-a-workload"
    assert old["state"] == "absent" and old["purge"] is False
    assert len(a["service_account"]) == 20 and a["service_account"] == service_account_key("team-a")
    assert service_account_key("team-a") != service_account_key("team-b")


def test_empty_and_none_lists_are_fine():
    assert normalise_tenants([]) == []
    assert normalise_tenants(None) == []


@pytest.mark.parametrize("name", ["a", "Team-A", "team_a", "-team", "team-", "x" * 64, "tëam", 42])
def test_names_that_some_service_refuses(name):
    text = problems_of([{"name": name}])
    assert "mlflow_tenants[0]" in text and ("DNS-1123" in text or "must be a string" in text)


@pytest.mark.parametrize("name", ["workspaces", "api", "ajax-api", "static-files", "default"])
def test_reserved_workspace_names(name):
    assert "reserved by MLflow" in problems_of([{"name": name}])


def test_bucket_name_must_fit():
    # 59 characters of name + the 7 of the prefix is more than a bucket name's 63.
    text = problems_of([{"name": "t" * 59}])
    assert "bucket" in text and "tenants_bucket_prefix" in text
    assert normalise_tenants([{"name": "t" * 56}])[0]["bucket"] == "mlflow-" + "t" * 56


def test_duplicates_unknown_keys_roles_quota_are_all_reported_at_once():
    text = problems_of([
        {"name": "team-a", "colour": "blue"},
        {"name": "team-a"},
        {"name": "team-c", "quota": "lots", "members": [
            {"username": "dan", "role": "owner"}, {"username": "dan"}, {"username": "eve", "pasword": "x"}]},
    ])
    assert "mlflow_tenants[0] (team-a): unknown key(s) colour" in text
    assert "mlflow_tenants[1] (team-a): name 'team-a' is already used by mlflow_tenants[0]" in text
    assert "mlflow_tenants[2] (team-c): quota:" in text
    assert "members[0] (dan): role 'owner' must be one of admin, user" in text
    assert "members[1]: username 'dan' is listed twice" in text
    assert "members[2] (eve): unknown key(s) pasword" in text


def test_short_password_is_refused_without_echoing_it():
    text = problems_of([{"name": "team-a", "members": [{"username": "alice", "password": "short-pw"}]}])
    assert "mlflow_tenants[0] (team-a): members[0] (alice): password must be at least 12" in text
    assert "short-pw" not in text


def test_one_user_one_password():
    text = problems_of([
        {"name": "team-a", "members": [{"username": "alice", "password": GOOD_PASSWORD}]},
        {"name": "team-b", "members": [{"username": "alice", "password": GOOD_PASSWORD + "x"}]},
    ])
    assert "tenant team-b: member 'alice' has another password in tenant team-a" in text
    assert GOOD_PASSWORD not in text


def test_members_cannot_be_the_admin_or_a_workload_identity():
    text = problems_of([{"name": "team-a", "members": [{"username": "admin"}, {"username": "team-b-workload"}]},
                        {"name": "team-b"}], admin_username="admin")
    assert "member 'admin' is the MLflow admin" in text
    assert "member 'team-b-workload' is the workload identity of tenant team-b" in text


def test_bad_values_of_state_purge_namespace_members():
    text = problems_of([
        {"name": "team-a", "state": "gone"},
        {"name": "team-b", "purge": "yes", "state": "absent"},
        {"name": "team-c", "purge": True},
        {"name": "team-d", "namespace": "Bad_NS"},
        {"name": "team-e", "members": "alice"},
        {"name": "team-f", "members": [{"username": "a:b"}, {"role": "admin"}, "bob"]},
        "team-g",
    ])
    assert "(team-a): state 'gone' must be one of present, absent" in text
    assert "(team-b): purge must be true or false" in text
    assert "(team-c): purge: true only goes with state: absent" in text
    assert "(team-d): namespace 'Bad_NS'" in text
    assert "(team-e): members must be a list" in text
    assert "members[0] (a:b): username must not contain ':'" in text
    assert "members[1]: username is required" in text
    assert "members[2] must be a mapping" in text
    assert "mlflow_tenants[6] must be a mapping" in text


def test_not_a_list():
    assert "must be a list" in problems_of({"name": "team-a"})


def test_secret_ids_cover_generated_passwords_only():
    ids = generated_secret_ids(normalise_tenants(good()))
    # alice has a password in team-a, so team-b's alice uses it; bob's is generated; old-team is absent.
    assert ids == ["minio-service-account/team-a", "minio-service-account/team-b", "mlflow-user/bob",
                   "mlflow-user/team-a-workload", "mlflow-user/team-b-workload"]


def plan_of(tenants):
    secrets = {i: "generated-" + i for i in generated_secret_ids(tenants)}
    return tenants_plan(tenants, secrets, "https://mlflow.example.com", "https://s3.example.com",
                        minio_bucket_policy)


def test_plan_present_and_absent():
    plan = plan_of(normalise_tenants(good()))
    users = {u["username"]: u for u in plan["mlflow_users"] + plan["retire"]["mlflow_users"]}
    assert users["alice"]["password"] == GOOD_PASSWORD  # alice stays: member of present tenants
    assert users["bob"]["password"] == "generated-mlflow-user/bob"  # noqa: S105
    assert users["carol"] == {"username": "carol", "state": "absent"}  # only in the retired tenant
    assert users["old-team-workload"]["state"] == "absent"
    assert "state" not in users["alice"]
    # Given passwords are checked each run; generated ones (kept by the role) only set at creation.
    checks = {name: user.get("update_password") for name, user in users.items()}
    assert checks == {"alice": "always", "bob": "on_create", "team-a-workload": "on_create",
                      "carol": None, "team-b-workload": "on_create", "old-team-workload": None}
    members = {m["workspace"]: m["members"] for m in plan["mlflow_workspace_rosters"]}
    assert members["team-b"] == [{"username": "alice", "role": "user"}, {"username": "team-b-workload", "role": "user"}]
    assert members["old-team"] == []  # retired, not purged: memberships go, the workspace stays
    assert [w["name"] for w in plan["mlflow_workspaces"]] == ["team-a", "team-b"]
    assert plan["mlflow_workspaces"][0]["default_artifact_root"] == "s3://mlflow-team-a/mlflow"
    assert [b["name"] for b in plan["minio_buckets"]] == ["mlflow-team-a", "mlflow-team-b"]
    assert plan["minio_buckets"][0]["quota"] == 50 * 1024 ** 3
    assert plan["retire"]["minio_users"] == [{"access_key": "mlflow-old-team", "state": "absent"}]
    assert plan["retire"]["minio_policies"] == [{"name": "mlflow-old-team", "state": "absent"}]
    assert plan["retire"]["minio_service_accounts"] == [{"access_key": service_account_key("old-team"),
                                                          "state": "absent"}]
    assert "mlflow-user/alice" not in plan["secrets_absent"]
    assert sorted(plan["secrets_absent"]) == ["minio-service-account/old-team", "mlflow-user/carol",
                                              "mlflow-user/old-team-workload"]
    conn = plan["connections"]["team-a"]
    assert sorted(conn) == sorted(["MLFLOW_TRACKING_URI", "MLFLOW_WORKSPACE", "MLFLOW_TRACKING_USERNAME",
                                   "MLFLOW_TRACKING_PASSWORD", "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                                   "AWS_SECRET_ACCESS_KEY", "AWS_REQUEST_CHECKSUM_CALCULATION"])
    assert conn["MLFLOW_TRACKING_USERNAME"] == "team-a-workload"
    assert conn["AWS_SECRET_ACCESS_KEY"] == "generated-minio-service-account/team-a"  # noqa: S105
    assert plan["retired"] == ["old-team"]
    assert "generated" not in str(plan["summary"]) and GOOD_PASSWORD not in str(plan["summary"])


def test_plan_purge_deletes_data():
    tenants = normalise_tenants([{"name": "gone", "state": "absent", "purge": True}])
    plan = plan_of(tenants)
    assert plan["mlflow_workspaces"] == [] and plan["minio_buckets"] == []
    assert plan["retire"]["mlflow_workspaces"] == [{"name": "gone", "state": "absent", "purge": True}]
    assert plan["retire"]["minio_buckets"] == [{"name": "mlflow-gone", "state": "absent", "purge": True}]
    assert plan["mlflow_workspace_rosters"] == []  # the workspace goes with its memberships
    assert plan["summary"][0]["data"] == "deleted"


def test_plan_fails_clearly_without_a_generated_secret():
    tenants = normalise_tenants([{"name": "team-a"}])
    with pytest.raises(TenantSpecError, match="team-a-workload"):
        tenants_plan(tenants, {}, "u", "s", minio_bucket_policy)


def test_namespaces_are_not_shared():
    text = problems_of([{"name": "team-a"}, {"name": "team-b", "namespace": "team-a"}])
    assert "tenant team-b: namespace 'team-a' is already the namespace of tenant team-a" in text


def test_plan_kubernetes_objects():
    import base64

    plan = plan_of(normalise_tenants(good()))
    kinds = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in plan["kubernetes"]]
    assert kinds == [("Namespace", None, "team-a"), ("Secret", "team-a", "mlflow-connection"),
                     ("Namespace", None, "ns-b"), ("Secret", "ns-b", "mlflow-connection")]
    assert plan["kubernetes"][0]["metadata"]["labels"] == {"onprem.mlflow/tenant": "true"}
    data = plan["kubernetes"][1]["data"]
    assert base64.b64decode(data["MLFLOW_WORKSPACE"]).decode() == "team-a"
    assert len(data) == 8
    assert plan["kubernetes_absent"] == [{"apiVersion": "v1", "kind": "Secret",
                                          "metadata": {"name": "mlflow-connection", "namespace": "old-team"}}]


def test_plan_can_check_generated_passwords_too():
    tenants = normalise_tenants(good())
    secrets = {i: "generated-" + i for i in generated_secret_ids(tenants)}
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy, check_generated=True)
    assert {u["update_password"] for u in plan["mlflow_users"]} == {"always"}
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy, update_password="on_create")  # noqa: S106
    assert {u["update_password"] for u in plan["mlflow_users"]} == {"on_create"}


def test_plan_sets_freshly_generated_passwords_of_existing_users():
    # A lost secrets directory: the new password must reach the server even for an existing user.
    tenants = normalise_tenants(good())
    secrets = {i: "generated-" + i for i in generated_secret_ids(tenants)}
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy, fresh=["mlflow-user/team-a-workload"])
    checks = {u["username"]: u["update_password"] for u in plan["mlflow_users"]}
    assert checks["team-a-workload"] == "always" and checks["team-b-workload"] == "on_create"


def test_given_passwords_are_checked_only_when_changed_since_last_applied():
    tenants = normalise_tenants(good())
    assert given_passwords(tenants) == {"mlflow-password/alice": GOOD_PASSWORD}  # present tenants' given ones
    secrets = {i: "generated-" + i for i in generated_secret_ids(tenants)}
    # No fingerprint matches (first run, or the inventory changed alice's password): checked.
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy)
    assert {u["username"]: u["update_password"] for u in plan["mlflow_users"]}["alice"] == "always"
    # Alice's kept fingerprint matches: nothing to check for her.
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy, unchanged=["mlflow-password/alice"])
    assert {u["username"]: u["update_password"] for u in plan["mlflow_users"]}["alice"] == "on_create"
    # `always` ignores the fingerprints.
    plan = tenants_plan(tenants, secrets, "u", "s", minio_bucket_policy, update_password="always",  # noqa: S106
                        unchanged=["mlflow-password/alice"])
    assert {u["username"]: u["update_password"] for u in plan["mlflow_users"]}["alice"] == "always"
    # Fingerprints of users whose password is not (or no longer) given, and of retired users, go.
    assert sorted(plan["fingerprints_absent"]) == sorted(
        "mlflow-password/" + name for name in ("bob", "team-a-workload", "team-b-workload", "carol",
                                               "old-team-workload"))


def test_a_bad_name_does_not_hide_the_tenants_other_problems():
    """Issue 16: a tenant with a bad name used to be reported for its name only, its other fields
    checked only once the name was fixed. Every problem now comes in one message."""
    text = problems_of([
        {"name": "Team_A", "state": "gone", "purge": "yes", "namespace": "Bad NS", "quota": "lots", "colour": "x",
         "members": [{"username": "dan", "role": "owner"}, {"username": "eve", "password": "short-pw"}]},
        {"role": "admin", "quota": "1XB"},
    ])
    first = "mlflow_tenants[0] (Team_A)"
    for expected in (
        f"{first}: name 'Team_A' must be 2-63 characters",
        f"{first}: unknown key(s) colour",
        f"{first}: state 'gone' must be one of present, absent",
        f"{first}: purge must be true or false, not 'yes'",
        f"{first}: namespace 'Bad NS' must be 2-63 characters",
        f"{first}: quota: size 'lots' is not",
        f"{first}: members[0] (dan): role 'owner' must be one of admin, user",
        f"{first}: members[1] (eve): password must be at least 12 characters",
        "mlflow_tenants[1]: unknown key(s) role",
        "mlflow_tenants[1]: name must be a string, not NoneType",
        "mlflow_tenants[1]: quota: size '1XB' is not",
    ):
        assert expected in text, (expected, text)
    assert "short-pw" not in text
    # What is derived from a bad name (bucket, default namespace) is not reported on top of it.
    assert "bucket (tenants_bucket_prefix + name)" not in text
    assert text.count(": namespace ") == 1


def test_a_bad_name_and_a_good_tenant_with_problems_are_reported_together():
    text = problems_of([{"name": "-bad", "quota": "lots"}, {"name": "team-b", "state": "gone"}])
    assert "mlflow_tenants[0] (-bad): name '-bad'" in text
    assert "mlflow_tenants[0] (-bad): quota: size 'lots'" in text
    assert "mlflow_tenants[1] (team-b): state 'gone'" in text


@pytest.mark.parametrize(("quota", "size"), [
    ("50GiB", 50 * 1024 ** 3), ("50Gi", 50 * 1024 ** 3), ("500MB", 500 * 1000 ** 2), ("500M", 500 * 1000 ** 2),
    ("1Ti", 1024 ** 4), ("2T", 2 * 1000 ** 4),
])
def test_quotas_take_both_spellings(quota, size):
    (tenant,) = normalise_tenants([{"name": "team-a", "quota": quota}])
    assert tenant["quota"] == size
