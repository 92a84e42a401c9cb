"""Errors are exceptions carrying the CLI's message; bad input never
crashes the interpreter."""

import os
import subprocess
import sys
import urllib.parse

import pytest

import quire
from conftest import write_raw_manifest


def test_the_exception_family():
    for cls in (quire.NotFoundError, quire.ConflictError,
                quire.CorruptError, quire.UsageError):
        assert issubclass(cls, quire.QuireError)
    assert issubclass(quire.UsageError, ValueError)
    assert not issubclass(quire.NotFoundError, KeyError)


def test_missing_package_and_registry(small_package, quire_home, tmp_path,
                                      quire_cli):
    with pytest.raises(quire.NotFoundError) as e:
        quire.Package("lab/nope", registry=small_package.registry)
    cli = quire_cli("ls", "lab/nope", "-r", small_package.registry,
                    check=False)
    assert cli.returncode == 128
    assert str(e.value) in cli.stderr
    with pytest.raises(quire.NotFoundError):
        quire.Package("lab/small@" + "0" * 64,
                      registry=small_package.registry)
    with pytest.raises(quire.NotFoundError):
        quire.Package("lab/small:no-such-tag",
                      registry=small_package.registry)
    with pytest.raises(quire.QuireError):
        quire.Package("lab/small", registry=str(tmp_path / "nowhere"))


@pytest.mark.parametrize("rev", [
    "", "nons", "a/b/c", "lab/small@zz", "lab/small@12", "lab/small:",
    "lab/small:a:b", "s3://", "quilt+s3://b#package=", "\u00e9/\u00e9",
    "lab/small\n", "lab/\x01x",
])
def test_bad_revisions_raise(rev, small_package, quire_home):
    with pytest.raises(quire.QuireError) as e:
        quire.Package(rev, registry=small_package.registry)
    assert str(e.value)


@pytest.mark.parametrize("args,kw", [
    ((3,), {}), ((None,), {}), ((b"lab/small",), {}),
    (("lab/small",), {"registry": 5}),
    (("lab/small",), {"top_hash": 5}),
])
def test_wrong_types_raise_type_error(args, kw, small_package, quire_home):
    with pytest.raises((TypeError, quire.UsageError)):
        quire.Package(*args, **kw)


def test_nul_in_a_revision(small_package, quire_home):
    with pytest.raises(ValueError):
        quire.Package("lab/sm\0all", registry=small_package.registry)


def test_browse_refuses_hash_and_tag_together(small_package, quire_home):
    with pytest.raises(quire.UsageError):
        quire.Package.browse("lab/small", registry=small_package.registry,
                             top_hash="abcdef", tag="v1")
    with pytest.raises(quire.UsageError):
        quire.Package.browse("lab/small:v1", registry=small_package.registry,
                             top_hash="abcdef")


def test_install_needs_a_folder(small_package, quire_home):
    pkg = quire.Package("lab/small", registry=small_package.registry)
    for dest in (None, ""):
        with pytest.raises(quire.UsageError):
            pkg.install(dest)


def test_bad_keys_and_listing_arguments(small_package, quire_home):
    pkg = quire.Package("lab/small", registry=small_package.registry)
    for bad in (None, 3, b"a.txt", ["a"]):
        with pytest.raises(TypeError):
            pkg[bad]
        assert bad not in pkg
    with pytest.raises(TypeError):
        list(pkg.keys(3))
    with pytest.raises(TypeError):
        pkg.prefetch([3])
    with pytest.raises(quire.UsageError):
        list(quire.list_package_versions("nons", small_package.registry))
    with pytest.raises(quire.NotFoundError):
        list(quire.list_package_versions("lab/nope", small_package.registry))
    with pytest.raises(TypeError):
        quire.list_packages(3)


def test_corrupt_object_raises_corrupt_error(tmp_path, quire_home):
    from conftest import make_package
    reg = tmp_path / "reg"
    make_package(str(tmp_path), "file://%s" % reg, name="lab/bad")
    pkg = quire.Package("lab/bad", registry="file://%s" % reg)
    path = urllib.parse.unquote(pkg["a.txt"].physical_key[len("file://"):])
    with open(path, "wb") as f:
        f.write(b"HELLO\n")          # same size, other bytes
    with pytest.raises(quire.CorruptError) as e:
        pkg["a.txt"].get_bytes()
    assert "a.txt" in str(e.value) or "hash" in str(e.value)
    with pytest.raises(quire.QuireError):
        pkg.install(str(tmp_path / "inst"))
    # nothing of it in the cache
    with pytest.raises(quire.CorruptError):
        pkg["a.txt"].get_cached_path()


