"""onprem.mlflow.minio_service_account against the real MinIO server: every field, check mode, diff."""

import json

import pytest

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::sa-b/*"]}]}
SAME_REWRITTEN = json.dumps({"Statement": {"Resource": "arn:aws:s3:::sa-b/*", "Effect": "Allow",
                                           "Action": ["s3:PutObject", "s3:GetObject"]},
                             "Version": "2012-10-17"})
NARROWER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::sa-b/*"]}]}
PARENT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::sa-b", "arn:aws:s3:::sa-b/*"]}]}


@pytest.fixture(scope="module")
def parent(minio_play, unique):
    """A user with a policy of its own, to hang service accounts on (one for the module: fewer runs)."""
    user, policy = unique("saparent"), unique("sapol")
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ policy }}", policy: "{{ parent_policy }}"}
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: parent-secret-1, policies: ["{{ policy }}"]}
        """, extra_vars={"user": user, "policy": policy, "parent_policy": PARENT_POLICY})
    assert result.rc == 0, result.output
    return user


def info(minio_server, access_key):
    return json.loads(minio_server.admin().get_service_account(access_key))


def test_service_account_lifecycle(minio_play, minio_server, unique, parent):
    key = unique("sa")
    result = minio_play("""
        - name: Create in check mode
          onprem.mlflow.minio_service_account: &sa
            access_key: "{{ key }}"
            secret_key: sa-secret-one
            user: "{{ parent }}"
            policy: "{{ policy }}"
            name: jobs
            description: the team's jobs
            expiration: "{{ expiry }}"
          check_mode: true
          register: check_create
        - name: Create
          onprem.mlflow.minio_service_account: *sa
          diff: true
          register: create
        - name: Same again (the secret is checked, the policy compared by meaning)
          onprem.mlflow.minio_service_account:
            <<: *sa
            policy: "{{ same_rewritten }}"
          register: again
        - name: Leaving name, description and expiration out keeps them
          onprem.mlflow.minio_service_account:
            access_key: "{{ key }}"
            user: "{{ parent }}"
            policy: "{{ policy }}"
          register: bare
        - name: A narrower policy
          onprem.mlflow.minio_service_account: {<<: *sa, policy: "{{ narrower }}"}
          diff: true
          register: narrow
        - name: Another name
          onprem.mlflow.minio_service_account: {<<: *sa, policy: "{{ narrower }}", name: jobs2}
          register: rename
        - name: Another description
          onprem.mlflow.minio_service_account: {<<: *sa, policy: "{{ narrower }}", name: jobs2, description: other}
          register: redescribe
        - name: Another expiration
          onprem.mlflow.minio_service_account:
            <<: *sa
            policy: "{{ narrower }}"
            name: jobs2
            description: other
            expiration: "{{ expiry2 }}"
          register: reexpire
        - name: Disable, in check mode
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", policy: "{{ narrower }}", status: disabled}
          check_mode: true
          register: check_disable
        - name: Disable
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", policy: "{{ narrower }}", status: disabled}
          diff: true
          register: disable
        - name: Disabled again
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", policy: "{{ narrower }}", status: disabled}
          register: disable_again
        - name: No inline policy any more (the parent's rights)
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", status: disabled}
          register: implied
        - name: Still none
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", status: disabled}
          register: implied_again
        - name: Every step did what it should
          ansible.builtin.assert:
            that:
              - check_create is changed
              - create is changed
              - create.secret_changed
              - create.secret_key is not defined
              - create.service_account.user == parent
              - create.service_account.status == "enabled"
              - create.diff.before == {}
              - again is not changed
              - bare is not changed
              - bare.service_account.name == "jobs"
              - narrow is changed
              - narrow.diff.before.policy != narrow.diff.after.policy
              - not narrow.secret_changed
              - rename is changed
              - redescribe is changed
              - reexpire is changed
              - reexpire.service_account.expiration == expiry2
              - check_disable is changed
              - disable is changed
              - disable.diff.before.status == "enabled"
              - disable.diff.after.status == "disabled"
              - disable_again is not changed
              - implied is changed
              - implied.service_account.policy is none
              - implied_again is not changed
        """, extra_vars={"key": key, "parent": parent, "policy": POLICY, "same_rewritten": SAME_REWRITTEN,
                         "narrower": NARROWER, "expiry": "2027-06-30T00:00:00Z", "expiry2": "2027-07-31T12:00:00Z"})
    assert result.rc == 0, result.output
    account = info(minio_server, key)
    assert account["parentUser"] == parent
    assert account["accountStatus"] == "off"
    assert account["impliedPolicy"] is True
    assert account["name"] == "jobs2"
    assert account["description"] == "other"
    assert account["expiration"].startswith("2027-07-31T12:00:00")


def test_every_update_keeps_the_inline_policy(minio_play, minio_server, unique, parent, credentials_accepted):
    """MinIO drops the inline policy from an update without one: the module always resends it."""
    key = unique("sakeep")
    result = minio_play("""
        - onprem.mlflow.minio_service_account:
            {access_key: "{{ key }}", secret_key: keep-secret-1, user: "{{ parent }}", policy: "{{ policy }}"}
        - onprem.mlflow.minio_service_account:
            {access_key: "{{ key }}", secret_key: keep-secret-2, policy: "{{ policy }}", name: renamed}
          register: rotate
        - ansible.builtin.assert: {that: [rotate is changed, rotate.secret_changed]}
        """, extra_vars={"key": key, "parent": parent, "policy": POLICY})
    assert result.rc == 0, result.output
    account = info(minio_server, key)
    assert account["impliedPolicy"] is False
    assert json.loads(account["policy"])["Statement"][0]["Action"] == ["s3:GetObject", "s3:PutObject"]
    # The rotated secret is the one that works now.
    assert credentials_accepted(key, "keep-secret-2")
    assert not credentials_accepted(key, "keep-secret-1")


def test_generated_secret_is_returned_once(minio_play, minio_server, unique, parent, tmp_path,
                                           credentials_accepted):
    key = unique("sagen")
    out = tmp_path / "secret"
    result = minio_play("""
        - onprem.mlflow.minio_service_account: {access_key: "{{ key }}", user: "{{ parent }}"}
          register: created
          no_log: true
        - name: Keep the secret where the test can read it
          ansible.builtin.copy: {content: "{{ created.secret_key }}", dest: "{{ out }}", mode: "0600"}
          no_log: true
        - onprem.mlflow.minio_service_account: {access_key: "{{ key }}", user: "{{ parent }}"}
          register: again
        - ansible.builtin.assert:
            that:
              - created is changed
              - created.secret_key | length == 40
              - again is not changed
              - again.secret_key is not defined
        """, extra_vars={"key": key, "parent": parent, "out": str(out)})
    assert result.rc == 0, result.output
    secret = out.read_text()
    assert len(secret) == 40
    assert secret not in result.output
    # The generated secret is real: it lists the parent's bucket (implied policy = parent's rights).
    assert info(minio_server, key)["impliedPolicy"] is True
    assert credentials_accepted(key, secret)
    assert not credentials_accepted(key, secret[:-1] + ("a" if secret[-1] != "a" else "b"))


def test_service_account_errors_and_removal(minio_play, minio_server, unique, parent):
    key, other = unique("saerr"), unique("saother")
    result = minio_play("""
        - onprem.mlflow.minio_user: {access_key: "{{ other }}", secret_key: other-secret-1}
        - onprem.mlflow.minio_service_account: {access_key: "{{ key }}", secret_key: err-secret-1, user: "{{ parent }}"}
        - name: Another parent
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", user: "{{ other }}"}
          register: move
          ignore_errors: true
        - name: A user's own access key
          onprem.mlflow.minio_service_account:
            {access_key: "{{ other }}", secret_key: err-secret-1, user: "{{ parent }}"}
          register: user_key
          ignore_errors: true
        - name: A parent that does not exist
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}x", secret_key: err-secret-1, user: nobody-here}
          register: no_parent
          ignore_errors: true
        - name: An access key too long
          onprem.mlflow.minio_service_account: {access_key: "{{ 'x' * 21 }}", user: "{{ parent }}"}
          register: too_long
          ignore_errors: true
        - name: A bad expiration
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", expiration: next tuesday}
          register: bad_expiry
          ignore_errors: true
        - name: Remove in check mode
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", state: absent}
          check_mode: true
          register: check_remove
        - name: Remove
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", state: absent}
          diff: true
          register: remove
        - name: Remove again
          onprem.mlflow.minio_service_account: {access_key: "{{ key }}", state: absent}
          register: remove_again
        - ansible.builtin.assert:
            that:
              - move is failed
              - "'cannot move' in move.msg"
              - user_key is failed
              - "'access key of a MinIO user' in user_key.msg"
              - no_parent is failed
              - "'XMinioAdminNoSuchUser' in no_parent.msg"
              - too_long is failed
              - "'3-20 characters' in too_long.msg"
              - bad_expiry is failed
              - "'RFC 3339' in bad_expiry.msg"
              - check_remove is changed
              - remove is changed
              - remove.diff.after == {}
              - remove_again is not changed
        """, extra_vars={"key": key, "other": other, "parent": parent})
    assert result.rc == 0, result.output
    assert key not in minio_server.admin().list_service_account(parent)
