"""quire.PackageBuilder end to end: a workspace staged, built and pushed
from Python, checked with the CLI (quire status, meta, commit, install).

Run: PYTHONPATH=build/<name>/python /usr/bin/python3 -m pytest \
	contrib/python/tests/test_builder.py
The CLI is $QUIRE_BUILD_DIR/quire, else the quire beside the module's
build folder.
"""

import json
import os
import re
import shutil
import sys
import threading
import urllib.parse

import pytest

from conftest import run_quire

quire = pytest.importorskip("quire")
if not hasattr(quire, "PackageBuilder"):
    pytest.skip("quire has no PackageBuilder", allow_module_level=True)
PackageBuilder = quire.PackageBuilder


def cli(*args, cwd=None):
    """The CLI's stdout, stripped; a failure fails the test."""
    return run_quire(*args, cwd=cwd).stdout.strip()


def write(path, data):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), "w") as f:
        f.write(data)


def tree(folder):
    """{relative path: text} of a folder, without quire's own files."""
    found = {}
    for root, dirs, names in os.walk(str(folder)):
        dirs[:] = [d for d in dirs if d != ".quire"]
        for name in names:
            if name != ".quireignore":
                path = os.path.join(root, name)
                with open(path) as f:
                    found[os.path.relpath(path, str(folder))] = f.read()
    return found


@pytest.fixture
def env(tmp_path, monkeypatch, quire_home):
    """A data folder (README.md, train/1..3.txt, labels.json) that is the
    current folder, a folder registry, and a HOME of the test's own."""
    data = tmp_path / "data"
    write(data / "README.md", "# Dataset\n")
    for i in (1, 2, 3):
        write(data / "train" / ("%d.txt" % i), "train %d\n" % i)
    write(data / "labels.json", '{"1": "cat"}\n')
    monkeypatch.chdir(data)
    reg = tmp_path / "reg"
    return {"tmp": tmp_path, "data": data, "reg": str(reg),
            "url": "file://" + urllib.parse.quote(os.path.realpath(str(reg)))}


def registry_top(reg, rev):
    """The top hash rev names in the registry reg, as quire show says."""
    return json.loads(cli("show", "-r", reg, rev, "--json"))["top_hash"]


def stage_example(b):
    b.add("README.md")
    b.add("train")
    b.set("meta/labels.json", "labels.json", meta={"kind": "labels", "n": 1})
    b.set_meta({"owner": "lab", "tags": ["a", "é"]})


# ---- the workspace --------------------------------------------------------

def test_a_new_builder_makes_a_workspace_as_init_does(env):
    b = PackageBuilder("lab/data")
    assert os.path.isdir(".quire/objects")
    assert os.path.isfile(".quireignore")
    assert b.name == "lab/data"
    assert b.dir == os.path.realpath(str(env["data"]))
    assert b.top_hash is None
    assert cli("config", "package.name") == "lab/data"
    assert "no commits yet" in cli("status")


def test_dir_names_the_workspace_and_is_created(env):
    b = PackageBuilder("lab/data", dir=str(env["tmp"] / "other" / "ws"))
    assert os.path.isdir(str(env["tmp"] / "other" / "ws" / ".quire"))
    assert not os.path.exists(".quire")
    b.add(str(env["data"] / "README.md"), prefix="README.md")
    status = json.loads(cli("status", "--json", cwd=b.dir))
    assert [c["logical_key"] for c in status["changes"]] == ["README.md"]


def test_a_workspace_of_another_package_is_refused(env):
    cli("init", "-q", "lab/other")
    with pytest.raises(quire.UsageError,
                       match="is the workspace of lab/other, not lab/data"):
        PackageBuilder("lab/data")
    # the same name opens it, and so does open()
    assert PackageBuilder("lab/other").name == "lab/other"
    assert PackageBuilder.open(".").name == "lab/other"


def test_a_workspace_without_a_name_takes_the_builders(env):
    cli("init", "-q")
    PackageBuilder("lab/data")
    assert cli("config", "package.name") == "lab/data"


