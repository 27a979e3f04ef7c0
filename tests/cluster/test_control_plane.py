"""Smoke tests of the control plane the cluster tier runs on (harness.kube_cluster).

Real: etcd, kube-apiserver, kube-controller-manager, kube-scheduler. Simulated: the nodes
(KWOK marks pods Running/Ready; no container runs).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest
from harness.kube_cluster import KUBERNETES_VERSION
from harness.waiting import wait_until
from kubernetes import client
from kubernetes.client.rest import ApiException

pytestmark = pytest.mark.slow

IMAGE = "registry.invalid/never-pulled:1"  # no kubelet pulls it: KWOK only fakes the status


def fetch(url: str, context: ssl.SSLContext, headers: dict | None = None):
    """GET `url` over TLS (loopback only: the harness's API server)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - https to 127.0.0.1
    return urllib.request.urlopen(request, context=context, timeout=10)  # noqa: S310


def wait_for(what: str, check, timeout: float = 60):
    return wait_until(what, check, timeout, interval=0.3)


@pytest.fixture
def namespace(core):
    """A fresh namespace per test, deleted afterwards (labels can be set by the test)."""
    name = f"cp-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


def restricted_container(name: str = "main") -> client.V1Container:
    """A container that satisfies Pod Security `restricted`."""
    return client.V1Container(
        name=name, image=IMAGE,
        security_context=client.V1SecurityContext(
            allow_privilege_escalation=False, run_as_non_root=True, run_as_user=1000,
            capabilities=client.V1Capabilities(drop=["ALL"]),
            seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault"),
        ),
    )


def test_api_serves_tls_signed_by_the_harness_ca(kube_cluster, api):
    url = urlparse(kube_cluster.server)
    assert url.scheme == "https" and url.hostname == "127.0.0.1"
    # Verifies the chain and the 127.0.0.1 SAN against the CA the harness generated.
    context = ssl.create_default_context(cafile=str(kube_cluster.ca_file))
    with fetch(f"{kube_cluster.server}/readyz", context) as resp:
        assert resp.status == 200
        assert resp.read() == b"ok"
    # The system's trust store does not know that CA: TLS is real, not a pass-through.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"{kube_cluster.server}/readyz", ssl.create_default_context())
    version = client.VersionApi(api).get_code()
    assert version.git_version == KUBERNETES_VERSION


def test_unauthenticated_requests_are_refused(kube_cluster):
    context = ssl.create_default_context(cafile=str(kube_cluster.ca_file))
    url = f"{kube_cluster.server}/api/v1/namespaces/kube-system/secrets"
    # No credentials: anonymous, and RBAC grants system:anonymous nothing here.
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        fetch(url, context)
    assert anonymous.value.code == 403
    assert "system:anonymous" in anonymous.value.read().decode()
    # A made-up token is not accepted by any authenticator.
    with pytest.raises(urllib.error.HTTPError) as bad_token:
        fetch(url, context, headers={"Authorization": "Bearer not-a-real-token"})
    assert bad_token.value.code == 401


def test_simulated_nodes_are_ready_with_hostname_labels(kube_cluster, core):
    nodes = {n.metadata.name: n for n in core.list_node().items}
    assert sorted(nodes) == sorted(kube_cluster.nodes)
    for name, node in nodes.items():
        assert node.metadata.labels["kubernetes.io/hostname"] == name
        assert node.metadata.annotations["kwok.x-k8s.io/node"] == "fake"
        ready = [c for c in node.status.conditions if c.type == "Ready"]
        assert ready and ready[0].status == "True", f"{name} is not Ready: {node.status.conditions}"
        assert not node.spec.taints, f"{name} is tainted: {node.spec.taints}"


def test_deployment_pod_is_scheduled_and_ready(kube_cluster, api, core, namespace):
    apps = client.AppsV1Api(api)
    labels = {"app": "smoke"}
    apps.create_namespaced_deployment(namespace, client.V1Deployment(
        metadata=client.V1ObjectMeta(name="smoke"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[restricted_container()]),
            ),
        ),
    ))
    wait_for("deployment smoke to have 2 ready replicas",
             lambda: (apps.read_namespaced_deployment_status("smoke", namespace).status.ready_replicas or 0) == 2)
    pods = core.list_namespaced_pod(namespace, label_selector="app=smoke").items
    assert len(pods) == 2
    for pod in pods:
        assert pod.spec.node_name in kube_cluster.nodes
        assert pod.status.phase == "Running"
        assert any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions)


def test_job_pod_completes(api, namespace):
    batch = client.BatchV1Api(api)
    batch.create_namespaced_job(namespace, client.V1Job(
        metadata=client.V1ObjectMeta(name="once"),
        spec=client.V1JobSpec(backoff_limit=0, template=client.V1PodTemplateSpec(
            spec=client.V1PodSpec(restart_policy="Never", containers=[restricted_container()]))),
    ))
    wait_for("job once to succeed",
             lambda: (batch.read_namespaced_job_status("once", namespace).status.succeeded or 0) == 1)


