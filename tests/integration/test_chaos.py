"""The chaos run (tests/chaos/chaos.py, README "Chaos run") on a short seed: a 4-node,
16-drive cluster under a client workload and random faults; nothing acknowledged may be
lost, and healing must leave nothing to heal. The tool runs as a child process, so its own
clean-up (nodes stopped by pid, mounts and namespaces removed) also runs when it fails; it
is stopped by its pid (SIGTERM, then SIGKILL) if it overruns.
"""

import os
import re
import signal
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.faults

CHAOS = os.path.join(ROOT, "tests", "chaos", "chaos.py")
LINE = re.compile(r"^chaos seed=(\d+) ops=(\d+) faults=(\d+) verified=(\d+) lost=(\d+) "
                  r"unhealed=(\d+) redundancy_seconds=(-?[\d.]+)$", re.M)


def run_chaos(cairn_bin, tmp_path, seed, duration, heal_timeout, timeout):
    log_path = tmp_path / "chaos.log"
    cmd = ["/usr/bin/python3", CHAOS, "--binary", cairn_bin, "--seed", str(seed),
           "--duration", str(duration), "--heal-timeout", str(heal_timeout),
           "--workdir", str(tmp_path / "chaos")]
    terminated = False
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            terminated, rc = True, -1
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)   # the tool cleans up, then exits
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(10)
    out = log_path.read_text()
    # The nodes' own log lines are in the node logs; keep the tool's lines for the report.
    tail = "\n".join(line for line in out.splitlines() if not line.startswith("20"))[-6000:]
    # A failed run keeps its work folder (drives, node logs); pytest keeps tmp_path.
    tail += f"\n(full output: {log_path}; work folder: {tmp_path / 'chaos'})"
    if terminated:
        tail += f"\n(stopped by the test after {timeout} s)"
    return rc, out, tail


def check(rc, out, tail, seed):
    m = LINE.search(out)
    assert m, f"no summary line:\n{tail}"
    assert int(m.group(1)) == seed
    ops, faults, verified, lost, unhealed = (int(m.group(i)) for i in range(2, 7))
    assert lost == 0, tail
    assert verified == 240, tail
    assert ops >= 100 and faults >= 3, tail
    if unhealed and "the admin heal is not available" in out:
        pytest.skip("`cairn admin heal` is not there yet: checked the read-back only")
    assert unhealed == 0, tail
    assert float(m.group(7)) >= 0, tail
    assert rc == 0, tail
    print(m.group(0))


def test_chaos_short_seed(cairn_bin, tmp_path):
    rc, out, tail = run_chaos(cairn_bin, tmp_path, seed=7, duration=30, heal_timeout=45,
                              timeout=170)
    check(rc, out, tail, 7)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_chaos_five_minutes(cairn_bin, tmp_path):
    rc, out, tail = run_chaos(cairn_bin, tmp_path, seed=20260, duration=300, heal_timeout=180,
                              timeout=840)
    check(rc, out, tail, 20260)
