"""Bad inventory settings stop site.yml with a message naming the variable, before anything is
applied or rendered."""

from __future__ import annotations

import pytest
from platform_rendering import render


@pytest.mark.parametrize(
    ("extra_vars", "message"),
    [
        ({"minio_mode": "distributed", "minio_nodes": ["node-1"]}, "MinIO settings are invalid"),
        ({"postgres_node": "node-9"}, "Local volumes can only live on hosts of group volume_nodes"),
    ],
    ids=["minio-distributed-on-one-node", "postgres-off-the-volume-nodes"],
)
def test_bad_settings_fail_before_anything_changes(tmp_path, extra_vars, message):
    render_dir, secrets_dir, result = render("inventories/example", extra_vars, tmp_path)
    assert result.rc != 0
    assert message in result.output
    assert not render_dir.exists() and not secrets_dir.exists()


# Each bad input of issue 16 ("Bad input found on the way"): the run stops in the validation
# tasks, with a message that names the setting and the value given, and writes nothing.
@pytest.mark.parametrize(
    ("extra_vars", "messages"),
    [
        # A bare number is bytes to Kubernetes: a 50-byte volume.
        ({"postgres_storage_size": 50},
         ["postgres_storage_size: 50 has no unit", "e.g. 50Gi or 50GiB"]),
        ({"minio_drive_size": "200"},
         ["minio_drive_size: '200' has no unit", "e.g. 50Gi or 50GiB"]),
        ({"postgres_storage_size": "50XB"},
         ["postgres_storage_size: '50XB' has unit 'XB'"]),
        ({"minio_api_allowed_from": ["Ingress Nginx"]},
         ["minio_api_allowed_from[0]: 'Ingress Nginx' is not a namespace name"]),
        ({"minio_api_allowed_from": ["ingress-nginx", {"namespaceSelectr": {}}]},
         ["minio_api_allowed_from[1]: {'namespaceSelectr': {}} is not a NetworkPolicy peer",
          "unknown key(s) namespaceSelectr"]),
        ({"minio_console_allowed_from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]},
         ["minio_console_allowed_from[0]: ipBlock cannot be combined"]),
        ({"minio_console_allowed_from": [42]},
         ["minio_console_allowed_from[0]: 42 is neither a namespace name nor a NetworkPolicy peer"]),
        ({"minio_ingress_allowed_from": [], "minio_ingress_host": "S3_Example"},
         ["MinIO settings are invalid", "minio_ingress_enabled needs minio_ingress_allowed_from",
          "name the ingress controller's namespace",
          "minio_ingress_host must be a lower-case DNS name such as s3.example.com (got 'S3_Example')"]),
        ({"postgres_port": 70000},
         ["postgres_port must be a TCP port, 1-65535 (got '70000')"]),
        ({"storage_backend": "ceph"},
         ["Storage settings are invalid", "storage_backend must be local or nfs (got 'ceph')"]),
        ({"mlflow_replicas": 0},
         ["MLflow settings are invalid", "mlflow_replicas must be at least 1 (got '0')"]),
        ({"platform_pod_security": "open"},
         ["Platform settings are invalid", "platform_pod_security must be restricted, baseline or privileged "
          "(got 'open')"]),
        # The operator's pod settings: a component's (each component has the same check) and the
        # platform's.
        ({"mlflow_extra_args": ["--port=80"], "mlflow_pod_labels": {"app.kubernetes.io/name": "x"},
          "mlflow_tolerations": [{"key": "dedicated", "effect": "NoWay"}]},
         ["MLflow settings are invalid", "mlflow_extra_args may not repeat an argument the platform sets: --port",
          "mlflow_pod_labels: app.kubernetes.io/name is the platform's own",
          "mlflow_tolerations[0]: effect 'NoWay' is not one of NoSchedule, PreferNoSchedule, NoExecute"]),
        ({"postgres_external_host": "db.lab.internal"},
         ["PostgreSQL settings are invalid", "postgres_external_secret must name the existing Secret (in "
          "mlflow-platform) with the password of mlflow on db.lab.internal (got '')"]),
        ({"platform_ca_bundle": "not a certificate"},
         ["Platform settings are invalid", "platform_ca_bundle must be the PEM text of one or more certificates"]),
    ],
    ids=["postgres-size-bare-number", "minio-size-bare-number", "postgres-size-bad-unit", "minio-peer-bad-name",
         "minio-peer-unknown-key", "minio-console-peer-ipblock-mixed", "minio-console-peer-number",
         "minio-ingress-without-controller-and-bad-host",
         "postgres-port-out-of-range", "storage-backend", "mlflow-replicas", "platform-pod-security",
         "mlflow-pod-settings", "postgres-external-without-secret", "platform-ca-bundle"],
)
def test_bad_input_names_the_setting_and_its_value(tmp_path, extra_vars, messages):
    render_dir, secrets_dir, result = render("inventories/example", extra_vars, tmp_path)
    assert result.rc != 0
    for message in messages:
        assert message in result.output, result.output[-3000:]
    assert not render_dir.exists() and not secrets_dir.exists()


def failure_messages(output: str, prefix: str) -> list[str]:
    """The failed rules of the component message starting with `prefix` ("; "-separated)."""
    line = next(line for line in output.splitlines() if prefix in line)
    text = line.split(prefix, 1)[1].strip().rstrip('"}').strip()
    return [part for part in text.split("; ") if part]


def test_a_failed_validation_reports_only_the_failed_rules(tmp_path):
    """Two PostgreSQL settings wrong: the message names those two, with their values, and none of the
    rules that hold (it used to print every rule of the component)."""
    render_dir, secrets_dir, result = render(
        "inventories/example", {"postgres_storage_size": 50, "postgres_app_user": "Bad-User"}, tmp_path)
    assert result.rc != 0
    failed = failure_messages(result.output, "PostgreSQL settings are invalid:")
    assert len(failed) == 2, failed
    assert failed[0].startswith("postgres_storage_size: 50 has no unit")
    assert failed[1] == "postgres_app_user must be a lower-case identifier (got 'Bad-User')"
    for holding in ("postgres_node", "postgres_uid", "postgres_superuser", "postgres_tracking_database",
                    "postgres_port"):
        assert holding not in " ".join(failed), holding
    assert not render_dir.exists() and not secrets_dir.exists()


def test_a_failed_minio_validation_reports_only_the_failed_rules(tmp_path):
    # The example gives each MinIO node 2 drives: one node is both too few nodes and too few drives.
    render_dir, _, result = render("inventories/example", {"minio_mode": "distributed", "minio_nodes": ["node-1"]},
                                   tmp_path)
    assert result.rc != 0
    failed = failure_messages(result.output, "MinIO settings are invalid:")
    assert failed == [
        'minio_mode distributed needs two or more distinct nodes in minio_nodes (got 1: ["node-1"])',
        "minio_mode distributed needs at least 4 drives in all (got 1 node(s) with minio_drives_per_node 2)",
    ], failed
    assert not render_dir.exists()


def test_documented_forms_render_valid_objects(tmp_path):
    """What the docs promise, rendered: namespace names and full peers in minio_*_allowed_from, sizes
    spelled with byte units (50GiB) on volumes, and a PostgreSQL port other than 5432 followed by
    every object that names it (the container listened on 5432 whatever postgres_port said)."""
    import configparser

    import kubernetes_validate
    import yaml

    ipblock = {"ipBlock": {"cidr": "10.20.0.0/16", "except": ["10.20.1.0/24"]}}
    pods = {"namespaceSelector": {"matchLabels": {"team": "ops"}}, "podSelector": {"matchLabels": {"app": "proxy"}}}
    extra = {"minio_api_allowed_from": ["ingress-nginx", ipblock], "minio_console_allowed_from": [pods],
             "postgres_storage_size": "50GiB", "minio_drive_size": "200GB", "postgres_port": 6543}
    render_dir, _, result = render("inventories/example", extra, tmp_path)
    assert result.rc == 0, result.output[-4000:]
    objects = [doc for path in sorted(render_dir.rglob("*.yaml")) if path.name != "kustomization.yaml"
               for doc in yaml.safe_load_all(path.read_text()) if doc]
    for obj in objects:
        if obj["kind"] != "VirtualService":
            for version in ("1.30", "1.37"):
                kubernetes_validate.validate(obj, version, strict=True)

    def one(kind, name):
        (obj,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
        return obj

    # NetworkPolicy peers: a namespace name is every pod of that namespace; full peers are kept.
    minio_policy = one("NetworkPolicy", "minio")
    api_rule, console_rule = minio_policy["spec"]["ingress"]
    assert api_rule["from"][-2:] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}, ipblock]
    assert console_rule["from"] == [pods]

    # Sizes: 50GiB is the quantity 50Gi, 200GB is 200G, on the claims and on the volumes.
    sizes = {pv["spec"]["claimRef"]["name"]: pv["spec"]["capacity"]["storage"]
             for pv in objects if pv["kind"] == "PersistentVolume"}
    assert sizes["data-postgres-0"] == "50Gi"
    assert {size for claim, size in sizes.items() if claim.startswith("drive-")} == {"200G"}
    postgres = one("StatefulSet", "postgres")
    assert postgres["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    minio = one("StatefulSet", "minio")
    assert {t["spec"]["resources"]["requests"]["storage"] for t in minio["spec"]["volumeClaimTemplates"]} == {"200G"}

    # postgres_port 6543: the server, its probes, the Services, the policy, the Job and MLflow agree.
    (container,) = postgres["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["PGPORT"] == "6543"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"postgresql": 6543}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert "--port=6543" in container[probe]["exec"]["command"], probe
    for service in ("postgres", "postgres-headless"):
        (port,) = one("Service", service)["spec"]["ports"]
        assert port["port"] == 6543
        target = port["targetPort"]
        assert (ports[target] if isinstance(target, str) else target) == 6543, service
    policy_ports = [p["port"] for rule in one("NetworkPolicy", "postgres")["spec"]["ingress"] for p in rule["ports"]]
    assert policy_ports == [6543]
    (job,) = [o for o in objects if o["kind"] == "Job" and o["metadata"]["name"].startswith("postgres-bootstrap")]
    job_env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert job_env["PGPORT"] == "6543" and job_env["PGHOST"] == "postgres"
    mlflow = one("Deployment", "mlflow")["spec"]["template"]["spec"]
    uris = [e["value"] for c in mlflow["initContainers"] + mlflow["containers"] for e in c["env"]
            if e["name"] == "MLFLOW_BACKEND_STORE_URI"]
    assert len(uris) == 3 and all(".svc:6543/" in uri for uri in uris), uris
    ini = configparser.ConfigParser()
    ini.read_string(one("ConfigMap", "mlflow-auth-config")["data"]["basic_auth.ini"])
    assert ".svc:6543/" in ini["mlflow"]["database_uri"]


TENANTS_DEFAULTS_PLAY = """
- name: The tenants role's settings, checked and shown
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run the tenants role's checks, keeping its defaults
      ansible.builtin.include_role:
        name: onprem.mlflow.tenants
        tasks_from: validate
        public: true
    - name: Show the URLs
      ansible.builtin.debug:
        msg: "URLS {{ mlflow_tracking_url }} {{ minio_endpoint_url }}"
"""


def test_tenants_defaults_follow_platform_namespace():
    """Issue 16: the tenants role named the platform's Services in mlflow-platform whatever
    platform_namespace said."""
    from harness.playbook import run_playbook

    passwords = {"mlflow_admin_password": "a-long-admin-password", "minio_root_password": "a-long-root-password"}
    result = run_playbook(TENANTS_DEFAULTS_PLAY, extra_vars={**passwords, "platform_namespace": "ml-prod"})
    assert result.rc == 0, result.output[-3000:]
    assert ("URLS http://mlflow.ml-prod.svc.cluster.local:5000 http://minio.ml-prod.svc.cluster.local:9000"
            in result.output)
    result = run_playbook(TENANTS_DEFAULTS_PLAY, extra_vars=passwords)
    assert result.rc == 0, result.output[-3000:]
    assert ("URLS http://mlflow.mlflow-platform.svc.cluster.local:5000 "
            "http://minio.mlflow-platform.svc.cluster.local:9000" in result.output)


def test_tenants_checks_report_only_what_failed_and_the_whole_list():
    result = run_playbook_text(TENANTS_DEFAULTS_PLAY, {"mlflow_admin_password": "a-long-admin-password",
                                                       "minio_root_password": "", "minio_endpoint_url": "minio:9000"})
    assert result.rc != 0
    failed = failure_messages(result.output, "Tenants settings are invalid, nothing was changed:")
    assert failed == ["minio_root_password is empty and no cluster is configured to read it from: configure the "
                      "cluster (tenants_kubeconfig or tenants_context), or give it with ansible-vault",
                      "minio_endpoint_url must be an http(s) URL (got 'minio:9000')"]
    result = run_playbook_text(TENANTS_DEFAULTS_PLAY, {
        "mlflow_admin_password": "a-long-admin-password", "minio_root_password": "a-long-root-password",
        "mlflow_tenants": [{"name": "Team_A", "state": "gone", "quota": "lots"}]})
    assert result.rc != 0
    for expected in ("mlflow_tenants[0] (Team_A): name 'Team_A'", "mlflow_tenants[0] (Team_A): state 'gone'",
                     "mlflow_tenants[0] (Team_A): quota: size 'lots'"):
        assert expected in result.output, expected
    assert "URLS" not in result.output


def run_playbook_text(play: str, extra_vars: dict):
    from harness.playbook import run_playbook

    return run_playbook(play, extra_vars=extra_vars)