def test_raw_manifest_helper_is_right(tmp_path, quire_home):
    reg = str(tmp_path / "reg")
    top = write_raw_manifest(reg, "lab/raw", [("ok/a.txt", b"a\n")])
    pkg = quire.Package("lab/raw", registry=reg)
    assert pkg.top_hash == top
    assert pkg["ok/a.txt"].get_bytes() == b"a\n"


def test_physical_key_outside_a_folder_registry_is_refused(tmp_path,
                                                           quire_home):
    reg = str(tmp_path / "reg")
    write_raw_manifest(reg, "lab/out", [("a.txt", b"a\n")],
                       data=str(tmp_path / "elsewhere"))
    pkg = quire.Package("lab/out", registry=reg)
    with pytest.raises(quire.UsageError) as e:
        pkg["a.txt"].get_bytes()
    assert "trust the registry" in str(e.value)


@pytest.mark.parametrize("key", ["../evil", "a/../../evil", "/abs",
                                 "a//b", "a/./b"])
def test_bad_logical_key_raises_before_anything_is_written(key, tmp_path,
                                                           quire_home):
    reg = str(tmp_path / "reg")
    write_raw_manifest(reg, "lab/evil", [("ok.txt", b"ok\n"),
                                         (key, b"evil\n")])
    dest = tmp_path / "inst"
    with pytest.raises(quire.CorruptError) as e:
        quire.Package("lab/evil", registry=reg).install(str(dest))
    assert str(e.value)
    assert not dest.exists()
    assert not (tmp_path / "evil").exists()
    cache = os.path.join(os.environ["XDG_CACHE_HOME"], "quire", "objects")
    stored = [f for d, _, fs in os.walk(cache) for f in fs
              if os.sep + "tmp" not in d[len(cache):]]
    assert stored == []


def test_bad_input_never_crashes_the_interpreter(small_package, tmp_path):
    """A child process throws junk at every entry point and must exit
    normally."""
    code = r"""
import quire, sys
reg = sys.argv[1]
junk = [None, 0, -1, 2**70, 1.5, b"x", "", "\0", "\udc80", [], {}, object(),
        "x" * 100000, "lab/small@" + "g" * 64, "../..", "s3://", "file://"]
pkg = quire.Package("lab/small", registry=reg)
calls = [
    lambda j: quire.Package(j, registry=reg),
    lambda j: quire.Package("lab/small", registry=j),
    lambda j: quire.Package.browse("lab/small", registry=reg, top_hash=j),
    lambda j: quire.Package.browse("lab/small", registry=reg, tag=j),
    lambda j: pkg[j],
    lambda j: j in pkg,
    lambda j: list(pkg.keys(j)),
    lambda j: list(pkg.walk(j)),
    lambda j: pkg.prefetch(j),
    lambda j: pkg.diff(j),
    lambda j: pkg.verify(j),
    lambda j: pkg.install(j),
    lambda j: list(quire.list_packages(j)),
    lambda j: list(quire.list_package_versions(j, reg)),
    lambda j: pkg._manifest.fetch([(j, j, j, j)]),
    lambda j: pkg._manifest.fetch(j),
    lambda j: pkg._manifest.lookup(j),
]
n = 0
for call in calls:
    for j in junk:
        try:
            call(j)
        except (quire.QuireError, TypeError, ValueError, KeyError,
                OverflowError, UnicodeError, OSError):
            n += 1
print("survived", n)
"""
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path),
               PYTHONPATH=os.path.dirname(os.path.dirname(quire.__file__)))
    # junk like "../.." may name a folder: keep what it makes in tmp_path
    cwd = tmp_path / "a" / "b" / "c"
    os.makedirs(cwd)
    p = subprocess.run([sys.executable, "-c", code, small_package.registry],
                       capture_output=True, text=True, env=env,
                       cwd=str(cwd))
    assert p.returncode == 0, p.stderr
    assert "survived" in p.stdout
    assert not os.path.exists(tmp_path / "a" / "b" / "c" / ".quire")
