"""Unit tests of tests/harness/pod_process.py on small hand-written manifests (no servers).

The converter turns one container of a rendered Deployment/StatefulSet into a local process;
these tests pin down the kubelet behaviour it reproduces and the rewrites it is allowed to make.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import os
import socket
import stat
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
import yaml
from harness.pod_process import (
    DEFAULT_POD_IP,
    UNMAPPED_SERVICE_IP,
    ManifestError,
    Manifests,
    container_process,
    expand,
    pick_ports,
    resolve_to_loopback,
    service_dns_names,
)

NS = "mlflow-platform"
_ORIGINAL_GETADDRINFO = socket.getaddrinfo


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def deployment(container: dict, volumes=None, init=None, **pod) -> dict:
    spec = {"containers": [container], **pod}
    if volumes:
        spec["volumes"] = volumes
    if init:
        spec["initContainers"] = init
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app", "namespace": NS},
            "spec": {"selector": {"matchLabels": {"app": "app"}},
                     "template": {"metadata": {"labels": {"app": "app", "tier": "web"}}, "spec": spec}}}


SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "app-secret", "namespace": NS},
          "data": {"password": b64("s3cret-password"), "user": b64("admin")},
          "stringData": {"token": "plain-token"}}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config", "namespace": NS},
             "data": {"auth.ini": "[mlflow]\nadmin_username = admin\n", "LOG_LEVEL": "debug",
                      "bad key": "skipped"}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "postgres", "namespace": NS},
           "spec": {"ports": [{"name": "pg", "port": 5432}], "selector": {"app": "postgres"}}}
HEADLESS = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "minio-hl", "namespace": NS},
            "spec": {"clusterIP": "None", "ports": [{"port": 9000}]}}


def render(tmp_path: Path, *objects: dict, split: bool = True) -> Manifests:
    """Write the objects as a render directory: one file per object plus a kustomization."""
    root = tmp_path / "render"
    (root / "app").mkdir(parents=True)
    files = []
    for obj in objects:
        name = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        (root / "app" / name).write_text(yaml.safe_dump(obj))
        files.append(name)
    (root / "app" / "kustomization.yaml").write_text(yaml.safe_dump({"kind": "Kustomization", "resources": files}))
    return Manifests(root)


def sh_container(script: str, **extra) -> dict:
    return {"name": "main", "image": "example/app:1", "command": ["sh", "-c", script], **extra}


# --- $(VAR) expansion ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "want"), [
    ("$(A)", "alpha"),
    ("x-$(A)-$(B)", "x-alpha-beta"),
    ("$(MISSING)", "$(MISSING)"),         # unknown references stay as written
    ("$$(A)", "$(A)"),                    # $$ escapes
    ("$$", "$"),
    ("cost $5", "cost $5"),               # a $ not followed by ( is kept
    ("$(A", "$(A"),                       # unclosed reference is literal
    ("end$", "end$"),
    ("$(A)$(A)", "alphaalpha"),
])
def test_expand_follows_kubernetes_rules(text, want):
    assert expand(text, {"A": "alpha", "B": "beta"}.get) == want


# --- environment -----------------------------------------------------------------------------

def test_env_value_from_secret_configmap_field_and_envfrom(tmp_path):
    container = sh_container("true", env=[
        {"name": "USER", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "user"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "password"}}},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "token"}}},
        {"name": "DSN", "value": "postgresql://$(USER):$(PASSWORD)@db/x"},
        {"name": "LATER", "value": "$(DEFINED_AFTER)"},
        {"name": "DEFINED_AFTER", "value": "x"},
        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "TIER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['tier']"}}},
        {"name": "OPT", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "x", "optional": True}}},
    ], envFrom=[{"configMapRef": {"name": "app-config"}, "prefix": "CM_"}])
    proc = container_process(render(tmp_path, deployment(container), SECRET, CONFIGMAP), "Deployment", "app",
                             workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    env = proc.env
    assert env["USER"] == "admin" and env["PASSWORD"] == "s3cret-password"  # noqa: S105 - test data
    assert env["TOKEN"] == "plain-token"  # noqa: S105 - stringData counts too
    assert env["DSN"] == "postgresql://admin:s3cret-password@db/x"
    # A reference to a variable defined later is not expanded, as in the kubelet.
    assert env["LATER"] == "$(DEFINED_AFTER)"
    assert env["POD_NS"] == NS and env["POD"].startswith("app-") and env["POD_IP"] == DEFAULT_POD_IP
    assert env["TIER"] == "web"
    assert "OPT" not in env
    assert env["CM_LOG_LEVEL"] == "debug" and "CM_bad key" not in env
    assert env["HOSTNAME"] == env["POD"]


def test_args_are_expanded_from_the_container_env(tmp_path):
    container = {"name": "main", "image": "x", "command": ["echo"], "args": ["--user=$(USER)", "$(NOPE)", "$$(USER)"],
                 "env": [{"name": "USER", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "user"}}}]}
    proc = container_process(render(tmp_path, deployment(container), SECRET), "Deployment", "app",
                             workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    assert proc.argv[1:] == ["--user=admin", "$(NOPE)", "$(USER)"]
    assert proc.run().stdout.strip() == "--user=admin $(NOPE) $(USER)"


@pytest.mark.parametrize(("ref", "message"), [
    ({"secretKeyRef": {"name": "app-secret", "key": "pasword"}}, "has no key 'pasword'"),
    ({"secretKeyRef": {"name": "missing-secret", "key": "password"}}, "Secret missing-secret is not rendered"),
    ({"configMapKeyRef": {"name": "app-config", "key": "nope"}}, "ConfigMap app-config has no key 'nope'"),
])
def test_missing_secret_or_key_fails_like_create_container_config_error(tmp_path, ref, message):
    container = sh_container("true", env=[{"name": "X", "valueFrom": ref}])
    manifests = render(tmp_path, deployment(container), SECRET, CONFIGMAP)
    with pytest.raises(ManifestError, match=message) as err:
        container_process(manifests, "Deployment", "app", workdir=tmp_path / "w")
    # The message names the manifest file the container came from.
    assert "deployment-app.yaml" in str(err.value)


def test_service_links_follow_enable_service_links(tmp_path):
    container = sh_container("true")
    manifests = render(tmp_path, deployment(container), SERVICE, HEADLESS)
    proc = container_process(manifests, "Deployment", "app", workdir=tmp_path / "w",
                             image_env={"PATH": os.environ["PATH"]})
    assert proc.env["POSTGRES_SERVICE_HOST"] == UNMAPPED_SERVICE_IP
    assert proc.env["POSTGRES_PORT"] == f"tcp://{UNMAPPED_SERVICE_IP}:5432"
    assert proc.env["POSTGRES_SERVICE_PORT_PG"] == "5432"
    assert proc.env["POSTGRES_PORT_5432_TCP_ADDR"] == UNMAPPED_SERVICE_IP
    assert not any(k.startswith("MINIO_HL_") for k in proc.env), "headless Services get no link variables"
    mapped = container_process(manifests, "Deployment", "app", workdir=tmp_path / "w2",
                               service_hosts={"postgres.mlflow-platform.svc": ("127.0.0.1", 15432)})
    assert mapped.env["POSTGRES_PORT"] == "tcp://127.0.0.1:15432"
    off = container_process(render(tmp_path / "off", deployment(container, enableServiceLinks=False), SERVICE),
                            "Deployment", "app", workdir=tmp_path / "w3")
    assert "POSTGRES_SERVICE_HOST" not in off.env


# --- volumes ---------------------------------------------------------------------------------

def test_configmap_and_secret_mounts_written_and_paths_rewritten(tmp_path):
    container = sh_container(
        "cat /etc/app/auth.ini /etc/app-secret/pw /conf/only.ini; ls /data",
        env=[{"name": "APP_CONFIG", "value": "/etc/app/auth.ini"},
             {"name": "OTHER", "value": "/etc/application/keep"}],
        volumeMounts=[{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                      {"name": "secret", "mountPath": "/etc/app-secret"},
                      {"name": "config", "mountPath": "/conf/only.ini", "subPath": "auth.ini"},
                      {"name": "data", "mountPath": "/data"}])
    volumes = [{"name": "config", "configMap": {"name": "app-config"}},
               {"name": "secret", "secret": {"secretName": "app-secret", "defaultMode": 0o400,
                                             "items": [{"key": "password", "path": "pw"}]}},
               {"name": "data", "emptyDir": {}}]
    proc = container_process(render(tmp_path, deployment(container, volumes), SECRET, CONFIGMAP),
                             "Deployment", "app", workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    root = proc.root
    assert (root / "etc/app/auth.ini").read_text().startswith("[mlflow]")
    assert (root / "etc/app-secret/pw").read_text() == "s3cret-password"
    assert not (root / "etc/app-secret/user").exists(), "items restrict the keys"
    assert stat.S_IMODE((root / "etc/app-secret/pw").stat().st_mode) == 0o400
    assert (root / "conf/only.ini").is_file()
    assert (root / "data").is_dir()
    assert proc.env["APP_CONFIG"] == str(root / "etc/app/auth.ini")
    assert proc.env["OTHER"] == "/etc/application/keep", "only whole mount paths are rewritten"
    assert str(root / "etc/app/auth.ini") in proc.argv[2]
    assert any("env APP_CONFIG" in r for r in proc.rewrites)
    result = proc.run()
    assert result.returncode == 0, result.stderr
    assert "s3cret-password" in result.stdout


def test_statefulset_volume_claim_templates_and_projected(tmp_path):
    sts = deployment(sh_container("test -d /data && test -f /etc/all/password && test -f /etc/all/auth.ini",
                                  volumeMounts=[{"name": "data", "mountPath": "/data"},
                                                {"name": "all", "mountPath": "/etc/all"}]),
                     volumes=[{"name": "all", "projected": {"sources": [{"secret": {"name": "app-secret"}},
                                                                         {"configMap": {"name": "app-config"}}]}}])
    sts["kind"] = "StatefulSet"
    sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {}}]
    proc = container_process(render(tmp_path, sts, SECRET, CONFIGMAP), "StatefulSet", "app",
                             workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    assert proc.env["HOSTNAME"] == "app-0"
    assert proc.run().returncode == 0


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda c, v: v.clear(), "which the pod does not define"),
    (lambda c, v: v[0]["configMap"].update(name="gone"), "ConfigMap gone is not rendered"),
    (lambda c, v: v[0]["configMap"].update(items=[{"key": "missing.ini", "path": "a"}]), "has no key 'missing.ini'"),
])
def test_broken_mounts_are_refused(tmp_path, mutate, message):
    container = sh_container("true", volumeMounts=[{"name": "config", "mountPath": "/etc/app"}])
    volumes = [{"name": "config", "configMap": {"name": "app-config"}}]
    mutate(container, volumes)
    with pytest.raises(ManifestError, match=message):
        container_process(render(tmp_path, deployment(container, volumes or None), CONFIGMAP), "Deployment", "app",
                          workdir=tmp_path / "w")


def test_a_mount_that_is_missing_leaves_the_path_unrewritten(tmp_path):
    # Without the mount, the path the process is told to read does not exist: it fails to start.
    container = sh_container("cat $(APP_CONFIG)", env=[{"name": "APP_CONFIG", "value": "/etc/app/auth.ini"}])
    proc = container_process(render(tmp_path, deployment(container), CONFIGMAP), "Deployment", "app",
                             workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    assert proc.env["APP_CONFIG"] == "/etc/app/auth.ini"
    assert proc.run().returncode != 0


# --- service hosts, ports, executables -------------------------------------------------------

def test_service_hosts_mapping_is_explicit_and_only_thing_rewritten(tmp_path):
    container = {"name": "main", "image": "x", "command": ["true"], "args": [
        "--backend-store-uri", "postgresql+psycopg2://u:p@postgres.mlflow-platform.svc:5432/mlflow",
        "--s3", "http://minio.mlflow-platform.svc.cluster.local",
        "--other", "http://unrelated.mlflow-platform.svc:80",
        "--near", "postgres.mlflow-platform.svc.example.org",
        "--bare", "postgres.mlflow-platform.svc",
    ]}
    hosts = {"postgres.mlflow-platform.svc": ("127.0.0.1", 15432),
             "minio.mlflow-platform.svc.cluster.local": ("127.0.0.1", 19000)}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app",
                             workdir=tmp_path / "w", service_hosts=hosts, image_env={"PATH": os.environ["PATH"]})
    args = proc.argv[1:]
    assert args[1] == "postgresql+psycopg2://u:p@127.0.0.1:15432/mlflow"
    assert args[3] == "http://127.0.0.1:19000"
    assert args[5] == "http://unrelated.mlflow-platform.svc:80", "names not in the mapping are left alone"
    assert args[7] == "postgres.mlflow-platform.svc.example.org", "a longer name is another host"
    assert args[9] == "127.0.0.1"
    assert len([r for r in proc.rewrites if r.startswith("argv")]) == 3


def test_one_label_service_names_only_as_host_values(tmp_path):
    container = {"name": "main", "image": "x", "command": ["true"], "args": ["--user", "postgres", "postgres:5432"],
                 "env": [{"name": "PGHOST", "value": "postgres"}, {"name": "PGUSER", "value": "postgres"},
                         {"name": "PGDATABASE", "value": "postgres"}]}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app", workdir=tmp_path / "w",
                             service_hosts={"postgres": ("127.0.0.1", 15432)}, image_env={"PATH": os.environ["PATH"]})
    assert proc.env["PGHOST"] == "127.0.0.1"
    assert proc.env["PGUSER"] == "postgres" and proc.env["PGDATABASE"] == "postgres"
    assert proc.argv[1:] == ["--user", "postgres", "127.0.0.1:15432"]


def test_service_dns_names():
    assert service_dns_names("minio", NS) == ["minio.mlflow-platform.svc.cluster.local", "minio.mlflow-platform.svc",
                                              "minio.mlflow-platform", "minio"]


def test_listen_addresses_and_ports_are_mapped_to_loopback(tmp_path):
    container = {"name": "main", "image": "x", "command": ["true"],
                 "args": ["--host", "0.0.0.0", "--port", "5000", "--address", ":9000", "--console=0.0.0.0:9001",  # noqa: S104
                          "--workers", "4", "--bind=[::]"],
                 "env": [{"name": "PORT", "value": "5000"}],
                 "ports": [{"containerPort": 5000, "name": "http"}, {"containerPort": 9000},
                           {"containerPort": 9001}]}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app", workdir=tmp_path / "w",
                             ports={5000: 15000, 9000: 19000}, image_env={"PATH": os.environ["PATH"]})
    args = proc.argv[1:]
    assert args[:6] == ["--host", "127.0.0.1", "--port", "15000", "--address", "127.0.0.1:19000"]
    assert args[6:] == ["--console=127.0.0.1:9001", "--workers", "4", "--bind=127.0.0.1"]
    assert proc.env["PORT"] == "15000"
    assert proc.local_port("http") == 15000 and proc.local_port(9001) == 9001


def test_console_listen_address_in_flag_form(tmp_path):
    container = {"name": "main", "image": "x", "command": ["true"], "args": ["--console-address", "0.0.0.0:9001"],
                 "ports": [{"containerPort": 9001}]}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app", workdir=tmp_path / "w",
                             ports={9001: 19001}, image_env={"PATH": os.environ["PATH"]})
    assert proc.argv[1:] == ["--console-address", "127.0.0.1:19001"]


def test_pick_ports_keeps_free_unprivileged_ports():
    with contextlib.closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        mapping = pick_ports([80, busy])
    assert mapping[80] >= 1024 and mapping[busy] != busy


def test_executable_mapping_and_missing_executable(tmp_path):
    container = {"name": "main", "image": "x", "command": ["/usr/bin/minio"], "args": ["server"]}
    manifests = render(tmp_path, deployment(container))
    proc = container_process(manifests, "Deployment", "app", workdir=tmp_path / "w",
                             executables={"minio": "/opt/built/minio"})
    assert proc.argv == ["/opt/built/minio", "server"]
    with pytest.raises(ManifestError, match="neither mapped nor on the PATH"):
        container_process(manifests, "Deployment", "app", workdir=tmp_path / "w2", image_env={"PATH": "/nonexistent"})


def test_entrypoint_and_init_containers(tmp_path):
    init = [{"name": "migrate", "image": "x", "command": ["sh", "-c", "echo migrated"]}]
    main = {"name": "main", "image": "x", "args": ["-c", "echo main"]}
    manifests = render(tmp_path, deployment(main, init=init))
    with pytest.raises(ManifestError, match="no command"):
        container_process(manifests, "Deployment", "app", workdir=tmp_path / "w")
    proc = container_process(manifests, "Deployment", "app", workdir=tmp_path / "w", entrypoint=["sh"],
                             image_env={"PATH": os.environ["PATH"]})
    assert proc.run().stdout.strip() == "main"
    migrate = container_process(manifests, "Deployment", "app", container="migrate", init=True,
                                workdir=tmp_path / "w", image_env={"PATH": os.environ["PATH"]})
    assert migrate.run().stdout.strip() == "migrated"
    with pytest.raises(ManifestError, match="no initContainer named 'nope'"):
        container_process(manifests, "Deployment", "app", container="nope", init=True, workdir=tmp_path / "w")


def test_unknown_workload_lists_what_exists(tmp_path):
    manifests = render(tmp_path, deployment(sh_container("true")), SECRET)
    with pytest.raises(ManifestError, match=r"found 0 \(objects: Deployment/app, Secret/app-secret\)"):
        container_process(manifests, "StatefulSet", "app", workdir=tmp_path / "w")
    with pytest.raises(ManifestError, match="no Kubernetes objects"):
        Manifests(tmp_path / "w")


# --- probes ----------------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):
        type(self).seen.append((self.path, dict(self.headers)))
        status = 200 if self.path.startswith("/ok") else 503
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http_probe_is_sent_as_the_kubelet_sends_it(tmp_path, recorder):
    container = {"name": "main", "image": "x", "command": ["true"],
                 "ports": [{"containerPort": 5000, "name": "http"}],
                 "readinessProbe": {"httpGet": {"path": "/ok/ready", "port": "http",
                                                "httpHeaders": [{"name": "X-Probe", "value": "yes"}]}},
                 "livenessProbe": {"httpGet": {"path": "/fail", "port": 5000}},
                 "startupProbe": {"httpGet": {"path": "/ok", "port": 5000,
                                              "httpHeaders": [{"name": "host", "value": "mlflow.example.org"}]}}}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app", workdir=tmp_path / "w",
                             ports={5000: recorder}, image_env={"PATH": os.environ["PATH"]})
    ready = proc.probe("readiness")
    assert ready.ok, ready.detail
    path, headers = _Recorder.seen[-1]
    assert path == "/ok/ready"
    assert headers["Host"] == f"{DEFAULT_POD_IP}:5000", "Host is the pod address and container port"
    assert headers["User-Agent"].startswith("kube-probe/")
    assert headers["X-Probe"] == "yes"
    live = proc.probe("liveness")
    assert not live.ok and "HTTP 503" in live.detail
    assert proc.probe("startup").ok
    assert _Recorder.seen[-1][1]["Host"] == "mlflow.example.org"


def test_tcp_and_exec_probes(tmp_path, recorder):
    container = {"name": "main", "image": "x", "command": ["true"], "ports": [{"containerPort": 9000}],
                 "volumeMounts": [{"name": "c", "mountPath": "/etc/app"}],
                 "readinessProbe": {"tcpSocket": {"port": 9000}},
                 "livenessProbe": {"exec": {"command": ["test", "-f", "/etc/app/auth.ini"]}},
                 "startupProbe": {"exec": {"command": ["/usr/local/bin/not-here", "ping"]}}}
    volumes = [{"name": "c", "configMap": {"name": "app-config"}}]
    proc = container_process(render(tmp_path, deployment(container, volumes), CONFIGMAP), "Deployment", "app",
                             workdir=tmp_path / "w", ports={9000: recorder}, image_env={"PATH": os.environ["PATH"]})
    assert proc.probe("readiness").ok
    assert proc.probe("liveness").ok, "exec probes see the mount paths mapped"
    startup = proc.probe("startup")
    assert not startup.ok and not startup.runnable and "does not exist" in startup.detail
    with pytest.raises(ManifestError, match="no fooProbe"):
        proc.probe("foo")


def test_wait_probe_fails_with_the_process_log(tmp_path):
    container = {"name": "main", "image": "x", "command": [sys.executable, "-c", "print('boom'); raise SystemExit(3)"],
                 "ports": [{"containerPort": 5000}], "readinessProbe": {"httpGet": {"path": "/", "port": 5000}}}
    proc = container_process(render(tmp_path, deployment(container)), "Deployment", "app", workdir=tmp_path / "w",
                             ports=pick_ports([5000]))
    server = proc.start(tmp_path / "log")
    try:
        with pytest.raises(RuntimeError, match=r"(?s)deployment-app.yaml.*exited with code 3.*boom"):
            proc.wait_probe("readiness", server, timeout=30)
    finally:
        server.stop()


def test_resolve_to_loopback_maps_service_names(recorder):
    hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", recorder)}
    with resolve_to_loopback(hosts), urllib.request.urlopen("http://mlflow.mlflow-platform.svc:5000/ok") as resp:
        assert resp.status == 200
    assert _Recorder.seen[-1][1]["Host"] == "mlflow.mlflow-platform.svc:5000"
    assert socket.getaddrinfo is _ORIGINAL_GETADDRINFO, "the mapping ends with the block"


def test_mount_paths_inside_mounted_scripts_only_on_request(tmp_path):
    script = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "boot", "namespace": NS},
              "data": {"run.sh": "cat /boot/policy.json > /tmp/out\n", "policy.json": "{}",
                       "app.ini": "uri = postgresql://u@postgres.ns.svc:5432/db\nuser = postgres\n"}}
    container = {"name": "main", "image": "x", "command": ["/bin/sh", "/boot/run.sh"],
                 "volumeMounts": [{"name": "boot", "mountPath": "/boot"}, {"name": "tmp", "mountPath": "/tmp"}]}  # noqa: S108
    volumes = [{"name": "boot", "configMap": {"name": "boot"}}, {"name": "tmp", "emptyDir": {}}]
    manifests = render(tmp_path, deployment(container, volumes), script)
    plain = container_process(manifests, "Deployment", "app", workdir=tmp_path / "a")
    assert (plain.root / "boot/run.sh").read_text().startswith("cat /boot/policy.json")
    proc = container_process(manifests, "Deployment", "app", workdir=tmp_path / "b", rewrite_mounted_files=True,
                             image_env={"PATH": os.environ["PATH"]},
                             service_hosts={"postgres.ns.svc": ("127.0.0.1", 15432), "postgres": ("127.0.0.1", 15432)})
    assert (proc.root / "boot/app.ini").read_text() == "uri = postgresql://u@127.0.0.1:15432/db\nuser = postgres\n"
    assert (proc.root / "boot/run.sh").read_text() == f"cat {proc.root}/boot/policy.json > {proc.root}/tmp/out\n"  # noqa: S108
    assert any("inside the mounted file /boot/run.sh" in r for r in proc.rewrites)
    assert proc.run().returncode == 0
    assert (proc.root / "tmp/out").read_text() == "{}"
