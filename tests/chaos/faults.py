"""The chaos run's fault injector: random faults from one random.Random(seed), kept within what
EC 8+8 over 16 drives tolerates at every moment.

Drives are counted in two sets:
- impaired: unusable right now (its node killed or partitioned, or the drive read-only or
  full); at most `max_impaired` (6: one node and two drives), so writes keep their quorum
  of 9;
- stale: usable again but possibly missing what was written meanwhile (a restarted or
  reconnected node, a restored drive, a wiped drive, a drive with a flipped shard byte).
An object written while some drives were impaired lacks shards on them until it is healed,
and a later fault may take more of its shards: so impaired + stale never exceeds the
parity (8). A stale drive turns clean only when an admin heal that started after it came
back has finished (with --deep when a shard was corrupted); without the admin API it stays
stale and the run injects only what still fits.
"""

import os
import time

PARITY = 8
MAX_IMPAIRED = 6
KINDS = ("kill", "wipe", "bitrot", "readonly", "full", "partition")


class Injector:
    def __init__(self, lab, rng, admin=None, kinds=KINDS, log=print, max_impaired=MAX_IMPAIRED,
                 parity=PARITY):
        self.lab, self.rng, self.admin, self.log = lab, rng, admin, log
        self.kinds = [k for k in kinds if k not in lab.skipped]
        self.max_impaired, self.parity = max_impaired, parity
        self.node_fault = None      # {"kind", "node", "until", "wiped": [...]}
        self.drive_faults = {}      # drive -> {"kind", "node", "until"}
        self.stale = {}             # drive -> {"why", "since"} (monotonic time it came back)
        self.faults = 0
        self.by_kind = {}
        self.heals = 0              # admin heals run between faults
        self.next_heal = 0.0        # no heal between faults before this (after a failed one)
        self.t0 = time.monotonic()
        self.excluded = set()       # node indexes the clients must not use right now

    # ---- bookkeeping -------------------------------------------------------------------
    def impaired(self):
        out = set(self.drive_faults)
        if self.node_fault is not None:
            out |= set(self.lab.nodes[self.node_fault["node"]].drives)
        return out

    def at_risk(self):
        return self.impaired() | set(self.stale)

    def fits(self, drives, now_impaired):
        """Would adding `drives` (impairing them now if `now_impaired`) stay in budget?"""
        drives = set(drives)
        if now_impaired and len(self.impaired() | drives) > self.max_impaired:
            return False
        return len(self.at_risk() | drives) <= self.parity

    def _say(self, what):
        self.log(f"chaos t={time.monotonic() - self.t0:6.1f}s {what} "
                 f"(impaired={len(self.impaired())} at_risk={len(self.at_risk())})")

    def _count(self, kind):
        self.faults += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def available_nodes(self):
        return [n for n in self.lab.nodes if n.index not in self.excluded]

    # ---- choosing ----------------------------------------------------------------------
    def candidates(self):
        lab, out = self.lab, []
        faulty_nodes = {f["node"] for f in self.drive_faults.values()}
        if self.node_fault is None:
            for node in lab.nodes:
                if node.index in faulty_nodes or not self.fits(node.drives, True):
                    continue
                for kind in ("kill", "partition"):
                    if kind in self.kinds:
                        out.append((kind, node.index, None))
        elif self.node_fault["kind"] == "kill" and "wipe" in self.kinds and \
                not self.node_fault["wiped"]:
            node = lab.nodes[self.node_fault["node"]]
            out.append(("wipe", node.index, self.rng.choice(node.drives)))
        down = self.node_fault["node"] if self.node_fault else None
        for node in lab.nodes:
            if node.index == down:
                continue
            for d in node.drives:
                if d in self.drive_faults:
                    continue
                if "bitrot" in self.kinds and self.fits([d], False):
                    out.append(("bitrot", node.index, d))
                for kind in ("readonly", "full"):
                    if kind in self.kinds and self.fits([d], True):
                        out.append((kind, node.index, d))
        return out

    def step(self):
        """Restores what is due, then maybe injects one fault. Call every ~0.5 s."""
        now = time.monotonic()
        if self.node_fault is not None and now >= self.node_fault["until"]:
            self.restore_node()
        for d, f in list(self.drive_faults.items()):
            if now >= f["until"]:
                self.restore_drive(d)

    def inject_one(self):
        cands = self.candidates()
        if not cands:
            return False
        # Node faults are rarer than drive faults but last longer; weigh them up.
        weights = [3 if k in ("kill", "partition") else 1 for k, _, _ in cands]
        kind, node, drive = self.rng.choices(cands, weights)[0]
        try:
            getattr(self, f"_inject_{kind}")(node, drive)
        except RuntimeError as e:   # a mount or link command refused: nothing was changed
            self._say(f"could not inject {kind} on node {node + 1}: {e}")
            if self.node_fault is None or self.node_fault["node"] != node:
                self.excluded.discard(node)
            return True
        self._count(kind)
        return True

    # ---- node faults -------------------------------------------------------------------
    def _inject_kill(self, i, _):
        self.excluded.add(i)
        self.lab.nodes[i].kill()
        self.node_fault = {"kind": "kill", "node": i, "wiped": [],
                           "until": time.monotonic() + self.rng.uniform(4, 10)}
        self._say(f"kill -9 node {i + 1}")

    def _inject_partition(self, i, _):
        self.excluded.add(i)
        self.lab.partition(i, True)
        self.node_fault = {"kind": "partition", "node": i, "wiped": [],
                           "until": time.monotonic() + self.rng.uniform(4, 10)}
        self._say(f"partition node {i + 1} from the others")

    def _inject_wipe(self, i, drive):
        self.lab.wipe(drive)
        self.node_fault["wiped"].append(drive)
        self._say(f"wipe {drive} (node {i + 1} is down)")

    def restore_node(self):
        f = self.node_fault
        node = self.lab.nodes[f["node"]]
        if f["kind"] == "kill":
            node.start()
            node.wait_health("/minio/health/ready")
        else:
            self.lab.partition(node.index, False)
        now = time.monotonic()
        for d in node.drives:
            why = "wiped" if d in f["wiped"] else f["kind"]
            self.stale.setdefault(d, {"why": set(), "since": now})["why"].add(why)
            self.stale[d]["since"] = now
        self.node_fault = None
        self.excluded.discard(node.index)
        self._say(f"{'restarted' if f['kind'] == 'kill' else 'reconnected'} node {node.index + 1}")

    # ---- drive faults ------------------------------------------------------------------
    def _inject_bitrot(self, i, drive):
        files = self.lab.shard_files(drive)
        if not files:
            self._say(f"bitrot {drive}: no shard file yet, nothing flipped")
            return
        path = self.rng.choice(sorted(files))
        size = os.path.getsize(path)
        if size == 0:
            return
        off = self.rng.randrange(size)
        with open(path, "r+b") as f:
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([b[0] ^ 0x5A]))
        now = time.monotonic()
        self.stale.setdefault(drive, {"why": set(), "since": now})["why"].add("bitrot")
        self.stale[drive]["since"] = now
        self._say(f"flip byte {off} of {os.path.relpath(path, drive)} on {drive}")

    def _inject_readonly(self, i, drive):
        self.lab.set_readonly(self.lab.nodes[i], drive, True)
        self.drive_faults[drive] = {"kind": "readonly", "node": i,
                                    "until": time.monotonic() + self.rng.uniform(3, 8)}
        self._say(f"read-only {drive} (node {i + 1})")

    def _inject_full(self, i, drive):
        self.lab.set_full(drive, True)
        self.drive_faults[drive] = {"kind": "full", "node": i,
                                    "until": time.monotonic() + self.rng.uniform(3, 8)}
        self._say(f"full {drive} (node {i + 1})")

    def restore_drive(self, drive):
        f = self.drive_faults.pop(drive)
        if f["kind"] == "readonly":
            node = self.lab.nodes[f["node"]]
            if node.alive():   # else its mount namespace, and the read-only mount, are gone
                self.lab.set_readonly(node, drive, False)
        else:
            self.lab.set_full(drive, False)
        now = time.monotonic()
        self.stale.setdefault(drive, {"why": set(), "since": now})["why"].add(f["kind"])
        self.stale[drive]["since"] = now
        self._say(f"restored {f['kind']} {drive}")

    def restore_all(self):
        if self.node_fault is not None:
            self.restore_node()
        for d in list(self.drive_faults):
            self.restore_drive(d)

    # ---- heals between faults ----------------------------------------------------------
    def maybe_heal(self, timeout):
        """When stale drives block node faults on all nodes but one, no new fault is injected until the
        impaired drives are restored, then an admin heal (deep after a bitrot) cleans the
        stale ones. Returns True while it holds faults back or when it ran a heal."""
        if self.admin is None or not self.admin.available or not self.stale or \
                timeout < 10 or time.monotonic() < self.next_heal:
            return False
        if sum(self.fits(n.drives, True) for n in self.lab.nodes) > 1:
            return False
        if self.impaired():
            return True
        deep = any("bitrot" in s["why"] for s in self.stale.values())
        started = time.monotonic()
        self._say(f"admin heal{' --deep' if deep else ''} between faults")
        seq, why = self.admin.heal(deep=deep, timeout=timeout)
        if seq is None or seq.get("state") != "done" or seq.get("objectsFailed", 1) != 0:
            self._say(f"admin heal did not finish clean: {why or seq}")
            self.next_heal = time.monotonic() + 15   # faults meanwhile, then try again
            return True
        self.heals += 1
        for d, s in list(self.stale.items()):
            if s["since"] < started:
                del self.stale[d]
        self._say(f"admin heal done: {seq.get('objectsHealed')} healed")
        return True

    def summary(self):
        kinds = ",".join(f"{k}:{v}" for k, v in sorted(self.by_kind.items()))
        return f"faults={self.faults} ({kinds or 'none'}) heals_between={self.heals}"

