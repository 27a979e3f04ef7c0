"""The workload_ready test of the platform role: what a re-run that changed nothing still waits for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible_collections.onprem.mlflow.plugins.test.platform import workload_ready


def sts(replicas=1, ready=1, updated=1, generation=2, observed=2):
    return {"kind": "StatefulSet", "metadata": {"generation": generation}, "spec": {"replicas": replicas},
            "status": {"observedGeneration": observed, "readyReplicas": ready, "updatedReplicas": updated}}


@pytest.mark.parametrize("obj, ready", [
    (sts(), True),
    (sts(replicas=3, ready=3, updated=3), True),
    (sts(ready=0), False),                     # a crash-looping pod
    (sts(replicas=3, ready=3, updated=2), False),  # a rolling update still under way
    (sts(observed=1), False),                  # the controller has not seen the last apply
    ({}, False),                               # not found
    ({"kind": "Deployment", "metadata": {}, "spec": {}, "status": {}}, False),
    ({"kind": "Job", "status": {"conditions": [{"type": "Complete", "status": "True"}]}}, True),
    ({"kind": "Job", "status": {"conditions": [{"type": "Failed", "status": "True"}]}}, False),
    ({"kind": "Job", "status": {}}, False),
])
def test_a_workload_is_ready_only_when_all_its_replicas_are(obj, ready):
    assert workload_ready(obj) is ready
