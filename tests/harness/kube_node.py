"""One real node for the node tier: containerd, runc, the CNI bridge, a kubelet and kube-proxy,
joined to the harness's own control plane (harness.kube_cluster), with CoreDNS on it.

Every setting comes from the feasibility spike in kube/real-node.md; read it first. In short:

- containerd 1.6, runc and the CNI reference plugins are Debian's (scripts/test.sh installs
  them); the kubelet and kube-proxy are built from the same tools module as the control plane.
- The node is named `localhost`: a kubelet refuses a loopback node IP, so its InternalIP is the
  bridge address, while it listens on 127.0.0.1 and the API server reaches it by Hostname.
- Pods get addresses from POD_CIDR on a bridge made here, Services from the cluster's
  NODE_SERVICE_CIDR, both inside 198.18.0.0/15; pods have no default route (isGateway false,
  ipMasq false) and the machine's ip_forward is never touched: nothing leaves the machine.
- CoreDNS runs in a pod on the host network (it must reach the API server, which listens on
  loopback only) and answers cluster.local on the bridge address only; the kube-dns Service
  points there. It has no forward plugin: other names fail.
- Everything is undone at the end: pods deleted through the API (so CNI frees the veths and
  addresses), processes stopped, mounts under the kubelet root unmounted, cgroups removed,
  KUBE-* chains removed by `kube-proxy --cleanup`, the bridge deleted, the /proc/sys bind mounts
  removed.

Environment:
  ONPREM_MLFLOW_SKIP_NODE=1   skip the node tier (the skip says so)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from . import node_images
from .gobuild import cached_binary, go_build
from .kube_cluster import (
    KUBERNETES_VERSION,
    TOOLS_MODULE,
    KubeCluster,
    _kube_ldflags,
    _wait,
    start_cluster,
    write_kubeconfig,
)
from .procs import LOOPBACK, Server, ServerError, cache_dir, free_port

NODE_NAME = "localhost"  # see kube/real-node.md, "Node address"
BRIDGE = "omlbr0"
POD_CIDR = "198.18.0.0/24"
NODE_IP = "198.18.0.1"
DNS_IP = "198.19.0.10"  # inside kube_cluster.NODE_SERVICE_CIDR
CNI_BIN = "/usr/lib/cni"
RUNC = "/usr/sbin/runc"
NODE_PACKAGES = {"kubelet": "k8s.io/kubernetes/cmd/kubelet", "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy"}
# The kubelet sets these machine-wide unless protectKernelDefaults; files bound over them take
# its writes for the node's lifetime.
KERNEL_KNOBS = ("vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops")
HOST_COMMANDS = ("containerd", "ctr", RUNC, "iptables", "conntrack", "ip", "debootstrap", "mount", "chroot")

LIMITATIONS = (
    "Real node tier: one node (containerd, runc, CNI bridge, kubelet, kube-proxy in iptables mode, "
    "CoreDNS) runs the platform's pods from images built here. Still not real: NetworkPolicies are "
    "applied but not enforced (the bridge CNI plugin has no policy engine); one node only, so "
    "anti-affinity, spreading and node failure are not exercised; CoreDNS runs on the host network "
    "(the API server listens on loopback); images are stand-ins built from Debian packages and the "
    "pinned Go modules, not the upstream images the defaults name; Guaranteed pods get "
    "oom_score_adj 0 (containerd restrict_oom_score_adj, no CAP_SYS_RESOURCE here)."
)

_used: dict = {"node": None}


# --- binaries ---------------------------------------------------------------------------------

def build_node_binaries(log: Path | None = None) -> dict[str, Path]:
    """kubelet and kube-proxy from the control plane's tools module, in one `go build` under
    the same cache name, so they share its Go build cache and never rebuild the control plane."""
    targets = {pkg: cached_binary("kubernetes", KUBERNETES_VERSION, name) for name, pkg in NODE_PACKAGES.items()}
    go_build(TOOLS_MODULE, "kubernetes", f"kubernetes {KUBERNETES_VERSION} (node)", targets,
             _kube_ldflags(KUBERNETES_VERSION), log=log)
    return {name: targets[pkg] for name, pkg in NODE_PACKAGES.items()}


def build_all(log: Path | None = None) -> None:
    """Everything the node tier builds (for harness.builds): binaries, then images."""
    build_node_binaries(log)
    node_images.build_images()


def skip_reason() -> str | None:
    if os.environ.get("ONPREM_MLFLOW_SKIP_NODE", "") not in ("", "0"):
        return f"real node tier disabled by ONPREM_MLFLOW_SKIP_NODE={os.environ['ONPREM_MLFLOW_SKIP_NODE']}"
    if os.environ.get("ONPREM_MLFLOW_SKIP_CLUSTER", "") not in ("", "0"):
        return "real node tier needs the control plane, disabled by ONPREM_MLFLOW_SKIP_CLUSTER"
    if os.geteuid() != 0:
        return "real node tier needs root (containerd, the bridge, iptables, mounts)"
    missing = [c for c in HOST_COMMANDS if not shutil.which(c)]
    missing += [f"{CNI_BIN}/{p}" for p in ("bridge", "host-local", "loopback") if not os.path.exists(f"{CNI_BIN}/{p}")]
    if missing:
        return f"real node tier: missing {', '.join(missing)} (scripts/test.sh installs the Debian packages)"
    return None


# --- the node ------------------------------------------------------------------------------------

@dataclass
class KubeNode:
    cluster: KubeCluster
    workdir: Path
    images: dict[str, str]  # name -> reference in containerd
    ctr: list[str]
    startup_seconds: float = 0.0
    import_seconds: float = 0.0
    _proxy_binary: Path | None = None
    _servers: list[Server] = field(default_factory=list, repr=False)
    _undo: list = field(default_factory=list, repr=False)


def _sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(argv), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise ServerError(f"`{' '.join(argv)}` failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def _containerd_config(d: Path, pause_ref: str) -> str:
    return f"""version = 2
