# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workloads whose pods must all be replaced at once after a change of their pod template.

Distributed MinIO is one: its nodes must run the same release with the same root credentials
(they authenticate each other with them), so a rolling update would start one new pod that its
peers refuse, never ready, and stop there. Its StatefulSet uses `updateStrategy: OnDelete`, and
the platform deletes all its pods at once when the run changed their template; the controller
recreates them together (podManagementPolicy Parallel).

The change is seen by a checksum of the rendered pod template, kept in an annotation of the
StatefulSet itself: the live object's annotation says what template its pods were made from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from ansible_collections.onprem.mlflow.plugins.plugin_utils.data import plain

CHECKSUM_ANNOTATION = "onprem.mlflow/pod-template-checksum"


def replaced_at_once(manifest):
    """Whether the manifest is a StatefulSet whose pods are replaced all at once (OnDelete)."""
    return (isinstance(manifest, Mapping) and manifest.get("kind") == "StatefulSet"
            and (manifest.get("spec", {}).get("updateStrategy") or {}).get("type") == "OnDelete")


def with_template_checksums(manifests):
    """The manifests, each StatefulSet replaced at once annotated with the checksum of its pod
    template (a copy; the others as they are)."""
    out = []
    for manifest in manifests:
        if replaced_at_once(manifest):
            manifest = plain(manifest)
            template = json.dumps(manifest["spec"].get("template", {}), sort_keys=True, separators=(",", ":"))
            annotations = manifest.setdefault("metadata", {}).setdefault("annotations", {})
            annotations[CHECKSUM_ANNOTATION] = hashlib.sha256(template.encode()).hexdigest()[:16]
        out.append(manifest)
    return out


def templates_changed(manifests, live):
    """The StatefulSets replaced at once whose pod template differs from the one their live
    object was applied with (`live`: the objects read from the cluster before the apply); one
    that does not exist yet is new, not changed. Each as {name, namespace, selector}."""
    current = {(obj.get("metadata", {}).get("namespace"), obj.get("metadata", {}).get("name")):
               (obj.get("metadata", {}).get("annotations") or {}).get(CHECKSUM_ANNOTATION) for obj in live or []}
    changed = []
    for manifest in manifests:
        if not replaced_at_once(manifest):
            continue
        key = (manifest["metadata"].get("namespace"), manifest["metadata"]["name"])
        wanted = (manifest["metadata"].get("annotations") or {}).get(CHECKSUM_ANNOTATION)
        if key in current and current[key] != wanted:
            labels = manifest["spec"]["selector"]["matchLabels"]
            changed.append({"name": key[1], "namespace": key[0],
                            "selector": ",".join("%s=%s" % item for item in sorted(labels.items()))})
    return changed
