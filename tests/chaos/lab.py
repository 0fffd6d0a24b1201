"""The chaos run's cluster: 4 `cairn server` processes x 4 drives (one set of 16, EC 8+8) on
this machine, and the means to hurt it. Loopback only.

- Each drive is a small tmpfs mounted in the root mount namespace (when mounting is
  permitted): its data survives a kill -9 of its node, it can be wiped, and it can be made
  full (a remount with `size=` just above what it holds).
- Each node runs in a mount namespace of its own (`unshare -m`), where one of its drives
  can be remounted read-only without the other nodes (or this process) noticing.
- With network namespaces (`ip netns`), each node lives in its own namespace with a
  "cluster" veth link on a bridge (inter-node RPC) and a "client" link to the root
  namespace (S3 from the workload); a partition moves one node's cluster link to a second
  bridge. Without them, the nodes listen on 127.0.0.1 and partitions are skipped.
Every process started here is stopped by its pid; every mount, link and namespace made
here is undone by `Lab.remove()` (idempotent), also after errors.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import netns  # noqa: E402  (tests/netns.py, shared with tests/integration/test_cluster_faults.py)
from netns import NetnsNetwork, sh  # noqa: E402

NODES = 4
DRIVES_PER_NODE = 4
DRIVE_TMPFS_SIZE = "1g"   # an upper bound: tmpfs only takes the memory it holds
BRINGUP_TIMEOUT = 90


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def http_status(url, timeout=3):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, urllib.error.URLError):
        return None


def probe(*cmd):
    """Runs a harmless command; returns None when it worked, else the reason it did not."""
    if shutil.which(cmd[0]) is None:
        return f"{cmd[0]} is not installed"
    try:
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    return None if p.returncode == 0 else (p.stderr.strip() or f"exit {p.returncode}")


class Node:
    """One `cairn server`; `index` 0..3. The pid of `proc` is cairn's own (`ip netns exec`
    and `unshare` exec in place)."""

    def __init__(self, lab, index):
        self.lab, self.index = lab, index
        self.root = os.path.join(lab.workdir, f"node{index + 1}")
        os.makedirs(self.root, exist_ok=True)
        self.drives = [os.path.join(lab.workdir, "drives", f"n{index + 1}", f"d{d + 1}")
                       for d in range(DRIVES_PER_NODE)]
        self.log_path = os.path.join(self.root, "server.log")
        self.addr_file = os.path.join(self.root, "address")
        self.proc = None
        self.starts = 0

    @property
    def s3_addr(self):
        return self.lab.client_addr(self.index)

    @property
    def endpoint(self):
        return f"http://{self.s3_addr}"

    def command(self):
        lab = self.lab
        cmd = [lab.binary, "server", "--address", lab.listen_addr(self.index),
               "--console-address", "127.0.0.1:0", "--address-file", self.addr_file,
               "--access-key", lab.access_key, "--secret-key", lab.secret_key,
               "--inline-limit", str(lab.inline_limit)] + lab.drive_urls()
        if lab.mountns:
            # A private copy of the mount table that still receives the root namespace's
            # mounts (slave): a read-only remount in here is this node's alone.
            cmd = ["unshare", "-m", "--propagation", "slave"] + cmd
        if lab.netns:
            cmd = lab.net.exec_prefix(self.index) + cmd
        return cmd

    def start(self):
        if os.path.exists(self.addr_file):
            os.unlink(self.addr_file)
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n==== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("CAIRN_ROOT_", "MINIO_"))}
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.root, env=env)
        self.lab.started_pids.append(self.proc.pid)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_health(self, path, timeout=BRINGUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"node {self.index + 1} exited "
                                   f"({self.proc.returncode}):\n{self.log_tail()}")
            if http_status(self.endpoint + path) == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"node {self.index + 1}: {path} not 200 within {timeout}s\n"
                           f"{self.log_tail()}")

    def kill(self):
        """kill -9, as a crash or a power loss stops it."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(20)

    def stop(self, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(20)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()[-20000:].decode("utf-8", "replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(data.splitlines()[-lines:])


class Lab:
    def __init__(self, workdir, binary, use_netns=True, use_mounts=True,
                 access_key="chaosadmin", secret_key="chaos-secret-key", inline_limit=16384):
        self.workdir, self.binary = workdir, binary
        self.access_key, self.secret_key = access_key, secret_key
        self.inline_limit = inline_limit
        self.started_pids = []
        self.mounts = []           # tmpfs mounts in the root namespace, undone by remove()
        self.skipped = {}          # fault kind -> why it cannot be injected here
        tag = f"ch{os.getpid() % 100000}"
        self.tag = tag
        self.net = NetnsNetwork(tag, NODES, "10.214.0", f"10.{150 + os.getpid() % 50}")
        self.port = 9000
        self.ports = free_ports(NODES)

        self.mounts_ok = False
        if use_mounts:
            why = probe("unshare", "-m", "--propagation", "slave", "true")
            if why is None:
                why = self._try_tmpfs()
            self.mounts_ok = why is None
            if why:
                self.skipped["readonly"] = self.skipped["full"] = \
                    f"no mount namespace or tmpfs for this user: {why}"
        else:
            self.skipped["readonly"] = self.skipped["full"] = "mounts turned off"
        self.mountns = self.mounts_ok
        self.netns = False
        if use_netns:
            why = netns.probe(tag)
            self.netns = why is None
            if why:
                self.skipped["partition"] = f"no network namespace for this user: {why}"
        else:
            self.skipped["partition"] = "network namespaces turned off"
        self.nodes = [Node(self, i) for i in range(NODES)]

    def _try_tmpfs(self):
        path = os.path.join(self.workdir, "probe-tmpfs")
        os.makedirs(path, exist_ok=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            return p.stderr.strip() or "mount failed"
        sh("umount", path, check=False)
        os.rmdir(path)
        return None

    # ---- addresses ---------------------------------------------------------------------
    def cluster_host(self, i):
        return self.net.cluster_ip(i) if self.netns else "127.0.0.1"

    def listen_addr(self, i):
        return f"0.0.0.0:{self.port}" if self.netns else f"127.0.0.1:{self.ports[i]}"

    def client_addr(self, i):
        if self.netns:
            return f"{self.net.client_ip(i)}:{self.port}"
        return f"127.0.0.1:{self.ports[i]}"

    def drive_urls(self):
        out = []
        for i, node in enumerate(self.nodes):
            port = self.port if self.netns else self.ports[i]
            out += [f"http://{self.cluster_host(i)}:{port}{d}" for d in node.drives]
        return out

    def all_drives(self):
        return [(n.index, d) for n in self.nodes for d in n.drives]

    # ---- set-up and tear-down ----------------------------------------------------------
    def create(self):
        for node in self.nodes:
            for d in node.drives:
                os.makedirs(d, exist_ok=True)
                if self.mounts_ok:
                    sh("mount", "-t", "tmpfs", "-o", f"size={DRIVE_TMPFS_SIZE}", "tmpfs", d)
                    self.mounts.append(d)
        if self.netns:
            self.net.create()
        return self

    def start(self):
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_health("/minio/health/cluster")

    def remove(self, keep=False):
        """Stops every node this lab started (by pid), then undoes links, namespaces and,
        unless `keep`, the drive mounts."""
        for node in self.nodes:
            try:
                node.stop()
            except Exception:  # noqa: BLE001 - keep tearing down
                pass
        self.net.remove()
        if not keep:
            for path in reversed(self.mounts):
                sh("umount", "-l", path, check=False)
            self.mounts = []

    # ---- faults ------------------------------------------------------------------------
    def partition(self, i, isolated):
        self.net.move(i, 1 if isolated else 0)

    def set_readonly(self, node, drive, readonly):
        """Makes `drive` read-only in `node`'s mount namespace only, or writable again.
        A remount of the drive's own mount is refused (EBUSY) while cairn holds files open
        for writing (RocksDB's log), so a read-only bind of the drive is mounted over it:
        every file opened from then on is read-only; unmounting it restores the drive."""
        ns = ["nsenter", "-t", str(node.proc.pid), "-m"]
        if not readonly:
            sh(*ns, "umount", "-l", drive)
            return
        # The remount is refused (EBUSY) if cairn opened a file for writing through the
        # new bind in between: then it is dropped and made again.
        for attempt in range(5):
            p = sh(*ns, "sh", "-c", 'mount --bind "$1" "$1" || exit 3; '
                   'mount -o remount,bind,ro "$1" && exit 0; umount -l "$1"; exit 1',
                   "sh", drive, check=False)
            if p.returncode == 0:
                return
            if p.returncode != 1 or attempt == 4:
                raise RuntimeError(f"read-only {drive}: {p.stderr.strip()}")
            time.sleep(0.05)

    def set_full(self, drive, full):
        """Shrinks the drive's tmpfs to what it holds now (full), or gives its room back. The
        drive may grow between the look and the remount (refused below what it holds): a
        few tries."""
        if not full:
            sh("mount", "-o", f"remount,size={DRIVE_TMPFS_SIZE}", drive)
            return
        for attempt in range(5):
            st = os.statvfs(drive)
            used_kib = (st.f_blocks - st.f_bfree) * st.f_frsize // 1024
            p = sh("mount", "-o", f"remount,size={used_kib + 4 * (attempt + 1)}k", drive,
                   check=attempt == 4)
            if p.returncode == 0:
                return

    @staticmethod
    def wipe(drive):
        """Removes everything on the drive (a replaced disk): the node must format it."""
        for name in os.listdir(drive):
            path = os.path.join(drive, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    @staticmethod
    def shard_files(drive):
        """A single-part object's data/<xx>/<data-id> files and multipart part.N files."""
        out = []
        for dirpath, _, files in os.walk(os.path.join(drive, "data")):
            out += [os.path.join(dirpath, f) for f in files]
        return out


def load_json_line(text):
    """The last line of `text` that parses as a JSON object, or None."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None