def test_restricted_namespace_rejects_a_privileged_pod(core, namespace):
    core.patch_namespace(namespace, {"metadata": {"labels": {
        "pod-security.kubernetes.io/enforce": "restricted"}}})
    privileged = client.V1Pod(
        metadata=client.V1ObjectMeta(name="privileged"),
        spec=client.V1PodSpec(containers=[client.V1Container(
            name="main", image=IMAGE, security_context=client.V1SecurityContext(privileged=True))]),
    )
    with pytest.raises(ApiException) as rejected:
        core.create_namespaced_pod(namespace, privileged)
    assert rejected.value.status == 403
    message = json.loads(rejected.value.body)["message"]
    assert 'violates PodSecurity "restricted:latest"' in message
    assert 'privileged (container "main" must not set securityContext.privileged=true)' in message
    # The same namespace admits a pod that meets the profile: the rejection was Pod Security's.
    compliant = client.V1Pod(metadata=client.V1ObjectMeta(name="compliant"),
                             spec=client.V1PodSpec(containers=[restricted_container()]))
    core.create_namespaced_pod(namespace, compliant)


@pytest.fixture
def local_storage_class(api):
    storage = client.StorageV1Api(api)
    name = f"local-{uuid.uuid4().hex[:8]}"
    storage.create_storage_class(client.V1StorageClass(
        metadata=client.V1ObjectMeta(name=name),
        provisioner="kubernetes.io/no-provisioner",
        volume_binding_mode="WaitForFirstConsumer",
    ))
    yield name
    storage.delete_storage_class(name)


def test_local_volumes_pin_pods_to_their_nodes(kube_cluster, core, namespace, local_storage_class):
    """One local PV per node (node-2 among them), claimed through a label selector with delayed
    binding: the scheduler must put each pod on the node of its claim's volume, and the PV
    controller must then bind that claim to that volume."""
    assert len(kube_cluster.nodes) >= 2
    pvs = []
    try:
        for index, node in enumerate(kube_cluster.nodes):
            pv = f"{namespace}-pv-{index}"
            pvs.append(pv)
            core.create_persistent_volume(client.V1PersistentVolume(
                metadata=client.V1ObjectMeta(name=pv, labels={"volume": pv}),
                spec=client.V1PersistentVolumeSpec(
                    capacity={"storage": "1Gi"}, access_modes=["ReadWriteOnce"],
                    persistent_volume_reclaim_policy="Retain", storage_class_name=local_storage_class,
                    local=client.V1LocalVolumeSource(path=f"/srv/volumes/{pv}"),
                    node_affinity=client.V1VolumeNodeAffinity(required=client.V1NodeSelector(
                        node_selector_terms=[client.V1NodeSelectorTerm(match_expressions=[
                            client.V1NodeSelectorRequirement(key="kubernetes.io/hostname", operator="In",
                                                             values=[node])])])),
                ),
            ))
            core.create_namespaced_persistent_volume_claim(namespace, client.V1PersistentVolumeClaim(
                metadata=client.V1ObjectMeta(name=f"data-{index}"),
                spec=client.V1PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"], storage_class_name=local_storage_class,
                    # All PVs look alike: the selector says which one this claim means.
                    selector=client.V1LabelSelector(match_labels={"volume": pv}),
                    resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"})),
            ))
        # WaitForFirstConsumer: nothing binds before a pod uses the claim.
        claims = core.list_namespaced_persistent_volume_claim(namespace).items
        assert {c.status.phase for c in claims} == {"Pending"}

        for index, _node in enumerate(kube_cluster.nodes):
            container = restricted_container()
            container.volume_mounts = [client.V1VolumeMount(name="data", mount_path="/data")]
            core.create_namespaced_pod(namespace, client.V1Pod(
                metadata=client.V1ObjectMeta(name=f"user-{index}"),
                spec=client.V1PodSpec(containers=[container], volumes=[client.V1Volume(
                    name="data",
                    persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(claim_name=f"data-{index}"))]),
            ))
        for index, node in enumerate(kube_cluster.nodes):
            pod = wait_for(f"pod user-{index} to be scheduled",
                           lambda i=index: core.read_namespaced_pod(f"user-{i}", namespace).spec.node_name
                           and core.read_namespaced_pod(f"user-{i}", namespace))
            assert pod.spec.node_name == node
            claim = wait_for(f"claim data-{index} to bind",
                             lambda i=index: (c := core.read_namespaced_persistent_volume_claim(f"data-{i}", namespace))
                             .status.phase == "Bound" and c)
            assert claim.spec.volume_name == pvs[index]
    finally:
        for pv in pvs:
            core.delete_persistent_volume(pv)
