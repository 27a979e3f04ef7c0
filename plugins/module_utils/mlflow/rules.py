# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The MLflow server's own rules on names and passwords, defined once: the modules check them
before any change, and the tenants filters check the inventory against the same values."""

from __future__ import annotations

import re

# A DNS-1123 label of 2-63 characters: what MLflow workspaces, Kubernetes namespaces and bucket
# suffixes all accept.
NAME_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Workspace names MLflow refuses: they are URL path segments of its server.
RESERVED_WORKSPACES = frozenset(("default", "workspaces", "api", "ajax-api", "static-files"))
# mlflow.utils.validation._validate_password
MIN_PASSWORD_LENGTH = 12
