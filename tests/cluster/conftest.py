"""Fixtures the control-plane tests share: API clients of the suite's cluster (harness.kube_cluster)."""

from __future__ import annotations

import pytest
from kubernetes import client


@pytest.fixture(scope="module")
def api(kube_cluster):
    with kube_cluster.api_client() as api_client:
        yield api_client


@pytest.fixture(scope="module")
def core(api):
    return client.CoreV1Api(api)
