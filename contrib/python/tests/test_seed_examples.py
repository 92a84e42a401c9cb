"""The seeds' Python examples, with `import quire` in place of quilt3.

Every Python example of /work/shared/seeds/002_*.txt and 004_*.txt is a
test here, named after the seed file and the line it starts on, written
as close to the seed's text as it can be: `from quire import Package`
for `from quilt3 import Package`, a folder registry (file://) made with
the CLI for the seeds' s3://bucket, and the registry given the quire way
(QUIRE_REGISTRY, or a revision that names it) where the seed leaves it
implicit. Where the seed's own code cannot run as written (a typo, an
undefined name), the change is one edit and a comment says so.

An example whose API quire does not have yet is a strict xfail naming
what is missing: it becomes a plain test by itself once the API lands,
and then it must pass. Examples that use names issue 13 does not ask for
(readme(), ls(), as_package_builder(), ...) stay xfail until someone
adds those names.

Run: PYTHONPATH=build/<name>/python /usr/bin/python3 -m pytest \
	contrib/python/tests/test_seed_examples.py
The CLI is $QUIRE_BUILD_DIR/quire, else the quire beside the module's
build folder, else build/quire.
"""

import json
import os
import re
import subprocess
import sys
import urllib.parse

import pytest

try:
    import quire
    from quire import Package
except ImportError as import_error:     # the extension is not built yet
    quire = None
    Package = None
    IMPORT_ERROR = str(import_error)
else:
    IMPORT_ERROR = None

try:
    from quire import PackageBuilder
except ImportError:
    PackageBuilder = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def have(path):
    """Whether quire has the dotted name `path` ("Package.download")."""
    if quire is None:
        return False
    obj = quire
    for part in path.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def needs(*paths, why="not in quire yet"):
    """A strict xfail while any of the dotted names is missing."""
    missing = [p for p in paths if not have(p)]
    if IMPORT_ERROR:
        reason = "import quire fails: " + IMPORT_ERROR
    else:
        reason = "quire has no %s (%s)" % (", ".join(missing), why)
    return pytest.mark.xfail(bool(missing), strict=True, reason=reason)


def quire_cli():
    build = os.environ.get("QUIRE_BUILD_DIR")
    if not build and quire is not None:
        # build/<name>/python/quire/__init__.py -> build/<name>
        build = os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(quire.__file__))))
    cli = os.path.join(build or os.path.join(REPO, "build"), "quire")
    if not os.access(cli, os.X_OK):
        cli = os.path.join(REPO, "build", "quire")
    return cli


def run(*args, cwd=None):
    """Runs the CLI; its stdout, stripped. A failure fails the test."""
    out = subprocess.run([quire_cli()] + list(args), cwd=cwd,
                         check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    return out.stdout.strip()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def folder_url(path):
    # as quire writes it: the path %-quoted ("trash directory" has a space)
    return "file://" + urllib.parse.quote(os.path.realpath(path), safe="/")


def files_of(folder):
    """{relative path: bytes} of a folder, without quire's own files."""
    found = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".quire"]
        for name in names:
            if name == ".quireignore":
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = f.read()
    return found


# The images of the PyTorch example, each with the annotations that
# annotations/train.json also holds for it (the seed's two ways).
IMAGES = {"0001.jpg": 1, "0002.jpg": 2, "0003.jpg": 3}


def annotations_of(image_id):
    return [{"image_id": image_id, "bbox": [image_id, 2, 30, 40],
             "category": "cat" if image_id % 2 else "dog"}]


