"""The images the real node runs, built here without any registry (the node tier, harness.kube_node).

No container registry answers on these machines, so every image the platform's manifests name
is made from what the package registries give:

  base      Debian bookworm, `debootstrap --variant=minbase` (+ python3, ca-certificates): the
            one layer every other image but pause and CoreDNS starts from
  postgres  Debian's postgresql-15 on the base, run by an entrypoint that does what the official
            image does with what the StatefulSet passes (POSTGRES_USER, POSTGRES_PASSWORD,
            PGDATA, PGPORT), as uid/gid 999 like the official image's postgres user
  minio     the pinned MinIO server (harness.minio_server builds it) on the base
  mc        the pinned mc on the base (the bootstrap Job runs /bin/sh, so it needs one)
  mlflow    a venv of images/mlflow/requirements.txt on the base, uid 10001 as in
            images/mlflow/Containerfile
  pause     a static Go program alone (tests/harness/coredns/pause)
  coredns   CoreDNS built from its Go module with only the plugins the node needs

Each image is written as an OCI archive (written by hand: a layer is a plain tar, plus a config
and a manifest) named by a hash of everything that goes into it, in the cache. A warm run finds
every archive and only imports them into the session's containerd. A derived layer holds only
what its recipe added to the base, so the base is stored and unpacked once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .budget import ensure
from .gobuild import cached_binary, go_build
from .minio_server import MC_VERSION, MINIO_VERSION, mc_binary, minio_binary
from .procs import cache_dir

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MLFLOW_REQUIREMENTS = REPO / "images" / "mlflow" / "requirements.txt"
COREDNS_MODULE = HERE / "coredns"
COREDNS_VERSION = "v1.14.7"  # tests/harness/coredns/go.mod
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = ["python3", "ca-certificates", "procps"]
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# The PostgreSQL entrypoint: the parts of the official image's docker-entrypoint.sh that the
# StatefulSet relies on. initdb on an empty PGDATA with the superuser and password it is given,
# password authentication for every TCP client, then the server in the foreground. The socket
# directory is the pod's emptyDir; the root file system may be read-only, so the password file
# goes there too.
POSTGRES_ENTRYPOINT = r"""#!/bin/sh
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
if [ "${1:-}" = postgres ]; then shift; fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD is not set: refusing to initialise $PGDATA without a password" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  pwfile=/var/run/postgresql/.initdb-password
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_USER" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_USER\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -c listen_addresses='*' "$@"
"""


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _run(argv: list[str], log: Path, env: dict | None = None) -> None:
    with open(log, "a") as out:
        out.write(f"$ {' '.join(argv)}\n")
        out.flush()
        proc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise RuntimeError(f"`{' '.join(argv)}` failed ({proc.returncode}); log {log}:\n{tail}")


# --- layers -------------------------------------------------------------------------------

def _tar_dir(root: Path, out: Path, only: list[str] | None = None) -> None:
    """A layer tar of `root` (or only the relative paths `only`), owners and modes kept."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        names = only if only is not None else sorted(str(p.relative_to(root)) for p in root.rglob("*"))
        for name in names:
            tar.add(root / name, arcname=name, recursive=False)


def _files_layer(out: Path, files: dict[str, tuple[bytes | Path, int, int]]) -> None:
    """A layer of a few files: path -> (content or a file to copy, mode, uid). Written under a
    temporary name and renamed into place, so a second process never reads a half-written layer."""
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted({str(Path(p).parent) for p in files} - {"."})
        for d in dirs:
            parts = Path(d).parts
            for i in range(1, len(parts) + 1):
                info = tarfile.TarInfo("/".join(parts[:i]))
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                if info.name not in tar.getnames():
                    tar.addfile(info)
        for path, (content, mode, uid) in files.items():
            data = content.read_bytes() if isinstance(content, Path) else content
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, uid
            tar.addfile(info, io.BytesIO(data))
    partial.rename(out)


def _snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            out[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size, st.st_mode, st.st_uid)
    return out


def _diff_layer(root: Path, before: dict, out: Path) -> None:
    """A layer of what changed under `root` since `before` (new or modified paths; the recipes
    here only add, so no whiteouts are needed)."""
    after = _snapshot(root)
    changed = sorted(p for p, st in after.items() if before.get(p) != st)
    _tar_dir(root, out, changed)


# --- OCI archives -----------------------------------------------------------------------------

