"""quire:// -- an fsspec filesystem over quire packages.

A path names a package version, then a logical key in it:

    quire://<ns>/<name>[:<tag>|@<hash>]/<path/in/package>

so pandas and Dask read a package's tables as they read any other
storage (quire-revisions(7) says how a version is named):

    pandas.read_csv("quire://lab/results:v2/tables/run1.csv")
    dask.dataframe.read_csv("quire://lab/results/tables/*.csv",
                            storage_options={"registry": "s3://b/reg"})

The registry is `storage_options={"registry": ...}` (a URL, a folder or
a remote's name, as `quire -r` takes it); without it, the order every
quire command follows: the workspace's `origin`, `$QUIRE_REGISTRY`, then
the embedded default registry `$XDG_DATA_HOME/quire/registry`.

Pinning: the first time a filesystem instance opens `<ns>/<name>` (the
version `latest` names) or `<ns>/<name>:<tag>`, it remembers the top
hash it found, and every later path of that instance naming the same
revision reads that version, even if someone pushes a new `latest` or
moves the tag meanwhile. The pins travel with the instance when it is
pickled, so a Dask job planned on one version reads that version on
every worker. A new instance (`skip_instance_cache=True`), or
`fs.invalidate_cache()`, sees the registry as it is now. Workers find
the registry the way this process did unless it is given: pass
`registry` when they do not share this process's folder and settings.

The filesystem is read-only: opening for writing, and every method
that would change a package, raise NotImplementedError. Bytes come
through quire's cache and are verified against the entry's hash.
"""

import os
import threading

import fsspec
from fsspec.callbacks import NoOpCallback
from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

import quire

__all__ = ["QuireFileSystem", "QuireFile"]

# Entries an instance keeps from its listings (the manifest is streamed:
# a lookup by key is a pass over it).
ENTRY_CACHE = 65536

READ_ONLY = "quire:// is read-only: build and push a package with " \
    "quire.PackageBuilder or the quire command"


def _not_found(path, exc=None):
    """A FileNotFoundError for path, with quire's own message if any."""
    msg = str(exc) if exc is not None and str(exc) else "no such file"
    err = FileNotFoundError(2, msg, path)
    if exc is not None:
        err.__cause__ = exc
    return err


