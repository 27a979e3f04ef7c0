# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Buckets: the one converge of minio_buckets (a list) and minio_bucket (a one-item list).

One bucket listing for all; an existing bucket's versioning and quota are read only when its item
manages them (or with read_all, for minio_bucket's full answer), on the thread pool, because MinIO
cannot list them. Every item is checked before the first change, including that a bucket to delete
without purge is empty.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import DEFAULT_WORKERS
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.buckets import (
    create_bucket,
    get_versioning,
    has_objects,
    purge_bucket,
    remove_bucket,
    set_versioning,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    duplicate_problems,
    fail_on,
    item_result,
    parallel,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import translated
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import format_size, parse_size

BUCKET_OPTIONS = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    versioning=dict(type="str", choices=["enabled", "suspended"]),
    quota=dict(type="raw"),
    purge=dict(type="bool", default=False),
)


def wanted_quotas(items):
    """(bucket -> wanted quota in bytes, problems) of the items."""
    problems = [p for p in (bucket_name_problem(item["name"]) for item in items) if p]
    quotas = {}
    for item in items:
        if item["state"] == "present" and item.get("quota") is not None:
            try:
                quotas[item["name"]] = parse_size(item["quota"])
            except ValueError as exc:
                problems.append("bucket %s: quota: %s" % (item["name"], exc))
    return quotas, problems + duplicate_problems(items, "name", "buckets")


def read_bucket(conn, admin, item, read_all):
    """What the item manages of an existing bucket (everything with read_all)."""
    bucket = {"name": item["name"]}
    if read_all or item.get("versioning"):
        bucket["versioning"] = get_versioning(conn, item["name"])
    if read_all or item.get("quota") is not None:
        bucket["quota"] = admin.quota_get(item["name"])
    return bucket


def view(bucket):
    """A bucket as the list results and the diffs show it: the quota as a size."""
    if not bucket:
        return {}
    return dict(bucket, quota=format_size(bucket["quota"]) or "none") if "quota" in bucket else dict(bucket)


def versioning_matches(current, wanted):
    # "off" (never enabled) and "suspended" both mean no new versions are kept.
    return wanted is None or current == wanted or (wanted == "suspended" and current == "off")


def converge_buckets(conn, admin, items, check_mode, workers=DEFAULT_WORKERS, read_all=False):
    quotas, problems = wanted_quotas(items)
    fail_on(problems)
    with translated("list buckets", conn.endpoint):
        existing = {bucket.name for bucket in conn.s3.list_buckets()}
    known = [i for i in items if i["name"] in existing and (read_all or i["state"] == "present")]
    current = dict(zip([i["name"] for i in known],
                       parallel(lambda i: read_bucket(conn, admin, i, read_all), known, workers), strict=True))
    guarded = [i["name"] for i in items if i["state"] == "absent" and i["name"] in existing and not i["purge"]]
    full = [n for n, has in zip(guarded, parallel(lambda n: has_objects(conn, n), guarded, workers), strict=True)
            if has]
    fail_on(["bucket %s is not empty; set purge: true to delete it with its objects" % n for n in full])

    def converge(item):
        if item["state"] == "absent":
            return remove(conn, item, item["name"] in existing, current.get(item["name"]), check_mode)
        return ensure(conn, admin, item, current.get(item["name"]), quotas.get(item["name"]), check_mode)

    return parallel(converge, items, workers)


def remove(conn, item, exists, current, check_mode):
    name = item["name"]
    current = current or {"name": name}
    if not exists:
        return item_result("name", name, item, [], {}, {}, bucket={}, _bucket={})
    extra = {}
    if item["purge"] and not check_mode:
        extra["deleted_objects"] = purge_bucket(conn, name)
    if not check_mode:
        remove_bucket(conn, name)
    deleted = extra.get("deleted_objects")
    action = "deleted" + (" with %d object(s)" % deleted if deleted else "")
    return item_result("name", name, item, [action], view(current), {}, bucket={}, _bucket=current, **extra)


def ensure(conn, admin, item, current, quota, check_mode):
    name, actions = item["name"], []
    after = dict(current) if current else {"name": name, "versioning": "off", "quota": 0}
    if current is None:
        actions.append("created")
        if not check_mode:
            create_bucket(conn, name)
    if not versioning_matches(after.get("versioning"), item.get("versioning")):
        actions.append("versioning %s" % item["versioning"])
        after["versioning"] = item["versioning"]
        if not check_mode:
            set_versioning(conn, name, item["versioning"])
    if quota is not None and quota != after.get("quota"):
        actions.append("quota set to %s" % (format_size(quota) or "none"))
        after["quota"] = quota
        if not check_mode:
            admin.quota_set(name, quota)
    return item_result("name", name, item, actions, view(current), view(after), bucket=view(after), _bucket=after)
