# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The connection options of every onprem.mlflow.minio_* module (module_utils/minio/connection.py).
    DOCUMENTATION = r"""
options:
  endpoint_url:
    description:
      - Base URL of the MinIO S3 API, for example V(https://minio.example.com:9000) or V(http://127.0.0.1:9000).
      - Scheme, host and port only; V(https) turns TLS on.
      - If not set, the environment variable E(MINIO_ENDPOINT_URL) is used.
    type: str
    required: true
  login_access_key:
    description:
      - Access key (user name) the module authenticates with.
      - Managing users, policies, service accounts and quotas needs an admin account such as the root user.
      - If not set, the environment variable E(MINIO_ACCESS_KEY) is used.
    type: str
    required: true
  login_secret_key:
    description:
      - Secret key (password) of O(login_access_key). Never logged.
      - If not set, the environment variable E(MINIO_SECRET_KEY) is used.
    type: str
    required: true
  region:
    description:
      - Region the requests are signed for; MinIO's default is V(us-east-1).
      - If not set, the environment variable E(MINIO_REGION) is used.
    type: str
    default: us-east-1
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only V(false) for test servers.
      - If not set, the environment variable E(MINIO_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - File with the CA certificates (PEM) that signed the server's certificate.
      - Without it the system's C(SSL_CERT_FILE) or the certifi bundle is used.
      - If not set, the environment variable E(MINIO_CA_PATH) is used.
    type: path
requirements:
  - minio (Python package, the version in the collection's requirements.txt)
notes:
  - Errors name the endpoint and MinIO's error code; they never contain a secret or a server answer carrying one.
"""
