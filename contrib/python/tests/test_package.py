"""quire.Package, the read side: browse, iterate, entries' bytes,
install, verify, diff and the registry listings, against a file://
registry made by the CLI and against the S3 test server."""

import hashlib
import json
import os
import threading

import pytest

import quire


def browse(pkg_fixture, **kw):
    return quire.Package(pkg_fixture.name, registry=pkg_fixture.registry,
                         **kw)


def test_browse_gives_the_clis_top_hash_and_metadata(small_package,
                                                     quire_home):
    pkg = browse(small_package)
    assert pkg.top_hash == small_package.top_hash
    assert pkg.hash == pkg.top_hash
    assert pkg.name == "lab/small"
    assert pkg.registry == small_package.registry
    assert pkg.meta["version"] == "v0"
    assert pkg.message == "first"
    assert pkg.provenance is None or isinstance(pkg.provenance, dict)


def test_browse_loads_only_the_manifest(small_package, quire_home):
    browse(small_package)
    objects = os.path.join(os.environ["XDG_CACHE_HOME"], "quire", "objects")
    kinds = {os.path.relpath(d, objects).split(os.sep)[0]: len(fs)
             for d, _, fs in os.walk(objects) if fs}
    # the manifest's own bytes only (a SHA256 object), no entry's object
    assert kinds.get("sha2-256-chunked", 0) == 0
    assert kinds.get("SHA256") == 1


def test_browse_by_hash_prefix_tag_and_revision_forms(small_package,
                                                      quire_home):
    top = small_package.top_hash
    assert quire.Package.browse("lab/small", registry=small_package.registry,
                                top_hash=top[:8]).top_hash == top
    assert quire.Package.browse("lab/small", registry=small_package.registry,
                                tag="v1").top_hash == top
    assert quire.Package("lab/small:v1",
                         registry=small_package.registry).top_hash == top
    by_url = quire.Package("%s#lab/small@%s" % (small_package.registry,
                                                top[:10]))
    assert by_url.top_hash == top
    assert by_url.registry == small_package.registry


def test_iteration_gives_entries(small_package, quire_home):
    # issue 13 and the seeds: `for entry in pkg` (every entry, streamed)
    pkg = browse(small_package)
    entries = list(pkg)
    assert all(isinstance(e, quire.PackageEntry) for e in entries)
    assert [e.logical_key for e in entries] == [k for k, _ in pkg.walk()]
    assert len(pkg) == len(small_package.files)
    assert [str(x) for x in pkg.ls()] == \
        ["README.md", "a.txt", "big.bin", "train/", "val/"]
    keys = sorted(small_package.files)
    assert sorted(pkg.keys()) == keys
    assert list(pkg.keys("train/")) == ["train/0001.jpg", "train/0002.jpg"]
    walked = dict(pkg.walk())
    assert sorted(walked) == keys
    assert pkg.count() == len(keys)
    assert "train/0001.jpg" in pkg and "train" in pkg
    assert "nope" not in pkg and 3 not in pkg


def test_folder_view_and_missing_keys(small_package, quire_home):
    pkg = browse(small_package)
    train = pkg["train"]
    assert isinstance(train, quire.Package)
    assert list(train.keys()) == ["0001.jpg", "0002.jpg"]
    assert train["0001.jpg"].get_bytes() == \
        small_package.files["train/0001.jpg"]
    assert pkg["train/"].top_hash == pkg.top_hash
    for bad in ("nope", "train/nope", "", "/a.txt", "train//0001.jpg"):
        with pytest.raises(KeyError):
            pkg[bad]
    with pytest.raises(TypeError):
        pkg[3]


def test_entry_fields(small_package, quire_home):
    pkg = browse(small_package)
    e = pkg["train/0001.jpg"]
    data = small_package.files["train/0001.jpg"]
    assert e.logical_key == "train/0001.jpg"
    assert e.size == len(data)
    assert e.physical_key.startswith("file://")
    assert e.physical_keys == [e.physical_key]
    assert e.hash["type"] == "sha2-256-chunked"
    assert e.metadata == small_package.meta["train/0001.jpg"]
    assert e.meta["user_meta"] == e.metadata
    assert e.handler is None
    assert pkg["a.txt"].metadata == {}


