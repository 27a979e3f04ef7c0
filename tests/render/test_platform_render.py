"""The rendered platform (playbooks/site.yml in render mode) against the Kubernetes schemas, the
pod-security rules, the inventory it came from, and itself on a second run."""

from __future__ import annotations

import os
import re
import stat

import kubernetes_validate
import pytest
import yaml
from harness.settings import POD_SETTINGS

# Kinds that are not in the official Kubernetes schemas (CRDs), so kubernetes-validate cannot
# check them: Istio's VirtualService, rendered only when mlflow_istio_enabled is on.
CRD_KINDS = {"VirtualService"}
POD_KINDS = {"Deployment", "StatefulSet", "Job"}
CREDENTIAL_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|CREDENTIAL", re.I)


def pod_specs(rendering):
    for obj in rendering.objects():
        rel, obj = obj
        if obj["kind"] in POD_KINDS:
            yield rel, obj, obj["spec"]["template"]["spec"]


def test_render_succeeds_and_says_how_to_apply(rendering):
    out = rendering.first.output
    assert rendering.first.failed == 0
    assert "kubectl apply --server-side -k" in out
    assert str(rendering.render_dir) in out


def test_render_mode_leaves_the_nodes_alone_and_says_so(rendering):
    """No --limit localhost needed: the node play says it did not run, and contacts no node."""
    result = rendering.first
    nodes = [host for host in result.recap if host != "localhost"]
    if not nodes:
        assert rendering.name == "local"  # the embedded default has no nodes
        return
    assert "node preparation was not run on" in result.output
    assert "-e site_prepare_nodes=true" in result.output
    for host in nodes:
        assert result.recap[host]["unreachable"] == 0 and result.recap[host]["changed"] == 0, host


def test_second_render_changes_nothing(rendering):
    if rendering.second is None:
        pytest.skip(f"{rendering.name} is rendered once (only local and example are rendered twice)")
    assert rendering.second.changed == 0, rendering.second.output[-4000:]
    assert rendering.files() == rendering.first_files


@pytest.mark.parametrize("version", ["1.30", "1.37"])
def test_every_manifest_validates_strictly(rendering, version):
    checked = 0
    for rel, obj in rendering.objects():
        if obj["kind"] in CRD_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{rel} is not a valid {obj['kind']} for Kubernetes {version}: "
                        f"{exc.message} at {list(exc.path)}")
        checked += 1
    assert checked >= 20


def test_kustomizations_list_every_file(rendering):
    top = yaml.safe_load((rendering.render_dir / "kustomization.yaml").read_text())
    components = sorted(p.name for p in rendering.render_dir.iterdir() if p.is_dir())
    assert sorted(top["resources"]) == components
    assert top["resources"][:2] == ["namespace", "storage"]
    for component in components:
        directory = rendering.render_dir / component
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
        files = sorted(p.name for p in directory.glob("*.yaml") if p.name != "kustomization.yaml")
        assert sorted(kustomization["resources"]) == files, component
        # One object per file, named after it.
        for name in files:
            docs = [d for d in yaml.safe_load_all((directory / name).read_text()) if d]
            assert len(docs) == 1, name
            assert name == f"{docs[0]['kind'].lower()}-{docs[0]['metadata']['name']}.yaml"


def test_namespace_enforces_restricted_pod_security(rendering):
    (namespace,) = rendering.of_kind("Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for _, obj in rendering.objects():
        if obj["kind"] not in {"Namespace", "StorageClass", "PersistentVolume"}:
            assert obj["metadata"]["namespace"] == namespace["metadata"]["name"], obj["metadata"]["name"]


def test_every_container_meets_the_restricted_profile(rendering):
    """Requests, limits, non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp.

    Probes: every long-running container has liveness and readiness probes. Exceptions, by design:
    - containers of Jobs (bootstrap of PostgreSQL and MinIO) run to completion; a probe has
      nothing to watch and Kubernetes ignores readiness for them;
    - init containers (MLflow's migrations) cannot have probes (the API rejects them).
    """
    seen = 0
    for rel, obj, pod in pod_specs(rendering):
        pod_sc = pod.get("securityContext", {})
        assert pod_sc.get("runAsNonRoot") is True, rel
        assert pod_sc.get("runAsUser", 0) > 0, rel
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", rel
        assert pod.get("automountServiceAccountToken") is False, rel
        containers = [(c, False) for c in pod.get("initContainers", [])] + [(c, True) for c in pod["containers"]]
        for container, serving in containers:
            where = f"{rel} container {container['name']}"
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(part, {})), f"{where}: {part}"
            sc = container.get("securityContext", {})
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not sc.get("capabilities", {}).get("add"), where
            assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, where
            assert sc.get("seccompProfile", pod_sc.get("seccompProfile", {})).get("type") == "RuntimeDefault", where
            assert not sc.get("privileged"), where
            assert sc.get("readOnlyRootFilesystem") is True, where
            if serving and obj["kind"] != "Job":
                assert "livenessProbe" in container, where
                assert "readinessProbe" in container, where
            seen += 1
    assert seen >= 6


