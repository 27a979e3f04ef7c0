# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The complete member list (roster) of workspaces, for mlflow_workspace_rosters.

mlflow_workspace_members manages the memberships it is given and leaves others alone; a roster
says who is a member and so also who is no longer one. This turns rosters into the items of
mlflow_members.converge_members (present for each listed member, absent for each user who holds
a role in the workspace but is not listed) and lets that function do the work.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_members import converge_members, member_roles

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
    them as changes; in a real run they are left to converge_members, which refuses them clearly.
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


def converge_rosters(client, rosters, check_mode):
    workspaces_named = [r["workspace"] for r in rosters]
    duplicates = sorted({name for name in workspaces_named if workspaces_named.count(name) > 1})
    if duplicates:
        raise ValueError("workspaces listed more than once: %s" % ", ".join(duplicates))
    users = dict((user["username"], user) for user in client.list_users())
    workspaces = set(ws["name"] for ws in client.list_workspaces())
    items, pending = roster_items(rosters, users, workspaces)
    if not check_mode:
        items, pending = items + pending, []
    result = converge_members(client, items, check_mode) if items else dict(changed=False, members=[],
                                                                               diff=dict(before={}, after={}))
    for item in pending:
        key = "%s/%s" % (item["workspace"], item["username"])
        result["diff"]["before"][key] = []
        result["diff"]["after"][key] = [item["role"]]
        result["members"].append(dict(item, roles=[item["role"]], changed=True,
                                      actions=["assigned %s" % item["role"]]))
    result["changed"] = result["changed"] or bool(pending)
    return result
