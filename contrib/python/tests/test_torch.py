"""quire.torch: PackageDataset and IterablePackageDataset under DataLoader
workers and DDP (gloo), over a 200-entry package in a folder registry
made with the CLI.

Skipped when torch is missing, unless QUIRE_REQUIRE_PYTHON=1; a strict
xfail while quire.Package is not built yet (it then must pass).

Run: PYTHONPATH=build/<name>/python QUIRE_BUILD_DIR=build/<name> \
	/usr/bin/python3 -m pytest contrib/python/tests/test_torch.py
"""

import json
import os
import pickle
import subprocess
from types import SimpleNamespace

import pytest

if os.environ.get("QUIRE_REQUIRE_PYTHON") == "1":
    import torch
else:
    torch = pytest.importorskip("torch")
import torch.distributed as dist
import torch.multiprocessing
from torch.utils.data import DataLoader

import quire

HAVE_PACKAGE = hasattr(quire, "Package")
if HAVE_PACKAGE:
    import quire.torch
    from quire.torch import (IterablePackageDataset, PackageDataset,
                             collate_list)

pytestmark = pytest.mark.xfail(not HAVE_PACKAGE, strict=True,
                               reason="quire has no Package yet")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
N = 200
NAME = "torch/small"


def quire_cli():
    build = os.environ.get("QUIRE_BUILD_DIR")
    if not build:
        # build/<name>/python/quire/__init__.py -> build/<name>
        build = os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(quire.__file__))))
    cli = os.path.join(os.path.abspath(build), "quire")
    if not os.access(cli, os.X_OK):
        cli = os.path.join(REPO, "build", "quire")
    return cli


def run(*args, cwd=None):
    """The CLI's stdout; a failure fails the test."""
    return subprocess.run([quire_cli()] + list(args), cwd=cwd, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True).stdout


def key_of(i):
    return "train/%03d.bin" % i