def test_every_workload_runs_as_its_own_service_account_without_a_token(rendering):
    """A ServiceAccount per workload (what policy engines and audits key on), none shared, none
    the namespace's default, and no token mounted from either side."""
    accounts = {a["metadata"]["name"]: a for a in rendering.of_kind("ServiceAccount")}
    used = []
    for rel, obj, pod in pod_specs(rendering):
        name = pod.get("serviceAccountName")
        assert name and name != "default", rel
        assert name == obj["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"], rel
        assert accounts[name]["automountServiceAccountToken"] is False, name
        used.append(name)
    assert len(used) == len(set(used)), f"a ServiceAccount shared by workloads: {sorted(used)}"
    assert sorted(used) == sorted(accounts), "a ServiceAccount no workload uses, or one missing"


def test_no_credential_in_configmaps_or_plain_env(rendering):
    secrets = rendering.secret_values()
    # The generated or kept secrets: long enough for MLflow (12) and MinIO (8).
    names = {"admin", "minio-admin", "mlflow-server"}  # user names and access keys, not secrets
    secrets -= names
    assert len(secrets) >= 5 and all(len(value) >= 12 for value in secrets)
    for rel, data in rendering.files().items():
        if "/secret-" in f"/{rel}":
            continue
        text = data.decode()
        for value in secrets:
            assert value not in text, f"a Secret value appears in {rel}"
    for rel, _, pod in pod_specs(rendering):
        for container in pod.get("initContainers", []) + pod["containers"]:
            for env in container.get("env", []):
                if CREDENTIAL_NAME.search(env["name"]):
                    assert "valueFrom" in env and "value" not in env, f"{rel}: {env['name']} is a plain value"
            for arg in container.get("args", []) + container.get("command", []):
                assert not re.search(r"://[^/@\s]+:[^/@\s]+@", arg), f"{rel}: credentials in a URI argument"
    # ... and nothing printed them.
    for value in secrets:
        assert value not in rendering.first.output


def test_secret_files_are_private(rendering):
    kept = [p for p in rendering.secrets_dir.rglob("*") if p.is_file()]
    assert kept
    for path in list(rendering.render_dir.rglob("secret-*.yaml")) + kept:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert len(list(rendering.render_dir.rglob("secret-*.yaml"))) == 4


def node_labels(rendering) -> dict[str, set[str]]:
    """label -> nodes, from the render's label-nodes.sh."""
    out: dict[str, set[str]] = {}
    for line in (rendering.render_dir / "label-nodes.sh").read_text().splitlines():
        if line.startswith("kubectl label node "):
            words = line.split()
            node = words[3]
            for word in words[5:]:
                key, value = word.split("=")
                assert value == "true"
                out.setdefault(key, set()).add(node)
    return out


def required_labels(pod) -> set[str]:
    terms = (pod.get("affinity", {}).get("nodeAffinity", {})
             .get("requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms", []))
    return {expr["key"] for term in terms for expr in term["matchExpressions"]}


