"""An in-memory stand-in for MlflowClient, for unit tests of the converge logic (no server)."""

from __future__ import annotations


class FakeMlflow:
    username = "admin"

    def __init__(self, users=None, workspaces=None, roles=None, passwords=None, data=()):
        self.users = {u["username"]: dict(u, roles=list(u.get("roles", []))) for u in (users or [])}
        self.workspaces = {w["name"]: dict(w) for w in (workspaces or [])}
        self.roles = list(roles or [])
        self.passwords = dict(passwords or {})
        self.data = set(data)  # workspaces holding experiments
        self.calls = []

    def _call(self, name, *args):
        self.calls.append((name, *args))

    @property
    def writes(self):
        return [c for c in self.calls if not c[0].startswith(("list_", "password_matches", "workspace_holds"))]

    def list_users(self):
        self._call("list_users")
        return [dict(u) for u in self.users.values()]

    def password_matches(self, username, password):
        self._call("password_matches", username)
        return self.passwords.get(username) == password

    def create_user(self, username, password):
        self._call("create_user", username)
        self.users[username] = {"id": len(self.users) + 10, "username": username, "is_admin": False, "roles": []}
        self.passwords[username] = password
        return self.users[username]

    def update_password(self, username, password):
        self._call("update_password", username)
        self.passwords[username] = password

    def update_admin(self, username, is_admin):
        self._call("update_admin", username, is_admin)
        self.users[username]["is_admin"] = is_admin

    def delete_user(self, username):
        self._call("delete_user", username)
        del self.users[username]

    def list_workspaces(self):
        self._call("list_workspaces")
        return [dict(w) for w in self.workspaces.values()]

    def create_workspace(self, fields):
        self._call("create_workspace", fields["name"])
        self.workspaces[fields["name"]] = dict(fields)
        return dict(fields)

    def update_workspace(self, name, fields):
        self._call("update_workspace", name, dict(fields))
        self.workspaces[name].update(fields)
        return dict(self.workspaces[name])

    def delete_workspace(self, name, mode):
        self._call("delete_workspace", name, mode)
        del self.workspaces[name]

    def workspace_holds_data(self, name):
        self._call("workspace_holds_data", name)
        return name in self.data

    def list_roles(self):
        self._call("list_roles")
        return list(self.roles)

    def _role(self, role_id):
        return next(r for r in self.roles if r["id"] == role_id)

    def assign_role(self, username, role_id):
        self._call("assign_role", username, role_id)
        self.users[username]["roles"].append(self._role(role_id))

    def unassign_role(self, username, role_id):
        self._call("unassign_role", username, role_id)
        self.users[username]["roles"] = [r for r in self.users[username]["roles"] if r["id"] != role_id]
