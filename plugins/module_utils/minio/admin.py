# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The MinIO admin API calls the modules make, each answering plain Python values.

Most go through minio-py's MinioAdmin. The calls with an encrypted body do not: they seal it
with minio_crypto (a far cheaper key derivation than minio-py's, see there) and send it through
MinioAdmin's signed request method, which is private in minio-py (hence the exact pin in
requirements.txt). That also lets add-service-account send `targetUser` (minio-py never sends
it, and ignores `status`) and update-service-account exactly the fields we choose (minio-py
drops falsy ones).

"Not found" answers become None; every other failure a MinioModuleError with a clear message.
"""

from __future__ import annotations

import json

try:
    from minio.crypto import decrypt
except ImportError:  # reported by the connection layer with missing_required_lib()
    decrypt = None

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.crypto import encrypt

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import (
    MinioModuleError,
    error_code,
    translated,
)

NO_SUCH_USER = "XMinioAdminNoSuchUser"
NO_SUCH_POLICY = "XMinioAdminNoSuchPolicy"
NO_SUCH_SERVICE_ACCOUNT = "XMinioInvalidIAMCredentials"
ALREADY_APPLIED = "XMinioAdminPolicyChangeAlreadyApplied"
POLICY_IN_USE = "XMinioIAMPolicyInUse"


class Command:
    """What MinioAdmin's request method wants: an object whose `value` is the command path."""

    def __init__(self, value):
        self.value = value


