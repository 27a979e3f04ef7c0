# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every MinIO module shares, and the minio-py clients built from them.

The options are documented once, in the doc fragment onprem.mlflow.minio.
"""

from __future__ import annotations

import os
import traceback
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

MINIO_IMPORT_ERROR = None
try:
    import certifi
    import urllib3
    from minio import Minio, MinioAdmin
    from minio.credentials import StaticProvider
except ImportError:
    MINIO_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import (
    MinioModuleError,
    error_code,
    translated,
)


def minio_argument_spec():
    """The connection options; merge a module's own options into a copy of this."""
    return dict(
        endpoint_url=dict(type="str", required=True, fallback=(env_fallback, ["MINIO_ENDPOINT_URL"])),
        login_access_key=dict(type="str", required=True, no_log=True,
                              fallback=(env_fallback, ["MINIO_ACCESS_KEY"])),
        login_secret_key=dict(type="str", required=True, no_log=True,
                              fallback=(env_fallback, ["MINIO_SECRET_KEY"])),
        region=dict(type="str", default="us-east-1", fallback=(env_fallback, ["MINIO_REGION"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["MINIO_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["MINIO_CA_PATH"])),
    )


def parse_endpoint(url):
    """(host:port, secure) of an endpoint URL such as https://minio.example.com:9000."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MinioModuleError("endpoint_url %r is not an http:// or https:// URL with a host name" % url)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise MinioModuleError("endpoint_url %r must be the server's base URL (scheme, host and port only)" % url)
    return parts.netloc, parts.scheme == "https"


class MinioConnection:
    """The S3 client (`s3`) and the admin client (`admin`) for one module run, built lazily."""

    def __init__(self, module):
        if MINIO_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("minio"), exception=MINIO_IMPORT_ERROR)
        params = module.params
        self.endpoint = params["endpoint_url"].rstrip("/")
        self.netloc, self.secure = parse_endpoint(self.endpoint)
        self.access_key = params["login_access_key"]
        self.secret_key = params["login_secret_key"]
        self.region = params["region"]
        if params["ca_path"] and not os.path.isfile(params["ca_path"]):
            raise MinioModuleError("ca_path %s is not a file" % params["ca_path"])
        self._http = self._pool(params["validate_certs"], params["ca_path"])
        self._s3 = None
        self._admin = None

    @staticmethod
    def _pool(validate_certs, ca_path):
        # minio-py's own pool waits 5 minutes and retries 5xx for several seconds; a module
        # should say quickly that the endpoint is down.
        return urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10, read=60),
            maxsize=4,
            cert_reqs="CERT_REQUIRED" if validate_certs else "CERT_NONE",
            ca_certs=ca_path or os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(total=2, connect=1, backoff_factor=0.2,
                                  status_forcelist=[502, 503, 504], allowed_methods=["GET", "HEAD"]),
        )

    def client(self, access_key, secret_key):
        """An S3 client with other credentials (to check whether a secret works), same endpoint."""
        with translated("connect", self.endpoint):
            return Minio(self.netloc, access_key=access_key, secret_key=secret_key, region=self.region,
                         secure=self.secure, http_client=self._http)

    @property
    def s3(self):
        if self._s3 is None:
            self._s3 = self.client(self.access_key, self.secret_key)
        return self._s3

    @property
    def admin(self):
        if self._admin is None:
            with translated("connect", self.endpoint):
                self._admin = MinioAdmin(endpoint=self.netloc, region=self.region, secure=self.secure,
                                         credentials=StaticProvider(self.access_key, self.secret_key),
                                         http_client=self._http)
        return self._admin

    def secret_works(self, access_key, secret_key):
        """Whether MinIO accepts this access key with this secret (one signed S3 request).

        Any answer past the signature check (a bucket list, or AccessDenied for an account
        without rights) means the secret is right; SignatureDoesNotMatch means it is not.
        A disabled account is refused before its signature is checked: the caller must not
        ask about one.
        """
        try:
            self.client(access_key, secret_key).list_buckets()
        except Exception as exc:
            code = error_code(exc)[1]
            if code in ("SignatureDoesNotMatch", "InvalidAccessKeyId"):
                return False
            if code == "AccessDenied":
                return True
            with translated("check the secret of %s" % access_key, self.endpoint):
                raise
        return True