def test_open_outside_a_workspace_is_not_found(env):
    outside = run_quire("status", cwd=str(env["tmp"]), check=False)
    if outside.returncode == 0:
        pytest.skip("a folder above %s is a workspace" % env["tmp"])
    with pytest.raises(quire.NotFoundError, match="not in a quire workspace"):
        PackageBuilder.open(str(env["tmp"]))


def test_open_of_a_workspace_without_a_name_is_refused(env):
    cli("init", "-q")
    with pytest.raises(quire.UsageError, match="has no package name"):
        PackageBuilder.open(".")


def test_a_bad_package_name_is_a_usage_error(env):
    with pytest.raises(quire.UsageError):
        PackageBuilder("no-slash")
    with pytest.raises(quire.UsageError):
        PackageBuilder(None)
    assert not os.path.exists(".quire")


# ---- staging: what quire status and quire meta see -------------------------

def test_quire_status_sees_what_python_staged(env):
    b = PackageBuilder("lab/data")
    stage_example(b)
    status = json.loads(cli("status", "--json"))
    assert status["name"] == "lab/data"
    assert sorted((c["status"], c["logical_key"])
                  for c in status["changes"]) == [
        ("added", "README.md"), ("added", "meta/labels.json"),
        ("added", "train/1.txt"), ("added", "train/2.txt"),
        ("added", "train/3.txt"), ("metadata", "(package)")]
    assert json.loads(cli("meta", "meta/labels.json")) == {
        "kind": "labels", "n": 1}
    assert json.loads(cli("meta", "--package")) == {
        "owner": "lab", "tags": ["a", "é"]}


def test_status_is_what_quire_status_json_says(env):
    b = PackageBuilder("lab/data")
    stage_example(b)
    assert b.status() == json.loads(cli("status", "--json"))
    b.build_manifest()
    write(env["data"] / "train" / "4.txt", "new\n")
    write(env["data"] / "train" / "x.tmp", "ignored\n")
    write(env["data"] / "train" / ".quireignore", "*.tmp\n")
    write(env["data"] / "train" / "1.txt", "changed\n")
    os.remove("README.md")
    got = b.status()
    assert got == json.loads(cli("status", "--json"))
    assert got["top_hash"] == b.top_hash
    assert [(c["status"], c["logical_key"]) for c in got["changes"]] == [
        ("missing", "README.md"), ("modified", "train/1.txt"),
        ("new", "train/.quireignore"), ("new", "train/4.txt")]
    ignored = b.status(ignored=True)
    assert ignored["changes"][-1] == {"status": "ignored",
                                      "logical_key": "train/x.tmp"}
    assert ignored == json.loads(cli("status", "--json", "--ignored"))


def test_add_with_a_prefix_puts_a_folder_below_it(env):
    b = PackageBuilder("lab/data")
    assert b.add("train", prefix="val2017/") is b
    keys = [c["logical_key"]
            for c in json.loads(cli("status", "--json"))["changes"]]
    assert keys == ["val2017/1.txt", "val2017/2.txt", "val2017/3.txt"]


def test_set_changes_the_metadata_of_a_staged_entry(env):
    b = PackageBuilder("lab/data")
    b.add("README.md")
    b.set("README.md", meta={"lang": "en"})
    assert json.loads(cli("meta", "README.md")) == {"lang": "en"}
    b.set("README.md", spec="md")
    assert json.loads(cli("meta", "--handler", "README.md"))["spec"] == "md"
    assert json.loads(cli("meta", "README.md")) == {"lang": "en"}


def test_staging_refusals_say_what_is_wrong(env):
    b = PackageBuilder("lab/data")
    with pytest.raises(quire.NotFoundError, match="'nope' is not staged"):
        b.set("nope", meta={"a": 1})
    with pytest.raises(quire.UsageError, match="'train' is not a file"):
        b.set("x", "train")
    with pytest.raises(quire.UsageError):
        b.set("../up", "README.md")
    with pytest.raises(quire.UsageError, match="meta must be a dict"):
        b.set("x", "README.md", meta=[1])
    with pytest.raises(quire.UsageError, match="meta must be a dict"):
        b.set_meta(["owner"])
    # a str is an entry's key (the seeds' set_meta(key, meta=...))
    with pytest.raises(quire.NotFoundError, match="'owner' is not staged"):
        b.set_meta("owner", meta={"a": 1})
    with pytest.raises(quire.QuireError):
        b.add("missing-file")
    with pytest.raises(TypeError):
        b.add(None)
    # nothing was staged by the refusals
    assert json.loads(cli("status", "--json"))["changes"] == []


