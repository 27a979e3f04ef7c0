"""Inventory values more than one tier applies: the render tier checks what they render, the
control plane tier applies the same values to a real API server."""

from __future__ import annotations

# The operator's pod settings of every component and the platform's proxy and CA bundle.
POD_SETTINGS = {
    "platform_http_proxy": "http://proxy.lab.internal:3128",
    "platform_https_proxy": "http://proxy.lab.internal:3128",
    "platform_no_proxy": ".lab.internal",
    "platform_ca_bundle": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQtest\n-----END CERTIFICATE-----\n",
    **{f"{component}_{name}": value for component in ("postgres", "minio", "mlflow") for name, value in {
        "image_pull_secrets": ["registry-creds"],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": component, "effect": "NoSchedule"}],
        "extra_env": [{"name": "TZ", "value": "Europe/Berlin"}],
        "pod_labels": {"example.com/team": "ml-platform"},
        "pod_annotations": {"example.com/owner": "ML platform team"},
        "priority_class_name": f"{component}-critical",
    }.items()},
    "mlflow_extra_args": ["--uvicorn-opts=--timeout-keep-alive=30"],
}
