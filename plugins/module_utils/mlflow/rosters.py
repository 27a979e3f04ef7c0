# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The complete member list (roster) of workspaces, for mlflow_workspace_rosters.

mlflow_workspace_members manages the memberships it is given and leaves others alone; a roster
says who is a member and so also who is no longer one. This turns rosters into membership items
(present for each listed member, absent for each user who holds a role in the workspace but is
not listed), checks them as mlflow_members does, and has mlflow_members.converge_member apply
each one (on a thread pool, mlflow_parallel).
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import member_roles, validate_member
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.parallel import DEFAULT_WORKERS, converge_members

ROSTER_OPTIONS = dict(
    workspace=dict(type="str", required=True),
    members=dict(type="list", elements="dict", default=[], options=dict(
        username=dict(type="str", required=True),
        role=dict(type="str", default="user"),
    )),
)


def roster_items(rosters, users, workspaces):
    """(items for converge_members, pending) from rosters and the server's users/list and workspaces.

    `pending` are listed members whose workspace or user does not exist yet: check mode reports
    them as changes; a real run refuses them before any change.
    """
    items, pending = [], []
    for roster in rosters:
        workspace = roster["workspace"]
        listed = {member["username"] for member in roster["members"]}
        for member in roster["members"]:
            item = dict(workspace=workspace, username=member["username"], role=member["role"], state="present")
            if workspace not in workspaces or member["username"] not in users:
                pending.append(item)
            else:
                items.append(item)
        if workspace not in workspaces:
            continue
        for username in sorted(users):
            roles = member_roles(users[username], workspace)
            if roles and username not in listed:
                items.append(dict(workspace=workspace, username=username, role=roles[0], state="absent"))
    return items, pending


def converge_rosters(client, rosters, check_mode, workers=DEFAULT_WORKERS):
    workspaces_named = [r["workspace"] for r in rosters]
    duplicates = sorted({name for name in workspaces_named if workspaces_named.count(name) > 1})
    if duplicates:
        raise ValueError("workspaces listed more than once: %s" % ", ".join(duplicates))
    errors = [msg for msg in (validate_member(dict(m, workspace=r["workspace"])) for r in rosters
                              for m in r["members"]) if msg]
    if errors:
        raise ValueError("; ".join(errors))
    # Three lists answer for every membership at once.
    users = dict((user["username"], user) for user in client.list_users())
    workspaces = set(ws["name"] for ws in client.list_workspaces())
    roles = dict(((role.get("workspace"), role.get("name")), role["id"]) for role in client.list_roles())
    items, pending = roster_items(rosters, users, workspaces)
    if not check_mode:
        # Every refusal before the first change.
        for item in pending:
            if item["workspace"] not in workspaces:
                errors.append("workspace %s does not exist: create it first (onprem.mlflow.mlflow_workspaces)"
                              % item["workspace"])
            if item["username"] not in users:
                errors.append("user %s does not exist: create it first (onprem.mlflow.mlflow_users)" % item["username"])
    for item in items:
        if item["state"] == "present" and (item["workspace"], item["role"]) not in roles:
            errors.append("role %s does not exist in workspace %s: use the built-in role admin or user, or create "
                          "the custom role first" % (item["role"], item["workspace"]))
    if errors:
        raise ValueError("; ".join(sorted(set(errors), key=errors.index)))

    result = converge_members(client, items, users, roles, check_mode, workers)
    for item in pending:
        key = "%s/%s" % (item["workspace"], item["username"])
        result["diff"]["before"][key] = []
        result["diff"]["after"][key] = [item["role"]]
        result["members"].append(dict(item, roles=[item["role"]], changed=True,
                                      actions=["assigned %s" % item["role"]]))
    result["changed"] = result["changed"] or bool(pending)
    return result