def make_dataset(src):
    write(os.path.join(src, "README.md"),
          "# Dataset\n\nHere is some info about our dataset...\n")
    for name, image_id in IMAGES.items():
        write(os.path.join(src, "train", name),
              b"\xff\xd8 image %d \xff\xd9" % image_id)
    write(os.path.join(src, "annotations", "train.json"), json.dumps({
        "images": [{"path": n, "image_id": i} for n, i in IMAGES.items()],
        "annotations": [a for i in IMAGES.values()
                        for a in annotations_of(i)]}))
    for key in ("cats/file1.txt", "cats/tabby/1.txt", "dogs/1.txt",
                "rats/1.txt", "labelled/1.jpg", "labelled/2.jpg",
                "file1.txt", "file2.txt", "file3.txt"):
        write(os.path.join(src, key), "%s\n" % key)
    write(os.path.join(src, "other", "huge_file.json"),
          json.dumps({"rows": list(range(10000))}))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """bucket/dataset (tags tag, master; a second version
    removed_some_items_changed_one_item) and bucket/new-data:2019-10-30
    in a folder registry made with the CLI; a private HOME and cache;
    QUIRE_REGISTRY naming the registry."""
    top = tmp_path_factory.mktemp("seeds")
    saved = dict(os.environ)
    home = os.path.join(top, "home")
    os.environ.update(HOME=home, XDG_DATA_HOME=home + "/data",
                      XDG_CACHE_HOME=home + "/cache",
                      XDG_CONFIG_HOME=home + "/config")
    os.environ.pop("QUIRE_REGISTRY", None)
    reg = os.path.join(top, "reg")
    os.makedirs(reg)
    src = os.path.join(top, "src")
    make_dataset(src)
    run("init", "-q", "bucket/dataset", cwd=src)
    run("add", "-q", ".", cwd=src)
    for name, image_id in IMAGES.items():
        run("meta", "train/" + name,
            json.dumps({"annotations": annotations_of(image_id)}), cwd=src)
    v1 = run("commit", "-q", "-m", "first version", cwd=src)
    run("push", "-q", "-t", "tag", "-r", folder_url(reg), cwd=src)
    run("push", "-q", "-t", "master", "-r", folder_url(reg), cwd=src)
    run("rm", "-q", "file1.txt", cwd=src)
    run("rm", "-q", "file2.txt", cwd=src)
    write(os.path.join(src, "file3.txt"), "file3.txt, relabelled\n")
    run("add", "-q", "file3.txt", cwd=src)
    v2 = run("commit", "-q", "-m", "removed some, changed one", cwd=src)
    run("push", "-q", "-t", "removed_some_items_changed_one_item",
        "-r", folder_url(reg), cwd=src)
    new = os.path.join(top, "new-data")
    write(os.path.join(new, "new_data", "1.jpg"), "new 1\n")
    write(os.path.join(new, "new_data", "3.jpg"), "new 3\n")
    run("init", "-q", "bucket/new-data", cwd=new)
    run("add", "-q", ".", cwd=new)
    new_top = run("commit", "-q", "-m", "labels of 2019-10-30", cwd=new)
    run("push", "-q", "-t", "2019-10-30", "-r", folder_url(reg), cwd=new)
    os.environ["QUIRE_REGISTRY"] = folder_url(reg)
    yield {"reg": reg, "url": folder_url(reg), "src": src, "top": top,
           "v1": v1, "v2": v2, "new_data": new_top}
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def builder_dir(seeds, tmp_path, monkeypatch):
    """The Publish examples' folder (README.md, train2017/), the current
    folder, with an empty registry of its own in QUIRE_REGISTRY."""
    write(str(tmp_path / "ws" / "README.md"), "# Dataset\n")
    for i in (1, 2, 3):
        write(str(tmp_path / "ws" / "train2017" / ("%d.jpg" % i)),
              "train %d\n" % i)
    write(str(tmp_path / "ws" / "replacement" / "1.jpg"), "replaced 1\n")
    os.makedirs(tmp_path / "reg")
    monkeypatch.setenv("QUIRE_REGISTRY", folder_url(tmp_path / "reg"))
    monkeypatch.chdir(tmp_path / "ws")
    return {"ws": str(tmp_path / "ws"), "url": folder_url(tmp_path / "reg")}


# ---- 002: Usecase: Download ------------------------------------------

