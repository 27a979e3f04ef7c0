"""Human sizes for bucket quotas (module_utils/minio/size.py) and volume sizes (plugin_utils/volumes.py)."""

import pytest
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import (
    format_size,
    parse_size,
)
from ansible_collections.onprem.mlflow.plugins.plugin_utils.checks import problem_of
from ansible_collections.onprem.mlflow.plugins.plugin_utils.volumes import volume_quantity


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


# Issue 16: quotas took 50GiB, volumes 50Gi; both spellings are accepted everywhere.
@pytest.mark.parametrize("text, size", [
    ("50Gi", 50 * 1024 ** 3), ("1.5Ki", 1536), ("3Mi", 3 * 1024 ** 2), ("2Ti", 2 * 1024 ** 4), ("1Pi", 1024 ** 5),
    ("1k", 1000), ("500M", 500 * 1000 ** 2), ("50G", 50 * 1000 ** 3), ("2T", 2 * 1000 ** 4), ("1P", 1000 ** 5),
])
def test_kubernetes_quantities_parse_to_bytes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["50m", "50K", "50gi", "50Ei"])
def test_kubernetes_spellings_are_case_sensitive(bad):
    # Kubernetes' m is milli, and it spells kilo k and the binary units Ki..Pi exactly so.
    with pytest.raises(ValueError):
        parse_size(bad)


@pytest.mark.parametrize("given, quantity", [
    ("50Gi", "50Gi"), ("50GiB", "50Gi"), ("50gib", "50Gi"), ("50 GiB", "50Gi"), ("1.5Ti", "1.5Ti"),
    ("1.5TiB", "1.5Ti"), ("500MB", "500M"), ("500M", "500M"), ("20G", "20G"), ("100KiB", "100Ki"), ("2PB", "2P"),
])
def test_volume_sizes_become_kubernetes_quantities(given, quantity):
    assert volume_quantity(given, "postgres_storage_size") == quantity
    assert problem_of(volume_quantity, given, "postgres_storage_size") is None


@pytest.mark.parametrize("bad, message", [
    (50, "postgres_storage_size: 50 has no unit, and Kubernetes would read it as 50 bytes"),
    ("50", "postgres_storage_size: '50' has no unit"),
    ("1024B", "postgres_storage_size: '1024B' has unit 'B', which is not a volume size unit"),
    ("50m", "postgres_storage_size: '50m' has unit 'm'"),
    ("0Gi", "postgres_storage_size: '0Gi' must be more than zero"),
    ("lots", "postgres_storage_size: 'lots' is not a size"),
    (True, "postgres_storage_size: True is not a size"),
    (None, "postgres_storage_size: None is not a size"),
    ([50], "postgres_storage_size: [50] is not a size"),
])
def test_bad_volume_sizes_name_the_field_and_value(bad, message):
    with pytest.raises(ValueError) as info:
        volume_quantity(bad, "postgres_storage_size")
    assert message in str(info.value)
    assert "e.g. 50Gi" in str(info.value)
    assert problem_of(volume_quantity, bad, "postgres_storage_size") == str(info.value)


def test_every_volume_quantity_is_the_same_size_as_the_quota_spelling():
    for given in ("50GiB", "500MB", "1.5TiB", "3Mi", "7G"):
        assert parse_size(volume_quantity(given)) == parse_size(given)
