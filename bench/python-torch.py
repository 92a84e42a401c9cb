#!/usr/bin/python3
"""The torch section of 'make bench' (BENCH_ONLY=torch): quire.torch's
figures (issue 13), never pass/fail. Run alone with
	QUIRE_BUILD_DIR=$PWD/build /usr/bin/python3 bench/python-torch.py
after make and make python.

1. One DataLoader epoch (batch 64, 2 workers) over N entries of SIZE
   bytes: IterablePackageDataset and PackageDataset from quire's warm
   cache, beside an IterableDataset that reads the same files from a
   folder that quire install made. Best of RUNS epochs each; items/s and
   the ratio to the folder (goal: 0.9 or more).
2. The first epoch from an S3 server (one Swift node with s3api on
   127.0.0.1, as t/lib-s3.sh starts it) with an empty cache, beside
   '/usr/bin/aws s3 sync' of the same data and then the folder epoch.
   quire's workers there are started by spawn (they import torch
   again, about a second), as quire.torch advises for S3 until the S3
   client is fork-safe.

   BENCH_TORCH_N      entries (default 10000)
   BENCH_TORCH_SIZE   bytes per entry (default 4096)
   BENCH_TORCH_RUNS   warm epochs of each, the best counts (default 3)
   BENCH_TORCH_S3     0 to skip part 2 (default 1; skipped too when
                      Swift or /usr/bin/aws is missing)
   BENCH_DIR          scratch folder (default bench/out); the data goes
                      under $BENCH_DIR/torch
Servers are stopped by their PIDs at the end.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import http.client

SRC = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("QUIRE_BUILD_DIR")
                        or os.path.join(SRC, "..", "build"))
QUIRE = os.path.join(BUILD, "quire")
DIR = os.path.abspath(os.path.join(
    os.environ.get("BENCH_DIR") or os.path.join(SRC, "out"), "torch"))
N = int(os.environ.get("BENCH_TORCH_N", "10000"))
SIZE = int(os.environ.get("BENCH_TORCH_SIZE", "4096"))
RUNS = int(os.environ.get("BENCH_TORCH_RUNS", "3"))
WITH_S3 = os.environ.get("BENCH_TORCH_S3", "1") != "0"
AWS = "/usr/bin/aws"
NAME = "bench/torch%d" % N
BATCH, WORKERS = 64, 2

HOME = os.path.join(DIR, "home")
sys.path.insert(0, os.path.join(BUILD, "python"))

try:
    import torch.utils.data
    import quire
    import quire.torch
    quire.Package
except (ImportError, AttributeError) as e:
    print("bench torch: no quire.torch with torch and quire.Package from "
          "%s/python (make python first): %s" % (BUILD, e))
    sys.exit(0)


def run(*args, cwd=None, env=None):
    subprocess.run(args, cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def make_package():
    """N files of SIZE random bytes, 1000 a folder, pushed once to a
    folder registry; returns the registry's URL."""
    ws = os.path.join(DIR, "ws-%d-%d" % (N, SIZE))
    reg = os.path.join(DIR, "reg-%d-%d" % (N, SIZE))
    done = os.path.join(ws, ".pushed")
    if not os.path.exists(done):
        shutil.rmtree(ws, ignore_errors=True)
        shutil.rmtree(reg, ignore_errors=True)
        for i in range(N):
            d = os.path.join(ws, "data", "%04d" % (i // 1000))
            if i % 1000 == 0:
                os.makedirs(d)
            with open(os.path.join(d, "%07d.bin" % i), "wb") as f:
                f.write(os.urandom(SIZE))
        run(QUIRE, "init", "-q", NAME, cwd=ws)
        run(QUIRE, "add", "-q", "data", cwd=ws)
        run(QUIRE, "commit", "-q", "-m", "bench", cwd=ws)
        run(QUIRE, "push", "-q", "file://" + reg, cwd=ws)
        open(done, "w").close()
    return ws, "file://" + reg


class FolderDataset(torch.utils.data.IterableDataset):
    """The files under a folder, sorted, sharded over workers as
    IterablePackageDataset shards: (bytes, {}) items."""

    def __init__(self, root):
        self.files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(".")]
            self.files += [os.path.join(d, x) for x in names
                           if not x.startswith(".")]
        self.files.sort()

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid, nw = (info.id, info.num_workers) if info else (0, 1)
        for path in self.files[wid::nw]:
            with open(path, "rb") as f:
                yield f.read(), {}


def epoch(ds, shuffle=False, context=None):
    """Seconds for one DataLoader epoch over ds; checks the count."""
    loader = torch.utils.data.DataLoader(
        ds, batch_size=BATCH, num_workers=WORKERS, shuffle=shuffle,
        collate_fn=quire.torch.collate_list,
        multiprocessing_context=context)
    t = time.monotonic()
    n = sum(len(b) for b in loader)
    secs = time.monotonic() - t
    if n != N:
        sys.exit("bench torch: an epoch gave %d items, not %d" % (n, N))
    return secs


def best(ds, shuffle=False):
    return min(epoch(ds, shuffle) for _ in range(RUNS))


def rate(secs):
    return "%8.0f items/s  (%.2f s)" % (N / secs, secs)


def warm_section(reg):
    print("== quire.torch: one DataLoader epoch (batch %d, %d workers) "
          "over %d entries of %d bytes, best of %d" %
          (BATCH, WORKERS, N, SIZE, RUNS))
    folder = os.path.join(DIR, "folder-%d-%d" % (N, SIZE))
    shutil.rmtree(folder, ignore_errors=True)
    run(QUIRE, "install", "-q", "--registry", reg, NAME, "--to", folder)
    plain = FolderDataset(folder)
    it = quire.torch.IterablePackageDataset(NAME, registry=reg)
    mp = quire.torch.PackageDataset(NAME, registry=reg)
    epoch(it)       # the cache is warm from here on
    f = best(plain)
    i = best(it)
    m = best(mp)
    print("folder (quire install):        " + rate(f))
    print("IterablePackageDataset (warm): " + rate(i) +
          "  %.2f x the folder" % (f / i))
    print("PackageDataset (warm):         " + rate(m) +
          "  %.2f x the folder" % (f / m))
    mps = best(mp, shuffle=True)
    print("PackageDataset, shuffled:      " + rate(mps) +
          "  %.2f x the folder" % (f / mps))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _die_with_parent():
    """In a server's child process: a TERM when this script ends, however
    it ends (quire's library handles TERM itself, so a finally clause
    here may never run)."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)      # PR_SET_PDEATHSIG


class Swift:
    """One Swift node with s3api under DIR/swift, stopped by PID."""

    def __init__(self):
        self.dir = os.path.join(DIR, "swift")
        self.procs = []

    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        ports = subprocess.run(
            ["sh", os.path.join(SRC, "..", "t", "helper", "swift-setup.sh"),
             self.dir, "/usr/bin/python3"], check=True,
            stdout=subprocess.PIPE, text=True).stdout.split()
        log = os.path.join(self.dir, "log")
        self.spawn(os.path.join(log, "memcached.log"),
                   ["memcached", "-l", "127.0.0.1", "-p", ports[4], "-U",
                    "0", "-m", "64", "-u", subprocess.run(
                        ["id", "-un"], stdout=subprocess.PIPE,
                        text=True).stdout.strip()])
        for s in ("object", "container", "account", "proxy"):
            self.spawn(os.path.join(log, s + "-server.log"),
                       ["swift-%s-server" % s, os.path.join(
                           self.dir, "etc", s + "-server.conf"), "-v"])
        self.endpoint = "http://127.0.0.1:" + ports[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", int(ports[0]),
                                               timeout=2)
                c.request("GET", "/healthcheck")
                if c.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("swift: not ready after 30 s; see " + log)
            time.sleep(0.05)

    def spawn(self, log, argv):
        with open(log, "w") as out:
            self.procs.append(subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent))

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def s3_env(endpoint):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test:tester",
               AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint,
               AWS_ENDPOINT_URL_S3=endpoint, AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=os.path.join(DIR, "no-aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(DIR, "no-aws-creds"),
               AWS_PAGER="")
    return env


def s3_missing():
    missing = [c for c in ("swift-proxy-server", "swift-object-server",
                           "swift-container-server", "swift-account-server",
                           "memcached") if not shutil.which(c)]
    if not os.access(AWS, os.X_OK):
        missing.append(AWS)
    return missing


def s3_section(ws):
    print("== the first epoch from S3 (Swift on 127.0.0.1) with an empty "
          "cache, beside aws s3 sync and then the folder epoch")
    missing = s3_missing()
    if missing:
        print("skipped: missing " + " ".join(missing))
        return
    swift = Swift()
    try:
        swift.start()
        env = s3_env(swift.endpoint)
        run(AWS, "--endpoint-url", swift.endpoint, "s3", "mb",
            "s3://torchbench", env=env)
        # a new workspace: the first one's entries point to what it
        # pushed before, which a new server does not have
        s3ws = os.path.join(DIR, "s3-ws")
        shutil.rmtree(s3ws, ignore_errors=True)
        shutil.copytree(os.path.join(ws, "data"), os.path.join(s3ws, "data"))
        run(QUIRE, "init", "-q", NAME, cwd=s3ws)
        run(QUIRE, "add", "-q", "data", cwd=s3ws)
        run(QUIRE, "commit", "-q", "-m", "bench", cwd=s3ws)
        t = time.monotonic()
        run(QUIRE, "push", "-q", "s3://torchbench", cwd=s3ws, env=env)
        pushed = time.monotonic() - t
        listing = subprocess.run(
            [AWS, "--endpoint-url", swift.endpoint, "s3", "ls",
             "--recursive", "s3://torchbench/%s/" % NAME], env=env,
            check=True, stdout=subprocess.PIPE, text=True).stdout
        print("(quire push: %.1f s; %d objects under s3://torchbench/%s/)" %
              (pushed, len(listing.splitlines()), NAME))
        os.environ.update({k: v for k, v in env.items()
                           if k.startswith("AWS_")})
        # a cache of its own: a manifest cached from S3 would serve the
        # folder registry's version too (same top hash, S3's physical keys)
        os.environ["XDG_CACHE_HOME"] = os.path.join(HOME, "cache-s3")
        shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)
        t = time.monotonic()
        ds = quire.torch.IterablePackageDataset(NAME,
                                                registry="s3://torchbench")
        epoch(ds, context="spawn")
        q = time.monotonic() - t
        folder = os.path.join(DIR, "synced")
        shutil.rmtree(folder, ignore_errors=True)
        t = time.monotonic()
        run(AWS, "--endpoint-url", swift.endpoint, "s3", "sync",
            "s3://torchbench/%s/" % NAME, folder, env=env)
        sync = time.monotonic() - t
        f = epoch(FolderDataset(folder))
        print("quire, empty cache (open + epoch): " + rate(q) +
              "  (spawned workers: see quire.torch on S3)")
        print("aws s3 sync + folder epoch:        " + rate(sync + f) +
              "  (sync %.2f s + epoch %.2f s)" % (sync, f))
        print("quire / (sync + folder):           %.2f x the speed" %
              ((sync + f) / q))
    finally:
        swift.stop()


def setup_env():
    """A private HOME and cache (spawned workers inherit them)."""
    os.makedirs(DIR, exist_ok=True)
    os.environ.update(HOME=HOME, XDG_DATA_HOME=os.path.join(HOME, "data"),
                      XDG_CONFIG_HOME=os.path.join(HOME, "config"),
                      XDG_CACHE_HOME=os.path.join(HOME, "cache"), TMPDIR=DIR)
    os.environ.pop("QUIRE_REGISTRY", None)


def main():
    setup_env()
    ws, reg = make_package()
    warm_section(reg)
    if WITH_S3:
        s3_section(ws)


if __name__ == "__main__":
    main()
