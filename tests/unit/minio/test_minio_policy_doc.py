"""Semantic comparison of IAM policies (module_utils/minio/policy_doc.py)."""

import json

import pytest
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    normalise_policy,
    policies_equal,
    policy_text,
)

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::b"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::b/*"]},
    ],
}


def test_same_policy_spelt_differently_is_equal():
    rewritten = json.dumps({
        "Statement": [
            {"Resource": "arn:aws:s3:::b/*", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObject"],
             "Effect": "Allow"},
            {"Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": "arn:aws:s3:::b", "Effect": "Allow",
             "Sid": ""},
        ],
        "Version": "2012-10-17",
    }, indent=4)
    assert policies_equal(POLICY, rewritten)
    assert policy_text(POLICY) == policy_text(rewritten)


def test_single_statement_object_equals_a_one_element_list():
    single = {"Version": "2012-10-17", "Statement": POLICY["Statement"][0]}
    listed = {"Version": "2012-10-17", "Statement": [POLICY["Statement"][0]]}
    assert policies_equal(single, listed)


@pytest.mark.parametrize("change", [
    lambda p: p["Statement"][1]["Action"].append("s3:DeleteObject"),
    lambda p: p["Statement"][1].update(Resource=["arn:aws:s3:::other/*"]),
    lambda p: p["Statement"][0].update(Effect="Deny"),
    lambda p: p["Statement"].pop(),
    lambda p: p["Statement"][0].update(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
])
def test_a_real_change_is_not_equal(change):
    changed = json.loads(json.dumps(POLICY))
    change(changed)
    assert not policies_equal(POLICY, changed)


def test_condition_values_compare_as_sets():
    a = dict(POLICY, Statement=[dict(POLICY["Statement"][0],
                                     Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}})])
    b = dict(POLICY, Statement=[dict(POLICY["Statement"][0],
                                     Condition={"IpAddress": {"aws:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}})])
    assert policies_equal(a, b)


def test_no_policy_equals_only_no_policy():
    assert policies_equal(None, None)
    assert not policies_equal(None, POLICY)
    assert not policies_equal(POLICY, None)


@pytest.mark.parametrize("bad, why", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ({"Version": "2012-10-17"}, "Statement"),
    ({"Version": "2012-10-17", "Statement": [{"Action": "s3:*"}]}, "Effect"),
])
def test_malformed_policies_are_refused_with_the_reason(bad, why):
    with pytest.raises(PolicyError, match=why):
        load_policy(bad)


def test_normalised_form_sorts_sets_and_keeps_the_version():
    normal = normalise_policy(POLICY)
    assert normal["Version"] == "2012-10-17"
    assert normal["Statement"][0]["Action"] == sorted(normal["Statement"][0]["Action"])
