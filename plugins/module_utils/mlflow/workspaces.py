# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MLflow workspaces: desired state against the `workspaces` list, for one (mlflow_workspace)
or many (mlflow_workspaces).

Deleting: MLflow's `DELETE workspaces/<name>?mode=` takes RESTRICT (refuse while experiments,
models or other resources remain), CASCADE (delete them too) or SET_DEFAULT (move them into
the `default` workspace, where other users may see them). A tenant's data must never land in
`default`, so SET_DEFAULT is never used: without `purge` the modules refuse to delete a
workspace that still holds data, with `purge` they delete it with CASCADE.

A run reads the `workspaces` list once; the emptiness checks and the changes run on at most
`workers` threads (parallel.run_all).
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError
from ansible_collections.onprem.mlflow.plugins.module_utils.common.lists import changed_diff, listed_twice
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.parallel import DEFAULT_WORKERS, run_all
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.rules import NAME_PATTERN, RESERVED_WORKSPACES

WORKSPACE_OPTIONS = dict(
    name=dict(type="str", required=True),
    description=dict(type="str"),
    default_artifact_root=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    purge=dict(type="bool", default=False),
)

FIELDS = ("description", "default_artifact_root")


def validate_workspace(item):
    name = item["name"]
    if not (2 <= len(name) <= 63) or not NAME_PATTERN.match(name):
        return ("workspace name %r is invalid: use 2-63 lowercase letters, digits and inner hyphens "
                "(a DNS-1123 label)" % name)
    if name in RESERVED_WORKSPACES:
        return "workspace name %r is reserved by MLflow (%s)" % (name, ", ".join(sorted(RESERVED_WORKSPACES)))
    return None


def public_workspace(workspace):
    """A workspace as the modules return and diff it; an unset field reads as an empty string."""
    if not workspace:
        return {}
    return {"name": workspace["name"], "description": workspace.get("description") or "",
            "default_artifact_root": workspace.get("default_artifact_root") or ""}


def not_empty_message(name):
    return ("workspace %s still holds experiments, registered models or other resources: refusing to delete it. "
            "Delete them first, or set purge=true to delete them together with the workspace" % name)


def converge_workspaces(client, items, check_mode, workers=DEFAULT_WORKERS):
    """Bring each desired workspace to its state. Raises ValueError before any change on bad input
    or on a non-empty workspace to delete without purge."""
    errors = [msg for msg in (validate_workspace(item) for item in items) if msg]
    duplicates = listed_twice([item["name"] for item in items])
    if duplicates:
        errors.append("workspaces listed more than once: %s" % ", ".join(duplicates))
    if errors:
        raise ValueError("; ".join(errors))

    existing = dict((ws["name"], ws) for ws in client.list_workspaces())
    # Every refusal before the first change, so a bulk run never stops half-way.
    guarded = [item["name"] for item in items
               if item["state"] == "absent" and item["name"] in existing and not item["purge"]]
    holding = run_all(client.workspace_holds_data, guarded, workers)
    if any(holding):
        raise ValueError(not_empty_message(guarded[holding.index(True)]))

    results = run_all(lambda item: converge_workspace(client, item, existing.get(item["name"]), check_mode),
                      items, workers)
    diff = changed_diff(results, lambda result: result["name"])
    return dict(changed=any(result["changed"] for result in results), workspaces=results, diff=diff)


def converge_workspace(client, item, current, check_mode):
    name = item["name"]
    before = public_workspace(current)
    if item["state"] == "absent":
        if not current:
            return _result(item, before, {}, [])
        mode = "CASCADE" if item["purge"] else "RESTRICT"
        if not check_mode:
            try:
                client.delete_workspace(name, mode)
            except MlflowError as exc:
                # RESTRICT also counts resources the pre-check does not list (prompts, traces...).
                if exc.error_code == "INVALID_STATE":
                    raise ValueError(not_empty_message(name)) from None
                raise
        return _result(item, before, {}, ["deleted" + (" with its contents" if item["purge"] else "")])

    wanted = dict((key, item[key]) for key in FIELDS if item.get(key) is not None)
    if not current:
        workspace = public_workspace(dict(wanted, name=name))
        if not check_mode:
            workspace = public_workspace(client.create_workspace(dict(wanted, name=name)))
        return _result(item, before, workspace, ["created"])

    workspace = dict(before)
    drift = dict((key, value) for key, value in wanted.items() if workspace[key] != value)
    if not drift:
        return _result(item, before, workspace, [])
    workspace.update(drift)
    if not check_mode:
        workspace = public_workspace(client.update_workspace(name, drift))
    return _result(item, before, workspace, ["updated " + ", ".join(sorted(drift))])


def _result(item, before, workspace, actions):
    return dict(name=item["name"], state=item["state"], changed=bool(actions), actions=actions, workspace=workspace,
                _before=before, _after=workspace)
