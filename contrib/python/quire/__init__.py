"""quire for Python: versioned data packages in quilt3's format.

The names follow quilt3's, so quilt3 code moves over with few edits::

    import quire
    pkg = quire.Package("lab/dataset:v1", registry="s3://bucket")
    for key, entry in pkg.walk("train/"):
        data = entry.get_bytes()

The engine is quire's C library (the _quire extension); see quire-python(7).
"""

from ._quire import (  # noqa: F401
    QuireError,
    NotFoundError,
    ConflictError,
    CorruptError,
    UsageError,
    __version__,
)

__all__ = [
    "QuireError",
    "NotFoundError",
    "ConflictError",
    "CorruptError",
    "UsageError",
]

try:
    from .package import (  # noqa: F401
        Package,
        PackageEntry,
        list_packages,
        list_package_versions,
    )
    __all__ += ["Package", "PackageEntry", "list_packages",
                "list_package_versions"]
except ImportError as _e:  # pragma: no cover - only while it is written
    if getattr(_e, "name", None) != __name__ + ".package":
        raise

try:
    from .builder import PackageBuilder  # noqa: F401
    __all__ += ["PackageBuilder"]
except ImportError as _e:  # the builder ships in its own file
    if getattr(_e, "name", None) != __name__ + ".builder":
        raise

# The fsspec protocol "quire": an installed quire names it in its
# dist-info's entry points; from a build tree (PYTHONPATH), import quire
# names it to an fsspec already imported. Nothing imports fsspec here.
def _register_fsspec():
    import sys
    fsspec = sys.modules.get("fsspec")
    if fsspec is None:
        return
    try:
        fsspec.register_implementation(
            "quire", "quire.fsspec.QuireFileSystem", clobber=False)
    except (ValueError, AttributeError):
        pass


_register_fsspec()
del _register_fsspec
