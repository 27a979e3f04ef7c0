"""The operator's pod settings (plugins/plugin_utils/pod_settings.py, the with_pod_settings and
pod_settings_problem filters): added to every pod template of a component, nothing when empty,
every bad value named before anything is applied; no servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible.errors import AnsibleFilterError
from ansible_collections.onprem.mlflow.plugins.filter.platform import FilterModule

FILTERS = FilterModule().filters()
with_pod_settings, problem = FILTERS["with_pod_settings"], FILTERS["pod_settings_problem"]
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def workload(kind="Deployment"):
    return {"kind": kind, "metadata": {"name": "w"}, "spec": {"template": {
        "metadata": {"labels": {"app.kubernetes.io/name": "w"}, "annotations": {"onprem.mlflow/config-checksum": "x"}},
        "spec": {"initContainers": [{"name": "init", "env": [{"name": "A", "value": "1"}]}],
                 "containers": [{"name": "main"}], "volumes": [{"name": "tmp", "emptyDir": {}}]}}}}


FULL = {"component": "mlflow", "image_pull_secrets": ["registry-creds"],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ml", "effect": "NoSchedule"}],
        "extra_env": [{"name": "TZ", "value": "Europe/Berlin"}],
        "pod_labels": {"team": "platform"}, "pod_annotations": {"example.com/owner": "ml ops"},
        "priority_class_name": "platform-high", "http_proxy": "http://proxy.lab:3128",
        "https_proxy": "http://proxy.lab:3128", "no_proxy": ".lab.internal", "ca_bundle": CA}


def test_empty_settings_change_nothing():
    manifests = [workload(), {"kind": "Service", "metadata": {"name": "s"}}]
    assert with_pod_settings(manifests, {"component": "mlflow"}) == manifests


def test_every_setting_lands_in_every_pod_template_and_container():
    (job, service) = with_pod_settings([workload("Job"), {"kind": "Service", "spec": {}}], FULL)
    assert service == {"kind": "Service", "spec": {}}
    pod = job["spec"]["template"]
    assert pod["metadata"]["labels"] == {"team": "platform", "app.kubernetes.io/name": "w"}
    assert pod["metadata"]["annotations"]["example.com/owner"] == "ml ops"
    assert pod["metadata"]["annotations"]["onprem.mlflow/config-checksum"] == "x"
    spec = pod["spec"]
    assert spec["imagePullSecrets"] == [{"name": "registry-creds"}]
    assert spec["tolerations"] == FULL["tolerations"]
    assert spec["priorityClassName"] == "platform-high"
    assert {"name": "platform-ca-bundle", "configMap": {"name": "platform-ca-bundle"}} in spec["volumes"]
    for container in spec["initContainers"] + spec["containers"]:
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["TZ"] == "Europe/Berlin"
        assert env["HTTP_PROXY"] == env["https_proxy"] == "http://proxy.lab:3128"
        # The cluster's own Services are never sent to the proxy.
        assert env["NO_PROXY"] == env["no_proxy"] == ".lab.internal,localhost,127.0.0.1,.svc,.cluster.local"
        assert env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"] == env["AWS_CA_BUNDLE"] == \
            "/etc/onprem-mlflow/ca/ca-bundle.crt"
        assert {"name": "platform-ca-bundle", "mountPath": "/etc/onprem-mlflow/ca", "readOnly": True} \
            in container["volumeMounts"]
    assert spec["initContainers"][0]["env"][0] == {"name": "A", "value": "1"}  # the template's own come first


def test_the_input_is_left_as_it_was():
    manifests = [workload()]
    with_pod_settings(manifests, FULL)
    assert manifests == [workload()]


@pytest.mark.parametrize(("change", "message"), [
    ({"image_pull_secrets": ["Registry_Creds"]}, "mlflow_image_pull_secrets: 'Registry_Creds' is not a valid name"),
    ({"image_pull_secrets": "registry-creds"}, "mlflow_image_pull_secrets must be a list of names"),
    ({"tolerations": [{"key": "a", "operator": "Same"}]}, r"mlflow_tolerations\[0\]: operator 'Same'"),
    ({"tolerations": [{"key": "a", "effect": "NoWay"}]}, r"mlflow_tolerations\[0\]: effect 'NoWay'"),
    ({"tolerations": [{"operator": "Equal", "value": "x"}]}, "without a key the operator must be Exists"),
    ({"tolerations": [{"key": "a", "colour": "red"}]}, r"unknown field\(s\) colour"),
    ({"extra_env": [{"name": "TZ"}]}, r"mlflow_extra_env\[0\] \(TZ\) must have exactly one of value and valueFrom"),
    ({"extra_env": [{"name": "N", "value": 5}]}, "value must be a string"),
    ({"extra_env": [{"name": "HTTPS_PROXY", "value": "x"}]}, "HTTPS_PROXY is set by the platform"),
    ({"extra_env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}, "A is listed twice"),
    ({"pod_labels": {"app.kubernetes.io/name": "x"}}, "app.kubernetes.io/name is the platform's own"),
    ({"pod_labels": {"team": "has space"}}, "the value of team must be a string of at most 63"),
    ({"pod_annotations": {"owner": 5}}, "the value of owner must be a string"),
    ({"priority_class_name": "High!"}, "mlflow_priority_class_name: 'High!' is not a valid PriorityClass name"),
    ({"ca_bundle": "not a certificate"}, "platform_ca_bundle must be the PEM text"),
])
def test_bad_settings_are_named_with_their_value(change, message):
    settings = {"component": "mlflow", **change}
    assert problem(settings) != ""
    with pytest.raises(AnsibleFilterError, match=message):
        with_pod_settings([workload()], settings)


def test_each_scope_reports_only_its_own_settings():
    bad = {"component": "minio", "priority_class_name": "High!", "ca_bundle": "nope"}
    assert "minio_priority_class_name" in problem(bad, "component") and "ca_bundle" not in problem(bad, "component")
    assert "platform_ca_bundle" in problem(bad, "platform") and "priority" not in problem(bad, "platform")
    assert problem({**FULL, "component": "minio"}) == ""