def test_get_bytes_string_json_and_cached_path(small_package, quire_home):
    pkg = browse(small_package)
    for key, data in small_package.files.items():
        assert pkg[key].get_bytes() == data
    assert pkg["a.txt"].get_as_string() == "hello\n"
    path = pkg["a.txt"].get_cached_path()
    assert path.startswith(os.environ["XDG_CACHE_HOME"])
    assert open(path, "rb").read() == b"hello\n"


def test_get_as_json(tmp_path, quire_home):
    from conftest import make_package
    p = make_package(str(tmp_path), "file://%s" % (tmp_path / "reg"),
                     name="lab/js", extra={"d.json": b'{"x": [1, 2]}'})
    pkg = quire.Package("lab/js", registry=p.registry)
    assert pkg["d.json"].get_as_json() == {"x": [1, 2]}


def test_open_and_seek_a_20_mib_object(small_package, quire_home):
    data = small_package.files["big.bin"]
    with browse(small_package)["big.bin"].open() as f:
        assert f.seekable()
        f.seek(15 << 20)
        assert f.read(10) == data[15 << 20:(15 << 20) + 10]
        f.seek(-5, os.SEEK_END)
        assert f.read() == data[-5:]
        f.seek(0)
        assert hashlib.sha256(f.read()).digest() == \
            hashlib.sha256(data).digest()


def test_fetch_writes_the_bytes(small_package, quire_home, tmp_path):
    pkg = browse(small_package)
    dest = pkg["val/x.csv"].fetch(str(tmp_path / "out.csv"))
    assert open(dest, "rb").read() == small_package.files["val/x.csv"]
    os.makedirs(tmp_path / "dir")
    dest = pkg["val/x.csv"].fetch(str(tmp_path / "dir"))
    assert dest.endswith("dir/x.csv")
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".quire")]


def test_two_threads_fetch_at_once(small_package, quire_home):
    pkg = browse(small_package)
    out, errors = {}, []

    def get(key):
        try:
            out[key] = pkg[key].get_bytes()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=get, args=(k,))
               for k in ("big.bin", "val/x.csv")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert out["big.bin"] == small_package.files["big.bin"]
    assert out["val/x.csv"] == small_package.files["val/x.csv"]


def test_prefetch_fills_the_cache(small_package, quire_home):
    pkg = browse(small_package)
    keys = list(pkg.keys("train/"))
    assert pkg.prefetch(keys) is None
    objects = os.path.join(os.environ["XDG_CACHE_HOME"], "quire", "objects",
                           "sha2-256-chunked")
    cached = sum(len(fs) for _, _, fs in os.walk(objects))
    assert cached == 2
    with pytest.raises(KeyError):
        pkg.prefetch(["nope"])


def test_install_verify_and_diff_of_a_folder(small_package, quire_home,
                                             tmp_path, quire_cli):
    pkg = browse(small_package)
    dest = pkg.install(str(tmp_path / "inst"))
    for key, data in small_package.files.items():
        assert open(os.path.join(dest, key), "rb").read() == data
    assert pkg.verify(dest) is True
    assert pkg.verify_directory_matches_manifest(dest) is True
    assert pkg.diff(dest) == {"added": [], "modified": [], "deleted": [],
                              "hash": pkg.top_hash}
    # the CLI agrees that the folder holds the version
    assert quire_cli("verify", "-q", cwd=dest, check=False).returncode == 0
    with open(os.path.join(dest, "a.txt"), "wb") as f:
        f.write(b"changed\n")
    os.unlink(os.path.join(dest, "val", "x.csv"))
    with open(os.path.join(dest, "new.txt"), "wb") as f:
        f.write(b"new\n")
    assert pkg.verify(dest) is False
    assert pkg.diff(dest) == {"added": ["new.txt"], "modified": ["a.txt"],
                              "deleted": ["val/x.csv"], "hash": None}


def test_install_a_path_copy_and_download(small_package, quire_home,
                                          tmp_path):
    pkg = browse(small_package)
    dest = pkg.install(str(tmp_path / "part"), path="train/")
    assert sorted(os.listdir(os.path.join(dest, "train"))) == \
        ["0001.jpg", "0002.jpg"]
    assert not os.path.exists(os.path.join(dest, "a.txt"))
    assert os.path.exists(os.path.join(pkg.copy(to=str(tmp_path / "c")),
                                       "big.bin"))
    assert os.path.exists(os.path.join(pkg.download(str(tmp_path / "d")),
                                       "README.md"))