def split_path(path):
    """(package revision, logical key) of a stripped path.

    "lab/results:v2/tables/a.csv" gives ("lab/results:v2",
    "tables/a.csv"); "lab/results" gives ("lab/results", ""); a path
    with fewer than two components gives (None, path).
    """
    parts = path.split("/", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None, path
    rev = parts[0] + "/" + parts[1]
    return rev, parts[2] if len(parts) > 2 else ""


def package_name(rev):
    """The <ns>/<name> of a revision, without its :tag or @hash."""
    ns, name = rev.split("/", 1)
    for sep in ("@", ":"):
        name = name.split(sep, 1)[0]
    return ns + "/" + name


def _restore(cls, args, kwargs, pins):
    """Unpickles a filesystem: the cached instance if its pins agree."""
    fs = cls(*args, **kwargs)
    if not fs._adopt_pins(pins):
        fs = cls(*args, skip_instance_cache=True, **kwargs)
        fs._adopt_pins(pins)
    return fs


class QuireFileSystem(AbstractFileSystem):
    """Read-only access to the entries of quire packages (quire://).

    storage_options: registry (str or None): where the packages are.
    """

    protocol = "quire"
    root_marker = ""

    def __init__(self, registry=None, **storage_options):
        super().__init__(**storage_options)
        if registry is not None and not isinstance(registry, str):
            raise TypeError("registry must be a str or None, not %s" %
                            type(registry).__name__)
        self.registry = registry
        self._lock = threading.Lock()
        self._pins = {}         # revision as written -> top hash
        self._packages = {}     # (registry, ns/name@hash) -> Package
        self._entries = {}      # (top hash, logical key) -> entry

    # Pickling: strings only (the options and the pins); packages are
    # opened again, lazily, where the instance lands.
    def __reduce__(self):
        with self._lock:
            pins = dict(self._pins)
        return _restore, (type(self), self.storage_args,
                          self.storage_options, pins)

    def _adopt_pins(self, pins):
        """Takes pins unless one of them contradicts ours (False)."""
        with self._lock:
            for rev, top in pins.items():
                if self._pins.get(rev, top) != top:
                    return False
            self._pins.update(pins)
        return True

    @classmethod
    def _strip_protocol(cls, path):
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = super()._strip_protocol(path)
        return path.strip("/")

    def invalidate_cache(self, path=None):
        """Forgets pins and open packages (of path's revision, or all)."""
        super().invalidate_cache(path)
        rev = None
        if path is not None:
            rev, _ = split_path(self._strip_protocol(path))
        with self._lock:
            self._entries.clear()
            if rev is None:
                self._pins.clear()
                self._packages.clear()
            else:
                self._pins.pop(rev, None)

    # Packages

    def _open_package(self, rev):
        try:
            return quire.Package(rev, registry=self.registry)
        except quire.NotFoundError as exc:
            raise _not_found(rev, exc) from exc

    def package(self, rev):
        """The quire.Package a revision names, pinned (see the module)."""
        with self._lock:
            top = self._pins.get(rev)
            if top is not None:
                key = (self.registry, package_name(rev) + "@" + top)
                pkg = self._packages.get(key)
                if pkg is not None:
                    return pkg
        if top is not None:
            pkg = self._open_package(package_name(rev) + "@" + top)
        else:
            pkg = self._open_package(rev)
        with self._lock:
            top = self._pins.setdefault(rev, pkg.top_hash)
            key = (self.registry, package_name(rev) + "@" + top)
            if top == pkg.top_hash:
                return self._packages.setdefault(key, pkg)
        # Another thread pinned another version first: read that one.
        return self.package(rev)

    def pinned(self, rev):
        """The top hash this instance reads for rev (pins it if new)."""
        self.package(rev)
        with self._lock:
            return self._pins[rev]

    @staticmethod
    def _walk(pkg, prefix):
        """(logical key, entry) of every entry whose key starts with
        prefix ("" or a folder ending in "/"), streamed."""
        for key, entry in pkg.walk(prefix):
            if key.startswith(prefix):
                yield key, entry

    def _remember(self, pkg, key, entry):
        """Keeps an entry listed or looked up, so that the info() and
        open() that follow a glob() need no pass over the manifest."""
        with self._lock:
            if len(self._entries) >= ENTRY_CACHE:
                self._entries.clear()
            self._entries[(pkg.top_hash, key)] = entry

    def _lookup(self, pkg, key):
        """pkg[key]: an entry, a folder (a Package), or None."""
        if not key:
            return None
        with self._lock:
            entry = self._entries.get((pkg.top_hash, key))
        if entry is not None:
            return entry
        try:
            entry = pkg[key]
        except (KeyError, quire.NotFoundError):
            return None
        if not isinstance(entry, quire.Package):
            self._remember(pkg, key, entry)
        return entry

    def _entry(self, pkg, key):
        """The entry at key, or None when key is no file."""
        entry = self._lookup(pkg, key)
        return None if isinstance(entry, quire.Package) else entry

    def _file(self, path):
        """(rev, key, package, entry) of the file at path, or
        FileNotFoundError."""
        rev, key = split_path(self._strip_protocol(path))
        if rev is None or not key:
            raise _not_found(path)
        pkg = self.package(rev)
        entry = self._entry(pkg, key)
        if entry is None:
            raise _not_found(path, quire.NotFoundError(
                "no entry '%s' in %s@%s" % (key, package_name(rev),
                                            pkg.top_hash)))
        return rev, key, pkg, entry

    # Listing

    def _file_info(self, name, key, pkg, entry):
        self._remember(pkg, key, entry)
        return {
            "name": name,
            "size": entry.size,
            "type": "file",
            "logical_key": key,
            "hash": entry.hash,
            "meta": entry.meta,
            "top_hash": pkg.top_hash,
        }

    @staticmethod
    def _dir_info(name, **extra):
        info = {"name": name, "size": 0, "type": "directory"}
        info.update(extra)
        return info

    def _list_registry(self, ns):
        """Directories for the namespaces (ns None) or packages of ns."""
        names = quire.list_packages(self.registry)
        out = {}
        for full in names:
            pns, _, _ = full.partition("/")
            name = full if ns is not None else pns
            if ns is None or pns == ns:
                out[name] = self._dir_info(name)
        if ns is not None and not out:
            raise _not_found(ns, quire.NotFoundError(
                "no package in the namespace '%s'" % ns))
        return [out[k] for k in sorted(out)]

    def _children(self, rev, key):
        """Infos of what is directly below key (a folder) in rev."""
        pkg = self.package(rev)
        prefix = key + "/" if key else ""
        base = rev + "/" + prefix
        files, dirs = [], {}
        for lk, entry in self._walk(pkg, prefix):
            rest = lk[len(prefix):]
            head, sep, _ = rest.partition("/")
            if sep:
                if head not in dirs:
                    dirs[head] = self._dir_info(base + head)
            else:
                files.append(self._file_info(base + rest, lk, pkg, entry))
        return pkg, list(dirs.values()) + files

    def ls(self, path, detail=True, **kwargs):
        path = self._strip_protocol(path)
        rev, key = split_path(path)
        if rev is None:
            out = self._list_registry(key or None)
        else:
            pkg, out = self._children(rev, key)
            if not out:
                entry = self._entry(pkg, key)
                if entry is None:
                    raise _not_found(path)
                out = [self._file_info(path, key, pkg, entry)]
        out.sort(key=lambda i: i["name"])
        return out if detail else [i["name"] for i in out]

    def info(self, path, **kwargs):
        path = self._strip_protocol(path)
        rev, key = split_path(path)
        if rev is None:
            if key:
                self._list_registry(key)
            return self._dir_info(path)
        pkg = self.package(rev)
        if not key:
            return self._dir_info(path, top_hash=pkg.top_hash)
        entry = self._lookup(pkg, key)
        if entry is None:
            raise _not_found(path)
        if isinstance(entry, quire.Package):
            return self._dir_info(path)
        return self._file_info(path, key, pkg, entry)

    def find(self, path, maxdepth=None, withdirs=False, detail=False,
             **kwargs):
        """Every file below path in one pass over the package's keys."""
        path = self._strip_protocol(path)
        rev, key = split_path(path)
        if rev is None:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs,
                                detail=detail, **kwargs)
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        pkg = self.package(rev)
        prefix = key + "/" if key else ""
        base = rev + "/" + prefix
        out = {}
        for lk, entry in self._walk(pkg, prefix):
            parts = lk[len(prefix):].split("/")
            if withdirs:
                for depth in range(1, len(parts)):
                    if maxdepth is not None and depth > maxdepth:
                        break
                    name = base + "/".join(parts[:depth])
                    if name not in out:
                        out[name] = self._dir_info(name)
            if maxdepth is None or len(parts) <= maxdepth:
                out[base + lk[len(prefix):]] = \
                    self._file_info(base + lk[len(prefix):], lk, pkg, entry)
        if not out and key:
            entry = self._entry(pkg, key)
            if entry is not None:
                out[path] = self._file_info(path, key, pkg, entry)
        names = sorted(out)
        if detail:
            return {n: out[n] for n in names}
        return names

    def ukey(self, path):
        """The entry's hash: the same bytes have the same key."""
        info = self.info(path)
        if info["type"] != "file":
            return super().ukey(path)
        return "%s:%s" % (info["hash"]["type"], info["hash"]["value"])

    # Reading

    def cat_file(self, path, start=None, end=None, **kwargs):
        _, _, _, entry = self._file(path)
        if start is None and end is None:
            return entry.get_bytes()
        size = entry.size
        start, end = _span(start, end, size)
        if start >= end:
            return b""
        return _read_range(entry, start, end)

    def get_file(self, rpath, lpath, callback=None, outfile=None,
                 **kwargs):
        """Copies an entry to the local file lpath through quire's cache
        (written to a temporary file, then renamed)."""
        callback = callback or NoOpCallback()
        if outfile is not None or hasattr(lpath, "write"):
            return super().get_file(rpath, lpath, callback=callback,
                                    outfile=outfile, **kwargs)
        lpath = os.fspath(lpath)
        if self.isdir(rpath):
            os.makedirs(lpath, exist_ok=True)
            return None
        _, _, _, entry = self._file(rpath)
        folder = os.path.dirname(os.path.abspath(lpath))
        os.makedirs(folder, exist_ok=True)
        callback.set_size(entry.size)
        entry.fetch(lpath)
        callback.relative_update(entry.size)
        return None

    def _open(self, path, mode="rb", block_size=None, autocommit=True,
              cache_options=None, **kwargs):
        if mode != "rb":
            raise NotImplementedError(READ_ONLY)
        path = self._strip_protocol(path)
        rev, key, pkg, entry = self._file(path)
        return QuireFile(self, path, entry, mode=mode,
                         block_size=block_size,
                         cache_options=cache_options,
                         size=entry.size, **kwargs)

    # Writing: refused.

    def _refuse(self, *args, **kwargs):
        raise NotImplementedError(READ_ONLY)

    mkdir = makedirs = rmdir = rm_file = _rm = rm = _refuse
    cp_file = mv = pipe_file = put_file = touch = _refuse


