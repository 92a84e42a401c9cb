"""The read side of quire for Python: Package and PackageEntry.

A Package holds one verified manifest in the user's cache (quire's
engine, the _quire extension, fetches it) and reads it as a stream each
time it is walked: a package of millions of entries is browsed in
bounded memory, and entries are made only when asked for.

Names follow quilt3's:

* ``iter(pkg)`` and ``len(pkg)`` are about the top level, as in quilt3:
  the names of the entries and folders directly in the package (or in
  the folder a sub-package view stands for).
* ``pkg.keys(prefix="")`` and ``pkg.walk(prefix="")`` go over every
  entry below prefix, ``walk`` yielding ``(logical_key, entry)``.
* ``pkg["dir/file"]`` is an entry; ``pkg["dir"]`` (or ``"dir/"``) a view
  of the folder, itself a Package; a missing key raises KeyError.

Every byte an entry gives (get_bytes, open, fetch, get_cached_path) comes
from the user's cache, where quire stores an object only after checking
it against the entry's hash; a cached object is not hashed again.
Ranged reads of a remote object without verification are not offered:
``open()`` fetches the whole object into the cache first.
"""

import json
import os
import shutil
import tempfile

from . import _quire
from ._quire import NotFoundError, UsageError


def quire_error_not_found(folder):
    return NotFoundError("'%s' is no folder" % folder)

__all__ = ["Package", "PackageEntry", "list_packages",
           "list_package_versions"]


def _check_str(value, what):
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" %
                        (what, type(value).__name__))


class PackageEntry:
    """One entry of a package version: its logical key, where its bytes
    are, their size and hash, and its metadata."""

    __slots__ = ("_manifest", "logical_key", "physical_key", "size",
                 "_hash_type", "_hash_value", "_meta_text", "_meta")

    def __init__(self, manifest, row, prefix=""):
        (key, self.physical_key, self.size, self._hash_type,
         self._hash_value, self._meta_text) = row
        self._manifest = manifest
        self.logical_key = key[len(prefix):]
        self._meta = None

    def __repr__(self):
        return "PackageEntry(%r, size=%d)" % (self.physical_key, self.size)

    def __str__(self):
        return self.logical_key

    def is_file(self):
        return True

    def is_dir(self):
        return False

    def __eq__(self, other):
        return (isinstance(other, PackageEntry) and
                self.hash == other.hash and self.size == other.size and
                self.meta == other.meta)

    __hash__ = None

    @property
    def physical_keys(self):
        return [self.physical_key]

    @property
    def hash(self):
        return {"type": self._hash_type, "value": self._hash_value}

    @property
    def meta(self):
        """The entry's whole meta object (user_meta, handler, ...)."""
        if self._meta is None:
            self._meta = json.loads(self._meta_text)
        return self._meta

    @property
    def metadata(self):
        """The user metadata, meta["user_meta"] ({} when none)."""
        return self.meta.get("user_meta", {}) or {}

    @property
    def handler(self):
        """The handler spec (quire set --spec), or None."""
        h = self.meta.get("handler")
        return h.get("spec") if isinstance(h, dict) else None

    def _object(self):
        return (self.physical_key, self._hash_type, self._hash_value,
                self.size)

    def get_cached_path(self):
        """The object in the user's cache, fetched and verified first."""
        return self._manifest.fetch([self._object()])[0]

    def get_bytes(self):
        with open(self.get_cached_path(), "rb") as f:
            return f.read()

    def get_as_string(self, encoding="utf-8"):
        return self.get_bytes().decode(encoding)

    def get_as_json(self):
        return json.loads(self.get_bytes())

    def open(self):
        """A seekable binary file object over the verified bytes."""
        return open(self.get_cached_path(), "rb")

    def fetch(self, dest=None):
        """Copy the bytes to dest (a file, or a folder to put the file
        in; default: the key's last component here), written to a
        temporary file and renamed. Returns the path."""
        if dest is None:
            dest = os.path.basename(self.logical_key)
        dest = os.fspath(dest)
        if os.path.isdir(dest) or dest.endswith(os.sep):
            dest = os.path.join(dest, os.path.basename(self.logical_key))
        src = self.get_cached_path()
        folder = os.path.dirname(os.path.abspath(dest))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".quire-fetch-")
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return dest

    deserialize = get_as_json


