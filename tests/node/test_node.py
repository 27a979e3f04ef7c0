"""The real node itself (harness.kube_node): joined, Ready, and running a container from an
image built here, whose log the API server fetches from the kubelet."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def core(kube_node):
    with kube_node.cluster.api_client() as api:
        yield client.CoreV1Api(api)


def _wait_phase(core, name, namespace, phases, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pod = core.read_namespaced_pod(name, namespace)
        if pod.status.phase in phases:
            return pod
        time.sleep(1)
    raise AssertionError(f"pod {namespace}/{name} stayed {pod.status.phase}: {pod.status}")


def test_the_node_is_ready_with_the_bridge_address(kube_node, core):
    node = core.read_node("localhost")
    assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)
    addresses = {a.type: a.address for a in node.status.addresses}
    assert addresses == {"InternalIP": "198.18.0.1", "Hostname": "localhost"}
    assert node.status.node_info.container_runtime_version.startswith("containerd://1.6")
    assert node.status.node_info.kubelet_version == kube_node.cluster.version


def test_a_pod_runs_a_real_container_and_its_log_comes_back(kube_node, core):
    core.create_namespaced_pod("default", client.V1Pod(
        metadata=client.V1ObjectMeta(name="hello"),
        spec=client.V1PodSpec(restart_policy="Never", containers=[client.V1Container(
            name="hello", image=kube_node.images["mc"], image_pull_policy="Never",
            command=["/bin/sh", "-c", "echo hello from $(hostname) as $(id -u); cat /etc/resolv.conf"],
            security_context=client.V1SecurityContext(run_as_user=1000))])))
    pod = _wait_phase(core, "hello", "default", {"Succeeded", "Failed"})
    log = core.read_namespaced_pod_log("hello", "default")
    assert pod.status.phase == "Succeeded", log
    assert "hello from hello as 1000" in log
    assert pod.status.pod_ip.startswith("198.18.0.")
    assert "nameserver 198.19.0.10" in log
    core.delete_namespaced_pod("hello", "default", grace_period_seconds=0)


def test_coredns_answers_cluster_names_through_its_service(kube_node, core):
    core.create_namespaced_pod("default", client.V1Pod(
        metadata=client.V1ObjectMeta(name="resolve"),
        spec=client.V1PodSpec(restart_policy="Never", containers=[client.V1Container(
            name="resolve", image=kube_node.images["mlflow"], image_pull_policy="Never",
            command=["python3", "-c",
                     "import socket\n"
                     "print(socket.gethostbyname('kube-dns.kube-system.svc.cluster.local'))\n"
                     "try:\n"
                     "    socket.gethostbyname('pypi.org'); print('resolved outside')\n"
                     "except OSError as exc:\n"
                     "    print('outside refused', exc)\n"])])))
    pod = _wait_phase(core, "resolve", "default", {"Succeeded", "Failed"})
    log = core.read_namespaced_pod_log("resolve", "default")
    assert pod.status.phase == "Succeeded", log
    assert "198.19.0.10" in log
    assert "outside refused" in log, log
    core.delete_namespaced_pod("resolve", "default", grace_period_seconds=0)