def test_a_refused_add_of_several_keeps_nothing(env):
    b = PackageBuilder("lab/data")
    write(env["data"] / "ignored.tmp", "x")
    write(env["data"] / ".quireignore", "*.tmp\n")
    with pytest.raises(quire.QuireError, match="ignored.tmp"):
        b.add("ignored.tmp")
    assert b.add("ignored.tmp", force=True) is b
    keys = [c["logical_key"]
            for c in json.loads(cli("status", "--json"))["changes"]]
    assert keys == ["ignored.tmp"]


# ---- build_manifest: the CLI's top hash ----------------------------------

def test_build_manifest_gives_the_clis_top_hash(env):
    copy = env["tmp"] / "copy"
    shutil.copytree(str(env["data"]), str(copy))
    b = PackageBuilder("lab/data")
    stage_example(b)
    top = b.build_manifest()
    assert re.fullmatch("[0-9a-f]{64}", top)
    assert b.top_hash == top
    assert cli("rev-parse", "HEAD") == top
    assert "nothing to commit" in cli("status")

    cli("init", "-q", "lab/data", cwd=str(copy))
    cli("add", "-q", "README.md", "train", cwd=str(copy))
    cli("set", "--meta", '{"kind": "labels", "n": 1}', "meta/labels.json",
        "labels.json", cwd=str(copy))
    cli("meta", "--package", '{"owner": "lab", "tags": ["a", "é"]}',
        cwd=str(copy))
    assert cli("commit", "-q", cwd=str(copy)) == top

    # with a message, as quire commit -m
    b.set_meta({"owner": "lab"})
    cli("meta", "--package", '{"owner": "lab"}', cwd=str(copy))
    assert b.build_manifest(message="v2") == cli("commit", "-q", "-m", "v2",
                                                 cwd=str(copy))


def test_build_manifest_again_changes_nothing(env):
    b = PackageBuilder("lab/data")
    b.add("train")
    top = b.build_manifest()
    assert b.build_manifest() == top
    assert cli("log", "--oneline").count("\n") == 0


def test_build_manifest_refuses_missing_files(env):
    b = PackageBuilder("lab/data")
    b.add("train")
    os.remove("train/2.txt")
    with pytest.raises(quire.NotFoundError, match="train/2.txt"):
        b.build_manifest()
    assert b.top_hash is None


# ---- push, as_package and their refusals -----------------------------------

LOCAL_FILES = ("Manifest contains pointers to local files. Use push_data() "
               "to first push those files to s3 or use allow_local_files="
               "True if this is intentional")
LOCAL_MANIFEST = ("The manifest has not been pushed to a remote repository. "
                  "Use push_manifest() to first push the manifest to s3 or "
                  "use allow_local_manifest=True if this is intentional")

needs_package = pytest.mark.skipif(not hasattr(quire, "Package"),
                                   reason="quire has no Package yet")


