"""NetworkPolicy peers from the inventory (plugins/plugin_utils/k8s_peers.py and the filters of
plugins/filter/platform.py); no servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible.errors import AnsibleFilterError
from ansible_collections.onprem.mlflow.plugins.filter.platform import FilterModule
from ansible_collections.onprem.mlflow.plugins.plugin_utils.checks import problem_of
from ansible_collections.onprem.mlflow.plugins.plugin_utils.k8s_peers import (
    PeerError,
    network_policy_peers,
)

FILTERS = FilterModule().filters()


def test_a_namespace_name_is_every_pod_of_that_namespace():
    # minio_api_allowed_from: [ingress-nginx], as the docs write it: it used to render a bare string.
    assert network_policy_peers(["ingress-nginx"], "minio_api_allowed_from") == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]


@pytest.mark.parametrize("peer", [
    {"namespaceSelector": {"matchLabels": {"team": "ops"}}},
    {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["proxy"]}]}},
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}},
     "podSelector": {"matchLabels": {"app": "proxy"}}},
    {"ipBlock": {"cidr": "10.0.0.0/8"}},
    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
    {"namespaceSelector": {}},
])
def test_full_peers_are_kept_as_given(peer):
    assert network_policy_peers([peer], "f") == [peer]
    assert problem_of(network_policy_peers, [peer], "f") is None


@pytest.mark.parametrize("peers, message", [
    (["Ingress Nginx"], "f[0]: 'Ingress Nginx' is not a namespace name"),
    (["ok", "-bad"], "f[1]: '-bad' is not a namespace name"),
    ([42], "f[0]: 42 is neither a namespace name nor a NetworkPolicy peer"),
    ([{}], "f[0]: {} is not a NetworkPolicy peer: it is empty"),
    ([{"namespaceSelectr": {}}], "f[0]: {'namespaceSelectr': {}} is not a NetworkPolicy peer: unknown key(s) "
                                 "namespaceSelectr"),
    ([{"podSelector": "app=proxy"}], "f[0]: podSelector must be a mapping"),
    ([{"podSelector": {"labels": {}}}], "f[0]: podSelector has unknown key(s) labels"),
    ([{"podSelector": {"matchLabels": ["a"]}}], "f[0]: podSelector.matchLabels must be a mapping"),
    ([{"namespaceSelector": {"matchExpressions": {}}}], "f[0]: namespaceSelector.matchExpressions must be a list"),
    ([{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}], "f[0]: ipBlock cannot be combined"),
    ([{"ipBlock": "10.0.0.0/8"}], "f[0]: ipBlock must be a mapping with a cidr"),
    ([{"ipBlock": {"cidr": "10.0.0.1"}}], "f[0]: ipBlock must be a mapping with a cidr"),
    ([{"ipBlock": {"cidr": "10.0.0.0/8", "exclude": []}}], "f[0]: ipBlock {'cidr': '10.0.0.0/8', 'exclude': []} may "
                                                           "only have cidr and an except list"),
    ("ingress-nginx", "f must be a list of namespace names or NetworkPolicy peers, not 'ingress-nginx'"),
])
def test_anything_else_is_refused_naming_field_index_and_value(peers, message):
    with pytest.raises(PeerError) as info:
        network_policy_peers(peers, "f")
    assert message in str(info.value)
    assert problem_of(network_policy_peers, peers, "f") == str(info.value)


def test_every_bad_peer_is_reported_at_once():
    text = problem_of(network_policy_peers, ["Bad", "good", 1], "minio_api_allowed_from")
    assert "minio_api_allowed_from[0]" in text and "minio_api_allowed_from[2]" in text
    assert "minio_api_allowed_from[1]" not in text


def test_none_is_no_peers():
    assert network_policy_peers(None) == []


def test_the_filters():
    assert FILTERS["network_policy_peers"](["ops"], "x") == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}}]
    assert FILTERS["network_policy_peers_problem"](["ops"], "x") == ""
    assert "x[0]" in FILTERS["network_policy_peers_problem"]([5], "x")
    with pytest.raises(AnsibleFilterError, match=r"x\[0\]: 5 is neither"):
        FILTERS["network_policy_peers"]([5], "x")
    assert FILTERS["volume_size"]("50GiB", "postgres_storage_size") == "50Gi"
    assert FILTERS["volume_size_problem"]("50Gi", "postgres_storage_size") == ""
    assert FILTERS["volume_size_problem"](50, "postgres_storage_size").startswith("postgres_storage_size: 50 has no")
    with pytest.raises(AnsibleFilterError, match="postgres_storage_size: 50 has no unit"):
        FILTERS["volume_size"](50, "postgres_storage_size")
