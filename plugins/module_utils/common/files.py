# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files written on the controller: whole or not at all, with their mode from the start."""

from __future__ import annotations

import os
import tempfile


def atomic_write(path, text, mode=0o600):
    """Write `text` to `path` through a temporary file in the same directory, chmod `mode` before
    the rename: a reader (or a crash) sees the old file or the new one, never half of one, and a
    secret is never readable by others for a moment."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def private_dir(path):
    """Create `path` and its parents with mode 0700; tighten an existing directory to 0700."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o700)
