"""Processes the harness starts: free loopback ports, log capture, readiness, teardown."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"


def cache_dir(*parts: str) -> Path:
    """Where built servers and other slow-to-make things live between runs (outside the repo)."""
    base = os.environ.get("ONPREM_MLFLOW_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "onprem-mlflow"
    )
    path = Path(base, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    """A test server did not start; the message carries the tail of its log."""


class Server:
    """One server process in its own process group, its output in a log file.

    `stop()` kills the whole group, so helpers the server spawned (uvicorn workers,
    PostgreSQL backends) go with it.
    """

    def __init__(self, name: str, argv: list[str], log_path: Path, env: dict | None = None,
                 cwd: str | os.PathLike | None = None):
        self.name = name
        self.argv = argv
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, why: str) -> ServerError:
        return ServerError(f"{self.name} {why}. Last lines of {self.log_path}:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_http(self, url: str, timeout: float = 60, ok=(200,), headers: dict | None = None) -> None:
        """Poll `url` until it answers with one of `ok`; fail with the log if the process dies."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise self.fail(f"exited with code {self.proc.returncode} before {url} answered")
            try:
                req = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - the harness's own loopback URLs
                with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 - loopback only
                    if resp.status in ok:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                if exc.code in ok:
                    return
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.3)
        raise self.fail(f"did not answer {url} within {timeout:.0f}s (last: {last})")

    def wait_port(self, port: int, host: str = LOOPBACK, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise self.fail(f"exited with code {self.proc.returncode} before port {port} opened")
            with contextlib.closing(socket.socket()) as sock:
                sock.settimeout(1)
                if sock.connect_ex((host, port)) == 0:
                    return
            time.sleep(0.2)
        raise self.fail(f"did not listen on {host}:{port} within {timeout:.0f}s")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group, SIGKILL what is left after `timeout` seconds."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self._log.close()
