# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workspace membership: which role a user holds in a workspace, for one membership
(mlflow_workspace_member) or many (mlflow_workspace_members).

Membership is a role assignment. Every workspace has the built-in roles `admin` (workspace
MANAGE) and `user` (workspace USE), and may have custom roles. A member holds exactly one of
these per workspace: changing the role assigns the new one, then unassigns the others. The
synthetic `__user_<id>__` roles (the MANAGE grants on what a user created) are never touched.

Three lists answer for every membership at once: `users/list` (each user with its roles),
`workspaces` and `roles/list`, so a run costs three requests plus one per change.
"""

from __future__ import annotations

import re

MEMBER_OPTIONS = dict(
    workspace=dict(type="str", required=True),
    username=dict(type="str", required=True),
    role=dict(type="str", default="user"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

SYNTHETIC_ROLE = re.compile(r"^__user_\d+__$")


def is_synthetic(role_name):
    return bool(SYNTHETIC_ROLE.match(role_name or ""))


def validate_member(item):
    for key in ("workspace", "username", "role"):
        value = item.get(key)
        if not value or not value.strip():
            return "%s must not be empty" % key
    if is_synthetic(item["role"]):
        return "role %s is one of MLflow's per-user roles, which these modules leave alone" % item["role"]
    return None


def member_roles(user, workspace):
    """The names of the non-synthetic roles `user` (an entry of users/list) holds in `workspace`."""
    return sorted(role["name"] for role in (user or {}).get("roles", [])
                  if role.get("workspace") == workspace and not is_synthetic(role.get("name")))


def converge_members(client, items, check_mode):
    """Bring each desired membership to its state. Raises ValueError before any change on bad input
    (unknown workspace, user or role)."""
    errors = [msg for msg in (validate_member(item) for item in items) if msg]
    pairs = [(item["workspace"], item["username"]) for item in items]
    duplicates = sorted({"%s in %s" % (user, ws) for ws, user in pairs if pairs.count((ws, user)) > 1})
    if duplicates:
        errors.append("memberships listed more than once: %s" % ", ".join(duplicates))
    if errors:
        raise ValueError("; ".join(errors))

    users = dict((user["username"], user) for user in client.list_users())
    workspaces = set(ws["name"] for ws in client.list_workspaces())
    roles = {}
    for role in client.list_roles():
        roles[(role.get("workspace"), role.get("name"))] = role["id"]

    for item in items:
        if item["state"] != "present":
            continue
        if item["workspace"] not in workspaces:
            errors.append("workspace %s does not exist: create it first (onprem.mlflow.mlflow_workspace)"
                          % item["workspace"])
        elif (item["workspace"], item["role"]) not in roles:
            errors.append("role %s does not exist in workspace %s: use the built-in role admin or user, or "
                          "create the custom role first" % (item["role"], item["workspace"]))
        if item["username"] not in users:
            errors.append("user %s does not exist: create it first (onprem.mlflow.mlflow_user)" % item["username"])
    if errors:
        raise ValueError("; ".join(sorted(set(errors), key=errors.index)))

    results, before, after = [], {}, {}
    for item in items:
        result = converge_member(client, item, users.get(item["username"]), roles, check_mode)
        results.append(result)
        if result["changed"]:
            key = "%s/%s" % (item["workspace"], item["username"])
            before[key] = result["_before"]
            after[key] = result["roles"]
    for result in results:
        result.pop("_before")
    return dict(changed=any(r["changed"] for r in results), members=results, diff=dict(before=before, after=after))


def converge_member(client, item, user, roles, check_mode):
    workspace, username = item["workspace"], item["username"]
    current = member_roles(user, workspace)
    wanted = [item["role"]] if item["state"] == "present" else []
    actions = []
    # Assign first, unassign after: a member changing role never loses access in between.
    for name in wanted:
        if name not in current:
            actions.append("assigned %s" % name)
            if not check_mode:
                client.assign_role(username, roles[(workspace, name)])
    for name in current:
        if name not in wanted:
            actions.append("unassigned %s" % name)
            if not check_mode:
                client.unassign_role(username, roles[(workspace, name)])
    return dict(workspace=workspace, username=username, role=item["role"] if wanted else None, roles=wanted,
                state=item["state"], changed=bool(actions), actions=actions, _before=current)
