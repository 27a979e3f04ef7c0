# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of role onprem.mlflow.tenants: tenants_normalise, tenants_secret_ids,
tenants_given_passwords and tenants_plan (documented beside)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.onprem.mlflow.plugins.filter.minio import minio_bucket_policy
from ansible_collections.onprem.mlflow.plugins.plugin_utils.tenants_spec import (
    TenantSpecError,
    generated_secret_ids,
    given_passwords,
    normalise_tenants,
    tenants_plan,
)


def tenants_normalise(tenants, bucket_prefix="mlflow-", workload_suffix="-workload", admin_username=None):
    try:
        return normalise_tenants(tenants, bucket_prefix, workload_suffix, admin_username)
    except TenantSpecError as exc:
        raise AnsibleFilterError(str(exc)) from None


def tenants_secret_ids(tenants):
    return generated_secret_ids(tenants)


def tenants_given_passwords(tenants):
    return given_passwords(tenants)


def _tenants_plan(tenants, secrets, tracking_uri, s3_endpoint_url, secret_name="mlflow-connection",  # noqa: S107
                  namespace_label="onprem.mlflow/tenant", update_password="changed",  # noqa: S107
                  check_generated=False, fresh=(), unchanged=()):
    try:
        return tenants_plan(tenants, secrets or {}, tracking_uri, s3_endpoint_url, minio_bucket_policy,
                            secret_name, namespace_label, update_password, check_generated, fresh or (),
                            unchanged or ())
    except TenantSpecError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {
            "tenants_normalise": tenants_normalise,
            "tenants_secret_ids": tenants_secret_ids,
            "tenants_given_passwords": tenants_given_passwords,
            "tenants_plan": _tenants_plan,
        }
