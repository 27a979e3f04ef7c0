"""The list modules (minio_buckets, minio_policies, minio_users, minio_service_accounts) against the
real MinIO server: every option of the single modules per item, the single and list forms agreeing
(one converge per kind), and workers below 1 refused with nothing changed."""

import json

import pytest

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::lst-b/*"]}]}
PARENT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::lst-b", "arn:aws:s3:::lst-b/*"]}]}


def test_buckets_list_manages_versioning(minio_play, minio_server, unique):
    a, b = unique("lstv"), unique("lstv")
    result = minio_play("""
        - name: Versioning per item, in check mode
          onprem.mlflow.minio_buckets:
            buckets: [{name: "{{ a }}", versioning: enabled, quota: 1MiB}, {name: "{{ b }}"}]
          check_mode: true
          register: check
        - name: Versioning per item
          onprem.mlflow.minio_buckets:
            buckets: [{name: "{{ a }}", versioning: enabled, quota: 1MiB}, {name: "{{ b }}"}]
          register: create
        - name: Again
          onprem.mlflow.minio_buckets:
            buckets: [{name: "{{ a }}", versioning: enabled, quota: 1MiB}, {name: "{{ b }}", versioning: suspended}]
          register: again
        - name: The single form sees the same bucket, unchanged
          onprem.mlflow.minio_bucket: {name: "{{ a }}", versioning: enabled, quota: 1048576}
          register: single
        - name: Suspend through the list
          onprem.mlflow.minio_buckets:
            buckets: [{name: "{{ a }}", versioning: suspended}]
          register: suspend
        - ansible.builtin.assert:
            that:
              - check is changed
              - create is changed
              - "create.buckets[0].actions == ['created', 'versioning enabled', 'quota set to 1MiB']"
              - create.buckets[0].bucket.versioning == "enabled"
              - again is not changed
              - single is not changed
              - single.bucket.versioning == "enabled"
              - suspend is changed
              - suspend.diff.before[a].versioning == "enabled"
              - suspend.diff.after[a].versioning == "suspended"
        """, extra_vars={"a": a, "b": b})
    assert result.rc == 0, result.output
    s3 = minio_server.minio()
    assert s3.get_bucket_versioning(a).status == "Suspended"
    assert s3.get_bucket_versioning(b).status is None


def test_policies_list_and_single_agree(minio_play, minio_server, unique):
    name = unique("lstpol")
    result = minio_play("""
        - onprem.mlflow.minio_policies: {policies: [{name: "{{ name }}", policy: "{{ policy }}"}]}
          register: create
        - onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy | to_json }}"}
          register: single
        - onprem.mlflow.minio_policy: {name: "{{ name }}", state: absent}
          register: remove
        - onprem.mlflow.minio_policies: {policies: [{name: "{{ name }}", state: absent}]}
          register: remove_again
        - ansible.builtin.assert:
            that:
              - create is changed
              - single is not changed
              - single.policy.Statement | length == 1
              - remove is changed
              - remove_again is not changed
        """, extra_vars={"name": name, "policy": POLICY})
    assert result.rc == 0, result.output
    assert name not in json.loads(minio_server.admin().policy_list())


def test_users_list_manages_secret_status_and_update_password(minio_play, minio_server, unique,
                                                              credentials_accepted):
    user, other, policy = unique("lstu"), unique("lstu"), unique("lstupol")
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ policy }}", policy: "{{ pol }}"}
        - name: A user that logs in, and a disabled one without a secret (random_secret)
          onprem.mlflow.minio_users:
            users:
              - {access_key: "{{ user }}", secret_key: list-secret-1, policies: ["{{ policy }}"]}
              - {access_key: "{{ other }}", status: disabled}
          diff: true
          register: create
        - name: Again (the secret is checked, not reset)
          onprem.mlflow.minio_users:
            users:
              - {access_key: "{{ user }}", secret_key: list-secret-1, policies: ["{{ policy }}"]}
              - {access_key: "{{ other }}", status: disabled}
          register: again
        - name: Another secret with update_password on_create changes nothing
          onprem.mlflow.minio_users:
            users: [{access_key: "{{ user }}", secret_key: list-secret-2, update_password: on_create}]
          register: on_create
        - name: Another secret with update_password always sets it
          onprem.mlflow.minio_users:
            users: [{access_key: "{{ user }}", secret_key: list-secret-2}]
          register: rotate
        - name: Without random_secret a user without a secret is refused
          onprem.mlflow.minio_users:
            users: [{access_key: "{{ user }}x", random_secret: false}]
          register: refused
          ignore_errors: true
        - name: The single form sees the same user, unchanged
          onprem.mlflow.minio_user: {access_key: "{{ other }}", status: disabled}
          register: single
        - ansible.builtin.assert:
            that:
              - create is changed
              - create.users[0].secret_changed
              - create.users[1].user.status == "disabled"
              - create.diff.after[user].secret_key == "******** (new)"
              - again is not changed
              - on_create is not changed
              - rotate is changed
              - rotate.users[0].secret_changed
              - refused is failed
              - "'give secret_key' in refused.msg and 'nothing was changed' in refused.msg"
              - single is not changed
        """, extra_vars={"user": user, "other": other, "policy": policy, "pol": PARENT_POLICY})
    assert result.rc == 0, result.output
    assert credentials_accepted(user, "list-secret-2")
    assert not credentials_accepted(user, "list-secret-1")
    users = json.loads(minio_server.admin().user_list())
    assert users[other]["status"] == "disabled"
    assert user + "x" not in users


def test_service_accounts_list_manages_policy_expiration_and_status(minio_play, minio_server, unique,
                                                                    credentials_accepted):
    parent, policy, key = unique("lstsap"), unique("lstsapol"), unique("lstsa")
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ policy }}", policy: "{{ parent_policy }}"}
        - onprem.mlflow.minio_user:
            {access_key: "{{ parent }}", secret_key: parent-secret-1, policies: ["{{ policy }}"]}
        - name: Inline policy, name, description, expiration per item
          onprem.mlflow.minio_service_accounts:
            service_accounts:
              - &sa
                access_key: "{{ key }}"
                secret_key: lst-sa-secret-1
                user: "{{ parent }}"
                policy: "{{ inline }}"
                name: jobs
                description: the jobs
                expiration: "2027-06-30T00:00:00Z"
          no_log: true
          register: create
        - name: Again
          onprem.mlflow.minio_service_accounts: {service_accounts: [*sa]}
          register: again
        - name: The single form sees the same account, unchanged
          onprem.mlflow.minio_service_account: *sa
          register: single
        - name: Disable, another expiration, no inline policy
          onprem.mlflow.minio_service_accounts:
            service_accounts:
              - {access_key: "{{ key }}", status: disabled, expiration: "2027-07-31T12:00:00Z"}
          register: disable
        - name: Disabled again (its secret cannot be checked, so a warning)
          onprem.mlflow.minio_service_accounts:
            service_accounts:
              - {access_key: "{{ key }}", secret_key: lst-sa-secret-1, status: disabled}
          register: disable_again
        - name: Another parent is refused before anything changes
          onprem.mlflow.minio_service_accounts:
            service_accounts: [{access_key: "{{ key }}", user: "{{ policy }}", status: enabled}]
          register: move
          ignore_errors: true
        - ansible.builtin.assert:
            that:
              - create is changed
              - create.service_accounts[0].secret_changed
              - create.service_accounts[0].secret_key is not defined
              - again is not changed
              - single is not changed
              - single.service_account.name == "jobs"
              - disable is changed
              - disable.service_accounts[0].service_account.policy is none
              - disable.diff.before[key].status == "enabled"
              - disable.diff.after[key].status == "disabled"
              - disable_again is not changed
              - disable_again.warnings | select('search', 'disabled') | list | length == 1
              - move is failed
              - "'cannot move' in move.msg"
        """, extra_vars={"parent": parent, "policy": policy, "key": key, "parent_policy": PARENT_POLICY,
                         "inline": POLICY})
    assert result.rc == 0, result.output
    account = json.loads(minio_server.admin().get_service_account(key))
    assert account["accountStatus"] == "off"
    assert account["impliedPolicy"] is True
    assert account["name"] == "jobs"
    assert account["expiration"].startswith("2027-07-31T12:00:00")
    assert not credentials_accepted(key, "lst-sa-secret-1")  # disabled


@pytest.mark.parametrize("module, option, item", [
    ("minio_buckets", "buckets", {"name": "BUCKET"}),
    ("minio_policies", "policies", {"name": "BUCKET", "policy": POLICY}),
    ("minio_users", "users", {"access_key": "BUCKET"}),
    ("minio_service_accounts", "service_accounts", {"access_key": "BUCKET"}),
])
def test_workers_below_one_are_refused_with_nothing_changed(minio_play, minio_server, unique, module, option, item):
    name = unique("wrk")
    item = {k: (name if v == "BUCKET" else v) for k, v in item.items()}
    result = minio_play("""
        - onprem.mlflow.%s: {%s: "{{ [the_item] }}", workers: 0}
          register: r
          ignore_errors: true
        - ansible.builtin.assert:
            that: [r is failed, r is not changed, "'workers must be 1 or more' in r.msg"]
        """ % (module, option), extra_vars={"the_item": item})
    assert result.rc == 0, result.output
    s3, admin = minio_server.minio(), minio_server.admin()
    assert not s3.bucket_exists(name)
    assert name not in json.loads(admin.policy_list())
    assert name not in json.loads(admin.user_list())
