"""quire's library inside Python leaves the signals to Python: after a
fetch (which makes temporary files), Ctrl-C is still KeyboardInterrupt and
finally clauses run; the interpreter is not killed."""

import os
import subprocess
import sys

CHILD = r"""
import os, signal, sys
import quire
pkg = quire.Package(sys.argv[1], registry=sys.argv[2])
key = next(k for k, _ in pkg.walk())
assert pkg[key].get_bytes() is not None
try:
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    finally:
        print("finally ran", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(0)
sys.exit(3)
"""


def test_ctrl_c_after_a_fetch_is_keyboard_interrupt(small_package,
                                                   quire_home):
    p = subprocess.run([sys.executable, "-c", CHILD, small_package.name,
                        small_package.registry],
                       capture_output=True, text=True, env=os.environ.copy(),
                       timeout=120)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert p.stdout.splitlines() == ["finally ran", "KeyboardInterrupt"]
