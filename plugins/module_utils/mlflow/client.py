# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one connection layer of the onprem.mlflow.mlflow_* modules: HTTP with basic auth,
TLS, timeouts, retries, and error messages that never carry a server answer.

MLflow's error bodies can hold secrets (a duplicate-user error echoes the SQL statement with
the new password's hash), so an error is described by URL, HTTP status and error code only.
"""

from __future__ import annotations

import json
import socket
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import open_url

# The options of doc_fragments/mlflow.py; every module adds its own to these.
CONNECTION_ARGUMENT_SPEC = dict(
    tracking_uri=dict(type="str", required=True, fallback=(env_fallback, ["MLFLOW_TRACKING_URI"])),
    admin_username=dict(type="str", required=True, fallback=(env_fallback, ["MLFLOW_TRACKING_USERNAME"])),
    admin_password=dict(type="str", required=True, no_log=True,
                        fallback=(env_fallback, ["MLFLOW_TRACKING_PASSWORD"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
)

# Pauses before the retries of a request that met a connection error or an HTTP 5xx.
RETRY_DELAYS = (1, 2, 4)

# 5xx answers that carry one of these codes are decisions, not hiccups: retrying cannot help
# (MLflow answers 500 INVALID_STATE to deleting a workspace that still holds experiments).
FINAL_ERROR_CODES = frozenset((
    "INVALID_STATE", "INVALID_PARAMETER_VALUE", "RESOURCE_ALREADY_EXISTS", "RESOURCE_DOES_NOT_EXIST",
    "PERMISSION_DENIED", "BAD_REQUEST", "ENDPOINT_NOT_FOUND",
))


class MlflowError(Exception):
    """A failed request. `str()` is safe to show: it never includes the server's answer."""

    def __init__(self, message, status=None, error_code=None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code


def connection_params(params):
    return dict((key, params[key]) for key in CONNECTION_ARGUMENT_SPEC)


class MlflowClient:
    """Admin REST calls against one MLflow server."""

    def __init__(self, tracking_uri, admin_username, admin_password, validate_certs=True, ca_path=None,
                 timeout=30, retry_delays=RETRY_DELAYS, sleep=time.sleep):
        self.url = tracking_uri.rstrip("/")
        self.username = admin_username
        self.password = admin_password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.retry_delays = retry_delays
        self.sleep = sleep

    # -- the HTTP layer -------------------------------------------------------------------

    def _open(self, method, path, body, username, password, headers):
        hdrs = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        return open_url(self.url + path, data=data, headers=hdrs, method=method, timeout=self.timeout,
                        validate_certs=self.validate_certs, ca_path=self.ca_path, url_username=username,
                        url_password=password, force_basic_auth=True, follow_redirects="none",
                        use_proxy=True, use_netrc=False)

    def raw_request(self, method, path, body=None, username=None, password=None, headers=None):
        """One call with retries; returns (status, parsed JSON body or {}).

        HTTP errors come back as their status (the body parsed but meant for error codes only);
        only an unreachable server raises.
        """
        attempt = 0
        while True:
            try:
                resp = self._open(method, path, body, username, password, headers)
                return resp.getcode(), _parse(resp.read())
            except HTTPError as exc:
                status = exc.code
                try:
                    parsed = _parse(exc.read())
                except Exception:
                    parsed = {}
                finally:
                    exc.close()
                retry = status >= 500 and parsed.get("error_code") not in FINAL_ERROR_CODES
                if not retry or attempt >= len(self.retry_delays):
                    return status, parsed
            except (URLError, socket.timeout, ConnectionError, OSError) as exc:
                if attempt >= len(self.retry_delays):
                    raise MlflowError("cannot reach MLflow at %s: %s" % (self.url, _reason(exc))) from None
            self.sleep(self.retry_delays[attempt])
            attempt += 1

    def request(self, method, path, body=None, query=None, headers=None, ok_missing=False):
        """An admin call: returns the JSON body, or None for a 404 when `ok_missing`."""
        if query:
            path += "?" + urlencode(query, doseq=True)
        status, parsed = self.raw_request(method, path, body, self.username, self.password, headers)
        if 200 <= status < 300:
            return parsed
        if status in (401, 403):
            raise MlflowError(
                "admin credentials rejected by %s (HTTP %d): check admin_username/admin_password "
                "(MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD) and that the user is an MLflow admin"
                % (self.url, status), status, parsed.get("error_code"))
        error_code = parsed.get("error_code")
        if status == 404 and ok_missing:
            return None
        if status == 404 and not error_code:
            raise MlflowError("MLflow at %s has no endpoint %s %s (HTTP 404): is it an MLflow >= 3.17 server "
                              "started with --app-name basic-auth --enable-workspaces?"
                              % (self.url, method, path.split("?")[0]), status)
        raise MlflowError("MLflow at %s answered %s %s with HTTP %d%s" % (
            self.url, method, path.split("?")[0], status, " (%s)" % error_code if error_code else ""),
            status, error_code)

    def password_matches(self, username, password):
        """Whether `password` is the user's current password, asked as the user itself.

        `users/current` answers 200 for the right credentials and 401 for wrong ones; the
        password is never read back from the server.
        """
        status = self.raw_request("GET", "/api/2.0/mlflow/users/current", username=username, password=password)[0]
        if status == 200:
            return True
        if status == 401:
            return False
        raise MlflowError("MLflow at %s answered the password check for user %s with HTTP %d"
                          % (self.url, username, status), status)

    # -- the objects ----------------------------------------------------------------------

    def list_users(self):
        """Every user with its roles, in one answer."""
        return self.request("GET", "/api/2.0/mlflow/users/list").get("users", [])

    def create_user(self, username, password):
        return self.request("POST", "/api/2.0/mlflow/users/create",
                            {"username": username, "password": password}).get("user", {})

    def update_password(self, username, password):
        body = {"username": username, "password": password}
        if username == self.username:
            # The server wants the current password when a user changes its own.
            body["current_password"] = self.password
        self.request("PATCH", "/api/2.0/mlflow/users/update-password", body)

    def update_admin(self, username, is_admin):
        self.request("PATCH", "/api/2.0/mlflow/users/update-admin", {"username": username, "is_admin": is_admin})

    def delete_user(self, username):
        self.request("DELETE", "/api/2.0/mlflow/users/delete", {"username": username})

    def list_workspaces(self):
        return self.request("GET", "/api/3.0/mlflow/workspaces").get("workspaces", [])

    def create_workspace(self, fields):
        return self.request("POST", "/api/3.0/mlflow/workspaces", fields).get("workspace", {})

    def update_workspace(self, name, fields):
        return self.request("PATCH", "/api/3.0/mlflow/workspaces/" + quote(name, safe=""), fields).get("workspace", {})

    def delete_workspace(self, name, mode):
        self.request("DELETE", "/api/3.0/mlflow/workspaces/" + quote(name, safe=""), query={"mode": mode})

    def workspace_holds_data(self, name):
        """Whether the workspace still holds experiments (deleted ones too) or registered models."""
        headers = {"X-MLFLOW-WORKSPACE": name}
        experiments = self.request("POST", "/api/2.0/mlflow/experiments/search",
                                   {"max_results": 1, "view_type": "ALL"}, headers=headers)
        if experiments.get("experiments"):
            return True
        models = self.request("GET", "/api/2.0/mlflow/registered-models/search", query={"max_results": 1},
                              headers=headers)
        return bool(models.get("registered_models"))

    def list_roles(self):
        """Every role of every workspace (admin-only listing), with its permissions."""
        return self.request("GET", "/api/3.0/mlflow/roles/list").get("roles", [])

    def assign_role(self, username, role_id):
        self.request("POST", "/api/3.0/mlflow/roles/assign", {"username": username, "role_id": role_id})

    def unassign_role(self, username, role_id):
        self.request("DELETE", "/api/3.0/mlflow/roles/unassign", {"username": username, "role_id": role_id})


def _parse(raw):
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _reason(exc):
    reason = getattr(exc, "reason", None) or exc
    return str(reason) or type(exc).__name__