def content_of(key):
    return b"bytes of " + key.encode()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """torch/small: 200 train/ entries, each with annotations in its
    metadata, and two entries outside train/, pushed to a folder
    registry; HOME and the cache private to this module."""
    top = tmp_path_factory.mktemp("torch")
    saved = {k: os.environ.get(k) for k in
             ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    os.environ.update(HOME=str(top / "home"),
                      XDG_CACHE_HOME=str(top / "home/cache"),
                      XDG_DATA_HOME=str(top / "home/data"),
                      XDG_CONFIG_HOME=str(top / "home/config"))
    ws = top / "ws"
    (ws / "train").mkdir(parents=True)
    (ws / "annotations").mkdir()
    for i in range(N):
        (ws / key_of(i)).write_bytes(content_of(key_of(i)))
    (ws / "annotations/train.json").write_text("{}")
    (ws / "README.md").write_text("# small\n")
    reg = "file://" + str(top / "registry")
    run("init", "-q", NAME, cwd=ws)
    run("add", "-q", "train", "annotations", "README.md", cwd=ws)
    for i in range(N):
        meta = {"annotations": [{"image_id": i, "label": i % 7}]}
        run("set", "--meta", json.dumps(meta), key_of(i), key_of(i), cwd=ws)
    run("commit", "-q", "-m", "small", cwd=ws)
    run("push", "-q", reg, cwd=ws)
    yield SimpleNamespace(registry=reg, workspace=str(ws))
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def registry(small):
    return small.registry


def manifest_keys(registry, prefix=""):
    """The logical keys under prefix, in the manifest's order (the CLI's
    quire ls -R --json)."""
    out = run("ls", "-R", "--json", "-r", registry, NAME)
    return [e["logical_key"] for e in json.loads(out)["entries"]
            if e["logical_key"].startswith(prefix)]


def epoch_keys(loader):
    """Every logical key a loader gives in one epoch, in order."""
    return [key for batch in loader for key, _ in batch]


def assert_each_once(keys):
    assert len(keys) == N
    assert sorted(keys) == [key_of(i) for i in range(N)]


def test_map_dataset_gives_bytes_and_metadata_in_manifest_order(registry):
    ds = PackageDataset(NAME, prefix="train/", registry=registry)
    assert len(ds) == N
    assert [ds.key(i) for i in range(N)] == manifest_keys(registry,
                                                          "train/")
    data, meta = ds[17]
    assert data == content_of(ds.key(17))
    assert meta == {"annotations": [{"image_id": 17, "label": 17 % 7}]}
    assert ds[-1][0] == content_of(ds.key(N - 1))
    with pytest.raises(IndexError):
        ds[N]


def test_a_dataset_from_a_package_object(registry):
    pkg = quire.Package(NAME, registry=registry)
    ds = PackageDataset(pkg)
    assert len(ds) == N + 2
    assert ds.top_hash == pkg.top_hash
    view = PackageDataset(pkg["train"], prefix="01")
    assert len(view) == 10
    assert view.key(0) == "train/010.bin"
    assert view[9][0] == content_of("train/019.bin")


def test_map_dataset_dataloader_two_workers_each_entry_once(registry):
    ds = PackageDataset(NAME, prefix="train/", registry=registry,
                        return_key=True)
    loader = DataLoader(ds, batch_size=16, shuffle=True, num_workers=2,
                        collate_fn=collate_list)
    for _ in range(2):
        keys = []
        for batch in loader:
            for key, (data, meta) in batch:
                assert data == content_of(key)
                assert meta["annotations"][0]["image_id"] == \
                    int(key[6:9])
                keys.append(key)
        assert_each_once(keys)


def test_iterable_dataloader_two_workers_each_entry_once(registry):
    ds = IterablePackageDataset(NAME, prefix="train/", registry=registry,
                                shuffle=True, seed=3, prefetch=8,
                                return_key=True)
    loader = DataLoader(ds, batch_size=16, num_workers=2,
                        collate_fn=collate_list)
    orders = []
    for epoch in range(2):
        ds.set_epoch(epoch)
        keys = []
        for batch in loader:
            for key, (data, meta) in batch:
                assert data == content_of(key)
                keys.append(key)
        assert_each_once(keys)
        orders.append(keys)
    assert orders[0] != orders[1]


def one_process_order(registry, seed, epoch, shuffle=True, prefetch=4):
    ds = IterablePackageDataset(NAME, prefix="train/", registry=registry,
                                shuffle=shuffle, seed=seed,
                                prefetch=prefetch, return_key=True)
    ds.set_epoch(epoch)
    return [key for key, _ in ds]


def test_shuffle_reproducible_by_seed_and_new_each_epoch(registry):
    first = one_process_order(registry, seed=7, epoch=0)
    assert_each_once(first)
    assert first == one_process_order(registry, seed=7, epoch=0,
                                      prefetch=0)
    assert first != one_process_order(registry, seed=7, epoch=1)
    assert first != one_process_order(registry, seed=8, epoch=0)
    assert first != sorted(first)
    plain = one_process_order(registry, seed=7, epoch=0, shuffle=False)
    assert plain == manifest_keys(registry, "train/")


def test_the_dataset_pickles_without_the_package(registry):
    ds = IterablePackageDataset(NAME, prefix="train/", registry=registry)
    first = next(iter(ds))
    copy = pickle.loads(pickle.dumps(ds))
    assert copy._pkg is None
    assert next(iter(copy)) == first
    assert (copy.name, copy.registry, copy.top_hash) == \
        (ds.name, ds.registry, ds.top_hash)


def test_transform_makes_the_seeds_item(registry):
    # the seed's __getitem__ (002 line 39, 004 line 674): the image's
    # bytes and entry.metadata["annotations"]
    def seed_item(data, metadata):
        return {"image": data, "annotations": metadata["annotations"]}

    ds = PackageDataset(NAME, prefix="train/", registry=registry,
                        transform=seed_item)
    item = ds[5]
    assert item == {"image": content_of(key_of(5)),
                    "annotations": [{"image_id": 5, "label": 5}]}


def test_bad_prefetch_is_refused(registry):
    with pytest.raises(ValueError):
        IterablePackageDataset(NAME, registry=registry, prefetch=-1)


def test_an_unknown_prefix_is_empty(registry):
    ds = IterablePackageDataset(NAME, prefix="nothing/", registry=registry)
    assert list(ds) == []
    assert len(PackageDataset(NAME, prefix="nothing/",
                              registry=registry)) == 0


def test_small_lookup_batches_and_an_evicting_block_cache(registry,
                                                          monkeypatch):
    # no rows kept: entries found 7 at a time, blocks of 16 with room
    # for 2 of them; in the manifest's order, a stream per shard
    monkeypatch.setattr(quire.torch, "PRELOAD", 0)
    monkeypatch.setattr(quire.torch, "LOOKUP_BATCH", 7)
    monkeypatch.setattr(quire.torch, "BLOCK", 16)
    monkeypatch.setattr(quire.torch, "CACHED_BLOCKS", 2)
    assert_each_once(one_process_order(registry, seed=5, epoch=2))
    assert one_process_order(registry, seed=5, epoch=2, shuffle=False) == \
        manifest_keys(registry, "train/")
    ds = IterablePackageDataset(NAME, prefix="train/", registry=registry,
                                return_key=True)
    assert ds._rows is None
    loader = DataLoader(ds, batch_size=16, num_workers=2,
                        collate_fn=collate_list)
    assert_each_once(epoch_keys(loader))
    ds = PackageDataset(NAME, prefix="train/", registry=registry,
                        return_key=True)
    order = torch.randperm(N, generator=torch.Generator().manual_seed(1))
    for i in order.tolist() + [0, 199, 0]:
        key, (data, meta) = ds[i]
        assert key == ds.key(i) and data == content_of(key)
        assert meta["annotations"][0]["image_id"] == int(key[6:9])
    assert len(ds._blocks) == 2


def s3_epoch(small, s3_registry, context):
    run("push", "-q", s3_registry, cwd=small.workspace)
    ds = IterablePackageDataset(NAME, prefix="train/",
                                registry=s3_registry, shuffle=True,
                                prefetch=16, return_key=True)
    loader = DataLoader(ds, batch_size=16, num_workers=2,
                        collate_fn=collate_list,
                        multiprocessing_context=context)
    keys = []
    for batch in loader:
        for key, (data, meta) in batch:
            assert data == content_of(key)
            assert meta["annotations"][0]["image_id"] == int(key[6:9])
            keys.append(key)
    assert_each_once(keys)


def test_first_epoch_from_s3_with_an_empty_cache(small, s3_registry,
                                                 quire_home):
    # workers started by spawn: nothing of the parent's S3 client in them
    s3_epoch(small, s3_registry, "spawn")


def test_first_epoch_from_s3_in_forked_workers(small, s3_registry,
                                               quire_home):
    # workers forked after the parent used S3: each makes its own client
    # (s3_client_current()), never talking over the parent's connections
    s3_epoch(small, s3_registry, "fork")


def ddp_rank(rank, world, init_file, registry, out_dir):
    """One DDP rank: two epochs through a 2-worker DataLoader; its keys
    per epoch go to out_dir/<rank>.json."""
    dist.init_process_group("gloo", init_method="file://" + init_file,
                            rank=rank, world_size=world)
    try:
        ds = IterablePackageDataset(NAME, prefix="train/",
                                    registry=registry, shuffle=True,
                                    seed=11, prefetch=8, return_key=True)
        epochs = []
        # workers started by spawn (this process's default: they are in
        # no process group), then by fork
        for epoch, context in enumerate(("spawn", "fork")):
            ds.set_epoch(epoch)
            loader = DataLoader(ds, batch_size=8, num_workers=2,
                                collate_fn=collate_list,
                                multiprocessing_context=context)
            epochs.append(epoch_keys(loader))
        with open(os.path.join(out_dir, "%d.json" % rank), "w") as f:
            json.dump(epochs, f)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_ddp_two_gloo_ranks_each_entry_once_per_epoch(registry, tmp_path):
    torch.multiprocessing.spawn(
        ddp_rank, args=(2, str(tmp_path / "init"), registry, str(tmp_path)),
        nprocs=2, join=True)
    ranks = [json.loads((tmp_path / ("%d.json" % r)).read_text())
             for r in range(2)]
    for epoch in range(2):
        a, b = ranks[0][epoch], ranks[1][epoch]
        assert a and b
        assert not set(a) & set(b)
        assert_each_once(a + b)
    assert ranks[0][0] != ranks[0][1]
