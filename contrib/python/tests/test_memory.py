"""A 1,000,000-entry package is browsed and its keys iterated in bounded
memory: entries are read from the manifest one at a time."""

import base64
import hashlib
import json
import os
import subprocess
import sys

import pytest

import quire

N = 1000000
LIMIT_MIB = 100


@pytest.fixture(scope="module")
def million(tmp_path_factory, ):
    """A registry holding lab/million, whose manifest the CLI checked
    (quire write-manifest prints its top hash)."""
    from conftest import run_quire
    root = tmp_path_factory.mktemp("million")
    lines = root / "lines.jsonl"
    value = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    with open(lines, "w") as f:
        f.write(json.dumps({"version": "v0", "message": "big"}) + "\n")
        for i in range(N):
            f.write('{"logical_key": "d%03d/f%07d.bin", "physical_keys": '
                    '["s3://bucket/o/%d"], "size": %d, "hash": {"type": '
                    '"sha2-256-chunked", "value": "%s"}, "meta": '
                    '{"user_meta": {"i": %d}}}\n'
                    % (i // 10000, i, i, i, value, i))
    ws = root / "ws"
    ws.mkdir()
    env = dict(os.environ, HOME=str(root), XDG_DATA_HOME=str(root / "d"),
               XDG_CACHE_HOME=str(root / "c"))
    run_quire("init", "lab/million", cwd=str(ws), env=env)
    top = run_quire("write-manifest", str(lines), cwd=str(ws),
                    env=env).stdout.strip()
    reg = root / "registry"
    named = reg / ".quilt" / "named_packages" / "lab" / "million"
    os.makedirs(reg / ".quilt" / "packages")
    os.makedirs(named)
    os.rename(lines, reg / ".quilt" / "packages" / top)
    for pointer in ("latest", "1700000000"):
        (named / pointer).write_text(top)
    return str(reg), top


CHILD = r"""
import resource, sys
import quire
reg, top, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
pkg = quire.Package.browse("lab/million", registry=reg)
assert pkg.top_hash == top, pkg.top_hash
count = 0
last = None
for key in pkg.keys():
    count += 1
    last = key
assert count == n, count
assert last == "d%03d/f%07d.bin" % ((n - 1) // 10000, n - 1), last
assert len(pkg) == n
assert len(pkg.ls()) == (n + 9999) // 10000
assert pkg.count() == n
e = pkg[last]
assert e.metadata == {"i": n - 1} and e.size == n - 1
walked = sum(1 for _ in pkg.walk("d050/"))
assert walked == 10000, walked
# keys are found by their place in the manifest, not by a walk
for i in range(0, n, 997):
    assert pkg["d%03d/f%07d.bin" % (i // 10000, i)].size == i
assert "d050" in pkg and "d05" not in pkg and "d100" not in pkg
assert "d000/f0000000.bin" in pkg and "d000/f000000.bin" not in pkg
# VmHWM: this program's own peak (ru_maxrss may also hold the parent's
# size at the fork before exec)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
print(int(hwm[0].split()[1]) // 1024 if hwm else
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_a_million_entries_in_bounded_memory(million, tmp_path):
    reg, top = million
    env = dict(os.environ, HOME=str(tmp_path),
               XDG_CACHE_HOME=str(tmp_path / "cache"),
               XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=os.path.dirname(os.path.dirname(quire.__file__)))
    p = subprocess.run([sys.executable, "-c", CHILD, reg, top, str(N)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    peak = int(p.stdout.split()[-1])
    if "libasan" in os.environ.get("LD_PRELOAD", ""):
        return      # ASan's shadow memory and quarantine: no bound holds
    assert peak < LIMIT_MIB, "peak RSS %d MiB" % peak
    print("peak RSS of browsing %d entries: %d MiB" % (N, peak))
