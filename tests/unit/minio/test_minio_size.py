"""Human sizes for bucket quotas (module_utils/minio_size.py)."""

import pytest
from ansible_collections.onprem.mlflow.plugins.module_utils.minio_size import format_size, parse_size


@pytest.mark.parametrize("text, size", [
    ("50GiB", 50 * 1024 ** 3),
    ("50 GiB", 50 * 1024 ** 3),
    ("50gib", 50 * 1024 ** 3),
    ("500MB", 500 * 1000 ** 2),
    ("2TB", 2 * 1000 ** 4),
    ("1.5KiB", 1536),
    ("1024", 1024),
    ("1024B", 1024),
    (1048576, 1048576),
    ("1PiB", 1024 ** 5),
])
def test_sizes_parse_to_bytes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("none", [None, "", "0", 0, "none", "None", "unlimited"])
def test_none_means_no_quota(none):
    assert parse_size(none) == 0


@pytest.mark.parametrize("bad", ["abc", "10XB", "-5", "5 G B", "0.3B", True, -1, "1e9"])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError):
        parse_size(bad)


@pytest.mark.parametrize("size, text", [
    (50 * 1024 ** 3, "50GiB"), (1536, "1536B"), (1024 ** 2, "1MiB"), (1000, "1000B"),
    (0, None),
])
def test_sizes_format_exactly(size, text):
    assert format_size(size) == text


def test_format_and_parse_round_trip():
    for size in (1, 1023, 1024, 5 * 1024 ** 4, 123456789):
        assert parse_size(format_size(size)) == size
