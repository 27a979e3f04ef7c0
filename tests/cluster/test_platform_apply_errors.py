"""The platform role's apply path when the API server refuses something (harness.kube_cluster).

roles/platform applies a component's objects with one kubernetes.core.k8s run per group (its
Secrets, the rest), not one per object. One refused object must still fail the run, name that
object and say why (without the API server's message for a Secret, which may quote its data),
while the objects around it are applied as a loop over them did. A node name that is not in the
cluster fails before any node is labelled.

One playbook, its own namespace; each case is a block whose rescue writes down the failure.
"""

from __future__ import annotations

import json

import pytest
from harness.playbook import run_playbook
from kubernetes import client
from kubernetes.client.rest import ApiException

pytestmark = pytest.mark.slow

NAMESPACE = "platform-apply-errors"
HIDDEN_VALUE = "hush-7f3a9c2e41d8b605"

PLAY = """
- name: Apply objects the API server partly refuses
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    failures: {}
    the_namespace: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%(ns)s"}}
    configmap_a: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "%(ns)s"}}
    configmap_broken: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "broken", "namespace": "%(ns)s"},
                       "data": {"not a key": "x"}}
    configmap_c: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "%(ns)s"}}
    secret_ok: {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "fine", "namespace": "%(ns)s"},
                "stringData": {"password": "%(value)s"}}
    secret_broken: {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "refused", "namespace": "%(ns)s"},
                    "stringData": {"not a key": "%(value)s"}}
  tasks:
    - name: Create the namespace (a single object)
      ansible.builtin.include_role:
        name: onprem.mlflow.platform
        tasks_from: manifests
      vars:
        platform_component: errors
        platform_manifests: "{{ [the_namespace] }}"

    - name: Secrets, one of them refused
      block:
        - name: Apply them
          ansible.builtin.include_role:
            name: onprem.mlflow.platform
            tasks_from: manifests
          vars:
            platform_component: errors
            platform_manifests: "{{ [secret_broken, secret_ok, configmap_a] }}"
      rescue:
        - name: Record the failure
          ansible.builtin.set_fact:
            failures: "{{ failures | combine({'secrets': ansible_failed_result.msg}) }}"

    - name: ConfigMaps, one of them refused
      block:
        - name: Apply them
          ansible.builtin.include_role:
            name: onprem.mlflow.platform
            tasks_from: manifests
          vars:
            platform_component: errors
            platform_manifests: "{{ [configmap_a, configmap_broken, configmap_c] }}"
      rescue:
        - name: Record the failure
          ansible.builtin.set_fact:
            failures: "{{ failures | combine({'others': ansible_failed_result.msg}) }}"

    - name: A node that is not in the cluster
      block:
        - name: Label it
          ansible.builtin.include_role:
            name: onprem.mlflow.platform
            tasks_from: node_labels
          vars:
            platform_node_labels: {"no-such-node": {"onprem.mlflow/test": "true"}}
      rescue:
        - name: Record the failure
          ansible.builtin.set_fact:
            failures: "{{ failures | combine({'nodes': ansible_failed_result.msg}) }}"

    - name: Write down the failures
      ansible.builtin.copy:
        content: "{{ failures | to_json }}"
        dest: "{{ failures_file }}"
        mode: "0600"
""" % {"ns": NAMESPACE, "value": HIDDEN_VALUE}


@pytest.fixture(scope="module")
def applied(kube_cluster, tmp_path_factory):
    failures_file = tmp_path_factory.mktemp("apply-errors") / "failures.json"
    result = run_playbook(PLAY, extra_vars={"platform_kubeconfig": str(kube_cluster.kubeconfig),
                                            "failures_file": str(failures_file)})
    assert result.rc == 0, result.output[-8000:]
    assert result.recap["localhost"]["rescued"] == 3, result.output[-8000:]
    return result, json.loads(failures_file.read_text())


def test_a_refused_object_fails_the_run_and_is_named_with_the_reason(applied):
    _, failures = applied
    message = failures["others"]
    assert "ConfigMap/broken" in message
    assert "is invalid" in message and "not a key" in message, message
    # Only the refused object is named.
    assert "ConfigMap/a" not in message and "ConfigMap/c" not in message


def test_a_refused_secret_is_named_without_the_api_servers_message(applied):
    result, failures = applied
    message = failures["secrets"]
    assert "Secret/refused" in message and "Unprocessable Entity" in message, message
    assert "Secret/fine" not in message
    assert "not a key" not in message
    assert HIDDEN_VALUE not in result.output


def test_the_objects_around_a_refused_one_are_applied(applied, kube_cluster):
    with kube_cluster.api_client() as api:
        core = client.CoreV1Api(api)
        assert {c.metadata.name for c in core.list_namespaced_config_map(NAMESPACE).items} >= {"a", "c"}
        assert core.read_namespaced_secret("fine", NAMESPACE).data
        for name, read in (("broken", core.read_namespaced_config_map), ("refused", core.read_namespaced_secret)):
            with pytest.raises(ApiException) as missing:
                read(name, NAMESPACE)
            assert missing.value.status == 404


def test_a_node_missing_from_the_cluster_is_named_before_any_label(applied, kube_cluster):
    result, failures = applied
    assert "No node named no-such-node in the cluster" in failures["nodes"]
    assert "node-1" in failures["nodes"]  # the nodes it has
    assert "Label the nodes the workloads select on" not in result.output.split("Read the nodes of the cluster")[-1]