def test_diff_of_two_versions(tmp_path, quire_home, quire_cli):
    from conftest import make_package
    reg = "file://%s" % (tmp_path / "reg")
    p = make_package(str(tmp_path), reg, name="lab/d")
    ws = p.workspace
    with open(os.path.join(ws, "a.txt"), "wb") as f:
        f.write(b"other\n")
    os.unlink(os.path.join(ws, "README.md"))
    with open(os.path.join(ws, "added.txt"), "wb") as f:
        f.write(b"+\n")
    quire_cli("add", ".", cwd=ws)
    quire_cli("rm", "README.md", cwd=ws, check=False)
    quire_cli("commit", "-m", "second", cwd=ws)
    quire_cli("push", reg, cwd=ws)
    v1 = quire_pkg("lab/d@" + p.top_hash, reg)
    v2 = quire_pkg("lab/d", reg)
    assert v1.diff(v2) == {"added": ["added.txt"], "modified": ["a.txt"],
                           "deleted": ["README.md"]}
    assert v2.diff(v1) == {"added": ["README.md"], "modified": ["a.txt"],
                           "deleted": ["added.txt"]}
    with pytest.raises(TypeError):
        v1.diff(42)


def quire_pkg(rev, reg):
    return quire.Package(rev, registry=reg)


def test_list_functions(small_package, quire_home):
    names = list(quire.list_packages(small_package.registry))
    assert names == ["lab/small"]
    versions = list(quire.list_package_versions("lab/small",
                                                small_package.registry))
    assert versions[-1] == ("latest", small_package.top_hash)
    assert all(v.isdigit() for v, _ in versions[:-1])
    assert small_package.top_hash in [t for _, t in versions[:-1]]


def test_top_hash_equals_the_clis_for_s3(s3_registry, quire_home, tmp_path,
                                         quire_cli):
    from conftest import make_package
    p = make_package(str(tmp_path), s3_registry, name="lab/s3")
    pkg = quire.Package("lab/s3", registry=s3_registry)
    assert pkg.top_hash == p.top_hash
    assert sorted(pkg.keys()) == sorted(p.files)
    assert pkg["train/0002.jpg"].get_bytes() == p.files["train/0002.jpg"]
    assert pkg["train/0001.jpg"].physical_key.startswith("s3://")
    with pkg["big.bin"].open() as f:
        f.seek(19 << 20)
        assert f.read(4) == p.files["big.bin"][19 << 20:(19 << 20) + 4]
    dest = pkg.install(str(tmp_path / "inst"))
    assert pkg.verify(dest)
    with open(os.path.join(dest, "a.txt"), "ab") as f:
        f.write(b"!")
    assert not pkg.verify(dest)
    assert list(quire.list_packages(s3_registry)) == ["lab/s3"]
    assert list(quire.list_package_versions("lab/s3", s3_registry))[-1] == \
        ("latest", p.top_hash)
    json.dumps(pkg.meta)


def test_revisions_of_the_workspace_here(small_package, quire_home,
                                         monkeypatch):
    monkeypatch.chdir(os.path.join(small_package.workspace, "train"))
    head = quire.Package("HEAD")
    assert head.top_hash == small_package.top_hash
    assert head.name == "lab/small"
    assert quire.Package(small_package.top_hash[:8]).top_hash == \
        small_package.top_hash
    assert head["a.txt"].get_bytes() == small_package.files["a.txt"]


