"""onprem.mlflow.minio_user against the real MinIO server: secret, status, policies, check mode, diff."""

import json

import pytest

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": ["arn:aws:s3:::*"]}]}


@pytest.fixture(scope="module")
def policies(minio_play, unique):
    names = [unique("upol"), unique("upol")]
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ item }}", policy: "{{ policy }}"}
          loop: "{{ names }}"
        """, extra_vars={"names": names, "policy": POLICY})
    assert result.rc == 0, result.output
    return names


def test_user_lifecycle(minio_play, minio_server, unique, policies, credentials_accepted):
    user = unique("usr")
    p1, p2 = policies
    result = minio_play("""
        - name: Create in check mode
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: first-secret-1, policies: ["{{ p1 }}"]}
          check_mode: true
          register: check_create
        - name: Create
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: first-secret-1, policies: ["{{ p1 }}"]}
          diff: true
          register: create
        - name: Same again (the secret is checked, not reset)
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: first-secret-1, policies: ["{{ p1 }}"]}
          register: again
        - name: Another secret with update_password on_create
          onprem.mlflow.minio_user:
            access_key: "{{ user }}"
            secret_key: other-secret-1
            update_password: on_create
            policies: ["{{ p1 }}"]
          register: on_create
        - name: Policies left out are left alone
          onprem.mlflow.minio_user: {access_key: "{{ user }}"}
          register: bare
        - name: Exactly two policies
          onprem.mlflow.minio_user: {access_key: "{{ user }}", policies: ["{{ p2 }}", "{{ p1 }}"]}
          diff: true
          register: two
        - name: Exactly the second one (the first is detached)
          onprem.mlflow.minio_user: {access_key: "{{ user }}", policies: ["{{ p2 }}"]}
          register: one
        - name: A policy that does not exist
          onprem.mlflow.minio_user: {access_key: "{{ user }}", policies: ["{{ p2 }}", no-such-policy]}
          register: missing
          ignore_errors: true
        - name: Disable in check mode
          onprem.mlflow.minio_user: {access_key: "{{ user }}", status: disabled}
          check_mode: true
          register: check_disable
        - name: Disable
          onprem.mlflow.minio_user: {access_key: "{{ user }}", status: disabled}
          diff: true
          register: disable
        - name: Still disabled, with its secret (which cannot be checked while disabled)
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: first-secret-1, status: disabled}
          register: disabled_again
        - name: Bad input fails before anything changes
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: short}
          register: short_secret
          ignore_errors: true
        - name: Every step did what it should
          ansible.builtin.assert:
            that:
              - check_create is changed
              - create is changed
              - create.secret_changed
              - 'create.user == {"access_key": user, "status": "enabled", "policies": [p1]}'
              - create.diff.before == {}
              - create.diff.after.secret_key == "******** (new)"
              - again is not changed
              - not again.secret_changed
              - on_create is not changed
              - bare is not changed
              - bare.user.policies == [p1]
              - two is changed
              - two.user.policies == [p1, p2] | sort
              - two.diff.before.policies == [p1]
              - one is changed
              - one.user.policies == [p2]
              - missing is failed
              - "'no-such-policy' in missing.msg and 'nothing was changed' in missing.msg"
              - check_disable is changed
              - disable is changed
              - disable.diff.after.status == "disabled"
              - disabled_again is not changed
              - disabled_again.warnings | select('search', 'disabled') | list | length == 1
              - short_secret is failed
              - "'8-40 characters' in short_secret.msg"
        """, extra_vars={"user": user, "p1": p1, "p2": p2})
    assert result.rc == 0, result.output
    info = json.loads(minio_server.admin().user_info(user))
    assert info["status"] == "disabled"
    assert info["policyName"] == p2
    assert not credentials_accepted(user, "first-secret-1")  # disabled: refused


def test_secret_rotation_and_reenable(minio_play, minio_server, unique, policies, credentials_accepted):
    user = unique("rot")
    p1 = policies[0]
    result = minio_play("""
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: first-secret-1, policies: ["{{ p1 }}"]}
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", status: disabled}
        """, extra_vars={"user": user, "p1": p1})
    assert result.rc == 0, result.output
    # Re-enabling with a new secret: status enabled, the new secret works, the old does not.
    result = minio_play("""
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: second-secret-2}
          register: rotate
          diff: true
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: second-secret-2}
          register: again
        - ansible.builtin.assert:
            that:
              - rotate is changed
              - rotate.secret_changed
              - rotate.diff.before.status == "disabled"
              - rotate.diff.after.status == "enabled"
              - again is not changed
        """, extra_vars={"user": user})
    assert result.rc == 0, result.output
    assert credentials_accepted(user, "second-secret-2")
    assert not credentials_accepted(user, "first-secret-1")
    # A disabled user whose secret changes stays disabled (MinIO's add-user alone would enable it).
    result = minio_play("""
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: third-secret-3, status: disabled}
          register: r
        - ansible.builtin.assert: {that: [r is changed, r.secret_changed, r.user.status == "disabled"]}
        """, extra_vars={"user": user})
    assert result.rc == 0, result.output
    assert json.loads(minio_server.admin().user_info(user))["status"] == "disabled"


def test_user_removal_and_create_without_secret(minio_play, minio_server, unique):
    user = unique("gone")
    result = minio_play("""
        - name: Creating needs a secret
          onprem.mlflow.minio_user: {access_key: "{{ user }}"}
          register: no_secret
          ignore_errors: true
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: gone-secret-1}
        - name: Remove in check mode
          onprem.mlflow.minio_user: {access_key: "{{ user }}", state: absent}
          check_mode: true
          register: check_remove
        - name: Remove
          onprem.mlflow.minio_user: {access_key: "{{ user }}", state: absent}
          register: remove
        - name: Remove again
          onprem.mlflow.minio_user: {access_key: "{{ user }}", state: absent}
          register: remove_again
        - ansible.builtin.assert:
            that:
              - no_secret is failed
              - "'give secret_key' in no_secret.msg"
              - check_remove is changed
              - remove is changed
              - remove.user.access_key == user
              - remove_again is not changed
        """, extra_vars={"user": user})
    assert result.rc == 0, result.output
    assert user not in json.loads(minio_server.admin().user_list())