def _span(start, end, size):
    """[start, end) of a file of size bytes, Python slice style."""
    start = 0 if start is None else start
    end = size if end is None else end
    if start < 0:
        start = max(size + start, 0)
    if end < 0:
        end = size + end
    return min(start, size), min(end, size)


def _read_at(f, start, end):
    """Bytes [start, end) of the open entry f (fewer at its end)."""
    f.seek(start)
    chunks = []
    want = end - start
    while want > 0:
        data = f.read(want)
        if not data:
            break
        chunks.append(data)
        want -= len(data)
    return b"".join(chunks)


def _read_range(entry, start, end):
    f = entry.open()
    try:
        return _read_at(f, start, end)
    finally:
        f.close()


class QuireFile(AbstractBufferedFile):
    """A package entry, read by ranges through quire.Entry.open()."""

    def __init__(self, fs, path, entry, **kwargs):
        self.entry = entry
        self._handle = None
        super().__init__(fs, path, **kwargs)

    def _fetch_range(self, start, end):
        if start >= end:
            return b""
        if self._handle is None:
            self._handle = self.entry.open()
        return _read_at(self._handle, start, end)

    def close(self):
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        super().close()


# Importing this module names the protocol to fsspec: an installed quire
# has its entry point, and import quire names it only to an fsspec
# imported before quire.
if "quire" not in fsspec.registry:
    fsspec.register_implementation("quire", QuireFileSystem)