def test_as_package_refuses_before_anything_is_built(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    with pytest.raises(quire.UsageError, match="build_manifest"):
        b.as_package()


def test_the_flow_refusals_then_push_data_then_push_manifest(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    stage_example(b)
    top = b.build_manifest()
    with pytest.raises(quire.UsageError, match=re.escape(LOCAL_FILES)) as e:
        b.as_package()
    assert "5 entries, first: 'README.md'" in str(e.value)
    with pytest.raises(quire.UsageError, match=re.escape(LOCAL_MANIFEST)):
        b.as_package(allow_local_files=True)

    out = b.push_data(prefix="/data/v0")
    assert out == {"registry": env["url"], "uploaded": 5, "reused": 0,
                   "bytes": out["bytes"]}
    assert tree(os.path.join(env["reg"], "data", "v0")) == {
        "README.md": "# Dataset\n", "meta/labels.json": '{"1": "cat"}\n',
        "train/1.txt": "train 1\n", "train/2.txt": "train 2\n",
        "train/3.txt": "train 3\n"}
    # the top hash does not move with the physical keys
    assert b.top_hash == top
    with pytest.raises(quire.UsageError, match=re.escape(LOCAL_MANIFEST)):
        b.as_package()
    # a second push_data has nothing left to copy
    assert b.push_data(prefix="/data/v0")["uploaded"] == 0


@needs_package
def test_push_manifest_gives_a_package_that_quire_installs(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    stage_example(b)
    top = b.build_manifest()
    b.push_data(prefix="data/v0/")
    pkg = b.push_manifest(tag="v0")
    assert pkg.top_hash == top
    assert all(e.physical_key.startswith(env["url"] + "/data/v0/")
               for _, e in pkg.walk())
    assert b.as_package().top_hash == top
    assert registry_top(env["reg"], "lab/data:v0") == top

    dest = env["tmp"] / "installed"
    cli("install", "-q", "-r", env["reg"], "lab/data:v0", "--to", str(dest))
    assert tree(dest) == {
        "README.md": "# Dataset\n", "meta/labels.json": '{"1": "cat"}\n',
        "train/1.txt": "train 1\n", "train/2.txt": "train 2\n",
        "train/3.txt": "train 3\n"}
    assert json.loads(cli("meta", "-r", env["reg"], "lab/data:v0",
                          "meta/labels.json")) == {"kind": "labels", "n": 1}


@needs_package
def test_from_package_changes_a_pushed_version(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    stage_example(b)
    v0 = b.push(tag="v0")
    dest = env["tmp"] / "change"
    b2 = PackageBuilder.from_package(v0, dest)
    assert b2.name == "lab/data" and b2.top_hash == v0.top_hash
    assert b2.dir == os.path.realpath(str(dest))
    b2.set("train/1.txt", env["data"] / "labels.json", meta={"v": 2})
    v1 = b2.push()
    assert v1.top_hash != v0.top_hash
    assert v1["train/1.txt"].get_bytes() == b'{"1": "cat"}\n'
    assert v1["train/2.txt"].get_bytes() == b"train 2\n"
    assert registry_top(env["reg"], "lab/data") == v1.top_hash


def test_as_package_builder_changes_a_version_without_its_data(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    stage_example(b)
    v0 = b.push(tag="v0")
    dest = env["tmp"] / "onpkg"
    b2 = v0.as_package_builder(dest)
    # the entries are staged with their physical keys: no file was fetched
    assert sorted(b2.staged()) == sorted(v0.keys())
    assert not os.path.exists(dest / "train")
    assert not os.path.exists(dest / "README.md")
    b2.set("train/1.txt", env["data"] / "labels.json")
    v1 = b2.push()
    assert registry_top(env["reg"], "lab/data") == v1.top_hash
    assert v1["train/1.txt"].get_bytes() == b'{"1": "cat"}\n'
    assert v1["train/2.txt"].physical_key == v0["train/2.txt"].physical_key


def test_add_a_package_and_move_a_folder(env):
    b = PackageBuilder("lab/more", registry=env["reg"])
    b.add("train", prefix="new/")
    other = b.push()
    b2 = PackageBuilder("lab/data", dir=env["tmp"] / "w2",
                        registry=env["reg"])
    b2.add(env["data"] / "train")
    assert sorted(b2.staged()) == ["train/1.txt", "train/2.txt",
                                   "train/3.txt"]
    b2.add(other)
    assert b2.staged("new/") == ["new/1.txt", "new/2.txt", "new/3.txt"]
    with pytest.raises(quire.ConflictError, match=re.escape(
            'Collision detected. moving "new/1.txt" to "train/1.txt", '
            'but "train/1.txt" already exists.')):
        b2.move_dir_contents("new/", "train/")
    assert b2.staged("new/") == ["new/1.txt", "new/2.txt", "new/3.txt"]
    with pytest.raises(quire.ConflictError):
        b2.add(other)       # its keys are staged already
    b2.move_dir_contents("new", "old", overwrite=True)
    assert b2.staged("new/") == []
    assert b2.staged("old/") == ["old/1.txt", "old/2.txt", "old/3.txt"]
    assert b2.move("old/1.txt", "train/", overwrite=True) == 1
    # the CLI sees the same index
    out = json.loads(cli("status", "--json", cwd=b2.dir))
    assert {c["logical_key"] for c in out["changes"]} == \
        {"old/2.txt", "old/3.txt", "train/1.txt", "train/2.txt",
         "train/3.txt"}


@needs_package
def test_as_package_with_both_opt_outs_reads_the_local_manifest(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    stage_example(b)
    top = b.build_manifest()
    pkg = b.as_package(allow_local_files=True, allow_local_manifest=True)
    assert pkg.top_hash == top
    assert sorted(pkg.keys()) == [
        "README.md", "meta/labels.json", "train/1.txt", "train/2.txt",
        "train/3.txt"]
    # nothing went to the registry
    assert not os.path.exists(env["reg"])


def test_push_builds_what_is_staged_first(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    b.add("train")
    out = b.push_data()
    assert out["uploaded"] == 3
    top = b.top_hash
    assert top is not None
    assert os.path.isfile(os.path.join(env["reg"], "lab", "data", "train",
                                       "1.txt"))
    b.add("README.md")
    b.push()
    assert b.top_hash != top
    assert registry_top(env["reg"], "lab/data") == b.top_hash


def test_push_data_local_files_only_copies_the_local_files(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    b.add("train")
    out = b.push_data(local_files_only=True, prefix="only/")
    assert out["uploaded"] == 3
    assert sorted(os.listdir(os.path.join(env["reg"], "only"))) == ["train"]


def test_a_moved_latest_is_a_conflict_naming_both_hashes(env):
    first = PackageBuilder("lab/data", registry=env["reg"])
    first.add("train")
    first.push()
    base = first.top_hash

    other = env["tmp"] / "other"
    other.mkdir()
    second = PackageBuilder("lab/data", dir=str(other), registry=env["reg"])
    write(other / "x.txt", "x\n")
    second.add(str(other / "x.txt"))
    with pytest.raises(quire.ConflictError, match="not built from it"):
        second.push()
    second.push(force=True)
    moved = second.top_hash

    first.add("README.md")
    first.build_manifest()
    with pytest.raises(quire.ConflictError) as e:
        first.push_manifest()
    assert moved in str(e.value) and base in str(e.value)
    assert registry_top(env["reg"], "lab/data") == moved
    first.push_manifest(force=True)
    assert registry_top(env["reg"], "lab/data") == first.top_hash


def test_a_tag_moves_only_with_force_tag(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    b.add("train")
    b.push(tag="v1")
    v1 = b.top_hash
    b.add("README.md")
    b.build_manifest()
    with pytest.raises(quire.ConflictError, match="--force-tag"):
        b.push_manifest(tag="v1")
    assert registry_top(env["reg"], "lab/data:v1") == v1
    b.push_manifest(tag="v1", force_tag=True)
    assert registry_top(env["reg"], "lab/data:v1") == b.top_hash


def test_push_refusals_are_usage_errors(env):
    b = PackageBuilder("lab/data", registry=env["reg"])
    b.add("train")
    with pytest.raises(quire.UsageError, match="invalid --prefix"):
        b.push_data(prefix="../up")
    with pytest.raises(quire.UsageError, match="invalid tag"):
        b.push_manifest(tag="bad tag")


def test_hashing_releases_the_gil(env):
    with open("big.bin", "wb") as f:
        f.write(b"\0" * (64 << 20))
    b = PackageBuilder("lab/data")
    b.add("big.bin")
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    # switch threads only where the GIL is given up, not on a timer
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    t = threading.Thread(target=spin)
    try:
        t.start()
        before = count[0]
        b.build_manifest()
        during = count[0] - before
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(interval)
    # with the GIL held through the hashing, the other thread cannot run
    assert during > 0


def test_threads_share_a_builder_safely(env):
    for i in range(40):
        write(env["data"] / "many" / ("%02d.txt" % i), "file %d\n" % i)
    b = PackageBuilder("lab/data")
    errors = []

    def stage(i):
        try:
            b.add("many/%02d.txt" % i)
        except Exception as e:     # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=stage, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(json.loads(cli("status", "--json"))["changes"]) == 40
    b.build_manifest()
    assert "nothing to commit" in cli("status")


# ---- on the S3 test server ----------------------------------------------

def s3_put(s3_env, objects):
    """Put {key: bytes} into the test bucket, with boto3 (not quire)."""
    boto3 = pytest.importorskip("boto3")
    import botocore.config
    client = boto3.client("s3", endpoint_url=s3_env.endpoint,
                          config=botocore.config.Config(
                              s3={"addressing_style": "path"}))
    for key, data in objects.items():
        client.put_object(Bucket=s3_env.bucket, Key=key, Body=data)


@pytest.fixture
def s3_source(s3_env, s3_registry):
    """Two objects below s3://<bucket>/<fresh prefix>/validation/."""
    src = s3_registry.split("/", 3)[3] + "-src"
    s3_put(s3_env, {src + "/validation/a.txt": b"val a\n",
                    src + "/validation/b.txt": b"val b\n"})
    return "s3://%s/%s/validation/" % (s3_env.bucket, src)


def test_s3_add_a_prefix_push_and_install(env, s3_registry, s3_source):
    copy = env["tmp"] / "copy"
    shutil.copytree(str(env["data"]), str(copy))
    b = PackageBuilder("lab/s3", registry=s3_registry)
    b.add("train")
    b.add(s3_source, prefix="val2017/")
    keys = [c["logical_key"]
            for c in json.loads(cli("status", "--json"))["changes"]]
    assert keys == ["train/1.txt", "train/2.txt", "train/3.txt",
                    "val2017/a.txt", "val2017/b.txt"]
    top = b.build_manifest()

    # the CLI builds the same version from the same sources
    cli("init", "-q", "lab/s3", cwd=str(copy))
    cli("add", "-q", "train", cwd=str(copy))
    cli("add", "-q", "--as", "val2017/", s3_source, cwd=str(copy))
    assert cli("commit", "-q", cwd=str(copy)) == top

    with pytest.raises(quire.UsageError, match=re.escape(LOCAL_FILES)) as e:
        b.as_package()
    assert "3 entries, first: 'train/1.txt'" in str(e.value)
    out = b.push_data(prefix="data/v0/", local_files_only=True)
    assert (out["uploaded"], out["reused"]) == (3, 0)
    with pytest.raises(quire.UsageError, match=re.escape(LOCAL_MANIFEST)):
        b.as_package()

    pkg = b.push_manifest(tag="v0")
    assert pkg.top_hash == top
    physical = {k: e.physical_key for k, e in pkg.walk()}
    # the S3 objects stayed where they were; the local files were copied
    assert physical["val2017/a.txt"].startswith(s3_source + "a.txt")
    # below data/v0/ (Swift has no conditional writes: in the version's
    # own folder there, see quire-push-data(1))
    assert physical["train/1.txt"].startswith(s3_registry + "/data/v0/")
    assert physical["train/1.txt"].endswith("/train/1.txt")
    assert b.as_package().top_hash == top

    dest = env["tmp"] / "installed"
    cli("install", "-q", "-r", s3_registry, "lab/s3:v0", "--to", str(dest))
    assert tree(dest) == {"train/1.txt": "train 1\n",
                          "train/2.txt": "train 2\n",
                          "train/3.txt": "train 3\n",
                          "val2017/a.txt": "val a\n",
                          "val2017/b.txt": "val b\n"}


def test_s3_a_moved_latest_is_a_conflict(env, s3_registry):
    first = PackageBuilder("lab/s3", registry=s3_registry)
    first.add("train")
    first.push()
    base = first.top_hash
    other = env["tmp"] / "other"
    other.mkdir()
    write(other / "x.txt", "x\n")
    second = PackageBuilder("lab/s3", dir=str(other), registry=s3_registry)
    second.add(str(other / "x.txt"))
    second.push(force=True)

    first.add("README.md")
    first.build_manifest()
    with pytest.raises(quire.ConflictError) as e:
        first.push()
    assert second.top_hash in str(e.value) and base in str(e.value)
    assert registry_top(s3_registry, "lab/s3") == second.top_hash