def test_workloads_follow_the_inventory(rendering):
    gv = rendering.group_vars()
    labels = node_labels(rendering)
    volume_hosts = set(rendering.hosts()["all"].get("children", {}).get("volume_nodes", {}).get("hosts", {}) or {})
    assert labels["onprem.mlflow/postgres"] == {gv["postgres_node"]}
    assert labels["onprem.mlflow/minio"] == set(gv["minio_nodes"])
    assert labels.get("onprem.mlflow/mlflow", set()) == set(gv.get("mlflow_nodes", []))
    if volume_hosts:
        assert {gv["postgres_node"], *gv["minio_nodes"]} <= volume_hosts
    pods = {obj["metadata"]["name"]: pod for _, obj, pod in pod_specs(rendering) if obj["kind"] != "Job"}
    assert required_labels(pods["postgres"]) == {"onprem.mlflow/postgres"}
    assert required_labels(pods["minio"]) == {"onprem.mlflow/minio"}
    assert required_labels(pods["mlflow"]) == ({"onprem.mlflow/mlflow"} if gv.get("mlflow_nodes") else set())
    (minio,) = [o for o in rendering.of_kind("StatefulSet") if o["metadata"]["name"] == "minio"]
    expected_replicas = len(gv["minio_nodes"]) if gv["minio_mode"] == "distributed" else 1
    assert minio["spec"]["replicas"] == expected_replicas
    assert len(minio["spec"]["volumeClaimTemplates"]) == gv["minio_drives_per_node"]


def test_persistent_volumes_are_pinned_and_retained(rendering):
    gv = rendering.group_vars()
    volumes = rendering.of_kind("PersistentVolume")
    drives = gv["minio_drives_per_node"]
    assert len(volumes) == 1 + len(gv["minio_nodes"]) * drives
    (storage_class,) = rendering.of_kind("StorageClass")
    assert storage_class["provisioner"] == "kubernetes.io/no-provisioner"
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    expected = {"data-postgres-0": gv["postgres_node"]}
    for index, node in enumerate(gv["minio_nodes"]):
        for drive in range(drives):
            expected[f"drive-{drive}-minio-{index}"] = node
    claims = {}
    for volume in volumes:
        spec = volume["spec"]
        assert spec["persistentVolumeReclaimPolicy"] == "Retain"
        assert spec["storageClassName"] == storage_class["metadata"]["name"]
        claim = spec["claimRef"]["name"]
        if gv.get("storage_backend", "local") == "local":
            (term,) = spec["nodeAffinity"]["required"]["nodeSelectorTerms"]
            (expr,) = term["matchExpressions"]
            assert expr["key"] == "kubernetes.io/hostname" and expr["operator"] == "In"
            claims[claim] = expr["values"][0]
            assert spec["local"]["path"].startswith(gv["storage_local_path"] + "/")
        else:
            assert "local" not in spec and spec["nfs"]["server"] == "192.0.2.20"
            claims[claim] = expected[claim]
    assert claims == expected


