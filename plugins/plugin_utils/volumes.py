# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Volume sizes of the inventory as Kubernetes quantities: 50GiB -> 50Gi, 500MB -> 500M.

The same spellings as bucket quotas are accepted (module_utils/minio/size.py holds the unit
tables), but a unit is required and the result is a quantity, not a number of bytes.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import K8S_UNITS, SIZE_PATTERN

# The byte spellings that are also a Kubernetes quantity suffix (what a volume size becomes).
_TO_K8S = {"kib": "Ki", "mib": "Mi", "gib": "Gi", "tib": "Ti", "pib": "Pi",
           "kb": "k", "mb": "M", "gb": "G", "tb": "T", "pb": "P"}


def volume_quantity(value, field="size"):
    """The Kubernetes quantity of a volume size given as 50Gi or 50GiB (-> 50Gi), 500M or 500MB (-> 500M).

    A unit is required: Kubernetes reads a bare number as bytes, so `50` would be a 50-byte volume.
    """
    hint = "write a quantity with a unit, e.g. 50Gi or 50GiB"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("%s: %r is not a size (%s)" % (field, value, hint))
    text = str(value).strip()
    match = SIZE_PATTERN.match(text)
    if not match:
        raise ValueError("%s: %r is not a size (%s)" % (field, value, hint))
    number, unit = match.group(1), match.group(2)
    if not unit:
        raise ValueError("%s: %r has no unit, and Kubernetes would read it as %s bytes (%s)"
                         % (field, value, number, hint))
    if unit in K8S_UNITS:
        suffix = unit
    elif unit.lower() in _TO_K8S:
        suffix = _TO_K8S[unit.lower()]
    else:
        raise ValueError("%s: %r has unit %r, which is not a volume size unit (units: Ki, Mi, Gi, Ti, Pi, k, M, G, "
                         "T, P, or KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB, PB: e.g. 50Gi or 50GiB)"
                         % (field, value, unit))
    if float(number) <= 0:
        raise ValueError("%s: %r must be more than zero (%s)" % (field, value, hint))
    return number + suffix


def platform_volumes(backend, local_path, nfs_path, postgres_node, minio_nodes, minio_drives_per_node,
                     with_postgres=True):
    """The volumes of the platform's StatefulSet claims, in one place for every role and inventory
    that needs them: the storage role's PersistentVolumes, node_prep's directories on the nodes
    (local backend) or on the NFS host (nfs backend).

    One entry per claim: `claim` (the PersistentVolumeClaim's name), `workload` (postgres or
    minio, a key of node_prep_workloads), `path` (the directory: under `local_path` on the node
    for the local backend, under the export `nfs_path` for nfs) and, for the local backend only,
    `node`, the node that holds it (MinIO pod i runs on minio_nodes[i]). Without `with_postgres`
    (the site brings its own PostgreSQL), PostgreSQL has none.
    """
    if backend not in ("local", "nfs"):
        raise ValueError("storage_backend must be local or nfs, not %r" % (backend,))
    if isinstance(minio_nodes, str) or not isinstance(minio_nodes, (list, tuple)):
        raise ValueError("minio_nodes must be a list of node names, not %r" % (minio_nodes,))
    try:
        drives = int(minio_drives_per_node)
    except (TypeError, ValueError):
        drives = 0
    if drives < 1:
        raise ValueError("minio_drives_per_node must be a whole number of 1 or more, not %r" % (minio_drives_per_node,))
    root = str(local_path if backend == "local" else nfs_path).rstrip("/")

    def volume(claim, workload, node, local_dir, nfs_dir):
        directory = local_dir if backend == "local" else nfs_dir
        entry = {"claim": claim, "workload": workload, "path": root + "/" + directory}
        if backend == "local":
            entry["node"] = node
        return entry

    volumes = [volume("data-postgres-0", "postgres", postgres_node, "postgres", "postgres")] if with_postgres else []
    for pod, node in enumerate(minio_nodes):
        for drive in range(drives):
            volumes.append(volume("drive-%d-minio-%d" % (drive, pod), "minio", node,
                                  "minio/drive-%d" % drive, "minio-%d/drive-%d" % (pod, drive)))
    return volumes
