"""Fixtures the Python tests share.

Run by t/t9950-python.sh (make test) as
    PYTHONPATH=$QUIRE_BUILD_DIR/python QUIRE_BUILD_DIR=... \
        /usr/bin/python3 -m pytest -q contrib/python/tests

quire_home      a fresh HOME, XDG_DATA_HOME and XDG_CACHE_HOME for one test
                (so an empty cache and default registry), QUIRE_REGISTRY
                and AWS_PROFILE unset
quire_cli       run the CLI ($QUIRE_BUILD_DIR/quire): quire_cli("ls", ...) gives
                the CompletedProcess (text); check=False to look at failures
small_package   a package lab/small pushed with the CLI to a file://
                registry (made once per session): files with metadata, a
                README.md, a 20 MiB file, tagged v1; .registry, .name, .top_hash,
                .files (logical key -> bytes), .meta (key -> user meta)
s3_env          the S3 test server that t9950 started (S3_ENDPOINT and the
                AWS_* settings in the environment); skips when there is
                none, fails when QUIRE_REQUIRE_S3=1
s3_registry     a new s3:// registry (a fresh prefix in the test bucket)
write_raw_manifest(root, name, entries)
                a manifest written by hand into a folder registry (for
                what the CLI would refuse to write)
require         require("torch") imports a module or skips (fails when
                QUIRE_REQUIRE_PYTHON=1)
"""

import base64
import hashlib
import importlib
import json
import os
import subprocess
import urllib.parse
import uuid
from types import SimpleNamespace

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def quire_path():
    build = os.environ.get("QUIRE_BUILD_DIR") or os.path.join(TOP, "build")
    return os.path.join(build, "quire")


def run_quire(*args, cwd=None, check=True, env=None, input=None):
    p = subprocess.run([quire_path()] + [str(a) for a in args], cwd=cwd,
                       env=env, input=input, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("quire %s failed (%d): %s" %
                             (" ".join(map(str, args)), p.returncode,
                              p.stderr))
    return p


def fresh_home(root, setenv):
    for sub in ("home", "data", "cache"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    setenv("HOME", os.path.join(root, "home"))
    setenv("XDG_DATA_HOME", os.path.join(root, "data"))
    setenv("XDG_CACHE_HOME", os.path.join(root, "cache"))


@pytest.fixture
def quire_home(tmp_path, monkeypatch):
    for var in ("QUIRE_REGISTRY", "AWS_PROFILE", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(var, raising=False)
    fresh_home(str(tmp_path / "env"), monkeypatch.setenv)
    return tmp_path / "env"


@pytest.fixture
def quire_cli():
    return run_quire


@pytest.fixture
def require():
    def need(name):
        try:
            return importlib.import_module(name)
        except ImportError:
            if os.environ.get("QUIRE_REQUIRE_PYTHON") == "1":
                raise
            pytest.skip("%s is not installed" % name)
    return need


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


BIG = 20 << 20


def big_bytes():
    block = bytes(range(256)) * 4096   # 1 MiB, every byte value
    return b"".join(bytes([i]) + block[1:] for i in range(BIG >> 20))


def make_package(root, registry, name="lab/small", extra=None):
    """Push a package with the CLI; the namespace fixture describes."""
    files = {
        "README.md": b"# small\n\nA package for the tests.\n",
        "a.txt": b"hello\n",
        "train/0001.jpg": b"\xff\xd8jpeg one",
        "train/0002.jpg": b"\xff\xd8jpeg two",
        "val/x.csv": b"a,b\n1,2\n",
        "big.bin": big_bytes(),
    }
    files.update(extra or {})
    meta = {"train/0001.jpg": {"label": 1, "annotations": [[0, 0, 4, 4]]},
            "val/x.csv": {"kind": "table"}}
    ws = os.path.join(root, "ws")
    os.makedirs(ws)
    run_quire("init", name, cwd=ws)
    for key, data in files.items():
        write(os.path.join(ws, key), data)
    run_quire("add", ".", cwd=ws)
    for key, m in meta.items():
        import json
        run_quire("set", key, key, "--meta", json.dumps(m), cwd=ws)
    top = run_quire("commit", "-m", "first", cwd=ws).stdout.split()[-1]
    run_quire("push", "-t", "v1", registry, cwd=ws)
    return SimpleNamespace(registry=registry, name=name, top_hash=top,
                           files=files, meta=meta, workspace=ws)


@pytest.fixture(scope="session")
def small_package(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    mp = pytest.MonkeyPatch()
    try:
        mp.delenv("QUIRE_REGISTRY", raising=False)
        fresh_home(str(root / "env"), mp.setenv)
        return make_package(str(root), "file://%s" % (root / "registry"))
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def s3_env():
    if not os.environ.get("S3_ENDPOINT"):
        if os.environ.get("QUIRE_REQUIRE_S3") == "1":
            pytest.fail("QUIRE_REQUIRE_S3=1 and no S3 test server: run "
                        "the tests through t/t9950-python.sh")
        pytest.skip("no S3 test server (t/t9950-python.sh starts one)")
    return SimpleNamespace(endpoint=os.environ["S3_ENDPOINT"],
                           bucket=os.environ.get("QUIRE_TEST_S3_BUCKET",
                                                 "pyplain"))


@pytest.fixture
def s3_registry(s3_env):
    return "s3://%s/%s" % (s3_env.bucket, uuid.uuid4().hex[:12])


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def chunked(data):
    digest = hashlib.sha256(hashlib.sha256(data).digest()).digest()
    return base64.b64encode(digest).decode()


def write_raw_manifest(root, name, entries, data=None, dirs=()):
    """A manifest with the given (key, data) entries (in the order
    given) and folder lines dirs ((key, meta), first), its top hash
    right, put in the registry at root as name's latest; the bytes go
    to the folder data (default: root/data)."""
    meta = {"version": "v0"}
    top = hashlib.sha256()
    top.update(canon(meta).encode())
    lines = [json.dumps(meta)]
    lines += [json.dumps({"logical_key": k, "meta": m}) for k, m in dirs]
    for key, blob in entries:
        path = os.path.join(data or os.path.join(root, "data"),
                            "%d" % len(lines))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(blob)
        h = {"type": "sha2-256-chunked", "value": chunked(blob)}
        top.update(canon({"hash": h, "logical_key": key, "meta": {},
                          "size": len(blob)}).encode())
        lines.append(json.dumps({"logical_key": key,
                                 "physical_keys": [
                                     "file://" + urllib.parse.quote(path)],
                                 "size": len(blob), "hash": h,
                                 "meta": {}}))
    top = top.hexdigest()
    pkgs = os.path.join(root, ".quilt", "packages")
    named = os.path.join(root, ".quilt", "named_packages", name)
    os.makedirs(pkgs, exist_ok=True)
    os.makedirs(named, exist_ok=True)
    with open(os.path.join(pkgs, top), "w") as f:
        f.write("\n".join(lines) + "\n")
    for pointer in ("latest", "1700000000"):
        with open(os.path.join(named, pointer), "w") as f:
            f.write(top)
    return top
