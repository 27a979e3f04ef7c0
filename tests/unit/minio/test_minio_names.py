"""Names and keys MinIO would refuse, caught before anything changes (module_utils/minio/names.py)."""

import pytest
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem, key_problem


@pytest.mark.parametrize("name", ["mlflow-team-a", "abc", "a.b-c", "x" * 63, "team1"])
def test_valid_bucket_names(name):
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize("name", ["ab", "x" * 64, "Team", "-abc", "abc-", "a..b", "a.-b", "192.168.1.1", "a_b", ""])
def test_invalid_bucket_names(name):
    assert bucket_name_problem(name)


def test_key_problems_never_echo_a_secret():
    secret = "short"  # noqa: S105 - a deliberately bad secret
    problem = key_problem("tenant", secret)
    assert problem and secret not in problem
    assert key_problem("tenant", "x" * 41)
    assert key_problem("ab", None)
    assert key_problem("a" * 21, None, max_access_key=20)
    assert key_problem("tenant-a", "a-good-secret") is None