def test_mlflow_runs_basic_auth_with_workspaces(rendering):
    gv = rendering.group_vars()
    (deployment,) = [d for d in rendering.of_kind("Deployment") if d["metadata"]["name"] == "mlflow"]
    pod = deployment["spec"]["template"]["spec"]
    (server,) = pod["containers"]
    args = server["args"]
    assert server["command"] == ["mlflow", "server"]
    assert "--app-name=basic-auth" in args and "--enable-workspaces" in args
    assert not any(a.startswith(("--gunicorn-opts", "--waitress-opts")) for a in args)
    assert any(a.startswith("--allowed-hosts=") for a in args)
    assert f"--default-artifact-root=s3://{gv['minio_bucket']}/artifacts" in args
    assert any(a.startswith("--backend-store-uri=$(MLFLOW_BACKEND_STORE_URI)") for a in args)
    env = {e["name"]: e for e in server["env"]}
    assert env["MLFLOW_BACKEND_STORE_URI"]["value"].startswith("postgresql+psycopg2://")
    for name in ("MLFLOW_AUTH_ADMIN_USERNAME", "MLFLOW_AUTH_ADMIN_PASSWORD", "MLFLOW_FLASK_SERVER_SECRET_KEY",
                 "PGPASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert "secretKeyRef" in env[name]["valueFrom"], name
    assert env["MLFLOW_S3_ENDPOINT_URL"]["value"].startswith("http://minio.")
    # No job runner unless asked for (mlflow_job_execution).
    assert env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"]["value"] == "false"
    assert [c["name"] for c in pod["initContainers"]] == [
        "migrate-tracking-db", "migrate-auth-db", "set-admin-password"]
    prefix = gv.get("mlflow_path_prefix", "/").rstrip("/")
    assert server["readinessProbe"]["httpGet"]["path"] == f"{prefix}/health"
    assert (f"--static-prefix={prefix}" in args) == bool(prefix)
    (config,) = [c for c in rendering.of_kind("ConfigMap") if c["metadata"]["name"] == "mlflow-auth-config"]
    import configparser

    ini = configparser.ConfigParser()
    ini.read_string(config["data"]["basic_auth.ini"])
    auth = ini["mlflow"]
    assert auth["default_permission"] == "NO_PERMISSIONS"
    assert auth["grant_default_workspace_access"] == "false"
    assert auth["database_uri"].startswith("postgresql+psycopg2://") and "@" in auth["database_uri"]
    assert ":" not in auth["database_uri"].split("://")[1].split("@")[0], "no password in the auth database URI"
    assert int(auth["auth_cache_ttl_seconds"]) > 0
    assert "admin_password" not in auth
    pdbs = [p for p in rendering.of_kind("PodDisruptionBudget") if p["metadata"]["name"] == "mlflow"]
    assert len(pdbs) == (1 if deployment["spec"]["replicas"] > 1 else 0)
    ingresses = [i for i in rendering.of_kind("Ingress") if i["metadata"]["name"] == "mlflow"]
    if gv.get("mlflow_ingress_enabled"):
        (ingress,) = ingresses
        (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
        assert path["path"] == (prefix or "/") and path["pathType"] == "Prefix"
        (allowed,) = [a for a in args if a.startswith("--allowed-hosts=")]
        assert gv["mlflow_ingress_host"] in allowed.split("=", 1)[1].split(",")
    else:
        assert ingresses == []
    assert bool(rendering.of_kind("VirtualService")) == bool(gv.get("mlflow_istio_enabled"))


def test_the_s3_gateway_is_rendered_with_its_ingress_only_when_asked(rendering):
    """With minio_ingress_enabled: the gateway's four objects and the Ingress, the gateway reached
    by the ingress controller only and holding no credential; without it, none of them."""
    gv = rendering.group_vars()
    named = {(o["kind"], o["metadata"]["name"]) for _, o in rendering.objects()}
    gateway = {("ConfigMap", "minio-gateway"), ("Deployment", "minio-gateway"), ("Service", "minio-gateway"),
               ("NetworkPolicy", "minio-gateway"), ("Ingress", "minio")}
    if not gv.get("minio_ingress_enabled"):
        assert not gateway & named
        return
    assert gateway <= named
    (deployment,) = [d for d in rendering.of_kind("Deployment") if d["metadata"]["name"] == "minio-gateway"]
    pod = deployment["spec"]["template"]["spec"]
    (nginx,) = pod["containers"]
    assert nginx["command"][:1] == ["nginx"] and "/etc/minio-gateway/nginx.conf" in nginx["command"]
    assert nginx["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsUser"] == 101 and pod["automountServiceAccountToken"] is False
    from_secrets = [e["name"] for e in nginx.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]
    assert "envFrom" not in nginx and not from_secrets, "the gateway holds no credential"
    # The platform's own mounts (the CA bundle's is added with platform_ca_bundle).
    mounts = {m["mountPath"] for m in nginx["volumeMounts"]} - {"/etc/onprem-mlflow/ca"}
    assert mounts == {"/etc/minio-gateway", "/tmp"}  # noqa: S108 - mount paths
    (config,) = [c for c in rendering.of_kind("ConfigMap") if c["metadata"]["name"] == "minio-gateway"]
    conf = config["data"]["nginx.conf"]
    assert '"~*UNSIGNED-PAYLOAD-TRAILER" 1;' in conf and "return 403" in conf
    assert f"server minio.{gv['platform_namespace']}.svc.cluster.local:9000;" in conf
    assert "client_max_body_size 0;" in conf and "proxy_set_header Host $http_host;" in conf
    (policy,) = [p for p in rendering.of_kind("NetworkPolicy") if p["metadata"]["name"] == "minio-gateway"]
    assert policy_peers(policy) == [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": name}}} for name in gv["minio_ingress_allowed_from"]]
    (ingress,) = [i for i in rendering.of_kind("Ingress") if i["metadata"]["name"] == "minio"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == gv["minio_ingress_host"]
    assert rule["http"]["paths"] == [{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "minio-gateway", "port": {"name": "http"}}}}]
    assert ingress["metadata"]["annotations"] == gv["minio_ingress_annotations"]


def policy_peers(policy) -> list[dict]:
    return [peer for rule in policy["spec"].get("ingress", []) for peer in rule.get("from", [])]


def test_network_policies_limit_postgres_and_minio(rendering):
    policies = {p["metadata"]["name"]: p for p in rendering.of_kind("NetworkPolicy")}
    postgres = policies["postgres"]
    assert postgres["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "postgres"}
    assert postgres["spec"]["policyTypes"] == ["Ingress"]
    assert sorted(p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in policy_peers(postgres)) == [
        "mlflow", "postgres-bootstrap"]
    assert all(set(p) == {"podSelector"} for p in policy_peers(postgres)), "same-namespace pods only"
    minio = policies["minio"]
    peers = policy_peers(minio)
    names = sorted(p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in peers if "podSelector" in p)
    gateway = ["minio-gateway"] if rendering.group_vars().get("minio_ingress_enabled") else []
    assert names == sorted(["minio", "minio-bootstrap", "mlflow", *gateway])
    namespaces = [p["namespaceSelector"]["matchLabels"] for p in peers if "namespaceSelector" in p]
    assert namespaces == [{"onprem.mlflow/tenant": "true"}]
    assert [port["port"] for rule in minio["spec"]["ingress"] for port in rule["ports"]] == [9000]


def test_images_are_pinned(rendering):
    for rel, _, pod in pod_specs(rendering):
        for container in pod.get("initContainers", []) + pod["containers"]:
            image = container["image"]
            assert not image.endswith(":latest") and ":" in image.rsplit("/", 1)[-1], f"{rel}: {image}"
            if "minio" in image:
                assert re.search(r"@sha256:[0-9a-f]{64}$", image), f"{rel}: MinIO images are pinned by digest"


def test_pod_settings_are_rendered_only_when_set_and_then_everywhere(rendering):
    """The operator's pod settings: none in a rendering that sets none; in the variant that sets
    them all, in each pod of PostgreSQL, MinIO (both with their bootstrap Jobs) and MLflow, in
    every container, with the CA bundle's ConfigMap."""
    if not rendering.extra_vars.get("platform_ca_bundle"):
        assert not [o for o in rendering.of_kind("ConfigMap") if o["metadata"]["name"] == "platform-ca-bundle"]
        for rel, _, pod in pod_specs(rendering):
            assert not {"imagePullSecrets", "priorityClassName", "tolerations"} & set(pod), rel
            for container in pod.get("initContainers", []) + pod["containers"]:
                assert not {e["name"] for e in container.get("env", [])} & {"HTTPS_PROXY", "SSL_CERT_FILE", "TZ"}, rel
        return
    (bundle,) = [o for o in rendering.of_kind("ConfigMap") if o["metadata"]["name"] == "platform-ca-bundle"]
    assert bundle["data"]["ca-bundle.crt"] == POD_SETTINGS["platform_ca_bundle"]
    pods = {obj["metadata"]["name"]: (obj, pod) for _, obj, pod in pod_specs(rendering)}
    gateway = 1 if rendering.group_vars().get("minio_ingress_enabled") else 0
    assert len(pods) == 5 + gateway, sorted(pods)  # postgres, its Job, minio, its Job, mlflow (, the S3 gateway)
    for name, (obj, pod) in pods.items():
        component = obj["metadata"]["labels"]["app.kubernetes.io/name"].split("-")[0]
        template = obj["spec"]["template"]["metadata"]
        assert template["labels"]["example.com/team"] == "ml-platform", name
        assert template["annotations"]["example.com/owner"] == "ML platform team", name
        assert pod["imagePullSecrets"] == [{"name": "registry-creds"}], name
        assert pod["priorityClassName"] == f"{component}-critical", name
        assert {"key": "dedicated", "operator": "Equal", "value": component, "effect": "NoSchedule"} \
            in pod["tolerations"], name
        for container in pod.get("initContainers", []) + pod["containers"]:
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["TZ"] == "Europe/Berlin", (name, container["name"])
            assert env["HTTPS_PROXY"] == env["http_proxy"] == "http://proxy.lab.internal:3128"
            assert env["NO_PROXY"].endswith(".svc,.cluster.local") and ".lab.internal" in env["NO_PROXY"]
            assert env["SSL_CERT_FILE"] == "/etc/onprem-mlflow/ca/ca-bundle.crt"
            assert any(m["mountPath"] == "/etc/onprem-mlflow/ca" and m["readOnly"] for m in container["volumeMounts"])
    (server,) = pods["mlflow"][1]["containers"]
    assert server["args"][-1] == "--uvicorn-opts=--timeout-keep-alive=30"