def test_workspace_revisions_outside_a_workspace(quire_home, tmp_path,
                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = str(tmp_path)
    while d != os.path.dirname(d):
        if os.path.isdir(os.path.join(d, ".quire")):
            pytest.skip("%s is a workspace, above the test's folder" % d)
        d = os.path.dirname(d)
    with pytest.raises(quire.NotFoundError) as e:
        quire.Package("HEAD")
    assert "not one" in str(e.value)


def quilt_order(keys):
    return sorted(keys, key=lambda k: k.split("/"))


def test_each_key_is_found_by_its_place(tmp_path, quire_home):
    """pkg[key] seeks the key in the sorted manifest: every key of a
    manifest with folder lines and keys that sort apart from byte order
    is found, and keys between them are not."""
    from conftest import write_raw_manifest
    keys = ["a", "a-c", "a.c", "a/b", "a/b-", "a/b.x/y", "ab", "b",
            "\u00e9t\u00e9.txt", "z/\u4e2d.bin"]
    keys = [k for k in keys if k != "a"]          # "a" is a folder
    keys += ["d%02d/f%04d.bin" % (i % 7, i) for i in range(3000)]
    keys = quilt_order(set(keys))
    reg = str(tmp_path / "reg")
    dirs = [("a/", {"note": "folder"}), ("d03/", {"n": 3})]
    top = write_raw_manifest(reg, "lab/order",
                             [(k, k.encode()) for k in keys], dirs=dirs)
    pkg = quire.Package("lab/order", registry=reg)
    assert pkg.top_hash == top
    assert list(pkg.keys()) == keys
    for k in keys[::37] + keys[:12] + keys[-3:]:
        assert pkg[k].logical_key == k
        assert k in pkg
    for missing in ("a-b", "a/b/c", "aa", "c", "d03/f0000.bin", "d99",
                    "zz", "\u00e9", "z/\u4e2d"):
        assert missing not in pkg, missing
        with pytest.raises(KeyError):
            pkg[missing]
    assert "a" in pkg and "d03" in pkg and "z" in pkg
    assert list(pkg["a"].keys()) == ["b", "b-", "b.x/y"]
    assert pkg["d03"].count() == len([k for k in keys
                                      if k.startswith("d03/")])


def test_a_fetch_lets_other_threads_run(small_package, quire_home,
                                        monkeypatch, tmp_path):
    """While one thread fetches (copies, hashes, stores) a 20 MiB object,
    another runs Python: the GIL is released around the work. Held,
    the other thread could not count once during the call."""
    pkg = browse(small_package)
    entry = pkg["big.bin"]
    best = 0
    for attempt in range(3):
        # an empty cache each time, so that the object is fetched
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / str(attempt)))
        state = {"in_call": False, "done": False, "count": 0}

        def count():
            while not state["done"]:
                if state["in_call"]:
                    state["count"] += 1

        t = threading.Thread(target=count)
        t.start()
        state["in_call"] = True
        entry.get_cached_path()
        state["in_call"] = False
        state["done"] = True
        t.join()
        best = max(best, state["count"])
        if best:
            break
    assert best > 0


def test_a_folders_view_installs_its_entries_and_compares_nothing(
        small_package, quire_home, tmp_path):
    pkg = browse(small_package)
    dest = pkg["train"].install(str(tmp_path / "t"))
    assert sorted(os.listdir(os.path.join(dest, "train"))) == \
        ["0001.jpg", "0002.jpg"]
    assert not os.path.exists(os.path.join(dest, "val"))
    with pytest.raises(quire.UsageError):
        pkg["train"].verify(dest)
    with pytest.raises(quire.UsageError):
        pkg.diff(pkg["train"])


def test_a_package_pickles_as_its_version(small_package, quire_home):
    import pickle
    pkg = browse(small_package)
    again = pickle.loads(pickle.dumps(pkg))
    assert again.top_hash == pkg.top_hash and again.name == pkg.name
    assert again["a.txt"].get_bytes() == small_package.files["a.txt"]
    train = pickle.loads(pickle.dumps(pkg["train"]))
    assert list(train.keys()) == ["0001.jpg", "0002.jpg"]


def test_verify_and_diff_of_a_plain_folder(small_package, quire_home,
                                           tmp_path):
    """A folder quire did not make (no .quire) is checked as quilt3
    checks one: every entry's file hashed, and files no entry names."""
    from quire.package import _in_workspace
    if _in_workspace(str(tmp_path)):
        pytest.skip("a folder above %s is a workspace" % tmp_path)
    pkg = browse(small_package)
    plain = tmp_path / "plain"
    for key, data in small_package.files.items():
        os.makedirs(os.path.dirname(plain / key), exist_ok=True)
        with open(plain / key, "wb") as f:
            f.write(data)
    assert pkg.verify(str(plain)) is True
    assert pkg.diff(plain) == {"added": [], "modified": [], "deleted": [],
                               "hash": pkg.top_hash}
    with open(plain / "train" / "0002.jpg", "ab") as f:
        f.write(b"!")
    os.unlink(plain / "README.md")
    os.makedirs(plain / "new")
    with open(plain / "new" / "n.txt", "wb") as f:
        f.write(b"n")
    assert pkg.verify(str(plain)) is False
    assert pkg.diff(str(plain)) == {"added": ["new/n.txt"],
                                    "modified": ["train/0002.jpg"],
                                    "deleted": ["README.md"], "hash": None}
    with pytest.raises(quire.NotFoundError):
        pkg.verify(str(tmp_path / "nowhere"))
