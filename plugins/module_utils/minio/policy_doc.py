# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IAM policy documents: parse, normalise and compare them the way MinIO evaluates them.

MinIO re-serialises stored policies (key order, whitespace, one-element lists written as a
bare string or the other way round), so the modules compare normalised documents.
"""

from __future__ import annotations

import json

# Keys whose value is a set of strings: order and a bare string vs a one-element list do not matter.
_SET_KEYS = ("Action", "NotAction", "Resource", "NotResource")


class PolicyError(ValueError):
    """The policy is not a JSON object of the IAM policy shape."""


def load_policy(policy):
    """A policy given as a dict or a JSON string, as a dict."""
    if isinstance(policy, (bytes, bytearray)):
        policy = policy.decode("utf-8")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as exc:
            raise PolicyError("policy is not valid JSON: %s" % exc) from None
    if not isinstance(policy, dict):
        raise PolicyError("policy must be a JSON object (a dict), not %s" % type(policy).__name__)
    statements = policy.get("Statement")
    if not isinstance(statements, (list, dict)) or not statements:
        raise PolicyError("policy needs a non-empty Statement list")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError("every policy statement needs an Effect of Allow or Deny")
    return policy


def _as_set(value):
    values = value if isinstance(value, list) else [value]
    return sorted({str(v) for v in values})


def _normalise_condition(condition):
    return {operator: {key: _as_set(value) for key, value in (clauses or {}).items()}
            for operator, clauses in condition.items() if clauses}


def _normalise_statement(statement):
    out = {}
    for key, value in statement.items():
        if key in _SET_KEYS:
            out[key] = _as_set(value)
        elif key == "Condition":
            if value:
                out[key] = _normalise_condition(value)
        elif key == "Sid":
            if value:
                out[key] = value
        elif key == "Principal" and isinstance(value, dict):
            out[key] = {k: _as_set(v) for k, v in value.items()}
        else:
            out[key] = value
    return out


def normalise_policy(policy):
    """A canonical form of `policy` (dict or JSON string): equal forms mean the same policy."""
    policy = load_policy(policy)
    statements = policy.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    normalised = [_normalise_statement(s) for s in statements]
    out = {k: v for k, v in policy.items() if k != "Statement" and not (k in ("Id", "ID") and not v)}
    # Statement order does not change what a policy allows; duplicates add nothing.
    unique = {json.dumps(s, sort_keys=True): s for s in normalised}
    out["Statement"] = [unique[k] for k in sorted(unique)]
    return out


def policies_equal(a, b):
    """Whether two policies (dicts or JSON strings, None for no policy) mean the same."""
    if a is None or b is None:
        return a is None and b is None
    return normalise_policy(a) == normalise_policy(b)


def policy_text(policy):
    """A stable JSON text of a policy, for diffs."""
    return json.dumps(normalise_policy(policy), sort_keys=True, indent=2) if policy is not None else None
