#!/usr/bin/python3
"""The chaos run: a 4-node, 16-drive cairn cluster (EC 8+8) on this machine under a client
workload, with random faults from a seed (kill -9 and restart, a wiped drive, flipped shard
bytes, a read-only or full drive, a network partition), bounded in operations and time.

Afterwards: every acknowledged write reads back byte for byte and every acknowledged delete
stays deleted; `cairn admin heal` runs to completion, a dry-run heal finds nothing left, and
every drive holds a shard file for every large object. The last line is

  chaos seed=S ops=N faults=N verified=N lost=N unhealed=N redundancy_seconds=X

and the exit status is 0 only when lost and unhealed are 0. See README.md ("Chaos run").
Needs root for tmpfs drives, mount and network namespaces; without them the faults that need
them are skipped, each with the reason printed.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faults import KINDS, Injector  # noqa: E402
from lab import BRINGUP_TIMEOUT, Lab, load_json_line  # noqa: E402
from workload import ABSENT, Workload, is_transient, make_client, read_state  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


_log_file = None   # the run's own log in its workdir (chaos.log), for --keep


def emit(line):
    print(line, flush=True)
    if _log_file is not None:
        _log_file.write(line + "\n")
        _log_file.flush()


def say(*a):
    emit(" ".join(["chaos:"] + [str(x) for x in a]))


class Admin:
    """`cairn admin heal` against one node (the first that is up)."""

    def __init__(self, lab):
        self.lab = lab
        self.available = True
        self.reason = ""

    def heal(self, deep=False, dry_run=False, timeout=120):
        """Runs a heal to its end. Returns (sequence dict or None, what went wrong)."""
        if not self.available:
            return None, self.reason
        node = next((n for n in self.lab.nodes if n.alive()), None)
        if node is None:
            return None, "no node is up"
        cmd = [self.lab.binary, "admin", "heal", "--json", "--endpoint", node.endpoint]
        cmd += ["--deep"] if deep else []
        cmd += ["--dry-run"] if dry_run else []
        env = dict(os.environ, CAIRN_ROOT_USER=self.lab.access_key,
                   CAIRN_ROOT_PASSWORD=self.lab.secret_key)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None, f"`cairn admin heal` did not end within {timeout:.0f}s"
        seq = load_json_line(p.stdout)
        if seq is None:
            why = (p.stderr.strip() or p.stdout.strip() or f"exit {p.returncode}")[-400:]
            # A usage error (no `admin` command yet), or a server without the API or heals.
            if p.returncode == 2 or re.search(r"NotImplemented|HTTP 404|HTTP 501|healing is "
                                              r"not available", why):
                self.available = False
                self.reason = f"the admin heal is not available: {why}"
                return None, self.reason
            return None, f"`cairn admin heal` exit {p.returncode}: {why}"
        return seq, ""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    p.add_argument("--duration", type=float, default=60, help="seconds of faults (default 60)")
    p.add_argument("--max-ops", type=int, default=None, help="stop the workload after N ops")
    p.add_argument("--binary", default=os.environ.get("CAIRN_BIN") or
                   os.path.join(ROOT, "build", "cairn"), help="path of cairn")
    p.add_argument("--workdir", default=None, help="where drives and logs go (default: a temp dir)")
    p.add_argument("--keep", action="store_true",
                   help="leave the data (and tmpfs drives) there; a failed run always does")
    p.add_argument("--runs", type=int, default=1,
                   help="run seeds S, S+1, ... this many times, each in <workdir>/seed-S, "
                        "stopping at the first that fails (default 1)")
    p.add_argument("--keys", type=int, default=240, help="size of the key space (default 240)")
    p.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    p.add_argument("--faults", default=",".join(KINDS),
                   help=f"fault kinds to inject (default: {','.join(KINDS)})")
    p.add_argument("--heal-timeout", type=float, default=180,
                   help="most seconds for the final heal and its dry-run check (default 180)")
    p.add_argument("--versioning", choices=("on", "off", "seed"), default="seed",
                   help="version the bucket: on, off, or on for odd seeds (default seed)")
    p.add_argument("--no-netns", action="store_true", help="127.0.0.1 only; no partitions")
    p.add_argument("--no-mounts", action="store_true",
                   help="plain directories as drives; no read-only or full drives")
    a = p.parse_args(argv)
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    unknown = set(a.faults.split(",")) - set(KINDS) - {""}
    if unknown:
        p.error(f"unknown fault kinds: {','.join(sorted(unknown))}")
    a.binary = os.path.abspath(a.binary)
    if not os.access(a.binary, os.X_OK):
        p.error(f"cairn binary not found at {a.binary} (--binary or CAIRN_BIN)")
    return a


def retry(fn, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001
            if not is_transient(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def verify(lab, wl, bucket):
    """Reads every key back; returns (verified, lost keys, {key: state read})."""
    clients = [make_client(n.endpoint, lab.access_key, lab.secret_key) for n in lab.nodes]
    verified, lost, states = 0, [], {}
    for i, key in enumerate(wl.keys):
        st = wl.ledger[key]
        try:
            got = retry(lambda: read_state(clients[i % len(clients)], bucket, key))
        except Exception as e:  # noqa: BLE001 - an unreadable key is a lost one
            lost.append((key, f"unreadable: {e}"[:200], "-"))
            continue
        states[key] = got
        if got in st.acceptable:
            verified += 1
        else:
            lost.append((key, got[:12], sorted(s[:12] for s in st.acceptable)))
    listed = set()
    pages = clients[0].get_paginator("list_objects_v2").paginate(Bucket=bucket)
    for page in pages:
        listed |= {o["Key"] for o in page.get("Contents", [])}
    present = {k for k, s in states.items() if s != ABSENT}
    for key in sorted(listed ^ present):
        lost.append((key, "listing", "listed" if key in listed else "not listed"))
    return verified, lost, states


def shard_shortfall(lab, wl, states):
    """Part files each drive should hold (every large object, every part) against what it
    holds. Returns (missing, extra, expected per drive, {drive: count} of short drives)."""
    expected = 0
    for key, state in states.items():
        value = wl.ledger[key].acceptable.get(state)
        expected += value.parts if value is not None else 0
    missing = extra = 0
    short = {}
    for _, d in lab.all_drives():
        n = len(lab.shard_files(d))
        missing += max(0, expected - n)
        extra += max(0, n - expected)
        if n < expected:
            short[os.path.relpath(d, lab.workdir)] = n
    return missing, extra, expected, short


def final_heal(lab, admin, wl, states, t_end, timeout):
    """Heals to completion, then polls a dry-run heal until it finds nothing. Returns
    (unhealed, redundancy_seconds)."""
    deadline = time.monotonic() + timeout
    seq, why = admin.heal(deep=True, timeout=max(10, deadline - time.monotonic()))
    failed = 0
    if seq is not None:
        failed = int(seq.get("objectsFailed", 0))
        say(f"heal {seq.get('id')} {seq.get('state')}: {seq.get('objectsScanned')} scanned, "
            f"{seq.get('objectsHealed')} healed, {failed} failed in "
            f"{float(seq.get('elapsedSeconds', 0)):.1f}s")
    else:
        say(f"heal: {why}")
    pending = None
    while time.monotonic() < deadline:
        missing, extra, expected, short = shard_shortfall(lab, wl, states)
        if admin.available:
            dry, why = admin.heal(dry_run=True,
                                  timeout=max(10, deadline - time.monotonic()))
            pending = int(dry.get("objectsHealed", 0)) if dry is not None else None
            if dry is None:
                say(f"dry-run heal: {why}")
        else:
            pending = 0
        if pending == 0 and missing == 0:
            took = time.monotonic() - t_end
            say(f"redundancy restored: dry-run heal finds nothing, {expected} part files "
                f"on each of 16 drives ({extra} extra)")
            return failed, took
        dry = f"would heal {pending}" if admin.available else "not available"
        say(f"not healed yet: dry-run heal {dry}; {missing} part files missing "
            f"({expected} expected per drive; short drives: {short})")
        time.sleep(2)
    missing, extra, _, _ = shard_shortfall(lab, wl, states)
    return failed + (pending or 0) + missing, -1.0


def run(a):
    global _log_file
    workdir = a.workdir or tempfile.mkdtemp(prefix="cairn-chaos-")
    os.makedirs(workdir, exist_ok=True)
    _log_file = open(os.path.join(workdir, "chaos.log"), "a")
    rng = random.Random(a.seed)
    lab = Lab(workdir, a.binary, use_netns=not a.no_netns, use_mounts=not a.no_mounts)
    kinds = [k for k in a.faults.split(",") if k]
    for kind, why in sorted(lab.skipped.items()):
        if kind in kinds:
            say(f"skipping {kind} faults: {why}")
    say(f"seed={a.seed} workdir={workdir} binary={a.binary} "
        f"{'netns' if lab.netns else '127.0.0.1'}{' tmpfs+mountns' if lab.mounts_ok else ''}")
    wl = None
    ops = faults = verified = 0
    lost, unhealed, redundancy, failed = [], 0, -1.0, False
    try:
        lab.create()
        lab.start()
        bucket = "chaos"
        retry(lambda: make_client(lab.nodes[0].endpoint, lab.access_key, lab.secret_key)
              .create_bucket(Bucket=bucket))
        # A versioned bucket keeps every version and writes delete markers: the ledger's
        # checks (the latest state, the listing) hold alike, and the final heal must leave
        # every version of every key whole.
        versioned = a.versioning == "on" or (a.versioning == "seed" and a.seed % 2 == 1)
        if versioned:
            retry(lambda: make_client(lab.nodes[0].endpoint, lab.access_key, lab.secret_key)
                  .put_bucket_versioning(Bucket=bucket,
                                         VersioningConfiguration={"Status": "Enabled"}))
        say(f"bucket {bucket}: {'versioned' if versioned else 'unversioned'}")
        admin = Admin(lab)
        inj = Injector(lab, rng, admin, kinds=kinds, log=emit)
        wl = Workload(a.seed, bucket, inj.available_nodes, lab.access_key, lab.secret_key,
                      keys=a.keys, threads=a.threads, max_ops=a.max_ops,
                      inline_limit=lab.inline_limit).start()
        t0 = time.monotonic()
        end = t0 + a.duration
        next_fault = t0 + rng.uniform(1, 3)
        while time.monotonic() < end and not wl.done():
            inj.step()
            now = time.monotonic()
            if now >= next_fault:
                # A heal first when stale drives block every node fault.
                if not inj.maybe_heal(timeout=end - now):
                    inj.inject_one()
                next_fault = time.monotonic() + rng.uniform(1.5, 4)
            time.sleep(0.25)
        inj.restore_all()
        t_end = time.monotonic()
        if wl.crashes or time.monotonic() < end - 1:
            failed = True
            say(f"the run ended {max(0.0, end - time.monotonic()):.0f}s early: "
                f"{len(wl.crashes)} client threads died")
            for crash in wl.crashes:
                emit(crash.rstrip())
        faults = inj.faults
        say(f"faults over after {t_end - t0:.1f}s: {inj.summary()}; stopping the workload")
        if not wl.stop():
            raise RuntimeError("the workload did not stop within 120 s")
        ops = wl.ops
        t_stopped = time.monotonic()
        for node in lab.nodes:
            node.wait_health("/minio/health/cluster", BRINGUP_TIMEOUT)
        say(f"workload stopped in {t_stopped - t_end:.1f}s, cluster healthy after "
            f"{time.monotonic() - t_stopped:.1f}s more")
        say(f"workload: {wl.ops} ops, {wl.acked} acknowledged, {wl.failed} failed attempts, "
            f"{wl.uncertain} uncertain, {len(wl.anomalies)} wrong reads during the run")
        for e in wl.errors[:5]:
            say(f"client error: {e}")
        if wl.slow:
            say(f"{len(wl.slow)} requests took over 5 s (seconds, op, node, outcome): "
                f"{sorted(wl.slow, reverse=True)[:8]}")
        t_verify = time.monotonic()
        verified, lost, states = verify(lab, wl, bucket)
        say(f"read back {len(wl.keys)} keys in {time.monotonic() - t_verify:.1f}s: "
            f"{verified} as the ledger says")
        for key, got, want in wl.anomalies:
            lost.append((key, f"read during the run: {got[:12]}", [w[:12] for w in want]))
        for item in lost[:20]:
            say(f"LOST {item}")
        unhealed, redundancy = final_heal(lab, admin, wl, states, t_end, a.heal_timeout)
    except Exception:  # noqa: BLE001 - reported, then the run fails
        emit(traceback.format_exc().rstrip())
        failed = True
        for node in lab.nodes:
            say(f"node {node.index + 1} log tail:\n{node.log_tail(15)}")
    finally:
        if wl is not None:
            wl.stop(timeout=60)
        # A failed run keeps everything: the drives, every node's log and chaos.log (all
        # of this run's output), to find the cause after the fact.
        keep = a.keep or failed or bool(lost) or unhealed != 0
        lab.remove(keep=keep)
        if keep:
            say(f"kept {workdir}" + (" (failed run)" if not a.keep else "") +
                (" (tmpfs drives still mounted: umount them with "
                 f"`umount {workdir}/drives/n*/d*`)" if lab.mounts else ""))
        elif a.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    emit(f"chaos seed={a.seed} ops={ops} faults={faults} verified={verified} lost={len(lost)} "
         f"unhealed={unhealed} redundancy_seconds={redundancy:.1f}")
    _log_file.close()
    _log_file = None
    return 0 if not lost and unhealed == 0 and not failed else 1


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    # A SIGTERM (a CI timeout) unwinds like an error: every node is stopped, mounts undone.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if a.runs <= 1:
        return run(a)
    base = a.workdir or tempfile.mkdtemp(prefix="cairn-chaos-")
    first = a.seed
    passed = 0
    for i in range(a.runs):
        one = argparse.Namespace(**vars(a))
        one.seed = first + i
        one.workdir = os.path.join(base, f"seed-{one.seed}")
        if run(one) != 0:
            emit(f"chaos runs={i + 1} passed={passed} failed_seed={one.seed} "
                 f"kept={one.workdir}")
            return 1
        passed += 1
        if a.workdir is None and not a.keep:
            shutil.rmtree(one.workdir, ignore_errors=True)
    if a.workdir is None and not a.keep:
        shutil.rmtree(base, ignore_errors=True)
    emit(f"chaos runs={a.runs} passed={passed} failed_seed=none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
