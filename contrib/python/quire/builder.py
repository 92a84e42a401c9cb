"""quire.PackageBuilder: stage, build and push a package version from
Python, on a workspace folder as the CLI uses one (quire status sees what
Python staged).

The work is done in C by _quire.PackageBuilder, through the library calls
the commands make (quire init, add, set, meta --package, commit, push-data,
push-manifest, push), with their checks and messages. This file turns
dicts into JSON for it and a built version into a quire.Package.
"""

import json
import os

from . import _quire

__all__ = ["PackageBuilder"]


def _registry_or_bucket(registry, bucket):
    """The seeds' push_data(bucket=...) names the registry."""
    if bucket is None:
        return registry
    if registry is not None and registry != bucket:
        raise _quire.UsageError("give registry or bucket, not both")
    return bucket


def _json(obj, what):
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise _quire.UsageError("%s must be a dict, not %s"
                                % (what, type(obj).__name__))
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


class PackageBuilder(_quire.PackageBuilder):
    """PackageBuilder("ns/name", dir=None, registry=None)

    The workspace folder dir (default: the current folder) is made one
    as 'quire init ns/name' makes it when it is none yet; a workspace of
    another package is refused. PackageBuilder.open(dir) takes the
    workspace holding dir, with its package name. registry is where
    pushes go (default: the workspace's origin remote, then
    $QUIRE_REGISTRY, then the embedded default registry).
    """

    def __init__(self, name, dir=None, registry=None):
        if name is None:
            raise _quire.UsageError(
                "a PackageBuilder needs its package name, ns/name; "
                "PackageBuilder.open(dir) opens an existing workspace")
        # the seeds' "ns/name:tag": the tag its pushes give the version
        tag = None
        if isinstance(name, str) and ":" in name:
            name, tag = name.split(":", 1)
        super().__init__(name, None if dir is None else os.fspath(dir),
                         None if registry is None else os.fspath(registry))
        self._default_tag = tag

    @classmethod
    def open(cls, dir=".", registry=None):
        """The builder of the workspace that holds dir."""
        self = cls.__new__(cls)
        _quire.PackageBuilder.__init__(self, None, dir, registry)
        return self

    @classmethod
    def on_package(cls, pkg, dir, registry=None):
        """A builder to change the version pkg without fetching its data:
        a new workspace at dir holds pkg's entries, staged with their
        physical keys (as 'quire init' then 'quire merge'); pushes to
        pkg's registry move latest from pkg."""
        pkg._whole("a builder")
        self = cls(pkg.name, os.fspath(dir), registry or pkg.registry)
        self.merge("%s@%s" % (pkg.name, pkg.top_hash),
                   registry=pkg.registry)
        return self

    @classmethod
    def from_package(cls, pkg, dir, registry=None):
        """A builder to change the version pkg (a quire.Package): pkg is
        installed into the folder dir as 'quire install --to dir' does
        (files and all), and the builder opens it; the next push moves
        latest from that version. registry defaults to pkg's."""
        root = pkg.install(os.fspath(dir))
        return cls.open(root, registry=registry or pkg.registry)

    def add(self, path, prefix=None, force=False, overwrite=False):
        """Stage a file, a folder or an s3:// URL (a prefix ends in '/'),
        as 'quire add [--as prefix] path' does; or every entry of a
        quire.Package, with its physical keys (nothing is copied), as
        'quire merge' does -- entries already staged at the same keys are
        refused unless overwrite. Returns self."""
        from .package import Package
        if isinstance(path, Package):
            path._whole("add")
            self.merge("%s@%s" % (path.name, path.top_hash),
                       registry=path.registry, prefix=prefix,
                       overwrite=overwrite)
            return self
        super().add(os.fspath(path), prefix, force)
        return self

    def move_dir_contents(self, src, dst, overwrite=False):
        """Move the entries below the folder src to below dst (the seeds'
        spelling of 'quire mv'): an entry already at a new key is a
        collision, refused unless overwrite. Returns self."""
        src = src if src.endswith("/") else src + "/"
        dst = dst if dst.endswith("/") else dst + "/"
        if not overwrite:
            there = set(self.staged(dst))
            for key in self.staged(src):
                new = dst + key[len(src):]
                if new in there:
                    raise _quire.ConflictError(
                        'Collision detected. moving "%s" to "%s", but "%s" '
                        'already exists. Use overwrite=True if you would '
                        'like to replace "%s" with "%s".'
                        % (key, new, new, new, key))
        self.move(src, dst, overwrite=overwrite)
        return self

    def set(self, key, path=None, meta=None, spec=None, spec_kwargs=None,
            drop_spec=False):
        """One entry, as 'quire set': stage the file path (if given) under
        key, with meta (a dict) as its user metadata. Returns self."""
        super().set(key, None if path is None else os.fspath(path),
                    _json(meta, "meta"), spec,
                    _json(spec_kwargs, "spec_kwargs"), drop_spec)
        return self

    def set_meta(self, key_or_meta=None, meta=None):
        """set_meta(meta): the package's user metadata (a dict), as
        'quire meta --package'; set_meta(key, meta=...): an entry's (the
        seeds' spelling), as set(key, meta=...). Returns self."""
        if isinstance(key_or_meta, str):
            return self.set(key_or_meta, meta=meta if meta is not None
                            else {})
        if key_or_meta is not None and meta is not None:
            raise _quire.UsageError("give the package's meta once")
        super().set_meta(_json(meta if key_or_meta is None else
                               key_or_meta, "meta"))
        return self

    def status(self, ignored=False):
        """What 'quire status --json' says, as a dict: name, top_hash,
        changes ([{"status", "logical_key"}]) and local_entries; with
        ignored, the ignored files of added folders too."""
        return json.loads(super().status(ignored))

    def build_manifest(self, message=None, meta=None):
        """Hash what is staged and build the manifest, as 'quire commit';
        returns the top hash."""
        return super().build_manifest(message, _json(meta, "meta"))

    def push_data(self, prefix=None, local_files_only=False, registry=None,
                  quiet=False, bucket=None):
        """Copy the entries' bytes to the registry, under prefix (default
        ns/name/), as 'quire push-data'. S3 objects stay where they are
        with local_files_only. Builds the manifest first when changes are
        staged. Returns {"registry", "uploaded", "reused", "bytes"}."""
        registry = _registry_or_bucket(registry, bucket)
        out = super().push_data(registry=registry, prefix=prefix,
                                local_files_only=local_files_only,
                                quiet=quiet)
        del out["top_hash"]
        return out

    def push_manifest(self, tag=None, force=False, force_tag=False,
                      allow_local_files=False, registry=None, quiet=False):
        """Publish the manifest (and tag it), as 'quire push-manifest';
        latest moves only from the version this was built from unless
        force (ConflictError names both hashes). Returns the quire.Package
        of the version."""
        tag = tag if tag is not None else getattr(self, "_default_tag",
                                                  None)
        out = super().push_manifest(registry=registry, tag=tag, force=force,
                                    force_tag=force_tag,
                                    allow_local_files=allow_local_files,
                                    quiet=quiet)
        return self._package(out["top_hash"], out["registry"])

    def push(self, prefix=None, tag=None, force=False, force_tag=False,
             registry=None, quiet=False):
        """push_data() then push_manifest(), as 'quire push'. Returns the
        quire.Package of the version."""
        tag = tag if tag is not None else getattr(self, "_default_tag",
                                                  None)
        out = super().push(registry=registry, prefix=prefix, tag=tag,
                           force=force, force_tag=force_tag, quiet=quiet)
        return self._package(out["top_hash"], out["registry"])

    push_data_and_manifest = push

    def as_package(self, allow_local_files=False,
                   allow_local_manifest=False, registry=None):
        """The built version as a quire.Package. Refused while entries
        point to files of this machine (push_data() first) unless
        allow_local_files, and while the registry does not have the
        manifest (push_manifest() first) unless allow_local_manifest: the
        manifest is then read from the workspace's own folder registry,
        .quire/local-registry."""
        top, url, pushed = self.check_package(
            registry=registry, allow_local_files=allow_local_files,
            allow_local_manifest=allow_local_manifest)
        # not pushed: url is the workspace's own .quire/local-registry
        return self._package(top, url)

    def _package(self, top, url):
        from .package import Package
        return Package("%s@%s" % (self.name, top), registry=url)

    def __repr__(self):
        return ("PackageBuilder(\n  name: %s,\n  tophash: %s,\n"
                "  dir: %s\n)" % (json.dumps(self.name),
                                  json.dumps(self.top_hash or "pre-manifest"),
                                  json.dumps(self.dir)))