class PackageFolder:
    """A folder of a package, as Package.ls() lists it: its logical key
    ends in '/'."""

    __slots__ = ("logical_key",)

    def __init__(self, logical_key):
        self.logical_key = logical_key

    def __repr__(self):
        return "PackageFolder(%r)" % self.logical_key

    def __str__(self):
        return self.logical_key

    def __eq__(self, other):
        return (isinstance(other, PackageFolder) and
                other.logical_key == self.logical_key)

    def __hash__(self):
        return hash(self.logical_key)

    def is_file(self):
        return False

    def is_dir(self):
        return True


class Package:
    """A package version, browsed: ``Package("ns/name[:tag|@hash]",
    registry=None)`` loads nothing but its manifest."""

    def __init__(self, name, registry=None, *, top_hash=None, tag=None,
                 hash=None):
        _check_str(name, "the package revision")
        if hash is not None:
            # the seeds' Package(name, tag=, hash=)
            if top_hash is not None and top_hash != hash:
                raise UsageError("give top_hash or hash, not both")
            top_hash = hash
        if registry is not None:
            registry = os.fspath(registry)
        if top_hash is not None or tag is not None:
            name = _revision(name, top_hash, tag)
        self._manifest = _quire.open(name, registry=registry)
        self._prefix = ""
        self._meta = None

    @classmethod
    def browse(cls, name, registry=None, top_hash=None, tag=None):
        """quilt3's Package.browse: the version of name that top_hash
        (a hash or a prefix of one) or tag names; else latest."""
        return cls(name, registry=registry, top_hash=top_hash, tag=tag)

    @classmethod
    def _view(cls, parent, prefix):
        view = cls.__new__(cls)
        view._manifest = parent._manifest
        view._prefix = prefix
        view._meta = None
        return view

    def __reduce__(self):
        """Pickled as its name, registry and top hash (what a
        DataLoader worker or a Dask task reopens)."""
        if not self.name:
            raise UsageError("a version without a package name cannot "
                             "be pickled; open it as ns/name@hash")
        return (_reopen, (self.name, self.registry, self.top_hash,
                          self._prefix))

    # --- identity and metadata -------------------------------------------

    @property
    def top_hash(self):
        return self._manifest.top_hash

    hash = top_hash

    @property
    def name(self):
        return self._manifest.name

    @property
    def registry(self):
        return self._manifest.registry

    @property
    def meta(self):
        """The package metadata (the manifest's line 1) as a dict."""
        if self._meta is None:
            self._meta = json.loads(self._manifest.meta)
        return self._meta

    @property
    def message(self):
        return self.meta.get("message")

    @property
    def provenance(self):
        return self.meta.get("provenance")

    @property
    def user_meta(self):
        return self.meta.get("user_meta", {}) or {}

    def __repr__(self):
        return "Package(%r, top_hash=%r)" % (self.name, self.top_hash)

    # --- entries -----------------------------------------------------------

    def _full(self, key):
        _check_str(key, "a logical key")
        return self._prefix + key

    def keys(self, prefix=""):
        """Every logical key below prefix, streamed, in quilt3's order."""
        n = len(self._prefix)
        for key in self._manifest.keys(self._full(prefix)):
            yield key[n:]

    def walk(self, prefix=""):
        """(logical_key, PackageEntry) for every entry below prefix."""
        for row in self._manifest.entries(self._full(prefix)):
            entry = PackageEntry(self._manifest, row, self._prefix)
            yield entry.logical_key, entry

    def __iter__(self):
        """Every entry (PackageEntry), streamed in quilt3's order: the
        seeds' ``for entry in pkg``. keys() and walk() give the keys."""
        for _, entry in self.walk():
            yield entry

    def __len__(self):
        """The number of entries."""
        return self.count()

    def __contains__(self, key):
        if not isinstance(key, str):
            return False
        key = key.rstrip("/")
        if not key:
            return False
        if self._manifest.find(self._full(key)) is not None:
            return True
        return self._manifest.has_prefix(self._full(key) + "/")

    def __getitem__(self, key):
        _check_str(key, "a logical key")
        folder = key.rstrip("/")
        if not folder or "//" in key or key.startswith("/"):
            raise KeyError(key)
        if not key.endswith("/"):
            row = self._manifest.find(self._full(key))
            if row is not None:
                return PackageEntry(self._manifest, row, self._prefix)
        if self._manifest.has_prefix(self._full(folder) + "/"):
            return Package._view(self, self._full(folder) + "/")
        raise KeyError(key)

    def get_entry(self, key):
        """The entry at key (a KeyError when there is none, or when key
        is a folder)."""
        entry = self[key]
        if not isinstance(entry, PackageEntry):
            raise KeyError("%s is a folder, not an entry" % key)
        return entry

    def get(self, key):
        """The bytes of the entry at key, through the user's cache (the
        seeds' pkg.get(); the first call fetches, later ones read the
        cache)."""
        return self.get_entry(key).get_bytes()

    get_contents = get

    def get_metadata(self, key):
        """The user metadata of the entry at key."""
        return self.get_entry(key).metadata

    def cache(self, key):
        """Fetch the entry at key into the user's cache (verified);
        returns the cached file's path."""
        return self.get_entry(key).get_cached_path()

    def clear_cache(self):
        """Remove this version's objects (of this view) from the user's
        cache; returns how many were removed. Reading them again fetches
        them again."""
        removed = 0
        batch = []
        for _, entry in self.walk():
            batch.append(entry._object())
            if len(batch) == 4096:
                removed += self._manifest.uncache(batch)
                batch = []
        return removed + self._manifest.uncache(batch)

    def readme(self):
        """The text of the package's README (README.md, README.txt or
        README at this level); NotFoundError when it has none."""
        for name in ("README.md", "README.txt", "README", "readme.md"):
            row = self._manifest.find(self._full(name))
            if row is not None:
                entry = PackageEntry(self._manifest, row, self._prefix)
                return entry.get_as_string()
        raise NotFoundError("%s has no README.md" % self.name)

    def ls(self, prefix=""):
        """What is directly in the folder prefix ("" for the top): a
        PackageEntry for each file and a PackageFolder (key ending in
        '/') for each folder, in order; str() of each is its key."""
        _check_str(prefix, "a folder")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        out, last = [], None
        for key, entry in self.walk(prefix):
            rest = key[len(prefix):]
            if "/" in rest:
                folder = prefix + rest.split("/", 1)[0] + "/"
                if folder != last:
                    out.append(PackageFolder(folder))
                    last = folder
            else:
                out.append(entry)
        return out

    def as_package_builder(self, dir=None, registry=None):
        """A PackageBuilder to change this version (the seeds'
        as_package_builder()), without fetching its data: a new workspace
        at dir (a new folder under the user's cache when None) holds this
        version's entries with their physical keys, and its pushes move
        latest from this version."""
        from .builder import PackageBuilder
        self._whole("as_package_builder")
        if dir is None:
            root = os.path.join(_cache_root(), "builders")
            os.makedirs(root, exist_ok=True)
            dir = tempfile.mkdtemp(prefix=self.name.replace("/", "-") +
                                   "-", dir=root)
        return PackageBuilder.on_package(self, dir, registry=registry)

    def count(self):
        """The number of entries (all of them, below this view's
        folder)."""
        if not self._prefix:
            return self._manifest.count()
        return sum(1 for _ in self.keys())

    def prefetch(self, keys):
        """Fetch the objects of many entries into the user's cache in
        parallel, verified (the GIL is released). Returns nothing."""
        prefetch(self, keys)

    # --- folders -----------------------------------------------------------

    def _compare_folder(self, folder):
        folder = os.fspath(folder)
        if not os.path.isdir(folder):
            raise quire_error_not_found(folder)
        if _in_workspace(folder):
            return self._manifest.check_folder(folder)
        return _compare_plain_folder(self._manifest, folder)

    def _whole(self, what):
        if self._prefix:
            raise UsageError("%s compares the whole version; call it on "
                             "the package, not on its folder '%s'" %
                             (what, self._prefix.rstrip("/")))

    def install(self, dest, path=None, *, force=False, link=None):
        """Install this version into the folder dest (made a quire
        folder, as 'quire install --to dest'), only the entries below
        path when given (of a folder's view, the folder's entries), at
        their full logical keys. Returns the folder."""
        if self._prefix:
            path = self._prefix + (path or "")
        return self._manifest.install(dest, path=path, force=force,
                                      link=link)

    def download(self, dest, path=None):
        return self.install(dest, path=path)

    def copy(self, to=None, dest=None, path=None):
        return self.install(to if to is not None else dest, path=path)

    def verify(self, dir):
        """Does the quire folder dir hold this version byte for byte
        (no file changed, missing or extra)?"""
        self._whole("verify")
        d = self._compare_folder(dir)
        return not (d["added"] or d["modified"] or d["deleted"])

    verify_directory_matches_manifest = verify

    def force_directory_to_match_manifest(self, dir):
        """Make the quire folder dir hold exactly this version: changed
        files replaced, files no longer in it removed (install with
        force). Returns the folder."""
        self._whole("force_directory_to_match_manifest")
        return self.install(dir, force=True)

    def diff(self, other):
        """{"added", "modified", "deleted"}: the logical keys by which
        other (a Package, or a folder) differs from this one; for a
        folder also "hash", this version's top hash when it matches."""
        self._whole("diff")
        if isinstance(other, Package):
            other._whole("diff")
            return self._manifest.diff(other._manifest)
        if isinstance(other, (str, os.PathLike)):
            d = self._compare_folder(other)
            # the seed's diff also names what the folder holds: this
            # version's top hash when it matches, else None
            d["hash"] = None if (d["added"] or d["modified"] or
                                 d["deleted"]) else self.top_hash
            return d
        raise TypeError("diff takes a Package or a folder, not %s" %
                        type(other).__name__)


