"""Run one container of a rendered manifest as a local process, the way a kubelet would start it.

No kubelet runs on these machines, so the platform's containers are started as processes
from what the rendered manifests say (a directory of YAML files, render mode):

    manifests = Manifests(render_dir)
    proc = container_process(manifests, "Deployment", "mlflow", workdir=tmp,
                             service_hosts={"postgres.mlflow-platform.svc": ("127.0.0.1", pg.port)})
    server = proc.start()
    proc.wait_probe("readiness", server)

What is taken from the manifest, as the kubelet does it:
- `command` and `args` with Kubernetes `$(VAR)` expansion from the container's environment
  (`$$` escapes, an unknown reference stays as written);
- `env` (`value` with `$(VAR)` expansion from the variables defined before it, `valueFrom`
  secretKeyRef / configMapKeyRef / fieldRef), `envFrom` (with `prefix`), the Service link
  variables (`<SVC>_SERVICE_HOST`, `<SVC>_PORT`...) unless `enableServiceLinks: false`, and
  `HOSTNAME`. A missing Secret, ConfigMap or key that is not `optional` is an error, as it is
  a CreateContainerConfigError on a node.
- every volume mount: ConfigMap, Secret and projected volumes (with `items`, `defaultMode`,
  `subPath`) are written under `<workdir>/root/<mountPath>`; emptyDir, PersistentVolumeClaim
  and volumeClaimTemplates mounts become empty directories there.

What is rewritten, and only this (each change is listed in `ContainerProcess.rewrites`):
1. Mount paths: an occurrence of a mount path in the command, args or an env value becomes
   the local directory it was written to (path mapping of mounts, nothing else).
2. Service host names: ONE explicit mapping passed by the test, `{dns name: (ip, port)}`;
   `name:<any port>` and `scheme://name` become `ip:port`; a bare dotted name becomes `ip`;
   a bare one-label name (`postgres`, also a user name) only as the whole value of a
   variable named `*HOST` (PGHOST). A port given apart (PGPORT) is not rewritten. With
   `rewrite_mounted_files=True`, rules 1 and 2 also apply inside ConfigMap-mounted files
   (an ini that names the database Service); each such file is listed.
3. Listening: the container listens on its `containerPort`s unless `ports` maps one to
   another local port (the test does so when the port is taken or privileged, see
   `pick_ports`); wildcard bind addresses (`0.0.0.0`, `::`, `:PORT`) become 127.0.0.1,
   because a test server listens on loopback only.
4. The executable: `command[0]` is looked up in `executables` (what the image provides,
   e.g. {"minio": harness binary}), then on the PATH of the container's environment.

Probes are sent as the kubelet sends them: `httpGet` to the pod's address with the
manifest's path, scheme and `httpHeaders`, the Host header being `<pod IP>:<containerPort>`
(the TCP connection itself goes to 127.0.0.1 and the mapped port), success for 200-399;
`tcpSocket` connects; `exec` runs locally when its executable exists here, and is reported
as not runnable otherwise.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .procs import LOOPBACK, Server, free_port

# The pod's address as seen by probes and the downward API: a typical pod-network address,
# so that a server checking the Host header sees what it sees on a cluster. Never contacted.
DEFAULT_POD_IP = "10.244.1.23"
# ClusterIP of a Service that the test did not map: a loopback address nothing listens on,
# so that a process that follows a Service link variable gets "connection refused" here.
UNMAPPED_SERVICE_IP = "127.0.0.9"
KUBE_PROBE_USER_AGENT = "kube-probe/1.35"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Pod")
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]")  # noqa: S104 - what manifests bind to; rewritten to loopback


class ManifestError(ValueError):
    """The manifest cannot be started as written (the kubelet would refuse it too)."""


@dataclass
class ManifestObject:
    path: Path
    obj: dict

    @property
    def kind(self) -> str:
        return self.obj.get("kind", "")

    @property
    def name(self) -> str:
        return self.obj.get("metadata", {}).get("name", "")

    @property
    def namespace(self) -> str:
        return self.obj.get("metadata", {}).get("namespace") or "default"

    def __str__(self) -> str:
        return f"{self.kind}/{self.name} ({self.path})"


class Manifests:
    """Every object of a render directory (all *.yaml / *.yml below it, kustomizations aside)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.objects: list[ManifestObject] = []
        files = sorted(p for p in self.root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        for path in files:
            if path.name in ("kustomization.yaml", "kustomization.yml"):
                continue
            for doc in yaml.safe_load_all(path.read_text()):
                if isinstance(doc, dict) and doc.get("kind"):
                    if doc["kind"].endswith("List"):
                        self.objects += [ManifestObject(path, item) for item in doc.get("items", [])]
                    else:
                        self.objects.append(ManifestObject(path, doc))
        if not self.objects:
            raise ManifestError(f"no Kubernetes objects found under {self.root}")

    def find(self, kind: str, name: str | None = None, namespace: str | None = None) -> list[ManifestObject]:
        return [o for o in self.objects if o.kind == kind and (name is None or o.name == name)
                and (namespace is None or o.namespace == namespace)]

    def get(self, kind: str, name: str, namespace: str | None = None) -> ManifestObject:
        found = self.find(kind, name, namespace)
        if len(found) != 1:
            have = ", ".join(sorted(f"{o.kind}/{o.name}" for o in self.objects))
            raise ManifestError(f"expected one {kind}/{name} under {self.root}, found {len(found)} (objects: {have})")
        return found[0]

    def data(self, kind: str, name: str, namespace: str) -> dict[str, bytes] | None:
        """The decoded data of a Secret or ConfigMap, or None when it is not rendered."""
        found = self.find(kind, name, namespace)
        if not found:
            return None
        obj = found[0].obj
        out: dict[str, bytes] = {}
        if kind == "Secret":
            for key, value in (obj.get("data") or {}).items():
                out[key] = base64.b64decode(value or "")
            for key, value in (obj.get("stringData") or {}).items():
                out[key] = str(value).encode()
        else:
            for key, value in (obj.get("data") or {}).items():
                out[key] = str(value).encode()
            for key, value in (obj.get("binaryData") or {}).items():
                out[key] = base64.b64decode(value or "")
        return out


def expand(text: str, lookup) -> str:
    """Kubernetes `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion).

    `$(NAME)` becomes lookup(NAME) when it is defined, and stays as written otherwise;
    `$$` is a literal `$`; any other `$` is kept.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "$" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                end = text.find(")", i + 2)
                if end != -1:
                    name = text[i + 2:end]
                    value = lookup(name)
                    out.append(value if value is not None else f"$({name})")
                    i = end + 1
                    continue
                out.append("$(")
                i += 2
                continue
            out.append("$" + nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def service_dns_names(name: str, namespace: str) -> list[str]:
    """The names cluster DNS answers for a Service, longest first (for a `service_hosts` mapping)."""
    return [f"{name}.{namespace}.svc.cluster.local", f"{name}.{namespace}.svc", f"{name}.{namespace}", name]


def pick_ports(container_ports: list[int]) -> dict[int, int]:
    """The explicit port mapping a test passes: a container port stays as it is when it is
    unprivileged and free on loopback, otherwise it gets a free loopback port."""
    mapping = {}
    for port in container_ports:
        free = False
        if port >= 1024:
            with contextlib.closing(socket.socket()) as sock:
                try:
                    sock.bind((LOOPBACK, port))
                    free = True
                except OSError:
                    pass
        mapping[port] = port if free else free_port()
    return mapping


@dataclass
class ProbeResult:
    ok: bool
    detail: str
    runnable: bool = True


@dataclass
class ContainerProcess:
    """One container, resolved to an argv, an environment and a directory of mounted files."""

    workload: ManifestObject
    container: dict
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    root: Path
    mounts: dict[str, Path]
    ports: dict[int, int]
    pod_ip: str
    rewrites: list[str] = field(default_factory=list)
    executables: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The manifest file the container came from, for test output and messages."""
        return f"{self.workload.kind}/{self.workload.name} container {self.container.get('name')} " \
               f"from {self.workload.path}"

    def describe(self) -> str:
        lines = [self.source, "argv: " + " ".join(self.argv), "rewrites:"]
        lines += [f"  - {r}" for r in self.rewrites] or ["  (none)"]
        return "\n".join(lines)

    def local_port(self, port: int | str) -> int:
        """The local port of a container port (number or name)."""
        number = _port_number(self.container, port)
        return self.ports.get(number, number)

    def start(self, log_path: str | os.PathLike | None = None) -> Server:
        log = Path(log_path) if log_path else self.cwd.parent / f"{self.container.get('name')}.log"
        return Server(self.source, self.argv, log, env=self.env, cwd=self.cwd)

    def run(self, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run to completion (an initContainer or a Job's container)."""
        return subprocess.run(self.argv, env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def probe_spec(self, kind: str) -> dict:
        spec = self.container.get(f"{kind}Probe")
        if not spec:
            raise ManifestError(f"{self.source} has no {kind}Probe")
        return spec

    def probe(self, kind: str = "readiness") -> ProbeResult:
        """Send the container's `<kind>Probe` once, as the kubelet does."""
        spec = self.probe_spec(kind)
        timeout = float(spec.get("timeoutSeconds", 1))
        if "httpGet" in spec:
            return self._http_probe(spec["httpGet"], timeout)
        if "tcpSocket" in spec:
            port = self.local_port(spec["tcpSocket"]["port"])
            with contextlib.closing(socket.socket()) as sock:
                sock.settimeout(timeout)
                code = sock.connect_ex((LOOPBACK, port))
            return ProbeResult(code == 0, f"tcpSocket {LOOPBACK}:{port}: {'open' if code == 0 else os.strerror(code)}")
        if "exec" in spec:
            return self._exec_probe(spec["exec"].get("command") or [], timeout)
        return ProbeResult(False, f"probe type not supported by the harness: {sorted(spec)}", runnable=False)

    def probe_budget(self, kind: str) -> float:
        """How long the kubelet lets the probe fail before it acts (restart, or not ready):
        initialDelaySeconds + periodSeconds x failureThreshold, with the Kubernetes defaults."""
        spec = self.probe_spec(kind)
        return float(spec.get("initialDelaySeconds", 0)
                     + spec.get("periodSeconds", 10) * spec.get("failureThreshold", 3))

    def wait_probe(self, kind: str, server: Server | None = None, timeout: float | None = None) -> ProbeResult:
        """Repeat the probe until it succeeds (failing with the process log if it exits); by
        default for as long as the manifest's own budget for it (`probe_budget`)."""
        if timeout is None:
            timeout = self.probe_budget(kind)
        deadline = time.monotonic() + timeout
        result = ProbeResult(False, "not sent")
        while time.monotonic() < deadline:
            if server is not None and not server.alive():
                raise server.fail(f"exited with code {server.proc.returncode} before its {kind} probe passed")
            result = self.probe(kind)
            if result.ok or not result.runnable:
                return result
            time.sleep(0.3)
        if server is not None:
            raise server.fail(f"{kind} probe did not pass within {timeout:.0f}s (last: {result.detail})")
        return result

    def _http_probe(self, get: dict, timeout: float) -> ProbeResult:
        port = _port_number(self.container, get.get("port"))
        local = self.ports.get(port, port)
        scheme = get.get("scheme", "HTTP").upper()
        path = get.get("path") or "/"
        host = get.get("host") or self.pod_ip
        headers = {"User-Agent": KUBE_PROBE_USER_AGENT, "Accept": "*/*"}
        default_port = 443 if scheme == "HTTPS" else 80
        headers["Host"] = host if port == default_port else f"{host}:{port}"
        for header in get.get("httpHeaders") or []:
            # A Host in httpHeaders replaces the pod address, as in the kubelet.
            headers[header["name"].title() if header["name"].lower() == "host" else header["name"]] = header["value"]
        if scheme == "HTTPS":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # the kubelet does not verify probe certificates
            conn = http.client.HTTPSConnection(LOOPBACK, local, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection(LOOPBACK, local, timeout=timeout)
        what = f"httpGet {scheme} {path} port {port} (local {local}) Host {headers['Host']}"
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            resp.read()
            return ProbeResult(200 <= resp.status < 400, f"{what}: HTTP {resp.status}")
        except OSError as exc:
            return ProbeResult(False, f"{what}: {exc}")
        finally:
            conn.close()

    def _exec_probe(self, command: list[str], timeout: float) -> ProbeResult:
        if not command:
            return ProbeResult(False, "exec probe without a command")
        argv = [self._rewrite_mounts_only(part) for part in command]
        exe = self.executables.get(argv[0]) or self.executables.get(os.path.basename(argv[0])) \
            or shutil.which(argv[0], path=self.env.get("PATH"))
        if not exe:
            return ProbeResult(False, f"exec probe {command}: {argv[0]} does not exist on this machine",
                               runnable=False)
        try:
            proc = subprocess.run([exe, *argv[1:]], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                                  timeout=max(timeout, 1))
        except subprocess.TimeoutExpired:
            return ProbeResult(False, f"exec probe {command}: timed out after {timeout}s")
        return ProbeResult(proc.returncode == 0, f"exec probe {command}: exit {proc.returncode} {proc.stderr[-300:]}")

    def _rewrite_mounts_only(self, text: str) -> str:
        return _replace_paths(text, self.mounts)


def _port_number(container: dict, port) -> int:
    if isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
        return int(port)
    for entry in container.get("ports") or []:
        if entry.get("name") == port:
            return int(entry["containerPort"])
    raise ManifestError(f"container {container.get('name')} has no port named {port!r}")


def _replace_paths(text: str, mounts: dict[str, Path]) -> str:
    """Map every mount path in `text` to its local directory, in one pass (the local
    directories may themselves start with a mount path such as /tmp)."""
    if not mounts:
        return text
    paths = sorted((p.rstrip("/") for p in mounts if p.rstrip("/")), key=len, reverse=True)
    if not paths:
        return text
    # A mount path counts where it is a whole path component: /etc/mlflow, not /etc/mlflowx.
    pattern = rf"(?<![\w.-])({'|'.join(re.escape(p) for p in paths)})(?=$|[/\s\"',;:=)\]])"
    local = {p.rstrip("/"): str(v) for p, v in mounts.items()}
    return re.sub(pattern, lambda m: local[m.group(1)], text)


def pod_spec_of(workload: ManifestObject) -> dict:
    obj = workload.obj
    if workload.kind == "Pod":
        return obj.get("spec") or {}
    if workload.kind == "Job":
        return obj["spec"]["template"]["spec"]
    if workload.kind in WORKLOAD_KINDS:
        return obj["spec"]["template"]["spec"]
    raise ManifestError(f"{workload} is not a workload ({', '.join(WORKLOAD_KINDS)})")


def _pod_name(workload: ManifestObject) -> str:
    return f"{workload.name}-0" if workload.kind == "StatefulSet" else f"{workload.name}-7d9c8b5f4-x2x7q"


def _service_link_env(manifests: Manifests, namespace: str, service_hosts: dict) -> dict[str, str]:
    """The docker-link style variables the kubelet adds for each Service of the namespace."""
    env: dict[str, str] = {}
    for svc in sorted(manifests.find("Service", namespace=namespace), key=lambda o: o.name):
        spec = svc.obj.get("spec") or {}
        if spec.get("clusterIP") == "None" or spec.get("type") == "ExternalName" or not spec.get("ports"):
            continue
        mapped = next((service_hosts[n] for n in service_dns_names(svc.name, namespace) if n in service_hosts), None)
        prefix = svc.name.upper().replace("-", "_")
        for index, port in enumerate(spec["ports"]):
            number = int(port["port"])
            ip, local = (mapped[0], mapped[1]) if mapped else (UNMAPPED_SERVICE_IP, number)
            proto = port.get("protocol", "TCP")
            if index == 0:
                env[f"{prefix}_SERVICE_HOST"] = ip
                env[f"{prefix}_SERVICE_PORT"] = str(local)
                env[f"{prefix}_PORT"] = f"{proto.lower()}://{ip}:{local}"
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{port['name'].upper().replace('-', '_')}"] = str(local)
            base = f"{prefix}_PORT_{number}_{proto}"
            env[base] = f"{proto.lower()}://{ip}:{local}"
            env[f"{base}_PROTO"] = proto.lower()
            env[f"{base}_PORT"] = str(local)
            env[f"{base}_ADDR"] = ip
    return env


def _field_ref(workload: ManifestObject, pod: dict, path: str, pod_ip: str) -> str:
    meta = (workload.obj.get("spec", {}).get("template", {}) or {}).get("metadata") or {}
    simple = {
        "metadata.name": _pod_name(workload),
        "metadata.namespace": workload.namespace,
        "metadata.uid": "00000000-0000-4000-8000-000000000000",
        "spec.nodeName": "node-1",
        "spec.serviceAccountName": pod.get("serviceAccountName", "default"),
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
        "status.hostIP": pod_ip,
    }
    if path in simple:
        return simple[path]
    match = re.fullmatch(r"metadata\.(labels|annotations)\['([^']+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    raise ManifestError(f"fieldRef {path} is not supported by the harness ({workload})")


def _write_volume(manifests: Manifests, workload: ManifestObject, volume: dict, target: Path,
                  sub_path: str | None) -> None:
    """Fill `target` with what the volume holds (files for ConfigMap/Secret/projected, empty otherwise)."""
    files: dict[str, tuple[bytes, int]] = {}
    sources = []
    if "configMap" in volume:
        sources.append(("ConfigMap", volume["configMap"], volume["configMap"].get("defaultMode", 0o644)))
    elif "secret" in volume:
        spec = dict(volume["secret"], name=volume["secret"].get("secretName"))
        sources.append(("Secret", spec, spec.get("defaultMode", 0o644)))
    elif "projected" in volume:
        mode = volume["projected"].get("defaultMode", 0o644)
        for src in volume["projected"].get("sources") or []:
            if "configMap" in src:
                sources.append(("ConfigMap", src["configMap"], mode))
            elif "secret" in src:
                sources.append(("Secret", src["secret"], mode))
    for kind, spec, mode in sources:
        data = manifests.data(kind, spec.get("name"), workload.namespace)
        if data is None:
            if spec.get("optional"):
                continue
            raise ManifestError(f"volume {volume['name']} of {workload}: {kind} {spec.get('name')} is not rendered "
                                f"(the pod would stay in ContainerCreating)")
        items = spec.get("items")
        if items:
            for item in items:
                if item["key"] not in data:
                    if spec.get("optional"):
                        continue
                    raise ManifestError(f"volume {volume['name']} of {workload}: {kind} {spec.get('name')} "
                                        f"has no key {item['key']!r} (keys: {sorted(data)})")
                files[item.get("path", item["key"])] = (data[item["key"]], item.get("mode", mode))
        else:
            for key, value in data.items():
                files[key] = (value, mode)
    if sub_path:
        if sub_path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[sub_path][0])
            target.chmod(files[sub_path][1])
            return
        files = {k[len(sub_path) + 1:]: v for k, v in files.items() if k.startswith(sub_path + "/")}
        if sources and not files:
            raise ManifestError(f"volume {volume['name']} of {workload}: subPath {sub_path!r} matches no key")
    target.mkdir(parents=True, exist_ok=True)
    for rel, (content, file_mode) in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(file_mode)


def container_process(manifests: Manifests, kind: str, name: str, *, workdir: str | os.PathLike,
                      container: str | None = None, init: bool = False, namespace: str | None = None,
                      service_hosts: dict[str, tuple[str, int]] | None = None,
                      ports: dict[int, int] | None = None, executables: dict[str, str] | None = None,
                      image_env: dict[str, str] | None = None, entrypoint: list[str] | None = None,
                      pod_ip: str = DEFAULT_POD_IP, rewrite_mounted_files: bool = False) -> ContainerProcess:
    """Resolve one container of workload `kind`/`name` into a ContainerProcess (see the module doc).

    `container` names it (default: the first one; `init=True` looks among initContainers);
    `service_hosts` is the one mapping of Service DNS names to loopback servers; `ports` maps
    container ports to local ports; `executables` maps the image's programs to local ones;
    `image_env` is the image's own environment (PATH...); `entrypoint` is the image's
    ENTRYPOINT for a container without `command`. `rewrite_mounted_files` also maps the
    mount paths and the `service_hosts` inside the files of ConfigMap mounts (a mounted script
    that reads another mount, an ini naming a Service); off by default, and each file changed
    is listed in `rewrites`.
    """
    service_hosts = dict(service_hosts or {})
    ports = dict(ports or {})
    executables = dict(executables or {})
    workload = manifests.get(kind, name, namespace)
    pod = pod_spec_of(workload)
    key = "initContainers" if init else "containers"
    candidates = pod.get(key) or []
    if not candidates:
        raise ManifestError(f"{workload} has no {key}")
    if container is None:
        spec = candidates[0]
    else:
        found = [c for c in candidates if c.get("name") == container]
        if not found:
            raise ManifestError(f"{workload} has no {key[:-1]} named {container!r} "
                                f"(has: {[c.get('name') for c in candidates]})")
        spec = found[0]
    where = f"{workload.kind}/{workload.name} container {spec.get('name')} ({workload.path})"
    ns = workload.namespace
    workdir = Path(workdir)
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    rewrites: list[str] = []

    # Environment, in the kubelet's order: envFrom, then env (each value expanded against the
    # variables defined so far and the Service links), then the Service links not yet defined.
    links = _service_link_env(manifests, ns, service_hosts) if pod.get("enableServiceLinks", True) else {}
    defined: dict[str, str] = {}

    def lookup(var: str) -> str | None:
        return defined.get(var, links.get(var))

    for source in spec.get("envFrom") or []:
        ref_kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source \
            else ("Secret", source["secretRef"])
        data = manifests.data(ref_kind, ref["name"], ns)
        if data is None:
            if ref.get("optional"):
                continue
            raise ManifestError(f"{where}: envFrom {ref_kind} {ref['name']} is not rendered "
                                f"(CreateContainerConfigError)")
        for k, v in data.items():
            if re.fullmatch(r"[-._a-zA-Z][-._a-zA-Z0-9]*", source.get("prefix", "") + k):
                defined[source.get("prefix", "") + k] = v.decode()
    for var in spec.get("env") or []:
        if "valueFrom" not in var:
            defined[var["name"]] = expand(str(var.get("value", "")), lookup)
            continue
        vf = var["valueFrom"]
        if "secretKeyRef" in vf or "configMapKeyRef" in vf:
            ref_kind, ref = ("Secret", vf["secretKeyRef"]) if "secretKeyRef" in vf \
                else ("ConfigMap", vf["configMapKeyRef"])
            data = manifests.data(ref_kind, ref["name"], ns)
            if data is None or ref["key"] not in data:
                if ref.get("optional"):
                    continue
                what = f"{ref_kind} {ref['name']} is not rendered" if data is None else \
                    f"{ref_kind} {ref['name']} has no key {ref['key']!r} (keys: {sorted(data)})"
                raise ManifestError(f"{where}: env {var['name']}: {what} (CreateContainerConfigError)")
            defined[var["name"]] = data[ref["key"]].decode()
        elif "fieldRef" in vf:
            defined[var["name"]] = _field_ref(workload, pod, vf["fieldRef"]["fieldPath"], pod_ip)
        else:
            raise ManifestError(f"{where}: env {var['name']}: valueFrom {sorted(vf)} is not supported by the harness")
    env = {**(image_env or {}), "HOSTNAME": _pod_name(workload), **links, **defined}
    env.setdefault("HOME", str(root))

    # Command line: the image's ENTRYPOINT when there is no command, then $(VAR) expansion.
    command = spec.get("command") or list(entrypoint or [])
    args = spec.get("args") or []
    if not command and not args:
        raise ManifestError(f"{where} has neither command nor args; pass the image's entrypoint")
    argv = [expand(str(part), lambda v: env.get(v)) for part in [*command, *args]]
    if not command:
        raise ManifestError(f"{where} has args but no command; pass the image's entrypoint")

    # Volumes: every mount written under root/<mountPath>.
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for claim in (workload.obj.get("spec") or {}).get("volumeClaimTemplates") or []:
        volumes.setdefault(claim["metadata"]["name"], {"name": claim["metadata"]["name"],
                                                        "persistentVolumeClaim": {}})
    mounts: dict[str, Path] = {}
    for mount in spec.get("volumeMounts") or []:
        volume = volumes.get(mount["name"])
        if volume is None:
            raise ManifestError(f"{where}: volumeMount {mount['mountPath']} names volume {mount['name']!r}, "
                                f"which the pod does not define (volumes: {sorted(volumes)})")
        if mount.get("subPathExpr"):
            raise ManifestError(f"{where}: subPathExpr is not supported by the harness")
        local = root / mount["mountPath"].lstrip("/")
        _write_volume(manifests, workload, volume, local, mount.get("subPath"))
        mounts[mount["mountPath"].rstrip("/") or "/"] = local

    def map_hosts(new: str, text: str, what: str) -> str:
        for host in sorted(service_hosts, key=len, reverse=True):
            ip, port = service_hosts[host]
            pattern = rf"(?<![\w.-]){re.escape(host)}(?![\w.-])(:\d+)?"

            def repl(match, ip=ip, port=port, host=host):
                preceded = match.string[max(0, match.start() - 3):match.start()]
                if match.group(1) or preceded.endswith(("//", "@")):
                    return f"{ip}:{port}"
                # A bare one-label name ("postgres") is also a user or database name: it is a
                # host only as the whole value of a *HOST variable (PGHOST=postgres).
                if "." in host or (what.startswith("env ") and what.endswith("HOST") and match.group(0) == text):
                    return ip
                return match.group(0)

            new = re.sub(pattern, repl, new)
        return new

    def rewrite(text: str, what: str) -> str:
        new = map_hosts(_replace_paths(text, mounts), text, what)
        container_ports = {int(p["containerPort"]) for p in spec.get("ports") or []}
        for cport in sorted(container_ports):
            local_port = ports.get(cport, cport)
            # host:port listen addresses with a wildcard or empty host become loopback.
            new = re.sub(rf"^(--?[\w-]+=)?(?:0\.0\.0\.0|\[::\]|::|localhost|127\.0\.0\.1)?:{cport}$",
                         lambda m, lp=local_port: f"{m.group(1) or ''}{LOOPBACK}:{lp}", new)
            if local_port != cport:
                new = re.sub(rf"^(--?[\w-]+=)?{cport}$", lambda m, lp=local_port: f"{m.group(1) or ''}{lp}", new)
        if new in WILDCARD_HOSTS:
            new = LOOPBACK
        new = re.sub(r"^(--?[\w-]+=)(?:0\.0\.0\.0|\[::\]|::)$", rf"\g<1>{LOOPBACK}", new)
        if new != text:
            rewrites.append(f"{what}: {text!r} -> {new!r}")
        return new

    if rewrite_mounted_files:
        for mount in spec.get("volumeMounts") or []:
            if "configMap" not in volumes[mount["name"]]:
                continue
            local = root / mount["mountPath"].lstrip("/")
            for path in [local] if local.is_file() else sorted(p for p in local.rglob("*") if p.is_file()):
                try:
                    text = path.read_text()
                except UnicodeDecodeError:
                    continue
                new = map_hosts(_replace_paths(text, mounts), text, "file")
                if new != text:
                    mode = path.stat().st_mode
                    path.chmod(mode | 0o200)
                    path.write_text(new)
                    path.chmod(mode)
                    rewrites.append(f"mount paths / service hosts inside the mounted file {mount['mountPath']}/"
                                    f"{path.relative_to(local) if path != local else ''}")

    argv = [rewrite(part, f"argv[{i}]") for i, part in enumerate(argv)]
    env = {k: (rewrite(v, f"env {k}") if k in defined else v) for k, v in env.items()}

    exe = executables.get(argv[0]) or executables.get(os.path.basename(argv[0]))
    if exe is None:
        exe = shutil.which(argv[0], path=env.get("PATH")) or shutil.which(os.path.basename(argv[0]),
                                                                          path=env.get("PATH"))
    if exe is None:
        raise ManifestError(f"{where}: the executable {argv[0]!r} is neither mapped nor on the PATH of the container")
    if exe != argv[0]:
        rewrites.append(f"executable {argv[0]!r} -> {exe!r}")
        argv[0] = exe

    cwd = root
    if spec.get("workingDir"):
        cwd = Path(rewrite(spec["workingDir"], "workingDir"))
        if not cwd.is_absolute() or not str(cwd).startswith(str(root)):
            cwd = root / spec["workingDir"].lstrip("/")
        cwd.mkdir(parents=True, exist_ok=True)
    return ContainerProcess(workload, spec, argv, env, cwd, root, mounts,
                            {int(p["containerPort"]): ports.get(int(p["containerPort"]), int(p["containerPort"]))
                             for p in spec.get("ports") or []},
                            pod_ip, rewrites, executables)


@contextlib.contextmanager
def resolve_to_loopback(service_hosts: dict[str, tuple[str, int]], service_ports: dict[str, int] | None = None):
    """Inside the block, this process resolves the mapped Service names to their loopback servers.

    A client then uses the in-cluster URL (`http://mlflow.mlflow-platform.svc:5000`), sends
    the Host header a client in the cluster sends, and connects to the harness server.
    `service_ports` optionally restricts the mapping to one port per name.
    """
    original = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host in service_hosts:
            want = (service_ports or {}).get(host)
            if want is None or int(port or 0) == want:
                ip, local = service_hosts[host]
                return original(ip, local, *args, **kwargs)
        return original(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = original
