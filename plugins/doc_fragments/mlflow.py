# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The connection options of every onprem.mlflow.mlflow_* module (module_utils/mlflow/client.py).
    DOCUMENTATION = r"""
options:
  tracking_uri:
    description:
      - Base URL of the MLflow tracking server, for example V(https://mlflow.example.com) or V(http://127.0.0.1:5000).
      - The server must run with C(--app-name basic-auth); workspace modules also need C(--enable-workspaces).
      - If not set, the environment variable E(MLFLOW_TRACKING_URI) is used.
    type: str
    required: true
  admin_username:
    description:
      - An MLflow admin user (C(is_admin=true)) the module authenticates as with HTTP basic auth.
      - If not set, the environment variable E(MLFLOW_TRACKING_USERNAME) is used.
    type: str
    required: true
  admin_password:
    description:
      - Password of O(admin_username). Never logged.
      - If not set, the environment variable E(MLFLOW_TRACKING_PASSWORD) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate for V(https) URLs. Only V(false) for test servers.
    type: bool
    default: true
  ca_path:
    description:
      - File with the CA certificates (PEM) that signed the server's certificate.
      - Without it the system's trust store is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - Connection errors and HTTP 5xx answers are retried 3 times with a growing pause (1, 2, 4 seconds) first.
    type: int
    default: 30
notes:
  - Every request authenticates with a password-hash check on the server. Enable the server's auth cache
    (C(auth_cache_ttl_seconds) in the auth ini) when managing many objects; the modules read one list per
    kind of object rather than one request per object.
  - An HTTP 401 or 403 answer means the admin credentials were rejected; an unreachable server is reported with its URL.
  - Errors name the URL, the HTTP status and MLflow's error code; they never contain a server answer, which may
    carry secrets (a duplicate-user error contains the password hash).
"""
