# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The settings operators add to a workload's pods, applied in one place to every pod template
of a component (the Deployment, StatefulSet and Job objects its templates render).

Per component (`<component>_image_pull_secrets`, `_tolerations`, `_extra_env`, `_pod_labels`,
`_pod_annotations`, `_priority_class_name`) and for the whole platform (`platform_http_proxy`,
`platform_https_proxy`, `platform_no_proxy`, `platform_ca_bundle`). Nothing is added for a
setting left empty, so a platform without them renders exactly as before.

The checks run twice: in each role's validation (pod_settings_problem, before anything is
applied) and when the settings are applied (with_pod_settings fails the task the same way).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from ansible_collections.onprem.mlflow.plugins.plugin_utils.data import plain

POD_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "Job")

# Where the CA bundle is mounted, and the variables that make Python (ssl, requests), the AWS
# SDK (boto3, which MLflow's S3 artifact client uses) and Go programs (MinIO, mc) read it. Each
# replaces the system's bundle, so platform_ca_bundle holds every CA the pods must trust.
CA_BUNDLE_CONFIGMAP = "platform-ca-bundle"
CA_BUNDLE_KEY = "ca-bundle.crt"
CA_BUNDLE_DIR = "/etc/onprem-mlflow/ca"
CA_BUNDLE_ENV = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE")

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")  # a DNS subdomain: Secret, PriorityClass
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_TOLERATION_KEYS = {"key", "operator", "value", "effect", "tolerationSeconds"}
_TOLERATION_OPERATORS = ("Exists", "Equal")
_TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# Label and annotation keys the platform sets itself: selectors, and the checksum that rolls pods.
_RESERVED_PREFIXES = ("app.kubernetes.io/", "onprem.mlflow/")
# Variables the platform sets itself in its containers (the proxy and CA ones come from the
# platform_* settings): an extra variable of the same name would silently lose or win.
_PLATFORM_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", *CA_BUNDLE_ENV)


def _problems_of_names(values, field):
    if not isinstance(values, list):
        return ["%s must be a list of names, not %r" % (field, values)]
    return ["%s: %r is not a valid name (lower-case letters, digits, '-' and '.')" % (field, value)
            for value in values if not isinstance(value, str) or not _NAME.match(value) or len(value) > 253]