def _in_workspace(folder):
    d = os.path.abspath(folder)
    while True:
        if os.path.isdir(os.path.join(d, ".quire")):
            return True
        up = os.path.dirname(d)
        if up == d:
            return False
        d = up


def _compare_plain_folder(manifest, folder, batch=256):
    """quilt3's verify over any folder: each entry's file hashed (in
    parallel, by quire), and the files no entry names."""
    added, modified, deleted = [], [], []
    known = set()
    pending = []

    def flush():
        values = _quire.hash_files(
            [(os.path.join(folder, *k.split("/")), t) for k, t, _ in pending])
        for (key, _, want), got in zip(pending, values):
            if got is None:
                deleted.append(key)
            elif got != want:
                modified.append(key)
        del pending[:]

    for key, _, _, htype, hvalue, _ in manifest.entries(""):
        known.add(key)
        pending.append((key, htype, hvalue))
        if len(pending) >= batch:
            flush()
    flush()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(root, folder)
        for f in sorted(files):
            key = f if rel == "." else "/".join(rel.split(os.sep) + [f])
            if key not in known:
                added.append(key)
    return {"added": sorted(added, key=lambda k: k.split("/")),
            "modified": modified, "deleted": deleted}


def _reopen(name, registry, top_hash, prefix):
    pkg = Package.browse(name, registry=registry, top_hash=top_hash)
    return Package._view(pkg, prefix) if prefix else pkg