def _oci_archive(out: Path, ref: str, layers: list[Path], config: dict) -> None:
    """An OCI image layout in a tar, as `ctr images import` reads it, naming the image `ref`."""
    blobs: dict[str, Path | bytes] = {}

    def add(data: bytes | Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        if isinstance(data, Path):
            with open(data, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            size = data.stat().st_size
        else:
            digest.update(data)
            size = len(data)
        blobs[digest.hexdigest()] = data
        return "sha256:" + digest.hexdigest(), size

    diff_ids, layer_descs = [], []
    for layer in layers:
        digest, size = add(layer)
        diff_ids.append(digest)  # uncompressed layers: the digest is the diff id
        layer_descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size})
    image_config = {"architecture": "amd64", "os": "linux", "config": config,
                    "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    config_digest, config_size = add(json.dumps(image_config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest,
                           "size": config_size},
                "layers": layer_descs}
    manifest_digest, manifest_size = add(json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
        "size": manifest_size, "platform": {"architecture": "amd64", "os": "linux"},
        "annotations": {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": ref}}]}
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    with tarfile.open(partial, "w") as tar:
        def put(name: str, data: bytes | Path) -> None:
            if isinstance(data, Path):
                tar.add(data, arcname=name)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

        put("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        put("index.json", json.dumps(index).encode())
        for digest, data in blobs.items():
            put(f"blobs/sha256/{digest}", data)
    partial.rename(out)


# --- recipes -----------------------------------------------------------------------------------

def _chroot(root: Path, script: str, log: Path) -> None:
    """Run a shell script inside `root` (apt and pip need /proc and the host's resolver, both
    only for the build: the image's /etc/resolv.conf is the kubelet's at run time)."""
    shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")
    # The machine's CA bundle, for pip: the way to PyPI may present a certificate of this
    # machine's own authority. Build-time only; removed before the layer is taken.
    host_ca = root / "tmp" / ".build-ca.crt"
    shutil.copy(os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt", host_ca)
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    try:
        env = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_DEFAULT_TIMEOUT": "180",
               "PIP_CERT": "/tmp/.build-ca.crt"}  # noqa: S108 - inside the chroot being built
        _run(["chroot", str(root), "/bin/sh", "-ec", script], log, env=env)
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], check=False)
        (root / "etc" / "resolv.conf").write_text("")
        host_ca.unlink(missing_ok=True)


def base_layer(log: Path) -> Path:
    """The Debian root file system as a layer tar, cached by suite and package list."""
    key = _sha(SUITE, MIRROR, *BASE_PACKAGES)
    out = cache_dir("node-images") / f"base-{key}.tar"

    def make() -> None:
        with tempfile.TemporaryDirectory(dir=cache_dir("node-images")) as tmp:
            root = Path(tmp, "root")
            _run(["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE,
                  str(root), MIRROR], log)
            # What apt leaves behind is not part of an image.
            _chroot(root, "apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin", log)
            partial = Path(tmp, "base.tar")
            _tar_dir(root, partial)
            partial.rename(out)

    ensure("node-image base", key, out.exists, make)
    return out


def _derived(name: str, key: str, script: str, log: Path, files: dict[str, tuple[bytes | Path, int, int]]) -> Path:
    """The layer a recipe adds to the base: `files` copied in, then `script` run in a chroot."""
    out = cache_dir("node-images") / f"{name}-{key}.tar"

    def make() -> None:
        with tempfile.TemporaryDirectory(dir=cache_dir("node-images")) as tmp:
            root = Path(tmp, "root")
            root.mkdir()
            _run(["tar", "-C", str(root), "-xpf", str(base_layer(log))], log)
            before = _snapshot(root)
            for path, (content, mode, uid) in files.items():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
                os.chmod(target, mode)
                os.chown(target, uid, uid)
            if script:
                _chroot(root, script, log)
            partial = Path(tmp, "layer.tar")
            _diff_layer(root, before, partial)
            partial.rename(out)

    ensure(f"node-image {name}", key, out.exists, make)
    return out


def pause_and_coredns(log: Path | None = None) -> dict[str, Path]:
    """The pause program and CoreDNS, in one `go build` of the CoreDNS tools module."""
    module = "github.com/onprem-mlflow/tests/harness/coredns"  # full paths: go_build names binaries by them
    targets = {
        f"{module}/pause": cached_binary("coredns", COREDNS_VERSION, "pause"),
        module: cached_binary("coredns", COREDNS_VERSION, "coredns"),
    }
    go_build(COREDNS_MODULE, "coredns", COREDNS_VERSION, targets, "-s -w", log=log)
    return {"pause": targets[f"{module}/pause"], "coredns": targets[module]}


def recipes(log: Path) -> dict[str, tuple[list[Path], dict]]:
    """name -> (layers, image config) for every image; builds what is missing."""
    go = pause_and_coredns(log.with_name("build-coredns.log"))
    base = base_layer(log)
    minio, mc = minio_binary(), mc_binary()
    requirements = MLFLOW_REQUIREMENTS.read_bytes()

    postgres_script = (
        # The official image's postgres user and group are 999: the StatefulSet runs as them
        # and node_prep gives them the data directory. Made before the package would pick one.
        "groupadd --system --gid 999 postgres\n"
        "useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/sh postgres\n"
        "apt-get update -q\n"
        "apt-get install -y -q --no-install-recommends postgresql-15\n"
        "apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n"
        # Debian's package made a cluster of its own; the entrypoint makes the pod's.
        "rm -rf /var/lib/postgresql/15 /etc/postgresql/15\n"
        "mkdir -p /var/lib/postgresql/data /var/run/postgresql\n"
        "chown -R 999:999 /var/lib/postgresql /var/run/postgresql\n"
    )
    postgres = _derived("postgres", _sha(base.name, postgres_script, POSTGRES_ENTRYPOINT), postgres_script, log,
                        {"usr/local/bin/docker-entrypoint.sh": (POSTGRES_ENTRYPOINT.encode(), 0o755, 0)})
    mlflow_script = (
        "groupadd --system --gid 10001 mlflow\n"
        "useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin mlflow\n"
        "apt-get update -q && apt-get install -y -q --no-install-recommends python3-venv\n"
        "apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n"
        "python3 -m venv /opt/mlflow\n"
        "/opt/mlflow/bin/pip install -q --no-cache-dir --requirement /tmp/requirements.txt\n"
        "rm /tmp/requirements.txt\n"
        "/opt/mlflow/bin/mlflow --version\n"
    )
    mlflow = _derived("mlflow", _sha(base.name, mlflow_script, requirements), mlflow_script, log,
                      {"tmp/requirements.txt": (requirements, 0o644, 0)})
    minio_layer = _derived("minio", _sha(base.name, MINIO_VERSION), "", log,
                           {"usr/bin/minio": (minio, 0o755, 0)})
    mc_layer = _derived("mc", _sha(base.name, MC_VERSION), "", log, {"usr/bin/mc": (mc, 0o755, 0)})
    pause_layer = cache_dir("node-images") / f"pause-{_sha(go['pause'].read_bytes())}.tar"
    if not pause_layer.exists():
        _files_layer(pause_layer, {"pause": (go["pause"], 0o755, 0)})
    coredns_layer = cache_dir("node-images") / f"coredns-{_sha(go['coredns'].read_bytes())}.tar"
    if not coredns_layer.exists():
        _files_layer(coredns_layer, {"coredns": (go["coredns"], 0o755, 0)})

    env = [f"PATH={PATH}"]
    return {
        "pause": ([pause_layer], {"Entrypoint": ["/pause"]}),
        "coredns": ([coredns_layer], {"Entrypoint": ["/coredns"]}),
        "postgres": ([base, postgres], {
            "Entrypoint": ["/usr/local/bin/docker-entrypoint.sh"], "Cmd": ["postgres"], "User": "999:999",
            "Env": [f"PATH=/usr/lib/postgresql/15/bin:{PATH}", "PGDATA=/var/lib/postgresql/data", "LANG=C.UTF-8"],
            "StopSignal": "SIGINT"}),
        "minio": ([base, minio_layer], {"Entrypoint": ["/usr/bin/minio"], "Env": env}),
        "mc": ([base, mc_layer], {"Entrypoint": ["/usr/bin/mc"], "Env": env}),
        "mlflow": ([base, mlflow], {
            # The Containerfile's CMD; the Deployment gives its own command and arguments.
            "Cmd": ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000"],  # noqa: S104 - in a pod
            "User": "10001:10001",
            "Env": [f"PATH=/opt/mlflow/bin:{PATH}", "HOME=/tmp", "PYTHONUNBUFFERED=1"]}),
    }


def build_images(log: Path | None = None) -> dict[str, tuple[str, Path]]:
    """name -> (image reference, OCI archive) of every image, each archive named by its content."""
    log = log or cache_dir("node-images") / "build.log"
    out = {}
    for name, (layers, config) in recipes(log).items():
        key = _sha(json.dumps(config, sort_keys=True), *(p.name for p in layers))
        ref = f"localhost/onprem-mlflow/{name}:{key}"
        archive = cache_dir("node-images") / f"image-{name}-{key}.oci.tar"
        if not archive.exists():
            _oci_archive(archive, ref, layers, config)
        out[name] = (ref, archive)
    return out


def pinned_ref(ref: str, archive: Path) -> str:
    """`ref` pinned by the manifest digest in `archive`, name:tag@sha256:... as the roles ask for
    (containerd's CRI resolves such a reference to the imported image, so nothing is pulled)."""
    with tarfile.open(archive) as tar:
        index = json.load(tar.extractfile("index.json"))
    return f"{ref}@{index['manifests'][0]['digest']}"


def import_images(ctr: list[str], images: dict[str, tuple[str, Path]], log: Path) -> None:
    """Import the archives into containerd's k8s.io namespace (where the kubelet's pods look)."""
    for _name, (ref, archive) in images.items():
        _run([*ctr, "-n", "k8s.io", "images", "import", str(archive)], log)
        # Also by digest: the roles want name@sha256:..., which the CRI resolves by that name only
        # (an import records the tag alone).
        name = ref.rsplit(":", 1)[0]
        digest = pinned_ref(ref, archive).rsplit("@", 1)[1]
        _run([*ctr, "-n", "k8s.io", "images", "tag", "--force", ref, f"{name}@{digest}"], log)