class MinioAdminApi:
    def __init__(self, conn):
        self.conn = conn

    def _call(self, action, absent_codes, func, *args, **kwargs):
        """Run one admin call; None when the server says the object does not exist."""
        with translated(action, self.conn.endpoint):
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                if error_code(exc)[1] in absent_codes:
                    return None
                raise

    def encrypted(self, method, command, payload, query=None, decrypt_answer=False):
        """A request whose JSON body is encrypted with the caller's secret (minio_crypto). The
        answers of these calls only repeat what was sent: they are read only when asked for."""
        admin = self.conn.admin
        response = admin._url_open(
            method=method, command=Command(command), query_params=query,
            body=encrypt(json.dumps(payload).encode(), self.conn.secret_key),
            preload_content=not decrypt_answer,
        )
        if decrypt_answer:
            return json.loads(decrypt(response, self.conn.secret_key).decode())
        return None

    @staticmethod
    def _json(text):
        return json.loads(text) if text and text.strip() else {}

    # Users ------------------------------------------------------------------------------

    def user_info(self, access_key):
        """{'status': 'enabled'|'disabled', 'policies': [...], ...} or None."""
        text = self._call("read user %s" % access_key, (NO_SUCH_USER,), self.conn.admin.user_info, access_key)
        if text is None:
            return None
        info = self._json(text)
        info["policies"] = sorted(p for p in (info.get("policyName") or "").split(",") if p)
        return info

    def users(self):
        """access key -> {'status', 'policies'} of every user: one (encrypted) answer."""
        listing = self._json(self._call("list users", (), self.conn.admin.user_list))
        return {key: {"status": info.get("status", "enabled"),
                      "policies": sorted(p for p in (info.get("policyName") or "").split(",") if p)}
                for key, info in listing.items()}

    def add_user(self, access_key, secret_key):
        """Create the user, or replace its secret. MinIO also re-enables a disabled user here."""
        self._call("add user %s" % access_key, (), self.encrypted, "PUT", "add-user",
                   {"status": "enabled", "secretKey": secret_key}, query={"accessKey": access_key})

    def set_user_status(self, access_key, status):
        func = self.conn.admin.user_enable if status == "enabled" else self.conn.admin.user_disable
        self._call("set the status of user %s" % access_key, (), func, access_key)

    def remove_user(self, access_key):
        self._call("remove user %s" % access_key, (NO_SUCH_USER,), self.conn.admin.user_remove, access_key)

    def attach_policies(self, access_key, policies):
        if policies:
            self._call("attach policies %s to user %s" % (", ".join(policies), access_key), (ALREADY_APPLIED,),
                       self.encrypted, "POST", "idp/builtin/policy/attach",
                       {"policies": list(policies), "user": access_key})

    def detach_policies(self, access_key, policies):
        if policies:
            self._call("detach policies %s from user %s" % (", ".join(policies), access_key), (ALREADY_APPLIED,),
                       self.encrypted, "POST", "idp/builtin/policy/detach",
                       {"policies": list(policies), "user": access_key})

    def set_user_policies(self, access_key, wanted, current):
        """Attach exactly the `wanted` policies (the user has `current`)."""
        if sorted(set(wanted)) == sorted(set(current)):
            return
        if not wanted:
            self.detach_policies(access_key, sorted(current))
            return
        # set-user-or-group-policy makes the list exactly this in one plain request; attach and
        # detach send encrypted bodies, a key derivation on both sides each.
        self._call("set the policies of user %s" % access_key, (), self.conn.admin.policy_set,
                   ",".join(sorted(set(wanted))), user=access_key)

    # Canned policies --------------------------------------------------------------------

    def policy_info(self, name):
        text = self._call("read policy %s" % name, (NO_SUCH_POLICY,), self.conn.admin.policy_info, name)
        return None if text is None else self._json(text)

    def policies(self):
        """name -> document of every canned policy: one answer holds them all."""
        return self._json(self._call("list policies", (), self.conn.admin.policy_list))

    def policy_names(self):
        return set(self.policies())

    def add_policy(self, name, policy):
        self._call("write policy %s" % name, (), self.conn.admin.policy_add, name, policy=policy)

    def remove_policy(self, name):
        with translated("remove policy %s" % name, self.conn.endpoint):
            try:
                self.conn.admin.policy_remove(name)
            except Exception as exc:
                if error_code(exc)[1] == POLICY_IN_USE:
                    raise MinioModuleError(
                        "cannot remove policy %s: it is still attached to a user or group; detach it first "
                        "(onprem.mlflow.minio_user with a policies list without it)" % name) from None
                raise

    # Bucket quota -----------------------------------------------------------------------

    def quota_get(self, bucket):
        """The hard quota in bytes, 0 when none is set."""
        info = self._json(self._call("read the quota of bucket %s" % bucket, (),
                                     self.conn.admin.bucket_quota_get, bucket))
        return int(info.get("quota") or 0)

    def quota_set(self, bucket, size):
        """Set a hard quota of `size` bytes; 0 clears it."""
        self._call("set the quota of bucket %s" % bucket, (), self.conn.admin.bucket_quota_set, bucket, size)

    # Service accounts -------------------------------------------------------------------

    def service_account_info(self, access_key):
        action = "read service account %s" % access_key
        with translated(action, self.conn.endpoint):
            try:
                text = self.conn.admin.get_service_account(access_key)
            except Exception as exc:
                code = error_code(exc)[1]
                if code == NO_SUCH_SERVICE_ACCOUNT:
                    return None
                # MinIO answers AccessDenied, even to root, when the key is a user's own access key.
                if code == "AccessDenied" and self.user_info(access_key) is not None:
                    raise MinioModuleError("cannot use %s as a service account: it is the access key of a MinIO "
                                           "user; choose another access_key" % access_key) from None
                raise
        return self._json(text)

    def add_service_account(self, access_key, secret_key, parent=None, policy=None, name=None,
                            description=None, expiration=None, status="on"):
        """Create a service account, for `parent` (targetUser) when given, else for the caller.

        The server ignores `status` here (the account starts enabled): callers that want a
        disabled account update it afterwards.
        """
        payload = {"status": status, "accessKey": access_key, "secretKey": secret_key}
        for key, value in (("targetUser", parent), ("policy", policy), ("name", name),
                           ("description", description), ("expiration", expiration)):
            if value:
                payload[key] = value
        with translated("create service account %s" % access_key, self.conn.endpoint):
            try:
                # The answer only repeats the credentials we sent, sealed with Argon2id by the
                # server: not decrypting it saves that key derivation per account.
                self.encrypted("PUT", "add-service-account", payload)
            except Exception as exc:
                if error_code(exc)[1] != "XMinioAdminNoSuchUser" and self.user_info(access_key) is not None:
                    raise MinioModuleError("cannot use %s as a service account: it is the access key of a MinIO "
                                           "user; choose another access_key" % access_key) from None
                if error_code(exc)[1] == "XMinioIAMServiceAccountNotAllowed":
                    raise MinioModuleError("cannot create service account %s: MinIO says the access key is already "
                                           "taken; choose another access_key" % access_key) from None
                raise

    def service_account_parents(self, users):
        """access key -> parent user of every service account (one request on current servers;
        on older ones one listing per user of `users`)."""
        with translated("list service accounts", self.conn.endpoint):
            try:
                response = self.conn.admin._url_open(  # minio-py has no call for this command
                    method="GET", command=Command("list-access-keys-bulk"),
                    query_params={"all": "true", "listType": "svcacc-only"}, preload_content=False)
            except Exception as exc:
                if error_code(exc)[0] not in (400, 404, 501):
                    raise
                response = None
            listing = self._json(decrypt(response, self.conn.secret_key).decode()) if response else None
        if listing is None:
            return self._service_account_parents_of(users)
        return {account["accessKey"]: parent for parent, keys in listing.items()
                for account in (keys or {}).get("serviceAccounts") or []}

    def _service_account_parents_of(self, users):
        # Servers older than list-access-keys-bulk answer it 400, 404 or 501.
        found = {}
        for user in users:
            text = self._call("list the service accounts of %s" % user, (NO_SUCH_USER,),
                              self.conn.admin.list_service_account, user)
            for account in self._json(text).get("accounts") or []:
                found[account["accessKey"]] = account.get("parentUser") or user
        return found

    def update_service_account(self, access_key, changes):
        """Send update-service-account with exactly `changes` (newStatus, newPolicy, ...).

        MinIO drops the inline policy when `newPolicy` is missing: callers always pass it.
        """
        with translated("update service account %s" % access_key, self.conn.endpoint):
            self.encrypted("POST", "update-service-account", changes, query={"accessKey": access_key})

    def delete_service_account(self, access_key):
        self._call("delete service account %s" % access_key, (NO_SUCH_SERVICE_ACCOUNT,),
                   self.conn.admin.delete_service_account, access_key)