def _cache_root():
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return os.path.join(xdg, "quire")
    return os.path.join(os.path.expanduser("~"), ".cache", "quire")


def _revision(name, top_hash, tag):
    if top_hash is not None and tag is not None:
        raise UsageError("give top_hash or tag, not both")
    if ":" in name or "@" in name:
        raise UsageError("'%s' names a version already; give top_hash "
                         "or tag only with ns/name" % name)
    if top_hash is not None:
        _check_str(top_hash, "top_hash")
        return "%s@%s" % (name, top_hash)
    _check_str(tag, "tag")
    return "%s:%s" % (name, tag)


def prefetch(pkg, keys):
    """Fetch many entries' objects into the cache in parallel."""
    if isinstance(keys, str):
        keys = [keys]
    keys = [pkg._full(k) for k in keys]
    rows = pkg._manifest.lookup(keys)
    missing = [k for k, r in zip(keys, rows) if r is None]
    if missing:
        raise KeyError(missing[0])
    pkg._manifest.fetch([(r[1], r[3], r[4], r[2]) for r in rows])


def list_packages(registry=None):
    """The names (ns/name) of the packages in registry."""
    return iter(_quire.list_packages(registry))


def list_package_versions(name, registry=None):
    """(version, top_hash) pairs as quilt3 gives them: each pushed
    version by its unix time (a str), oldest first, then "latest"."""
    for version, top in _quire.list_package_versions(name, registry):
        yield str(version), top
