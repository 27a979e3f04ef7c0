# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn what minio-py and urllib3 raise into one clear, secret-free message.

MinIO answers admin errors as JSON (`Code`, `Message`) and S3 errors as XML (`<Code>`).
Modules match on codes and HTTP statuses, never on message text.
"""

from __future__ import annotations

import contextlib
import json

try:
    from minio.error import MinioAdminException, MinioException, S3Error
    from urllib3.exceptions import HTTPError as Urllib3HTTPError
    from urllib3.exceptions import MaxRetryError, SSLError

    # What the clients raise; anything else is a bug and keeps its traceback.
    CLIENT_ERRORS = (MinioException, MinioAdminException, Urllib3HTTPError, ValueError)
except ImportError:  # reported by the connection layer with missing_required_lib()
    MinioAdminException = MinioException = S3Error = Urllib3HTTPError = MaxRetryError = SSLError = None
    CLIENT_ERRORS = (ValueError,)

CREDENTIAL_CODES = frozenset((
    "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "InvalidToken", "ExpiredToken",
))


class MinioModuleError(Exception):
    """An error whose message is safe to show the user (no secrets, no raw bodies)."""


def error_code(exc):
    """(HTTP status as int or None, MinIO/S3 error code or None) of an exception."""
    if S3Error is not None and isinstance(exc, S3Error):
        status = exc.response.status if exc.response is not None else None
        return status, exc.code
    if MinioAdminException is not None and isinstance(exc, MinioAdminException):
        try:
            status = int(exc._code)
        except (TypeError, ValueError):
            status = None
        try:
            code = json.loads(exc._body).get("Code")
        except (TypeError, ValueError, AttributeError):
            code = None
        return status, code
    return None, None


def _server_message(exc):
    """The server's human message (never a body that could carry data), shortened."""
    if S3Error is not None and isinstance(exc, S3Error):
        message = exc.message
    else:
        try:
            message = json.loads(exc._body).get("Message")
        except (TypeError, ValueError, AttributeError):
            message = None
    return (message or "")[:300]


def describe(exc, action, endpoint):
    """A message for `exc` raised while doing `action` against MinIO at `endpoint`."""
    if SSLError is not None and isinstance(exc, (SSLError, MaxRetryError)) and (
            isinstance(exc, SSLError) or isinstance(getattr(exc, "reason", None), SSLError)):
        return ("cannot %s: TLS verification of MinIO at %s failed; give the CA bundle in ca_path "
                "(or validate_certs: false for a test server)" % (action, endpoint))
    if Urllib3HTTPError is not None and isinstance(exc, Urllib3HTTPError):
        reason = getattr(exc, "reason", None) or exc
        return ("cannot %s: cannot reach MinIO at %s (%s); check endpoint_url and that the server "
                "is running" % (action, endpoint, type(reason).__name__))
    status, code = error_code(exc)
    if code in CREDENTIAL_CODES or (status == 403 and code is None):
        return ("cannot %s: credentials rejected by MinIO at %s (%s); check login_access_key and "
                "login_secret_key" % (action, endpoint, code or "HTTP 403"))
    if code == "AccessDenied" or status == 403:
        return ("cannot %s: access denied by MinIO at %s (%s); the login credentials lack the "
                "permission, use an admin account" % (action, endpoint, code))
    if status is not None or code is not None:
        message = _server_message(exc)
        return "cannot %s: MinIO at %s answered %s %s%s" % (
            action, endpoint, status or "", code or "", (": " + message) if message else "")
    return "cannot %s: %s" % (action, type(exc).__name__)


@contextlib.contextmanager
def translated(action, endpoint):
    """Re-raise what minio-py or urllib3 raise inside as MinioModuleError with a clear message."""
    try:
        yield
    except MinioModuleError:
        raise
    except CLIENT_ERRORS as exc:
        if isinstance(exc, ValueError) and not isinstance(exc, Urllib3HTTPError or ()):
            # minio-py's own argument checks (bucket names, regions): their text names the problem.
            raise MinioModuleError("cannot %s: %s" % (action, exc)) from None
        raise MinioModuleError(describe(exc, action, endpoint)) from None
