"""Wait for a condition in a test: poll until it holds, fail naming what did not happen."""

from __future__ import annotations

import time


def wait_until(what: str, check, timeout: float = 60, interval: float = 0.5):
    """Call `check()` every `interval` seconds until it returns something truthy, and return it;
    after `timeout` seconds fail the test, naming `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")
