"""A real Kubernetes control plane with KWOK-simulated nodes, for the cluster tier.

etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK are built from the Go
module in `kube/` in one `go build` (see kube/README.md) and cached outside the repo by
version. The harness starts the processes itself on loopback: the API server with TLS
(certificates generated per session), client-certificate authentication, RBAC, Pod Security
admission and a service-account signing key. KWOK turns Node objects into Ready nodes and
marks scheduled pods Running and Ready; no kubelet runs and no container is ever started.

Environment:
  ONPREM_MLFLOW_SKIP_CLUSTER=1      skip every test that needs the control plane (the skip says so)
  ONPREM_MLFLOW_KUBE_BIN_DIR=DIR    use etcd, kube-apiserver, kube-controller-manager,
                                    kube-scheduler and kwok from DIR instead of building them
  ONPREM_MLFLOW_KUBE_INVENTORY=FILE inventory whose group `k8s_nodes` names the simulated nodes
                                    (default: inventories/example/hosts.yml)
  ONPREM_MLFLOW_CACHE=DIR           cache root for the built binaries (harness.procs.cache_dir)
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import re
import shutil
import ssl
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from .gobuild import cached_binary, go_build
from .procs import LOOPBACK, Server, ServerError, free_port

HERE = Path(__file__).resolve().parent
TOOLS_MODULE = HERE / "kube"
STAGES_DIR = TOOLS_MODULE / "stages"
REPO = HERE.parent.parent
DEFAULT_INVENTORY = REPO / "inventories" / "example" / "hosts.yml"
FALLBACK_NODES = ["node-1", "node-2", "node-3"]

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
SERVICE_CIDR = "10.96.0.0/16"  # objects only: no proxy routes it, nothing sends traffic there
POD_CIDR = "10.0.0.1/24"
# With a real node (harness.kube_node) Services get addresses a bridge of the test routes,
# from 198.18.0.0/15 (benchmark range): nothing sent there can leave the machine.
NODE_SERVICE_CIDR = "198.19.0.0/24"  # KWOK hands these out as pod IPs; Endpoints refuse loopback ones

LIMITATIONS = (
    "Kubernetes control plane tier: etcd, kube-apiserver, kube-controller-manager and kube-scheduler "
    "are real, the nodes are simulated by KWOK. There is no kubelet: no container really runs here. "
    "KWOK marks scheduled pods Running and Ready (and Job pods Succeeded) without starting them, so "
    "probes, commands and images are not exercised by this tier; the containers themselves are "
    "tested elsewhere as processes (PostgreSQL, MinIO, MLflow)."
)

_used = {"cluster": None}  # set once the fixture ran, for the terminal summary


def _pinned_versions() -> tuple[str, str, str]:
    """The Kubernetes, etcd and KWOK versions the tools module pins (go.mod is the one source)."""
    text = (TOOLS_MODULE / "go.mod").read_text()
    pins = [re.search(rf"^\s*{re.escape(module)} (v\S+)", text, re.M)
            for module in ("k8s.io/kubernetes", "go.etcd.io/etcd/server/v3", "sigs.k8s.io/kwok")]
    if not all(pins):
        raise ServerError(f"{TOOLS_MODULE / 'go.mod'} does not require k8s.io/kubernetes, etcd/server/v3 and kwok")
    return tuple(p.group(1) for p in pins)


KUBERNETES_VERSION, ETCD_VERSION, KWOK_VERSION = _pinned_versions()
PACKAGES = {
    "etcd": "go.etcd.io/etcd/server/v3",
    "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
    "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
    "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
    "kwok": "sigs.k8s.io/kwok/cmd/kwok",
}
# Where each program lives in the cache: <cache>/<name>/<pin>/<program>.
CACHE_KEYS = {
    "etcd": ("etcd", ETCD_VERSION),
    "kwok": ("kwok", KWOK_VERSION),
    **{name: ("kubernetes", KUBERNETES_VERSION) for name in ("kube-apiserver", "kube-controller-manager",
                                                              "kube-scheduler")},
}


# --- binaries ---------------------------------------------------------------------------

def _kube_ldflags(version: str) -> str:
    """Version stamps `make` would set; without them the binaries report v0.0.0-master."""
    major, minor = version.lstrip("v").split(".")[:2]
    stamps = []
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        stamps += [f"-X {pkg}.gitVersion={version}", f"-X {pkg}.gitMajor={major}",
                   f"-X {pkg}.gitMinor={minor}", f"-X {pkg}.gitTreeState=clean"]
    return " ".join(["-s", "-w", *stamps])


def binaries(log_dir: Path) -> dict[str, Path]:
    """Paths of the five programs: from ONPREM_MLFLOW_KUBE_BIN_DIR, else built into the cache."""
    bin_dir = os.environ.get("ONPREM_MLFLOW_KUBE_BIN_DIR")
    if bin_dir:
        found = {name: Path(bin_dir, name) for name in BINARIES}
        missing = [str(p) for p in found.values() if not os.access(p, os.X_OK)]
        if missing:
            raise ServerError(
                f"ONPREM_MLFLOW_KUBE_BIN_DIR={bin_dir} lacks executable {', '.join(missing)}; "
                f"it must hold all of {', '.join(BINARIES)} (or unset it to build them)"
            )
        return found
    return build_binaries(log_dir / "build-control-plane.log")


def build_binaries(log: Path | None = None) -> dict[str, Path]:
    """Build the missing programs of the tools module in one `go build` (they share most of
    their packages: KWOK is built against the same k8s.io libraries as the control plane)."""
    targets = {
        PACKAGES[name]: cached_binary(*CACHE_KEYS[name], name) for name in BINARIES
    }
    pin = f"kubernetes {KUBERNETES_VERSION}, etcd {ETCD_VERSION}, kwok {KWOK_VERSION}"
    try:
        go_build(TOOLS_MODULE, "kubernetes", pin, targets, _kube_ldflags(KUBERNETES_VERSION), log=log)
    except RuntimeError as exc:
        raise ServerError(f"building the control plane failed (log: {log}):\n{exc}") from None
    return {name: targets[PACKAGES[name]] for name in BINARIES}


# --- nodes from the inventory -------------------------------------------------------------

def inventory_nodes(path: Path) -> list[str]:
    """Kubernetes node names of the hosts in group `k8s_nodes` (children included).

    A host's node name is its `k8s_node_name` variable (in hosts.yml or host_vars/<host>.yml)
    or else the inventory hostname, as the platform roles read it.
    """
    data = yaml.safe_load(path.read_text()) or {}
    groups: dict[str, dict] = {}

    def collect(name: str, group: dict) -> None:
        groups.setdefault(name, {"hosts": {}, "children": []})
        group = group or {}
        for host, hvars in (group.get("hosts") or {}).items():
            groups[name]["hosts"].setdefault(host, {}).update(hvars or {})
        for child, cgroup in (group.get("children") or {}).items():
            groups[name]["children"].append(child)
            collect(child, cgroup)

    for name, group in data.items():
        collect(name, group)
    if "k8s_nodes" not in groups:
        raise ServerError(f"{path} has no group `k8s_nodes`: cannot name the simulated nodes")

    hostvars: dict[str, dict] = {}
    for group in groups.values():
        for host, hvars in group["hosts"].items():
            hostvars.setdefault(host, {}).update(hvars)

    def hosts_of(name: str, seen: set) -> list[str]:
        if name in seen:
            return []
        seen.add(name)
        out = list(groups[name]["hosts"])
        for child in groups[name]["children"]:
            out += hosts_of(child, seen)
        return out

    names = []
    for host in dict.fromkeys(hosts_of("k8s_nodes", set())):
        hvars = dict(hostvars.get(host, {}))
        host_file = path.parent / "host_vars" / f"{host}.yml"
        if host_file.exists():
            text = host_file.read_text()
            if not text.startswith("$ANSIBLE_VAULT"):
                hvars.update(yaml.safe_load(text) or {})
        names.append(str(hvars.get("k8s_node_name") or host))
    if not names:
        raise ServerError(f"group `k8s_nodes` of {path} has no hosts")
    return names


def node_names() -> list[str]:
    override = os.environ.get("ONPREM_MLFLOW_KUBE_INVENTORY")
    path = Path(override) if override else DEFAULT_INVENTORY
    if path.exists():
        return inventory_nodes(path)
    if override:
        raise ServerError(f"ONPREM_MLFLOW_KUBE_INVENTORY={override} does not exist")
    warnings.warn(f"{path} does not exist: simulating nodes {', '.join(FALLBACK_NODES)}", stacklevel=2)
    return list(FALLBACK_NODES)


# --- certificates ---------------------------------------------------------------------------

def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert(subject_cn: str, key, issuer=None, organization: str | None = None, ca: bool = False,
          server_names: list[str] = (), client: bool = False):
    """A certificate for `key`, signed by `issuer` = (cert, key), self-signed when None."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]
    if organization:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    subject = x509.Name(attrs)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        # Key identifiers: Python >= 3.13 verifies with VERIFY_X509_STRICT, which wants them.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        usages = [ExtendedKeyUsageOID.CLIENT_AUTH] if client else [ExtendedKeyUsageOID.SERVER_AUTH]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if server_names:
        alt = []
        for name in server_names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_cert(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes | str, mode: int = 0o600) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
    return path


