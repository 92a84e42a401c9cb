"""PyTorch datasets over a quire package (``import quire.torch``).

Two datasets read the entries of one package version:

``PackageDataset(pkg, prefix="", transform=None)``
    Map-style: ``ds[i]`` is the i-th entry under ``prefix``, in the
    manifest's order.  Use it with any sampler (``DistributedSampler``
    for DDP).

``IterablePackageDataset(pkg, prefix="", transform=None, shuffle=False,
seed=0, prefetch=64)``
    Iterable: shards the entries across ``torch.distributed`` ranks and
    DataLoader workers, so that in one epoch each entry is read by exactly
    one worker of one rank.  With ``shuffle=True`` the order is a seeded
    permutation of ``seed`` and the epoch given to ``set_epoch()``: the
    same on every rank, which then takes its share.  The next ``prefetch``
    objects are fetched in parallel through quire's transfer engine while
    the current ones are handed out.  Shards differ by at most one entry:
    with N entries and R ranks of W workers, a rank gets N // R or one
    more (DDP code that needs equal steps on every rank stops at the
    shortest).  ``set_epoch()`` reaches the workers a DataLoader starts
    for each epoch; with ``persistent_workers=True`` they keep the epoch
    they started with.

``pkg`` is a ``quire.Package`` or a revision string (``"ns/name"``,
``"ns/name:tag"``, ``"ns/name@hash"``) with ``registry=``; a folder's
view (``pkg["train"]``) reads the entries below that folder, and the
logical keys a dataset gives are always the package's whole keys.  The
dataset keeps only the package's name, registry and top hash: every
process (DataLoader worker, DDP rank) reopens that exact version on first
use, so the dataset pickles and no C object crosses a process boundary.

Items
    By default an item is ``(data, metadata)``: the entry's bytes, verified
    against its hash, and its user metadata (``entry.metadata``, a dict).
    With ``transform``, the item is ``transform(data, metadata)``.  With
    ``return_key=True``, the dataset gives ``(logical_key, item)``.
    Bytes and dicts do not stack into tensors: give the DataLoader
    ``collate_fn=quire.torch.collate_list`` (the batch as a list) or a
    ``transform`` that returns tensors.

S3 and forked workers
    Until quire's S3 client is fork-safe, a DataLoader whose workers are
    forked (Linux's default) after this process used an s3:// registry
    shares that process's open connections: give the DataLoader
    ``multiprocessing_context="spawn"`` (or ``"forkserver"``) for S3.
    Folder (file://) registries are not affected.

Memory
    The logical keys under ``prefix`` are kept in one bytes object (their
    UTF-8, back to back) and an array of offsets: about the keys' length
    plus 8 bytes per entry (10 million keys of 30 bytes: about 380 MiB),
    never one Python object per entry.  Up to PRELOAD (65,536) entries,
    the dataset also keeps each entry's row (its physical key, hash, size
    and metadata; tens of MiB at most), so workers find them without
    reading the manifest again; past that, they read it in passes.
"""

import array
import json
import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.distributed
import torch.utils.data

import quire

__all__ = ["PackageDataset", "IterablePackageDataset", "collate_list"]


def collate_list(batch):
    """A DataLoader ``collate_fn`` that keeps the batch as a list."""
    return list(batch)


class _KeyIndex:
    """The logical keys of a package, in order, in two compact buffers."""

    def __init__(self, keys):
        blob = bytearray()
        offsets = array.array("q", [0])
        for key in keys:
            blob += key.encode("utf-8")
            offsets.append(len(blob))
        self._blob = bytes(blob)
        self._offsets = offsets

    def __len__(self):
        return len(self._offsets) - 1

    def __getitem__(self, i):
        return self._blob[self._offsets[i]:self._offsets[i + 1]].decode(
            "utf-8")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def _package_ref(pkg, registry):
    """(name, registry, top_hash) of a Package or a revision string."""
    if isinstance(pkg, str):
        pkg = quire.Package(pkg, registry=registry)
    name = getattr(pkg, "name", None)
    reg = getattr(pkg, "registry", None) or registry
    if not name:
        raise ValueError("quire.torch: the package has no name; pass its "
                         "revision as a string, with registry=")
    return pkg, name, reg, pkg.top_hash


