"""Rendering the platform for the tests: playbooks/site.yml in render mode into temporary
directories, and helpers to read what it wrote."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from harness.playbook import PlaybookResult, run_playbook
from harness.settings import POD_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "playbooks" / "site.yml"

# What each rendering is made of: an inventory and extra variables on top of it.
VARIANTS = {
    "local": ("inventories/local", {}),
    "example": ("inventories/example", {}),
    # The example with the NFS backend, an Istio VirtualService and every pod setting an
    # operator reaches for (pull secrets, tolerations, extra variables, pod labels and
    # annotations, priority classes, MLflow's extra arguments, a proxy and a CA bundle): the
    # paths the two inventories leave off, through every check of the rendered objects.
    "example-nfs-istio": (
        "inventories/example",
        {
            "storage_backend": "nfs",
            "mlflow_istio_enabled": True,
            "mlflow_istio_hosts": ["mlflow.example.com"],
            "mlflow_istio_gateways": ["istio-system/public"],
            **POD_SETTINGS,
        },
    ),
}
# Variants rendered twice (idempotence); the last one only once, to keep the suite fast.
TWICE = {"local", "example"}


@dataclass
class Rendering:
    name: str
    inventory: Path
    render_dir: Path
    secrets_dir: Path
    first: PlaybookResult
    second: PlaybookResult | None
    first_files: dict[str, bytes]
    extra_vars: dict = field(default_factory=dict)

    def files(self) -> dict[str, bytes]:
        return snapshot(self.render_dir)

    def objects(self) -> list[tuple[str, dict]]:
        """(relative path, object) for every manifest, kustomizations excluded."""
        out = []
        for rel in sorted(self.files()):
            if rel.endswith(".yaml") and not rel.endswith("kustomization.yaml"):
                for doc in yaml.safe_load_all((self.render_dir / rel).read_text()):
                    if doc:
                        out.append((rel, doc))
        return out

    def of_kind(self, kind: str) -> list[dict]:
        return [obj for _, obj in self.objects() if obj["kind"] == kind]

    def secret_values(self) -> set[str]:
        """Every value held by a rendered Secret, decoded."""
        values = set()
        for secret in self.of_kind("Secret"):
            for value in (secret.get("data") or {}).values():
                values.add(base64.b64decode(value).decode())
            values.update((secret.get("stringData") or {}).values())
        return values

    def group_vars(self) -> dict:
        merged: dict = {}
        for path in sorted((self.inventory / "group_vars" / "all").glob("*.yml")):
            merged.update(yaml.safe_load(path.read_text()) or {})
        merged.update(self.extra_vars)
        return merged

    def hosts(self) -> dict:
        return yaml.safe_load((self.inventory / "hosts.yml").read_text())


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def render(inventory: str, extra_vars: dict, workdir: Path) -> tuple[Path, Path, PlaybookResult]:
    render_dir, secrets_dir = workdir / "manifests", workdir / "secrets"
    variables = {
        **extra_vars,
        "platform_render_dir": str(render_dir),
        "platform_secrets_dir": str(secrets_dir),
        # Render mode whatever the environment says.
        "platform_kubeconfig": "",
        "platform_context": "",
    }
    # No --limit: render mode must leave the inventory's nodes alone by itself. Should it try to
    # reach one anyway (the example's are documentation addresses, never to be contacted), the
    # SSH client is /bin/false: nothing is sent, and the run fails on that node.
    variables["ansible_ssh_executable"] = "/bin/false"
    result = run_playbook(SITE, inventory=ROOT / inventory, extra_vars=variables,
                          env={"K8S_AUTH_KUBECONFIG": "", "K8S_AUTH_CONTEXT": ""})
    return render_dir, secrets_dir, result


