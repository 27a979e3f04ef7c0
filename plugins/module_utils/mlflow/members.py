# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workspace membership, the one converge of mlflow_workspace_member (one membership),
mlflow_workspace_members (a list, optionally exact) and mlflow_workspace_rosters (the roster
form: each workspace with its complete member list, always exact).

Membership is a role assignment. Every workspace has the built-in roles `admin` (workspace
MANAGE) and `user` (workspace USE), and may have custom roles. A member holds exactly one of
these per workspace: changing the role assigns the new one, then unassigns the others. The
synthetic `__user_<id>__` roles (the MANAGE grants on what a user created) are never touched.

Exact (modelled on community.postgresql's postgresql_membership `state: exact`): for each
workspace in `exact`, the listed memberships are all of its members; every other user who holds
a role there loses it. Workspaces not in `exact` keep their unlisted members.

Three lists answer for every membership at once: `users/list` (each user with its roles),
`workspaces` and `roles/list`, so a run costs three requests plus one per change; the changes
run on at most `workers` threads (parallel.run_all).
"""

from __future__ import annotations

import re

from ansible_collections.onprem.mlflow.plugins.module_utils.common.lists import changed_diff, listed_twice
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.parallel import DEFAULT_WORKERS, run_all

MEMBER_OPTIONS = dict(
    workspace=dict(type="str", required=True),
    username=dict(type="str", required=True),
    role=dict(type="str", default="user"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

# mlflow_workspace_members' switch to the exact set of the workspaces it names.
EXACT_OPTION = dict(type="bool", default=False)

# The suboptions of mlflow_workspace_rosters' `rosters`.
ROSTER_OPTIONS = dict(
    workspace=dict(type="str", required=True),
    members=dict(type="list", elements="dict", default=[], options=dict(
        username=dict(type="str", required=True),
        role=dict(type="str", default="user"),
    )),
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


def duplicate_problems(items):
    """One message per workspace and user listed more than once, naming the roles asked for when
    they differ: such a list has no single meaning (the member would flip between the roles on
    every run), so it is refused; identical duplicates are refused too, the list being wrong."""
    pairs = [(item["workspace"], item["username"]) for item in items]
    problems = []
    for workspace, username in listed_twice(pairs):
        wanted = sorted({item["role"] if item["state"] == "present" else "absent" for item in items
                         if (item["workspace"], item["username"]) == (workspace, username)})
        problems.append("%s in %s%s" % (username, workspace,
                                        " (with different roles: %s)" % ", ".join(wanted) if len(wanted) > 1 else ""))
    if problems:
        return ("memberships listed more than once: %s; a user may appear once per workspace, nothing was changed"
                % "; ".join(problems))
    return None


def member_roles(user, workspace):
    """The names of the non-synthetic roles `user` (an entry of users/list) holds in `workspace`."""
    return sorted(role["name"] for role in (user or {}).get("roles", [])
                  if role.get("workspace") == workspace and not is_synthetic(role.get("name")))


def roster_members(rosters):
    """The membership items of the roster form: each listed member present in its workspace.
    Refuses (ValueError) a workspace listed twice."""
    duplicates = listed_twice([roster["workspace"] for roster in rosters])
    if duplicates:
        raise ValueError("workspaces listed more than once: %s" % ", ".join(duplicates))
    return [dict(workspace=roster["workspace"], username=member["username"], role=member["role"], state="present")
            for roster in rosters for member in roster["members"]]


def plan_members(items, exact, users, workspaces):
    """(items to apply, pending) from the wanted items, the workspaces to make exact and the
    server's users/list (by name) and workspaces.

    The items to apply are the listed ones, then for each existing workspace in `exact` one
    `absent` item per user holding a role there who is not listed. `pending` are listed present
    members whose workspace or user does not exist yet: check mode reports them as changes, a
    real run refuses them before any change.
    """
    listed = set((item["workspace"], item["username"]) for item in items)
    applied, pending = [], []
    for item in items:
        missing = item["workspace"] not in workspaces or item["username"] not in users
        (pending if missing and item["state"] == "present" else applied).append(item)
    for workspace in sorted(set(exact) & set(workspaces)):
        for username in sorted(users):
            roles = member_roles(users[username], workspace)
            if roles and (workspace, username) not in listed:
                applied.append(dict(workspace=workspace, username=username, role=roles[0], state="absent"))
    return applied, pending


def converge_members(client, items, check_mode, workers=DEFAULT_WORKERS, exact=()):
    """Bring each membership in `items` to its state and, for each workspace in `exact`, remove
    the members not listed. Raises ValueError before any change on bad input (empty names,
    duplicates, unknown workspaces, users or roles).

    Returns dict(changed, members=[per-membership results: the listed ones in order, then the
    removed ones, then in check mode those still waiting for their workspace or user],
    diff=dict(before, after) by "workspace/username").
    """
    errors = [msg for msg in (validate_member(item) for item in items) if msg]
    errors.append(duplicate_problems(items))
    errors = [msg for msg in errors if msg]
    if errors:
        raise ValueError("; ".join(errors))

    users = dict((user["username"], user) for user in client.list_users())
    workspaces = set(ws["name"] for ws in client.list_workspaces())
    roles = dict(((role.get("workspace"), role.get("name")), role["id"]) for role in client.list_roles())
    applied, pending = plan_members(items, exact, users, workspaces)

    for item in pending:
        if check_mode:
            continue
        if item["workspace"] not in workspaces:
            errors.append("workspace %s does not exist: create it first (onprem.mlflow.mlflow_workspace)"
                          % item["workspace"])
        if item["username"] not in users:
            errors.append("user %s does not exist: create it first (onprem.mlflow.mlflow_user)" % item["username"])
    for item in applied + pending:
        if item["state"] == "present" and item["workspace"] in workspaces and (item["workspace"], item["role"]) \
                not in roles:
            errors.append("role %s does not exist in workspace %s: use the built-in role admin or user, or "
                          "create the custom role first" % (item["role"], item["workspace"]))
    if errors:
        raise ValueError("; ".join(sorted(set(errors), key=errors.index)))

    results = run_all(lambda item: converge_member(client, item, users.get(item["username"]), roles, check_mode),
                      applied, workers)
    results += [_result(item, [], ["assigned %s" % item["role"]]) for item in pending]
    diff = changed_diff(results, lambda result: "%s/%s" % (result["workspace"], result["username"]))
    return dict(changed=any(result["changed"] for result in results), members=results, diff=diff)


def converge_rosters(client, rosters, check_mode, workers=DEFAULT_WORKERS):
    """The roster form: every roster's workspace exact, with its listed members."""
    items = roster_members(rosters)
    return converge_members(client, items, check_mode, workers, exact=[roster["workspace"] for roster in rosters])


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
    return _result(item, current, actions)


def _result(item, before, actions):
    wanted = [item["role"]] if item["state"] == "present" else []
    return dict(workspace=item["workspace"], username=item["username"], role=item["role"] if wanted else None,
                roles=wanted, state=item["state"], changed=bool(actions), actions=actions, _before=before,
                _after=wanted)