def _open_version(name, registry, top_hash):
    """The exact version a dataset was made from, opened in this process."""
    return quire.Package.browse(name, registry=registry, top_hash=top_hash)


# Entries are read in batches through the package's engine handle (the
# _quire.Manifest behind quire.Package, this package's own internals):
# one pass over the manifest finds many keys' entries, and one fetch
# brings many objects into the cache in parallel, verified, without the
# GIL.  A row is (logical_key, physical_key, size, hash_type, hash_value,
# meta_json).
PRELOAD = 65536         # up to this many entries, all rows are kept
LOOKUP_BATCH = 8192     # keys found in one pass over the manifest
BLOCK = 1024            # PackageDataset: entries found together ...
CACHED_BLOCKS = 64      # ... and how many such blocks it keeps


def _row_object(row):
    """What the engine's fetch takes for one row."""
    return (row[1], row[3], row[4], row[2])


def _row_metadata(row):
    if not row[5] or '"user_meta"' not in row[5]:
        return {}
    return json.loads(row[5]).get("user_meta") or {}


class _PackageSource:
    """What the datasets share: the version's identity, its keys under a
    prefix, how an item is made, and the package reopened per process."""

    def __init__(self, pkg, prefix, transform, registry, return_key):
        pkg, self._name, self._registry, self._top_hash = _package_ref(
            pkg, registry)
        # a folder's view (pkg["train"]) reads below its folder; keys are
        # the package's own
        prefix = getattr(pkg, "_prefix", "") + prefix
        self.prefix = prefix
        self.transform = transform
        self.return_key = return_key
        self._keys = _KeyIndex(k for k in pkg._manifest.keys(prefix)
                               if k.startswith(prefix))
        self._rows = None
        if len(self._keys) <= PRELOAD:
            self._rows = [r for r in pkg._manifest.entries(prefix)
                          if r[0].startswith(prefix)]
        self._pkg = pkg
        self._pid = os.getpid()
        self._rank = None

    @property
    def name(self):
        return self._name

    @property
    def registry(self):
        return self._registry

    @property
    def top_hash(self):
        return self._top_hash

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_pkg"] = None
        state["_pid"] = None
        state["_rank"] = _dist_rank() or self._rank
        return state

    def package(self):
        """The package, opened once in each process (after a fork too)."""
        if self._pkg is None or self._pid != os.getpid():
            self._pkg = _open_version(self._name, self._registry,
                                      self._top_hash)
            self._pid = os.getpid()
        return self._pkg

    def key(self, i):
        """The logical key of the i-th entry."""
        return self._keys[i]

    def keys(self):
        """The logical keys, in the manifest's order."""
        return iter(self._keys)

    def lookup(self, keys):
        """The rows of many keys, in one pass over the manifest."""
        rows = self.package()._manifest.lookup(list(keys))
        for key, row in zip(keys, rows):
            if row is None:
                raise KeyError(key)
        return rows

    def fetch(self, rows):
        """The cached, verified files of many rows, fetched in parallel."""
        if not rows:
            return []
        return self.package()._manifest.fetch([_row_object(r) for r in rows])

    def items(self, rows, paths):
        """The items of rows whose objects are at paths."""
        for row, path in zip(rows, paths):
            with open(path, "rb") as f:
                data = f.read()
            yield self.make_item(row[0], data, _row_metadata(row))

    def make_item(self, key, data, metadata):
        item = (data, metadata) if self.transform is None else \
            self.transform(data, metadata)
        return (key, item) if self.return_key else item


