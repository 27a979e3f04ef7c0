# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MLflow users: desired state against `users/list`, for one user (mlflow_user) or many (mlflow_users).

One `users/list` answers for every user, so a run costs one request plus one per change, plus
one `users/current` per password to verify with `update_password=always` (a password-hash check
on the server each, the floor of a run that verifies passwords). Those checks and the changes
run on at most `workers` threads (parallel.run_all): a password hash is CPU-bound on the
server and its workers compute several at once, so hundreds of checks take a fraction of the time
they take one after the other.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common.lists import changed_diff, listed_twice
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.parallel import DEFAULT_WORKERS, run_all
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.rules import MIN_PASSWORD_LENGTH

# The options of one user: the mlflow_user module's own, and the suboptions of mlflow_users' `users`.
USER_OPTIONS = dict(
    username=dict(type="str", required=True),
    password=dict(type="str", no_log=True),
    update_password=dict(type="str", default="always", choices=["always", "on_create"]),
    is_admin=dict(type="bool"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

HIDDEN = "(new value hidden)"


def validate_user(item, admin_username):
    """A message for what is wrong with one desired user, or None; checked before any change."""
    username = item["username"]
    if not username or not username.strip() or username != username.strip():
        return "username %r is empty or has leading/trailing spaces" % username
    if ":" in username:
        # HTTP basic auth splits user and password at the first colon: such a user could never log in.
        return "username %r contains ':', which HTTP basic auth cannot carry" % username
    if item["state"] == "absent":
        if username == admin_username:
            return "refusing to delete %s, the admin user this module authenticates as" % username
        return None
    password = item.get("password")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        return "the password of user %s is shorter than the %d characters MLflow requires" % (
            username, MIN_PASSWORD_LENGTH)
    if username == admin_username and item.get("is_admin") is False:
        return "refusing to remove the admin flag of %s, the admin user this module authenticates as" % username
    return None


def public_user(user):
    """What the modules return about a user: never a password or a hash."""
    if not user:
        return {}
    return {"id": user.get("id"), "username": user.get("username"), "is_admin": bool(user.get("is_admin"))}


def converge_users(client, items, check_mode, workers=DEFAULT_WORKERS):
    """Bring each desired user in `items` to its state, the per-user requests on at most `workers`
    threads. Fails (ValueError) before any change on bad input.

    Returns dict(changed, users=[per-user result, in the order of items], diff=dict(before, after)).
    """
    errors = [msg for msg in (validate_user(item, client.username) for item in items) if msg]
    duplicates = listed_twice([item["username"] for item in items])
    if duplicates:
        errors.append("users listed more than once: %s" % ", ".join(duplicates))
    if errors:
        raise ValueError("; ".join(errors))

    existing = dict((user["username"], user) for user in client.list_users())
    missing_password = [item["username"] for item in items
                        if item["state"] == "present" and item["username"] not in existing and not item.get("password")]
    if missing_password:
        raise ValueError("password is required to create user(s) %s" % ", ".join(missing_password))

    results = run_all(lambda item: converge_user(client, item, existing.get(item["username"]), check_mode),
                      items, workers)
    diff = changed_diff(results, lambda result: result["username"])
    return dict(changed=any(result["changed"] for result in results), users=results, diff=diff)


def converge_user(client, item, current, check_mode):
    username = item["username"]
    before = {"username": username, "is_admin": bool(current["is_admin"])} if current else {}
    actions = []

    if item["state"] == "absent":
        if current:
            actions.append("deleted")
            if not check_mode:
                client.delete_user(username)
        return _result(item, {}, actions, before, {})

    after = dict(before)
    user = public_user(current)
    if not current:
        actions.append("created")
        after = {"username": username, "is_admin": False, "password": HIDDEN}
        user = {"id": None, "username": username, "is_admin": False}
        if not check_mode:
            user = public_user(client.create_user(username, item["password"]))
    elif verify_password(item) and not client.password_matches(username, item["password"]):
        actions.append("password updated")
        after["password"] = HIDDEN
        if not check_mode:
            client.update_password(username, item["password"])

    if item.get("is_admin") is not None and item["is_admin"] != user["is_admin"]:
        actions.append("admin flag set" if item["is_admin"] else "admin flag removed")
        after["is_admin"] = item["is_admin"]
        user["is_admin"] = item["is_admin"]
        if not check_mode:
            client.update_admin(username, item["is_admin"])
    return _result(item, user, actions, before, after)


def verify_password(item):
    """Whether the password of an existing user is to be checked (and set when it differs)."""
    return bool(item.get("password")) and item["update_password"] == "always"  # noqa: S105 - a mode


def _result(item, user, actions, before, after):
    return dict(username=item["username"], state=item["state"], changed=bool(actions), actions=actions,
                user=user, _before=before, _after=after)