# Client identities a real node adds (harness.kube_node): the kubelet (the Node authorizer knows
# it by this name and group), kube-proxy, and the API server's own client for the kubelet's API
# (logs, exec). The node is named `localhost`: see kube/real-node.md, "Node address".
NODE_CLIENTS = (("kubelet", "system:node:localhost", "system:nodes"),
                ("kube-proxy", "system:kube-proxy", None),
                ("apiserver-kubelet-client", "kube-apiserver-kubelet-client", "system:masters"))


def make_pki(pki: Path, service_cidr: str = SERVICE_CIDR, real_node: bool = False) -> dict[str, Path]:
    """CA, API server serving cert, client certs per component, service-account key pair
    (and, for a real node, the kubelet's serving certificate and NODE_CLIENTS)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    files: dict[str, Path] = {}
    ca_key = _key()
    ca = _cert("onprem-mlflow-test-ca", ca_key, ca=True)
    files["ca.crt"] = _write(pki / "ca.crt", _pem_cert(ca), 0o644)
    files["ca.key"] = _write(pki / "ca.key", _pem_key(ca_key))

    service_ip = str(next(ipaddress.ip_network(service_cidr).hosts()))
    serving_key = _key()
    serving = _cert("kube-apiserver", serving_key, (ca, ca_key), server_names=[
        LOOPBACK, "localhost", service_ip, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local"])
    files["apiserver.crt"] = _write(pki / "apiserver.crt", _pem_cert(serving), 0o644)
    files["apiserver.key"] = _write(pki / "apiserver.key", _pem_key(serving_key))

    # Identities the bootstrap RBAC policy knows; the admin is in system:masters.
    for name, cn, org in (("admin", "kubernetes-admin", "system:masters"),
                          ("controller-manager", "system:kube-controller-manager", None),
                          ("scheduler", "system:kube-scheduler", None),
                          ("kwok", "kwok-controller", "system:masters"),
                          *(NODE_CLIENTS if real_node else ())):
        key = _key()
        files[f"{name}.crt"] = _write(pki / f"{name}.crt",
                                      _pem_cert(_cert(cn, key, (ca, ca_key), organization=org, client=True)), 0o644)
        files[f"{name}.key"] = _write(pki / f"{name}.key", _pem_key(key))

    if real_node:  # the kubelet's API, which the API server reaches at localhost (the node's name)
        key = _key()
        files["kubelet-serving.crt"] = _write(pki / "kubelet-serving.crt", _pem_cert(_cert(
            "localhost", key, (ca, ca_key), server_names=[LOOPBACK, "localhost"])), 0o644)
        files["kubelet-serving.key"] = _write(pki / "kubelet-serving.key", _pem_key(key))

    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files["sa.key"] = _write(pki / "sa.key", _pem_key(sa_key))
    files["sa.pub"] = _write(pki / "sa.pub", sa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    return files


def write_kubeconfig(path: Path, server: str, user: str, ca: Path, cert: Path, key: Path) -> Path:
    """A self-contained kubeconfig (certificates inlined) for one client identity."""
    import base64

    def b64(p: Path) -> str:
        return base64.b64encode(p.read_bytes()).decode()

    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "onprem-mlflow-test",
                      "cluster": {"server": server, "certificate-authority-data": b64(ca)}}],
        "users": [{"name": user, "user": {"client-certificate-data": b64(cert), "client-key-data": b64(key)}}],
        "contexts": [{"name": f"{user}@onprem-mlflow-test",
                      "context": {"cluster": "onprem-mlflow-test", "user": user}}],
        "current-context": f"{user}@onprem-mlflow-test",
    }
    return _write(path, yaml.safe_dump(config, sort_keys=False))


# --- the cluster ------------------------------------------------------------------------------

@dataclass
class KubeCluster:
    kubeconfig: Path
    server: str
    nodes: list[str]
    log_dir: Path
    ca_file: Path
    version: str = KUBERNETES_VERSION
    startup_seconds: float = 0.0
    limitations: str = LIMITATIONS
    pki: dict[str, Path] = field(default_factory=dict, repr=False)
    service_cidr: str = SERVICE_CIDR
    _servers: list[Server] = field(default_factory=list, repr=False)

    def api_client(self):
        """A `kubernetes` ApiClient authenticated as the cluster admin."""
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig))

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop(timeout=10)
        self._servers.clear()


def _wait_https(server: Server, url: str, context: ssl.SSLContext, timeout: float) -> None:
    """Poll an HTTPS health endpoint until it says ok; fail with the log if the process dies."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not server.alive():
            raise server.fail(f"exited with code {server.proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.3)
    raise server.fail(f"did not answer {url} within {timeout:.0f}s (last: {last})")


def _wait(what: str, check, timeout: float, servers: list[Server]):
    """Poll `check()` until it returns something truthy; name what did not happen otherwise."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        for server in servers:
            if not server.alive():
                raise server.fail(f"exited with code {server.proc.returncode} while waiting for {what}")
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # the API answers errors while it settles: keep polling
            last_error = exc
        time.sleep(0.3)
    logs = "; ".join(str(s.log_path) for s in servers)
    raise ServerError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error}); logs: {logs}")


def _node_ready(node) -> bool:
    conditions = (node.status.conditions or []) if node.status else []
    ready = any(c.type == "Ready" and c.status == "True" for c in conditions)
    return ready and not (node.spec.taints or [])


def start_cluster(workdir: Path, nodes: list[str], real_node: bool = False) -> KubeCluster:
    """The control plane and KWOK nodes `nodes`. With `real_node`, also what a kubelet on this
    machine needs (harness.kube_node, kube/real-node.md): Services from NODE_SERVICE_CIDR, the
    API server's client certificate for the kubelet, the node's identities, and a
    controller-manager that neither allocates pod ranges nor writes to /usr/libexec."""
    started = time.monotonic()
    service_cidr = NODE_SERVICE_CIDR if real_node else SERVICE_CIDR
    log_dir = workdir / "logs"
    pki_dir = workdir / "pki"
    for d in (log_dir, pki_dir):
        d.mkdir(mode=0o700)
    bins = binaries(log_dir)
    pki = make_pki(pki_dir, service_cidr, real_node)

    servers: list[Server] = []
    cluster = None
    try:
        # etcd: plain HTTP, loopback only, no fsync (throw-away data).
        etcd_port, peer_port = free_port(), free_port()
        etcd_url = f"http://{LOOPBACK}:{etcd_port}"
        peer_url = f"http://{LOOPBACK}:{peer_port}"
        etcd = Server("etcd", [
            str(bins["etcd"]), "--name=test", f"--data-dir={workdir / 'etcd'}",
            f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=test={peer_url}", "--unsafe-no-fsync=true", "--log-level=warn",
        ], log_dir / "etcd.log")
        servers.append(etcd)
        etcd.wait_http(f"{etcd_url}/health", timeout=30)

        api_port = free_port()
        server_url = f"https://{LOOPBACK}:{api_port}"
        apiserver = Server("kube-apiserver", [
            str(bins["kube-apiserver"]),
            f"--etcd-servers={etcd_url}",
            f"--bind-address={LOOPBACK}", f"--advertise-address={LOOPBACK}", f"--secure-port={api_port}",
            f"--tls-cert-file={pki['apiserver.crt']}", f"--tls-private-key-file={pki['apiserver.key']}",
            f"--client-ca-file={pki['ca.crt']}",
            # As kubeadm; no certificate with that name is ever issued, so it stays inert, and the
            # components stop complaining that the request-header CA is missing.
            f"--requestheader-client-ca-file={pki['ca.crt']}", "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-username-headers=X-Remote-User", "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            # The `kubernetes` Service's Endpoints may not hold a loopback address: leave them out.
            "--endpoint-reconciler-type=none",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,"
            "DefaultTolerationSeconds,NodeRestriction,PodSecurity,Priority,ResourceQuota,"
            "StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,"
            "MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook",
            "--allow-privileged=true",  # as kubeadm: Pod Security admission, not this flag, says no
            f"--service-cluster-ip-range={service_cidr}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={pki['sa.pub']}",
            f"--service-account-signing-key-file={pki['sa.key']}",
            "--profiling=false",
            *([f"--kubelet-client-certificate={pki['apiserver-kubelet-client.crt']}",
               f"--kubelet-client-key={pki['apiserver-kubelet-client.key']}",
               f"--kubelet-certificate-authority={pki['ca.crt']}",
               # the node's Hostname address `localhost` is where its kubelet listens
               "--kubelet-preferred-address-types=Hostname,InternalIP"] if real_node else []),
        ], log_dir / "kube-apiserver.log")
        servers.append(apiserver)

        admin_context = ssl.create_default_context(cafile=str(pki["ca.crt"]))
        admin_context.load_cert_chain(str(pki["admin.crt"]), str(pki["admin.key"]))
        _wait_https(apiserver, f"{server_url}/readyz", admin_context, timeout=90)

        kubeconfig = write_kubeconfig(workdir / "kubeconfig", server_url, "kubernetes-admin",
                                      pki["ca.crt"], pki["admin.crt"], pki["admin.key"])
        component_kubeconfigs = {
            name: write_kubeconfig(workdir / f"{name}.kubeconfig", server_url, name,
                                   pki["ca.crt"], pki[f"{name}.crt"], pki[f"{name}.key"])
            for name in ("controller-manager", "scheduler", "kwok")
        }

        # Their health endpoints serve self-signed certificates generated in memory: the
        # check only needs "is it up", on loopback, so it does not verify them.
        insecure = ssl._create_unverified_context()  # noqa: S323

        cm_port = free_port()
        cm_kc = component_kubeconfigs["controller-manager"]
        controller_manager = Server("kube-controller-manager", [
            str(bins["kube-controller-manager"]),
            f"--kubeconfig={cm_kc}", f"--authentication-kubeconfig={cm_kc}", f"--authorization-kubeconfig={cm_kc}",
            f"--bind-address={LOOPBACK}", f"--secure-port={cm_port}",
            "--leader-elect=false", "--use-service-account-credentials=true",
            f"--service-account-private-key-file={pki['sa.key']}", f"--root-ca-file={pki['ca.crt']}",
            f"--cluster-signing-cert-file={pki['ca.crt']}", f"--cluster-signing-key-file={pki['ca.key']}",
            "--profiling=false",
            *(["--controllers=*,-nodeipam,-cloud-node-lifecycle",
               f"--flex-volume-plugin-dir={workdir / 'flex-volume'}"] if real_node else []),
        ], log_dir / "kube-controller-manager.log")
        servers.append(controller_manager)

        sched_port = free_port()
        sched_kc = component_kubeconfigs["scheduler"]
        scheduler = Server("kube-scheduler", [
            str(bins["kube-scheduler"]),
            f"--kubeconfig={sched_kc}", f"--authentication-kubeconfig={sched_kc}",
            f"--authorization-kubeconfig={sched_kc}",
            f"--bind-address={LOOPBACK}", f"--secure-port={sched_port}", "--leader-elect=false",
            "--profiling=false",
        ], log_dir / "kube-scheduler.log")
        servers.append(scheduler)

        kwok_config = workdir / "kwok.yaml"
        _write(kwok_config, "\n---\n".join(p.read_text() for p in sorted(STAGES_DIR.glob("*.yaml"))))
        kwok_port = free_port()
        kwok = Server("kwok", [
            str(bins["kwok"]),
            f"--kubeconfig={component_kubeconfigs['kwok']}", f"--config={kwok_config}",
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            f"--cidr={POD_CIDR}", f"--node-ip={LOOPBACK}",
            f"--server-address={LOOPBACK}:{kwok_port}", f"--node-port={kwok_port}",
            "--node-lease-duration-seconds=40",
        ], log_dir / "kwok.log")
        servers.append(kwok)

        cluster = KubeCluster(kubeconfig=kubeconfig, server=server_url, nodes=list(nodes), log_dir=log_dir,
                              ca_file=pki["ca.crt"], pki=pki, service_cidr=service_cidr, _servers=servers)

        _wait_https(controller_manager, f"https://{LOOPBACK}:{cm_port}/healthz", insecure, timeout=60)
        _wait_https(scheduler, f"https://{LOOPBACK}:{sched_port}/healthz", insecure, timeout=60)

        from kubernetes import client

        with cluster.api_client() as api:
            core = client.CoreV1Api(api)
            for name in nodes:
                core.create_node(client.V1Node(metadata=client.V1ObjectMeta(
                    name=name,
                    annotations={"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                    labels={"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                            "kubernetes.io/arch": "amd64", "type": "kwok"},
                )))
            _wait("the simulated nodes to be Ready and untainted",
                  lambda: all(_node_ready(n) for n in core.list_node().items
                              if n.metadata.name in nodes) and len(core.list_node().items) >= len(nodes),
                  timeout=60, servers=servers)
            # Pods are admitted only once the controller-manager made the namespace's service account.
            _wait("the service account default/default",
                  lambda: core.read_namespaced_service_account("default", "default"), timeout=60, servers=servers)
        cluster.startup_seconds = time.monotonic() - started
        return cluster
    except BaseException:
        for server in reversed(servers):
            server.stop(timeout=5)
        raise


def _skip_reason() -> str | None:
    if os.environ.get("ONPREM_MLFLOW_SKIP_CLUSTER", "") not in ("", "0"):
        return ("Kubernetes control plane tier disabled by ONPREM_MLFLOW_SKIP_CLUSTER="
                + os.environ["ONPREM_MLFLOW_SKIP_CLUSTER"])
    return None


@pytest.fixture(scope="session")
def kube_cluster():
    """A real control plane (etcd, apiserver, controller-manager, scheduler) + KWOK nodes."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-kube-"))
    cluster = None
    try:
        cluster = start_cluster(workdir, node_names())
        _used["cluster"] = cluster
        yield cluster
    finally:
        stopping = time.monotonic()
        if cluster is not None:
            cluster.stop()
            _used["teardown_seconds"] = time.monotonic() - stopping
        # Keep the logs for a post-mortem; the keys, certificates and etcd data go.
        for path in workdir.iterdir():
            if path.name != "logs":
                with contextlib.suppress(OSError):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()


def pytest_terminal_summary(terminalreporter):
    """Say once per session what the cluster tier does not do, if it ran."""
    cluster = _used["cluster"]
    if cluster is None:
        return
    terminalreporter.write_sep("-", "Kubernetes control plane (KWOK nodes)")
    terminalreporter.write_line(LIMITATIONS)
    terminalreporter.write_line(
        f"Kubernetes {cluster.version}, etcd {ETCD_VERSION}, KWOK {KWOK_VERSION}; nodes {', '.join(cluster.nodes)}; "
        f"startup {cluster.startup_seconds:.1f}s, teardown {_used.get('teardown_seconds', 0):.1f}s; "
        f"logs in {cluster.log_dir}"
    )