class PackageDataset(_PackageSource, torch.utils.data.Dataset):
    """Map-style dataset: ``ds[i]`` is the i-th entry under ``prefix``.
    Past PRELOAD entries, entries are found BLOCK at a time (one pass
    over the manifest) and the last CACHED_BLOCKS blocks are kept in
    each worker: a random order costs a pass per block it leaves."""

    def __init__(self, pkg, prefix="", transform=None, registry=None,
                 return_key=False):
        _PackageSource.__init__(self, pkg, prefix, transform, registry,
                                return_key)
        self._blocks = OrderedDict()

    def __len__(self):
        return len(self._keys)

    def _row(self, i):
        if self._rows is not None:
            return self._rows[i]
        b = i // BLOCK
        rows = self._blocks.get(b)
        if rows is None:
            keys = [self._keys[j] for j in
                    range(b * BLOCK, min((b + 1) * BLOCK, len(self._keys)))]
            rows = self._blocks[b] = self.lookup(keys)
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(b)
        return rows[i - b * BLOCK]

    def __getitem__(self, i):
        n = len(self._keys)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("PackageDataset index %d out of range" % i)
        row = self._row(i)
        return next(self.items([row], self.fetch([row])))


def _dist_rank():
    """(rank, world size) of torch.distributed, or None outside a group."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return None


def _shard(pickled_rank):
    """(this shard, number of shards) over DDP ranks and loader workers.
    A worker started by spawn (as under torch.multiprocessing.spawn) is
    in no process group: it takes the rank its dataset was pickled on."""
    rank, world = _dist_rank() or pickled_rank or (0, 1)
    info = torch.utils.data.get_worker_info()
    wid, nworkers = (info.id, info.num_workers) if info else (0, 1)
    return rank * nworkers + wid, world * nworkers


class IterablePackageDataset(_PackageSource, torch.utils.data.IterableDataset):
    """Iterable dataset sharded over ranks and workers (see the module).
    Past PRELOAD entries, a shard streams the manifest once an epoch in
    the manifest's order; shuffled, it finds its keys LOOKUP_BATCH at a
    time, a pass over the manifest each."""

    def __init__(self, pkg, prefix="", transform=None, shuffle=False, seed=0,
                 prefetch=64, registry=None, return_key=False):
        _PackageSource.__init__(self, pkg, prefix, transform, registry,
                                return_key)
        if prefetch < 0:
            raise ValueError("prefetch must be 0 or more, not %d" % prefetch)
        self.shuffle = shuffle
        self.seed = seed
        self.prefetch = prefetch
        self.epoch = 0

    def set_epoch(self, epoch):
        """Choose the epoch's shuffle; call it before iterating."""
        self.epoch = epoch

    def order(self):
        """All indices in this epoch's order, before sharding: a range,
        or a tensor (8 bytes an entry) when shuffled."""
        n = len(self._keys)
        if not self.shuffle:
            return range(n)
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        return torch.randperm(n, generator=g)

    def shard_indices(self):
        """The indices of the entries this rank and worker reads."""
        shard, nshards = _shard(self._rank)
        mine = self.order()[shard::nshards]
        if isinstance(mine, torch.Tensor):
            mine = mine.tolist()
        return mine

    def shard_keys(self):
        """The logical keys this rank and worker reads, in order."""
        return map(self._keys.__getitem__, self.shard_indices())

    def shard_rows(self):
        """The rows of this shard's entries, in order."""
        if self._rows is not None:
            yield from map(self._rows.__getitem__, self.shard_indices())
            return
        if self.shuffle:
            keys = self.shard_keys()
            while True:
                batch = _take(keys, LOOKUP_BATCH)
                if not batch:
                    return
                yield from self.lookup(batch)
        shard, nshards = _shard(self._rank)
        i = 0
        for row in self.package()._manifest.entries(self.prefix):
            if not row[0].startswith(self.prefix):
                continue
            if i % nshards == shard:
                yield row
            i += 1

    def __iter__(self):
        """Items, one window of ``prefetch`` rows handed out while the
        next window is fetched by quire's engine on another thread."""
        rows = self.shard_rows()
        size = max(self.prefetch, 1)
        window = _take(rows, size)
        if not self.prefetch:
            while window:
                yield from self.items(window, self.fetch(window))
                window = _take(rows, size)
            return
        pool = ThreadPoolExecutor(1)
        try:
            pending = pool.submit(self.fetch, window)
            while window:
                following = _take(rows, size)
                paths = pending.result()
                pending = pool.submit(self.fetch, following)
                yield from self.items(window, paths)
                window = following
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _take(it, n):
    out = []
    for x in it:
        out.append(x)
        if len(out) == n:
            break
    return out