@needs("Package.download", "Package.verify_directory_matches_manifest")
def test_002_29_download_and_verify(seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pkg = Package("bucket/dataset:tag")
    pkg.download("./dataset")
    assert pkg.verify_directory_matches_manifest("./dataset") is True
    run("install", "-q", "bucket/dataset:tag", "--to", "cli")
    assert files_of("dataset") == files_of("cli")


@needs("Package.download", "Package.hash",
       why="the seed's pkg.hash; issue 13 names it top_hash")
def test_002_33_pkg_hash(seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pkg = Package("bucket/dataset:tag")
    pkg.download("./dataset")
    assert pkg.hash == seeds["v1"]
    # the seed's CLI session prints the same hash for the folder
    assert run("hash", "./dataset") == pkg.hash


# ---- 002 and 004: PyTorch (002:38, 004:674; the same class) -----------------

class MyCustomDataset:
    # the seed's class, with quire's Package
    def __init__(self, quilt_package_name, tag=None, hash=None):
        self.pkg = Package(quilt_package_name, tag=tag, hash=hash)
        self.img_entries = [entry for entry in self.pkg
                            if entry.logical_key.startswith("train/")]

        # seed: get_entry(...) and then indexed as a dict; the entry's
        # JSON is what the seed's code reads
        self.annotations = self.pkg.get_entry(
            "annotations/train.json").get_as_json()

    def __len__(self):
        return len(self.img_entries)

    def __getitem__(self, idx):
        entry = self.img_entries[idx]

        # In existing codebases, annotations are often stored in a single
        # file (lstrip strips characters, not a prefix: the names here
        # start with a digit, so it gives the file name, as the seed means)
        img_id = [img for img in self.annotations["images"]
                  if img["path"] == entry.logical_key.lstrip("train/")]

        assert len(img_id) == 1
        img_id = img_id[0]["image_id"]

        # seed: `== image_id`, a name it never defines; img_id is meant
        img_annotations = [ann for ann in self.annotations["annotations"]
                           if ann["image_id"] == img_id]
        from_file = img_annotations

        # With Quilt Packages, each entry has metadata associated with it,
        # which can be used to simplify the above code
        img_annotations = entry.metadata["annotations"]
        assert img_annotations == from_file

        return {
            "image": entry.get_bytes(),
            "annotations": img_annotations
        }


def expected_items(seeds):
    items = {}
    for name, image_id in IMAGES.items():
        with open(os.path.join(seeds["src"], "train", name), "rb") as f:
            items[f.read()] = annotations_of(image_id)
    return items


@needs("Package.get_entry", why="the seed's get_entry() (quire has "
       "pkg[key]); and the seed's Package(name, tag=, hash=) and "
       "`for entry in pkg` need quire to take hash= and iterate entries")
def test_002_38_pytorch_dataset(seeds):
    by_tag = MyCustomDataset("bucket/dataset", tag="tag")
    by_hash = MyCustomDataset("bucket/dataset", hash=seeds["v1"])
    for ds in (by_tag, by_hash):
        assert len(ds) == len(IMAGES)
        got = {}
        for i in range(len(ds)):
            item = ds[i]
            got[item["image"]] = item["annotations"]
        assert got == expected_items(seeds)


@needs("Package.get_entry", why="the seed's get_entry() (quire has "
       "pkg[key]); and the seed's Package(name, tag=, hash=) and "
       "`for entry in pkg` need quire to take hash= and iterate entries")
def test_002_38_pytorch_dataset_in_a_dataloader(seeds):
    torch_data = pytest.importorskip("torch.utils.data")
    ds = MyCustomDataset("bucket/dataset", tag="tag")
    loader = torch_data.DataLoader(ds, batch_size=None, num_workers=2,
                                   collate_fn=lambda item: item)
    seen = [(item["image"], item["annotations"]) for item in loader]
    assert sorted(i for i, _ in seen) == sorted(expected_items(seeds))
    assert dict(seen) == expected_items(seeds)


class MyQuireDataset:
    # the seed's class in quire's spelling: three edits, marked
    def __init__(self, quilt_package_name, tag=None, hash=None):
        # edit 1: top_hash=, quilt3's and quire's keyword, for hash=
        self.pkg = Package(quilt_package_name, tag=tag, top_hash=hash)
        # edit 2: iterating a Package gives names (as quilt3's does);
        # walk() gives the entries
        self.img_entries = [entry for _, entry in self.pkg.walk()
                            if entry.logical_key.startswith("train/")]

        # edit 3: pkg[key] for get_entry(key), read as JSON
        self.annotations = self.pkg["annotations/train.json"].get_as_json()

    def __len__(self):
        return len(self.img_entries)

    def __getitem__(self, idx):
        entry = self.img_entries[idx]

        img_id = [img for img in self.annotations["images"]
                  if img["path"] == entry.logical_key.lstrip("train/")]

        assert len(img_id) == 1
        img_id = img_id[0]["image_id"]

        img_annotations = [ann for ann in self.annotations["annotations"]
                           if ann["image_id"] == img_id]
        from_file = img_annotations

        img_annotations = entry.metadata["annotations"]
        assert img_annotations == from_file

        return {
            "image": entry.get_bytes(),
            "annotations": img_annotations
        }


@needs("Package.walk", "PackageEntry.get_bytes", "PackageEntry.metadata")
def test_002_38_pytorch_dataset_quire_spelling(seeds):
    torch_data = pytest.importorskip("torch.utils.data")
    by_tag = MyQuireDataset("bucket/dataset", tag="tag")
    by_hash = MyQuireDataset("bucket/dataset", hash=seeds["v1"])
    for ds in (by_tag, by_hash):
        assert len(ds) == len(IMAGES)
        got = dict((ds[i]["image"], ds[i]["annotations"])
                   for i in range(len(ds)))
        assert got == expected_items(seeds)
    loader = torch_data.DataLoader(by_tag, batch_size=None, num_workers=2,
                                   collate_fn=lambda item: item)
    seen = [(item["image"], item["annotations"]) for item in loader]
    assert sorted(i for i, _ in seen) == sorted(expected_items(seeds))
    assert dict(seen) == expected_items(seeds)


# ---- 002 and 004: Create and Publish (the PackageBuilder flow) ----------

LOCAL_FILES = ("Manifest contains pointers to local files. Use push_data() "
               "to first push those files to s3 or use allow_local_files="
               "True if this is intentional")
LOCAL_MANIFEST = ("The manifest has not been pushed to a remote repository. "
                  "Use push_manifest() to first push the manifest to s3 or "
                  "use allow_local_manifest=True if this is intentional")


def physical_keys(pkg):
    return sorted(entry.physical_key for _, entry in pkg.walk())


@needs("PackageBuilder.add", "PackageBuilder.build_manifest",
       "PackageBuilder.as_package", "PackageBuilder.push_data",
       "PackageBuilder.push_manifest")
def test_002_96_publish(builder_dir):
    pkg_builder = PackageBuilder("bucket/dataset")
    pkg_builder.add("README.md")
    pkg_builder.add("train2017/")

    tophash = pkg_builder.build_manifest()
    assert re.fullmatch("[0-9a-f]{64}", tophash)

    with pytest.raises(Exception, match=re.escape(LOCAL_FILES)):
        pkg = pkg_builder.as_package()
    with pytest.raises(Exception, match=re.escape(LOCAL_MANIFEST)):
        pkg = pkg_builder.as_package(allow_local_files=True)

    pkg_builder.push_data(prefix="/data/dataset/v0/val2017")

    with pytest.raises(Exception, match=re.escape(LOCAL_MANIFEST)):
        pkg = pkg_builder.as_package()

    pkg = pkg_builder.push_manifest(tag="v0")
    assert pkg.top_hash == tophash
    keys = physical_keys(pkg)
    assert len(keys) == 4
    assert all(k.startswith(builder_dir["url"] + "/") for k in keys), keys
    assert pkg_builder.as_package().top_hash == tophash

    # the CLI sees the version, and installs the files the builder added
    assert Package("bucket/dataset:v0").top_hash == tophash
    run("install", "-q", "bucket/dataset:v0", "--to", "../installed")
    want = files_of(".")
    del want[os.path.join("replacement", "1.jpg")]
    assert files_of("../installed") == want


@needs("Package.__init__")
def test_002_192_a_package_cannot_be_altered(seeds):
    pkg = Package("bucket/dataset:tag")
    with pytest.raises(AttributeError):
        pkg.set("train2017/1.jpg", "./replacement/1.jpg", meta={})


@needs("Package.as_package_builder", "PackageBuilder.set",
       "PackageBuilder.push_data_and_manifest",
       why="the seeds' as_package_builder()")
def test_002_195_change_a_package(builder_dir):
    first = PackageBuilder("bucket/dataset")
    first.add("README.md")
    first.add("train2017/")
    first.push_data()
    pkg = first.push_manifest(tag="v0")

    pkg_builder_2 = pkg.as_package_builder()
    pkg_builder_2.set("train2017/1.jpg", "./replacement/1.jpg", meta={})
    pkg = pkg_builder_2.push_data_and_manifest(
        prefix="/data/dataset/v0/val2017")
    assert pkg.top_hash != first.build_manifest()
    assert pkg["train2017/1.jpg"].get_bytes() == b"replaced 1\n"
    assert pkg["train2017/2.jpg"].get_bytes() == b"train 2\n"
    assert Package("bucket/dataset").top_hash == pkg.top_hash


@needs("PackageBuilder.add", "PackageBuilder.build_manifest",
       "PackageBuilder.push_data", "PackageBuilder.push_manifest")
def test_004_195_push_data_names_the_bucket(builder_dir):
    pkg_builder = PackageBuilder("bucket/dataset")
    pkg_builder.add("README.md")
    pkg_builder.add("train2017/")
    pkg_builder.build_manifest()
    pkg_builder.push_data(
        # we need to be explicit about the bucket
        bucket=builder_dir["url"],
        prefix="/data/dataset/v0/val2017"
    )
    pkg = pkg_builder.push_manifest(tag="v0")
    assert all(k.startswith(builder_dir["url"] + "/")
               for k in physical_keys(pkg))


# ---- 002 and 004: Explore Dataset ----------------------------------------

@needs("Package.readme", "Package.ls", "Package.get_contents",
       "Package.get_metadata",
       why="the seeds' Explore names; issue 13 has pkg[key], keys(), walk()")
def test_002_241_explore(seeds):
    pkg = Package("bucket/dataset")
    readme = pkg.readme()
    assert readme.startswith("# Dataset\n\nHere is some info")

    top_level_contents = pkg.ls()
    for name in ("README.md", "cats/", "dogs/", "rats/", "other/"):
        assert name in [str(c) for c in top_level_contents]

    cats_contents = pkg.ls("cats/")
    assert sorted(str(c) for c in cats_contents) == \
        ["cats/file1.txt", "cats/tabby/"]

    file1_contents = pkg.get_contents("cats/file1.txt")
    file1_metadata = pkg.get_metadata("cats/file1.txt")
    assert file1_contents in (b"cats/file1.txt\n", "cats/file1.txt\n")
    assert file1_metadata == {}

    files_to_inspect = [entry.logical_key
                        for entry
                        in pkg.ls("cats/")
                        if entry.is_file()]
    assert files_to_inspect == ["cats/file1.txt"]


@needs("Package.get", "Package.cache", "Package.clear_cache",
       why="the seeds' caching names; issue 13 caches every read")
def test_002_273_cache_large_files(seeds):
    pkg = Package("bucket/dataset")
    with open(os.path.join(seeds["src"], "other", "huge_file.json")) as f:
        want = f.read()
    first = pkg.get("other/huge_file.json")
    pkg.cache("other/huge_file.json")
    large_file_contents = pkg.get("other/huge_file.json")
    assert large_file_contents == first
    assert large_file_contents in (want, want.encode(), json.loads(want))
    pkg.clear_cache()


@needs("Package.__init__")
def test_004_406_registry_in_the_name(seeds):
    # 004: `Package("s3://bucket/new-data:2019-10-30")`, the registry in
    # the name; here the folder registry's URL
    new_data = Package(seeds["url"] + "/bucket/new-data:2019-10-30")
    assert new_data.top_hash == seeds["new_data"]
    assert sorted(key for key, _ in new_data.walk()) == \
        ["new_data/1.jpg", "new_data/3.jpg"]


# ---- 002 and 004: Add new data to dataset ----------------------------------

@needs("Package.as_package_builder", "PackageBuilder.move_dir_contents",
       why="the seeds' as_package_builder(), add(Package) and "
       "move_dir_contents()")
def test_002_295_add_a_package_to_another(seeds, builder_dir):
    run("push", "-q", "-t", "master", "-r", builder_dir["url"],
        "bucket/dataset", cwd=seeds["src"])
    new_data = Package(seeds["url"] + "/bucket/new-data:2019-10-30")
    main_dataset = Package("bucket/dataset:master")
    pkg_builder = main_dataset.as_package_builder()
    pkg_builder.add(new_data)
    with pytest.raises(Exception, match=re.escape(
            'Collision detected. moving "new_data/1.jpg" to '
            '"labelled/1.jpg", but "labelled/1.jpg" already exists.')):
        pkg_builder.move_dir_contents("new_data/", "labelled/")
    pkg_builder.move_dir_contents("new_data/", "labelled/", overwrite=True)
    # the seed's push_manifest() keeps the other bucket's keys; between
    # two folder registries quire copies them (it never reads files
    # outside a folder registry), so push() -- and the tag master moves
    # as a branch here, which quire does only when told
    pkg = pkg_builder.push(tag="master", force_tag=True)
    assert pkg["labelled/1.jpg"].get_bytes() == b"new 1\n"
    assert pkg["labelled/2.jpg"].get_bytes() == b"labelled/2.jpg\n"
    assert pkg["labelled/3.jpg"].get_bytes() == b"new 3\n"
    assert not [k for k in pkg.keys() if k.startswith("new_data/")]
    assert Package("bucket/dataset:master").top_hash == pkg.top_hash


# ---- 002 and 004: Incremental Download for Consumers ------------------------

@needs("Package.download", "Package.verify_directory_matches_manifest",
       "Package.force_directory_to_match_manifest",
       why="the seeds' force_directory_to_match_manifest()")
def test_002_364_incremental_download(seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Package("bucket/dataset:tag").download("./dataset")
    pkg = Package("bucket/dataset:removed_some_items_changed_one_item")
    pkg.download("./dataset")
    assert pkg.verify_directory_matches_manifest("./dataset") is False
    pkg.force_directory_to_match_manifest("./dataset")
    assert pkg.verify_directory_matches_manifest("./dataset") is True
    assert not os.path.exists("dataset/file1.txt")
    assert not os.path.exists("dataset/file2.txt")
    with open("dataset/file3.txt") as f:
        assert f.read() == "file3.txt, relabelled\n"


@needs("Package.download", "Package.verify_directory_matches_manifest")
def test_002_364_verify_finds_the_changes(seeds, tmp_path, monkeypatch):
    # the first half of the example above, in issue 13's names
    monkeypatch.chdir(tmp_path)
    Package("bucket/dataset:tag").download("./dataset")
    pkg = Package("bucket/dataset:removed_some_items_changed_one_item")
    assert pkg.verify_directory_matches_manifest("./dataset") is False
    pkg.download("./dataset")
    assert files_of("dataset").get("file3.txt") == \
        b"file3.txt, relabelled\n"


# ---- 002 and 004: Improve dataset -------------------------------------------

@needs("Package.as_package_builder", "PackageBuilder.set_meta",
       why="the seeds' as_package_builder()")
def test_002_386_improve_dataset(seeds, builder_dir):
    run("push", "-q", "-t", "master", "-r", builder_dir["url"],
        "bucket/dataset", cwd=seeds["src"])
    pkg = Package("bucket/dataset:master")
    pkg_builder = pkg.as_package_builder()
    pkg_builder.set_meta("labelled/1.jpg", meta={"label": "fixed"})
    # the seed moves the tag master as a branch; quire moves an existing
    # tag only when told (issue 12): force_tag=True
    new = pkg_builder.push_manifest(tag="master", force_tag=True)
    assert new["labelled/1.jpg"].metadata == {"label": "fixed"}
    assert new.top_hash != pkg.top_hash


# ---- 002 and 004: Store Entire Workspace ------------------------------------

@needs("PackageBuilder.push_data_and_manifest",
       why="the seeds' push_data_and_manifest(); issue 13 has push()")
def test_002_406_store_entire_workspace(builder_dir):
    PackageBuilder("bucket/temp:2019-10-31").add(".").push_data_and_manifest(
        prefix="armand/temp/2019-10-31/")
    pkg = Package("bucket/temp:2019-10-31")
    assert sorted(pkg.keys()) == sorted(files_of("."))


# ---- 004: Stream training data to PyTorch jobs ------------------------------

@needs("Package.copy", "Package.diff")
def test_004_83_copy_and_diff(seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    short = seeds["v1"][:9]

    pkg = Package("bucket/dataset:%s" % short)
    pkg.copy(to="my/path/to/data")

    # seed: pkg.diff("./dataset"), the folder its CLI session copied to
    d = pkg.diff("my/path/to/data")
    assert (d["added"], d["modified"], d["deleted"]) == ([], [], [])

    os.remove("my/path/to/data/file1.txt")
    write("my/path/to/data/file3.txt", "changed\n")
    write("my/path/to/data/new.txt", "new\n")
    d = pkg.diff("my/path/to/data")
    assert (d["added"], d["modified"], d["deleted"]) == \
        (["new.txt"], ["file3.txt"], ["file1.txt"])


@needs("Package.copy", "Package.diff")
def test_004_88_diff_gives_the_hash(seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pkg = Package("bucket/dataset:%s" % seeds["v1"][:9])
    pkg.copy(to="my/path/to/data")
    d = pkg.diff("my/path/to/data")
    assert seeds["v1"].startswith(d["hash"])


@needs("Package.diff")
def test_004_96_diff_other_package(seeds):
    # 004's note: "can also support different args e.g. pkg.diff(other_pkg)"
    pkg = Package("bucket/dataset:tag")
    other = Package("bucket/dataset:removed_some_items_changed_one_item")
    d = pkg.diff(other)
    assert d["modified"] == ["file3.txt"]
    assert sorted(d["added"] + d["deleted"]) == ["file1.txt", "file2.txt"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__] + sys.argv[1:]))