root = "{d}/containerd/root"
state = "{d}/containerd/state"
[grpc]
  address = "{d}/containerd/containerd.sock"
[ttrpc]
  address = "{d}/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{pause_ref}"
  disable_apparmor = true
  # Root here lacks CAP_SYS_RESOURCE: no container may lower its OOM score (real-node.md).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "{RUNC}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{CNI_BIN}"
    conf_dir = "{d}/cni/net.d"
    max_conf_num = 1
"""


def _cni_config(d: Path, service_cidr: str) -> dict:
    return {"cniVersion": "0.4.0", "name": "onprem-mlflow", "plugins": [{
        "type": "bridge", "bridge": BRIDGE, "isGateway": False, "isDefaultGateway": False,
        "ipMasq": False, "hairpinMode": True,
        "ipam": {"type": "host-local", "dataDir": str(d / "cni" / "ipam"),
                 "ranges": [[{"subnet": POD_CIDR, "rangeStart": "198.18.0.10", "rangeEnd": "198.18.0.250",
                              "gateway": NODE_IP}]],
                 # Only the Service range goes to the bridge address: no default route.
                 "routes": [{"dst": service_cidr, "gw": NODE_IP}]}}]}


def _kubelet_config(d: Path, cluster: KubeCluster, port: int, healthz: int) -> dict:
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "failCgroupV1": False, "cgroupDriver": "cgroupfs",
        "containerRuntimeEndpoint": f"unix://{d}/containerd/containerd.sock",
        "address": LOOPBACK, "port": port, "readOnlyPort": 0,
        "healthzBindAddress": LOOPBACK, "healthzPort": healthz,
        "tlsCertFile": str(cluster.pki["kubelet-serving.crt"]),
        "tlsPrivateKeyFile": str(cluster.pki["kubelet-serving.key"]),
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(cluster.ca_file)}},
        "authorization": {"mode": "Webhook"},
        "clusterDomain": "cluster.local", "clusterDNS": [DNS_IP],
        "resolvConf": str(d / "resolv.conf"),
        "podLogsDir": str(d / "pod-logs"), "volumePluginDir": str(d / "volume-plugins"),
        "failSwapOn": False, "rotateCertificates": False, "serializeImagePulls": False,
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%",
                         "imagefs.available": "1%"},
        # No KUBE-FIREWALL chain from the kubelet: kube-proxy owns the machine's rules here.
        "makeIPTablesUtilChains": False,
        "maxPods": 30, "syncFrequency": "10s", "fileCheckFrequency": "5s",
    }


def _kube_proxy_config(kubeconfig: Path, healthz: int, metrics: int) -> dict:
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "mode": "iptables", "clusterCIDR": POD_CIDR, "bindAddress": NODE_IP,
        "hostnameOverride": NODE_NAME,
        "clientConnection": {"kubeconfig": str(kubeconfig)},
        "healthzBindAddress": f"{LOOPBACK}:{healthz}", "metricsBindAddress": f"{LOOPBACK}:{metrics}",
        "nodePortAddresses": [f"{NODE_IP}/32"],
        "iptables": {"localhostNodePorts": False, "masqueradeAll": False},
        # Every conntrack value 0: kube-proxy leaves the machine's conntrack sysctls alone.
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
    }


def _bind_kernel_knobs(d: Path, node: KubeNode) -> None:
    """Files with the current values bound over the knobs the kubelet would set machine-wide."""
    for knob in KERNEL_KNOBS:
        real = Path("/proc/sys", knob)
        fake = d / "sysctl" / knob.replace("/", ".")
        fake.parent.mkdir(exist_ok=True)
        fake.write_text(real.read_text())
        _sh("mount", "--bind", str(fake), str(real))
        node._undo.append(("umount", str(real)))


def _make_bridge(service_cidr: str, node: KubeNode) -> None:
    _sh("ip", "link", "del", BRIDGE, check=False)  # a crashed run's
    _sh("ip", "link", "add", BRIDGE, "type", "bridge")
    node._undo.append(("ip", "link", "del", BRIDGE))
    _sh("ip", "addr", "add", f"{NODE_IP}/24", "dev", BRIDGE)
    _sh("ip", "link", "set", BRIDGE, "up")
    # The Service range goes to the bridge, never to the machine's uplink.
    _sh("ip", "route", "replace", service_cidr, "dev", BRIDGE)
    # Forwarding on this interface only (pod -> ClusterIP -> pod); net.ipv4.ip_forward stays as is.
    Path(f"/proc/sys/net/ipv4/conf/{BRIDGE}/forwarding").write_text("1")
    # Bridged packets through iptables, so a pod reaches a Service whose endpoint shares the bridge.
    with contextlib.suppress(OSError):
        _sh("modprobe", "br_netfilter", check=False)


def start_node(cluster: KubeCluster, workdir: Path, log_dir: Path,
               images: dict[str, tuple[str, Path]] | None = None) -> KubeNode:
    """Start the node and CoreDNS on it, with `images` (default: all of node_images) imported."""
    started = time.monotonic()
    bins = build_node_binaries(log_dir / "build-node.log")
    images = images or node_images.build_images(log_dir / "build-images.log")
    d = workdir
    for sub in ("containerd", "cni/net.d", "cni/ipam", "kubelet", "pod-logs", "volume-plugins", "sysctl"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    sock = d / "containerd" / "containerd.sock"
    node = KubeNode(cluster=cluster, workdir=d,
                    images={k: node_images.pinned_ref(ref, archive) for k, (ref, archive) in images.items()},
                    ctr=["ctr", "--address", str(sock)])
    try:
        _make_bridge(cluster.service_cidr, node)
        _bind_kernel_knobs(d, node)
        (d / "cni" / "net.d" / "10-onprem-mlflow.conflist").write_text(
            json.dumps(_cni_config(d, cluster.service_cidr), indent=1))
        (d / "resolv.conf").write_text(f"nameserver {DNS_IP}\nsearch cluster.local\n")
        (d / "containerd.toml").write_text(_containerd_config(d, images["pause"][0]))
        containerd = Server("containerd", ["containerd", "--config", str(d / "containerd.toml")],
                            log_dir / "containerd.log")
        node._servers.append(containerd)
        _wait("containerd's socket", lambda: sock.exists() and _sh(*node.ctr, "version", check=False).returncode == 0,
              timeout=60, servers=node._servers)
        imported = time.monotonic()
        node_images.import_images(node.ctr, images, log_dir / "image-import.log")
        node.import_seconds = time.monotonic() - imported

        kubelet_kc = write_kubeconfig(d / "kubelet.kubeconfig", cluster.server, "kubelet", cluster.ca_file,
                                      cluster.pki["kubelet.crt"], cluster.pki["kubelet.key"])
        proxy_kc = write_kubeconfig(d / "kube-proxy.kubeconfig", cluster.server, "kube-proxy", cluster.ca_file,
                                    cluster.pki["kube-proxy.crt"], cluster.pki["kube-proxy.key"])
        port, healthz = free_port(), free_port()
        (d / "kubelet.yaml").write_text(yaml.safe_dump(_kubelet_config(d, cluster, port, healthz)))
        kubelet = Server("kubelet", [
            str(bins["kubelet"]), f"--config={d / 'kubelet.yaml'}", f"--kubeconfig={kubelet_kc}",
            f"--root-dir={d / 'kubelet'}", f"--cert-dir={d / 'kubelet' / 'pki'}",
            f"--hostname-override={NODE_NAME}", f"--node-ip={NODE_IP}", "--v=1",
        ], log_dir / "kubelet.log")
        node._servers.append(kubelet)
        proxy_healthz, proxy_metrics = free_port(), free_port()
        (d / "kube-proxy.yaml").write_text(yaml.safe_dump(_kube_proxy_config(proxy_kc, proxy_healthz,
                                                                            proxy_metrics)))
        proxy = Server("kube-proxy", [str(bins["kube-proxy"]), f"--config={d / 'kube-proxy.yaml'}"],
                       log_dir / "kube-proxy.log")
        node._servers.append(proxy)
        node._proxy_binary = bins["kube-proxy"]

        from kubernetes import client

        with cluster.api_client() as api:
            core = client.CoreV1Api(api)
            _wait(f"node {NODE_NAME} to be Ready", lambda: _ready(core.read_node(NODE_NAME)), timeout=120,
                  servers=node._servers)
        start_coredns(node)
        node.startup_seconds = time.monotonic() - started
        return node
    except BaseException:
        stop_node(node)
        raise


def _ready(node) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (node.status.conditions or []))


COREFILE = """cluster.local:53 {{
    bind {ip}
    errors
    health {ip}:{health}
    ready {ip}:{ready}
    kubernetes cluster.local {{
        kubeconfig /etc/coredns/kubeconfig
        pods insecure
    }}
    cache 30
}}
"""


def start_coredns(node: KubeNode) -> None:
    """CoreDNS as a pod on the host network, with a kube-dns Service at DNS_IP.

    On the host network because it must reach the API server, which listens on loopback only;
    it binds the bridge address, so pods reach it by the Service (kube-proxy) and nothing else
    can. It uses the harness's admin identity (a test cluster; nothing else runs there).
    """
    from kubernetes import client

    cluster = node.cluster
    health, ready = free_port(), free_port()
    kubeconfig = write_kubeconfig(node.workdir / "coredns.kubeconfig", cluster.server, "coredns",
                                  cluster.ca_file, cluster.pki["admin.crt"], cluster.pki["admin.key"])
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_secret("kube-system", client.V1Secret(
            metadata=client.V1ObjectMeta(name="coredns"),
            string_data={"Corefile": COREFILE.format(ip=NODE_IP, health=health, ready=ready),
                         "kubeconfig": kubeconfig.read_text()}))
        core.create_namespaced_service("kube-system", client.V1Service(
            metadata=client.V1ObjectMeta(name="kube-dns", labels={"k8s-app": "kube-dns"}),
            spec=client.V1ServiceSpec(cluster_ip=DNS_IP, selector={"k8s-app": "kube-dns"}, ports=[
                client.V1ServicePort(name="dns", port=53, target_port=53, protocol="UDP"),
                client.V1ServicePort(name="dns-tcp", port=53, target_port=53, protocol="TCP")])))
        probe = {"initial_delay_seconds": 0, "period_seconds": 2}
        core.create_namespaced_pod("kube-system", client.V1Pod(
            metadata=client.V1ObjectMeta(name="coredns", labels={"k8s-app": "kube-dns"}),
            spec=client.V1PodSpec(
                host_network=True, dns_policy="Default", node_name=NODE_NAME,
                containers=[client.V1Container(
                    name="coredns", image=node.images["coredns"], image_pull_policy="Never",
                    args=["-conf", "/etc/coredns/Corefile"],
                    volume_mounts=[client.V1VolumeMount(name="config", mount_path="/etc/coredns")],
                    readiness_probe=client.V1Probe(http_get=client.V1HTTPGetAction(
                        host=NODE_IP, path="/ready", port=ready), **probe),
                    liveness_probe=client.V1Probe(http_get=client.V1HTTPGetAction(
                        host=NODE_IP, path="/health", port=health), **probe))],
                volumes=[client.V1Volume(name="config", secret=client.V1SecretVolumeSource(secret_name="coredns"))]  # noqa: S106,
            )))
        _wait("CoreDNS to be Ready", lambda: _pod_ready(core.read_namespaced_pod("coredns", "kube-system")),
              timeout=90, servers=node._servers)


def _pod_ready(pod) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or []))


def stop_node(node: KubeNode) -> None:
    """Undo everything start_node did, in reverse; keep going past errors (say them)."""
    errors = []
    from kubernetes import client

    alive = {s.name: s for s in node._servers if s.alive()}
    if "kubelet" in alive:
        # Through the API first, while the kubelet runs: CNI DEL frees the veths and addresses.
        # Cordoned first, so controllers' replacements stay Pending; a grace period above 0 so
        # the kubelet, not the API server, finishes each pod.
        with contextlib.suppress(Exception), node.cluster.api_client() as api:
            core = client.CoreV1Api(api)
            core.patch_node(NODE_NAME, {"spec": {"unschedulable": True}})
            for ns in core.list_namespace().items:
                core.delete_collection_namespaced_pod(ns.metadata.name, grace_period_seconds=1)
            with contextlib.suppress(ServerError):
                _wait("the node's pods to be gone", lambda: not [
                    p for p in core.list_pod_for_all_namespaces().items if p.spec.node_name == NODE_NAME],
                    timeout=60, servers=[])
    for server in reversed(node._servers):
        server.stop(timeout=10)
    node._servers.clear()
    # What containerd left running (a pod the kubelet did not get to), then its mounts.
    with contextlib.suppress(Exception):
        for line in _sh("ps", "-eo", "pid,args", check=False).stdout.splitlines():
            if str(node.workdir) in line and "containerd-shim" in line:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(line.split()[0]), 9)
    proxy = node._proxy_binary
    if proxy:
        proc = _sh(str(proxy), "--cleanup", "--v=0", check=False)
        if proc.returncode != 0:
            errors.append(f"kube-proxy --cleanup: {proc.stderr[-300:]}")
    errors += _remove_kubelet_chains()
    # The kubelet bind-mounts its root onto itself (rshared) and mounts volumes under it.
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if line.split()[4].startswith(str(node.workdir))]
    for mount in sorted(mounts, key=len, reverse=True):
        proc = _sh("umount", "-l", mount, check=False)
        if proc.returncode != 0:
            errors.append(f"umount {mount}: {proc.stderr.strip()}")
    for root in Path("/sys/fs/cgroup").glob("*"):
        for name in ("kubepods", "k8s.io"):
            group = root / name
            if group.is_dir():
                for sub in sorted(group.rglob("*"), key=lambda p: len(str(p)), reverse=True):
                    if sub.is_dir():
                        with contextlib.suppress(OSError):
                            sub.rmdir()
                with contextlib.suppress(OSError):
                    group.rmdir()
    for undo in reversed(node._undo):
        proc = _sh(*undo, check=False)
        if proc.returncode != 0:
            errors.append(f"{' '.join(undo)}: {proc.stderr.strip()}")
    node._undo.clear()
    if errors:
        import warnings

        warnings.warn("node cleanup: " + "; ".join(errors), stacklevel=2)


# Chains the kubelet makes for itself (kube-proxy --cleanup leaves them): its canary, the hint,
# and KUBE-FIREWALL with the jumps to it.
KUBELET_CHAINS = {"filter": ("KUBE-FIREWALL", "KUBE-KUBELET-CANARY"), "nat": ("KUBE-KUBELET-CANARY",),
                  "mangle": ("KUBE-KUBELET-CANARY", "KUBE-IPTABLES-HINT")}


def _remove_kubelet_chains() -> list[str]:
    errors = []
    for tool in ("iptables", "ip6tables"):
        if not shutil.which(tool):
            continue
        for table, chains in KUBELET_CHAINS.items():
            for hook in ("INPUT", "OUTPUT"):
                while _sh(tool, "-t", table, "-D", hook, "-j", "KUBE-FIREWALL", check=False).returncode == 0:
                    pass
            for chain in chains:
                if _sh(tool, "-t", table, "-n", "-L", chain, check=False).returncode != 0:
                    continue
                _sh(tool, "-t", table, "-F", chain, check=False)
                proc = _sh(tool, "-t", table, "-X", chain, check=False)
                if proc.returncode != 0:
                    errors.append(f"{tool} -t {table} -X {chain}: {proc.stderr.strip()}")
    return errors


@pytest.fixture(scope="session")
def kube_node():
    """The control plane (harness.kube_cluster, no KWOK nodes) and one real node joined to it."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    lock = open(cache_dir("node-images") / ".node.lock", "w")  # noqa: SIM115 - held for the session: one node per machine
    fcntl.flock(lock, fcntl.LOCK_EX)
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-node-"))
    cluster = node = None
    try:
        (workdir / "cluster").mkdir()
        cluster = start_cluster(workdir / "cluster", [], real_node=True)  # no KWOK nodes
        node = start_node(cluster, workdir / "node", cluster.log_dir)
        _used["node"] = node
        yield node
    finally:
        stopping = time.monotonic()
        if node is not None:
            stop_node(node)
        if cluster is not None:
            cluster.stop()
        _used["teardown_seconds"] = time.monotonic() - stopping
        # Keep the logs for a post-mortem; keys, kubeconfigs, volumes and containerd's state go.
        shutil.rmtree(workdir / "node", ignore_errors=True)
        for path in (workdir / "cluster").iterdir():
            if path.name != "logs":
                with contextlib.suppress(OSError):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        lock.close()


def pytest_terminal_summary(terminalreporter):
    """Say once per session what the node tier does not make real, if it ran."""
    node = _used["node"]
    if node is None:
        return
    terminalreporter.write_sep("-", "Real node")
    terminalreporter.write_line(LIMITATIONS)
    terminalreporter.write_line(
        f"Kubernetes {KUBERNETES_VERSION}; node {NODE_NAME} ({NODE_IP}); startup {node.startup_seconds:.1f}s "
        f"(image import {node.import_seconds:.1f}s), teardown {_used.get('teardown_seconds', 0):.1f}s; "
        f"logs in {node.cluster.log_dir}")
