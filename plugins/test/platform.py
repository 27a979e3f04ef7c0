# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the platform's roles: workload_ready (documented beside)."""

from __future__ import annotations


def workload_ready(obj):
    """Whether a live StatefulSet or Deployment has all its replicas updated and ready for its
    current generation, or a live Job has completed."""
    if not obj:
        return False
    status = obj.get("status") or {}
    if obj.get("kind") == "Job":
        return any(c.get("type") == "Complete" and c.get("status") == "True" for c in status.get("conditions") or [])
    replicas = (obj.get("spec") or {}).get("replicas", 1)
    return (status.get("observedGeneration", 0) >= (obj.get("metadata") or {}).get("generation", 0)
            and status.get("readyReplicas", 0) == replicas
            and status.get("updatedReplicas", 0) == replicas)


class TestModule:
    def tests(self):
        return {"workload_ready": workload_ready}