def _problems_of_tolerations(values, field):
    if not isinstance(values, list):
        return ["%s must be a list of tolerations, not %r" % (field, values)]
    problems = []
    for index, toleration in enumerate(values):
        where = "%s[%d]" % (field, index)
        if not isinstance(toleration, dict):
            problems.append("%s must be a mapping (key, operator, value, effect, tolerationSeconds), not %r"
                            % (where, toleration))
            continue
        unknown = sorted(set(toleration) - _TOLERATION_KEYS)
        if unknown:
            problems.append("%s: unknown field(s) %s (a toleration has key, operator, value, effect, "
                            "tolerationSeconds)" % (where, ", ".join(unknown)))
        operator = toleration.get("operator", "Equal")
        if operator not in _TOLERATION_OPERATORS:
            problems.append("%s: operator %r is not Exists or Equal" % (where, operator))
        elif operator == "Exists" and toleration.get("value") not in (None, ""):
            problems.append("%s: operator Exists takes no value (got %r)" % (where, toleration["value"]))
        if "effect" in toleration and toleration["effect"] not in _TOLERATION_EFFECTS:
            problems.append("%s: effect %r is not one of %s"
                            % (where, toleration["effect"], ", ".join(_TOLERATION_EFFECTS)))
        if not toleration.get("key") and operator != "Exists":
            problems.append("%s: without a key the operator must be Exists (it tolerates every taint)" % where)
        seconds = toleration.get("tolerationSeconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)):
            problems.append("%s: tolerationSeconds must be a whole number, not %r" % (where, seconds))
    return problems


def _problems_of_env(values, field):
    if not isinstance(values, list):
        return ["%s must be a list of {name, value} or {name, valueFrom}, not %r" % (field, values)]
    problems, seen = [], set()
    for index, item in enumerate(values):
        where = "%s[%d]" % (field, index)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not _ENV_NAME.match(item["name"]):
            problems.append("%s must be {name, value} or {name, valueFrom} with a valid variable name, not %r"
                            % (where, item))
            continue
        if set(item) - {"name", "value", "valueFrom"} or ("value" in item) == ("valueFrom" in item):
            problems.append("%s (%s) must have exactly one of value and valueFrom, and nothing else"
                            % (where, item["name"]))
        elif "value" in item and not isinstance(item["value"], str):
            problems.append("%s (%s): value must be a string (quote it), not %r" % (where, item["name"], item["value"]))
        if item["name"] in _PLATFORM_ENV:
            problems.append("%s: %s is set by the platform; use platform_http_proxy, platform_https_proxy, "
                            "platform_no_proxy or platform_ca_bundle" % (where, item["name"]))
        if item["name"] in seen:
            problems.append("%s: %s is listed twice" % (where, item["name"]))
        seen.add(item["name"])
    return problems


def _problems_of_metadata(values, field, value_pattern):
    if not isinstance(values, dict):
        return ["%s must be a mapping of keys to strings, not %r" % (field, values)]
    problems = []
    for key, value in values.items():
        if not isinstance(key, str) or not _QUALIFIED_NAME.match(key):
            problems.append("%s: %r is not a valid key ([prefix/]name)" % (field, key))
        elif key.startswith(_RESERVED_PREFIXES):
            problems.append("%s: %s is the platform's own (keys under %s are reserved)"
                            % (field, key, " and ".join(_RESERVED_PREFIXES)))
        if not isinstance(value, str) or (value_pattern and (len(value) > 63 or not value_pattern.match(value))):
            problems.append("%s: the value of %s must be a string%s, not %r"
                            % (field, key, " of at most 63 letters, digits, '-', '_' and '.'" if value_pattern else "",
                               value))
    return problems


def pod_settings_problems(settings, scope="all"):
    """Every problem of one component's pod settings (a dict with `component`, the prefix of the
    variables, and the settings without it), as messages naming the variable and the value.
    `scope` narrows the checks to the component's own settings (V(component)) or to the
    platform-wide ones (V(platform)), so each role reports only its own."""
    prefix = settings.get("component", "component")
    problems = []
    if scope in ("all", "component"):
        problems += _problems_of_names(settings.get("image_pull_secrets", []), prefix + "_image_pull_secrets")
        problems += _problems_of_tolerations(settings.get("tolerations", []), prefix + "_tolerations")
        problems += _problems_of_env(settings.get("extra_env", []), prefix + "_extra_env")
        problems += _problems_of_metadata(settings.get("pod_labels", {}), prefix + "_pod_labels", _LABEL_VALUE)
        problems += _problems_of_metadata(settings.get("pod_annotations", {}), prefix + "_pod_annotations", None)
        priority = settings.get("priority_class_name", "")
        if priority and (not isinstance(priority, str) or not _NAME.match(priority)):
            problems.append("%s_priority_class_name: %r is not a valid PriorityClass name" % (prefix, priority))
    if scope in ("all", "platform"):
        for name in ("http_proxy", "https_proxy", "no_proxy"):
            if not isinstance(settings.get(name, ""), str):
                problems.append("platform_%s must be a string, not %r" % (name, settings[name]))
        bundle = settings.get("ca_bundle", "")
        if bundle and (not isinstance(bundle, str) or "-----BEGIN CERTIFICATE-----" not in bundle):
            shown = bundle[:40] + "..." if isinstance(bundle, str) else bundle
            problems.append("platform_ca_bundle must be the PEM text of one or more certificates "
                            "(-----BEGIN CERTIFICATE----- ...), not %r" % (shown,))
    return problems


def pod_settings_problem(settings, scope="all"):
    """The problems of pod_settings_problems as one message, or "" (for a role's validation)."""
    return "; ".join(pod_settings_problems(plain(settings), scope))


# Always left out of the proxy: the pods reach each other (MLflow -> PostgreSQL and MinIO) by
# Service names, which a proxy outside the cluster cannot resolve.
IN_CLUSTER_NO_PROXY = "localhost,127.0.0.1,.svc,.cluster.local"


def _extra_env(settings):
    env = list(settings.get("extra_env", []))
    proxies = {name: settings.get(name, "") for name in ("http_proxy", "https_proxy")}
    if any(proxies.values()):
        proxies["no_proxy"] = ",".join(part for part in (settings.get("no_proxy", ""), IN_CLUSTER_NO_PROXY) if part)
    for name, value in proxies.items():
        if value:
            # Both spellings: Python and curl read the lower-case ones, Go and others the upper.
            env += [{"name": name.upper(), "value": value}, {"name": name, "value": value}]
    if settings.get("ca_bundle"):
        env += [{"name": name, "value": CA_BUNDLE_DIR + "/" + CA_BUNDLE_KEY} for name in CA_BUNDLE_ENV]
    return env


def _apply(pod, settings):
    metadata, spec = pod.setdefault("metadata", {}), pod.setdefault("spec", {})
    if settings.get("pod_labels"):
        metadata["labels"] = dict(settings["pod_labels"], **metadata.get("labels", {}))
    if settings.get("pod_annotations"):
        metadata["annotations"] = dict(settings["pod_annotations"], **metadata.get("annotations", {}))
    if settings.get("priority_class_name"):
        spec["priorityClassName"] = settings["priority_class_name"]
    if settings.get("image_pull_secrets"):
        spec["imagePullSecrets"] = [{"name": name} for name in settings["image_pull_secrets"]]
    if settings.get("tolerations"):
        spec["tolerations"] = spec.get("tolerations", []) + list(settings["tolerations"])
    env = _extra_env(settings)
    bundle = bool(settings.get("ca_bundle"))
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        if env:
            container["env"] = container.get("env", []) + copy.deepcopy(env)
        if bundle:
            mount = {"name": CA_BUNDLE_CONFIGMAP, "mountPath": CA_BUNDLE_DIR, "readOnly": True}
            container["volumeMounts"] = [*container.get("volumeMounts", []), mount]
    if bundle:
        volume = {"name": CA_BUNDLE_CONFIGMAP, "configMap": {"name": CA_BUNDLE_CONFIGMAP}}
        spec["volumes"] = [*spec.get("volumes", []), volume]


def with_pod_settings(manifests, settings):
    """The manifests, with one component's pod settings applied to the pod template of each of
    its Deployments, StatefulSets and Jobs (a copy: the input is left as it is)."""
    settings = plain(settings)
    problems = pod_settings_problems(settings)
    if problems:
        raise ValueError("; ".join(problems))
    out = []
    for manifest in manifests:
        if isinstance(manifest, Mapping) and manifest.get("kind") in POD_TEMPLATE_KINDS:
            manifest = plain(manifest)
            _apply(manifest.setdefault("spec", {}).setdefault("template", {}), settings)
        out.append(manifest)
    return out
