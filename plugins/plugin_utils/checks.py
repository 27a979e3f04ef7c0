# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two faces of an inventory check, for the roles' filters.

A role validates its whole input first and prints every failed rule at once, so each check is
used two ways: as a filter that converts a value or fails the task (checked), and as a filter
that returns the message or "" for an assert (problem).
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def problem_of(check, *args):
    """The message of the ValueError check(*args) raises, or None when it passes."""
    try:
        check(*args)
    except ValueError as exc:
        return str(exc)
    return None


def checked(check):
    """A filter that returns check(...) and turns its ValueError into a failed task."""
    def run(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValueError as exc:
            raise AnsibleFilterError(str(exc)) from None
    run.__name__ = check.__name__
    run.__doc__ = check.__doc__
    return run


def problem(check):
    """A filter that returns the message of check(...)'s ValueError, or "" when it passes."""
    def run(*args):
        return problem_of(check, *args) or ""
    run.__name__ = check.__name__ + "_problem"
    return run
