"""StatefulSets whose pods are replaced all at once (plugins/plugin_utils/workloads.py, the
with_template_checksums and templates_changed filters); no servers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible_collections.onprem.mlflow.plugins.filter.platform import FilterModule

FILTERS = FilterModule().filters()
annotate, changed = FILTERS["with_template_checksums"], FILTERS["templates_changed"]
KEY = "onprem.mlflow/pod-template-checksum"


def statefulset(image="minio:1", strategy="OnDelete"):
    selector = {"matchLabels": {"app.kubernetes.io/name": "minio"}}
    return {"kind": "StatefulSet", "metadata": {"name": "minio", "namespace": "ns"},
            "spec": {"updateStrategy": {"type": strategy}, "selector": selector,
                     "template": {"spec": {"containers": [{"name": "minio", "image": image}]}}}}


def test_only_statefulsets_replaced_at_once_get_the_checksum_of_their_pod_template():
    rolling, at_once, service = annotate([statefulset(strategy="RollingUpdate"), statefulset(), {"kind": "Service"}])
    assert "annotations" not in rolling["metadata"] and service == {"kind": "Service"}
    assert len(at_once["metadata"]["annotations"][KEY]) == 16
    assert annotate([statefulset()]) == [at_once]  # the same template, the same checksum
    other = annotate([statefulset("minio:2")])[0]
    assert other["metadata"]["annotations"][KEY] != at_once["metadata"]["annotations"][KEY]


def test_a_changed_template_of_a_live_statefulset_is_found_a_new_or_unchanged_one_is_not():
    live = annotate([statefulset("minio:1")])
    assert changed(annotate([statefulset("minio:1")]), live) == []
    assert changed(annotate([statefulset("minio:1")]), []) == []  # a first install replaces nothing
    assert changed(annotate([statefulset("minio:2")]), live) == [
        {"name": "minio", "namespace": "ns", "selector": "app.kubernetes.io/name=minio"}]
    # A live object applied before the annotation existed counts as changed: its pods are of unknown make.
    assert changed(annotate([statefulset()]), [statefulset()])[0]["name"] == "minio"
