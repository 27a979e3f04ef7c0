"""onprem.mlflow.minio_policy against the real MinIO server: semantic comparison, lifecycle, errors."""

import json

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::pol-b"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::pol-b/*"]},
    ],
}
# The same policy as a JSON string: other key order, statement order, action order, whitespace,
# bare strings instead of one-element lists.
SAME_REWRITTEN = json.dumps({
    "Statement": [
        {"Resource": "arn:aws:s3:::pol-b/*", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"]},
        {"Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": "arn:aws:s3:::pol-b", "Effect": "Allow"},
    ],
    "Version": "2012-10-17",
}, indent=7)
WIDER = dict(POLICY, Statement=[*POLICY["Statement"], {"Effect": "Allow", "Action": "s3:DeleteObject",
                                                       "Resource": "arn:aws:s3:::pol-b/*"}])

LIFECYCLE = """
- name: Create in check mode
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy }}"}
  check_mode: true
  register: check_create
- name: Create
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy }}"}
  diff: true
  register: create
- name: The same policy written differently (a JSON string)
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ same_rewritten }}"}
  register: same
- name: A wider policy, in check mode
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ wider }}"}
  check_mode: true
  register: check_wider
- name: A wider policy
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ wider }}"}
  diff: true
  register: widen
- name: Wider again
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ wider }}"}
  register: widen_again
- name: The filter's policy for a bucket
  onprem.mlflow.minio_policy: {name: "{{ name }}-filter", policy: "{{ 'pol-b' | onprem.mlflow.minio_bucket_policy }}"}
  register: filtered
- name: The filter's policy again
  onprem.mlflow.minio_policy: {name: "{{ name }}-filter", policy: "{{ 'pol-b' | onprem.mlflow.minio_bucket_policy }}"}
  register: filtered_again
- name: Not JSON
  onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{not json"}
  register: not_json
  ignore_errors: true
- name: No policy given
  onprem.mlflow.minio_policy: {name: "{{ name }}"}
  register: no_policy
  ignore_errors: true
- name: Remove in check mode
  onprem.mlflow.minio_policy: {name: "{{ name }}", state: absent}
  check_mode: true
  register: check_remove
- name: Remove
  onprem.mlflow.minio_policy: {name: "{{ name }}", state: absent}
  diff: true
  register: remove
- name: Remove again
  onprem.mlflow.minio_policy: {name: "{{ name }}", state: absent}
  register: remove_again
- name: Every step did what it should
  ansible.builtin.assert:
    that:
      - check_create is changed
      - create is changed
      - create.diff.before == ""
      - "'pol-b/*' in create.diff.after"
      - create.policy.Statement | length == 2
      - same is not changed
      - check_wider is changed
      - widen is changed
      - "'s3:DeleteObject' not in widen.diff.before and 's3:DeleteObject' in widen.diff.after"
      - widen_again is not changed
      - filtered is changed
      - filtered_again is not changed
      - not_json is failed
      - "'not valid JSON' in not_json.msg"
      - no_policy is failed
      - "'policy' in no_policy.msg"
      - check_remove is changed
      - remove is changed
      - remove.diff.after == ""
      - remove_again is not changed
"""


def test_policy_lifecycle(minio_play, minio_server, unique):
    name = unique("pol")
    admin = minio_server.admin()
    result = minio_play(LIFECYCLE, extra_vars={"name": name, "policy": POLICY, "same_rewritten": SAME_REWRITTEN,
                                               "wider": WIDER})
    assert result.rc == 0, result.output
    policies = json.loads(admin.policy_list())
    assert name not in policies
    assert name + "-filter" in policies


def test_check_mode_and_the_server_agree(minio_play, minio_server, unique):
    """Check mode changes nothing on the server; the real run stores what was asked."""
    name = unique("polcm")
    admin = minio_server.admin()
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy }}"}
          check_mode: true
        """, extra_vars={"name": name, "policy": POLICY})
    assert result.rc == 0 and result.changed == 1, result.output
    assert name not in json.loads(admin.policy_list())
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy }}"}
        """, extra_vars={"name": name, "policy": SAME_REWRITTEN})
    assert result.rc == 0 and result.changed == 1, result.output
    stored = json.loads(admin.policy_info(name))
    assert {a for s in stored["Statement"] for a in s["Action"]} == {
        "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject"}


def test_removing_an_attached_policy_fails_clearly(minio_play, minio_server, unique):
    name, user = unique("polused"), unique("poluser")
    result = minio_play("""
        - onprem.mlflow.minio_policy: {name: "{{ name }}", policy: "{{ policy }}"}
        - onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: user-secret-123, policies: ["{{ name }}"]}
        - onprem.mlflow.minio_policy: {name: "{{ name }}", state: absent}
          register: in_use
          ignore_errors: true
        - ansible.builtin.assert:
            that:
              - in_use is failed
              - "'still attached' in in_use.msg"
              - "'detach it first' in in_use.msg"
        """, extra_vars={"name": name, "user": user, "policy": POLICY})
    assert result.rc == 0, result.output
    assert name in json.loads(minio_server.admin().policy_list())
