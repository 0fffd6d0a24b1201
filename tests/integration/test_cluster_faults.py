"""Faults of a 4-node cairn cluster on this machine, under a bounded client workload that
records every acknowledged write (issue 4). Every process a test starts is stopped by pid;
every namespace, link and mount a test makes is removed by a fixture finalizer.

- Network partitions: one network namespace per node (`ip netns`), each with two veth
  links: a "cluster" link to a bridge in the root namespace (10.213.0.N, inter-node RPC)
  and a "client" link straight to the root namespace (10.X.N.2, where the test's client
  talks S3). A partition moves the cluster links of one side to a second bridge, so the
  sides no longer reach each other while the test still reaches every node; healing moves
  them back. 3+1: the minority refuses writes with 503, the majority goes on. 2+2: no
  side accepts a write. Healed: every acknowledged object reads back from every node. A
  lock released on the minority while cut off stops blocking the majority when it heals.
- Rolling restart under a workload: nothing lost, every failed request recovered by retry.
- A second pool added by restart; a mount namespace per node (`unshare -m`) so that the
  same drive path is each node's own, and the README's ellipsis command runs as written.
- kill -9 of one node during `aws s3 sync`, restarted: everything synced reads back.
"""

import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

import botocore.exceptions
import pytest
import requests

from conftest import ServerProcess, _live_servers, aws_cli_env, make_client, random_bytes, \
    reserve_ports, unique_name, wait_until
from test_cluster import BRINGUP_TIMEOUT, Cluster, get, put

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import netns  # noqa: E402  (tests/netns.py, shared with the chaos lab)
from netns import NetnsNetwork  # noqa: E402

pytestmark = pytest.mark.faults


def sh(*args, check=True, timeout=30):
    return subprocess.run(list(args), check=check, capture_output=True, text=True,
                          timeout=timeout)


def status_of(exc):
    if isinstance(exc, botocore.exceptions.ClientError):
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return type(exc).__name__


def wait_all_healthy(nodes, path="/minio/health/cluster", timeout=BRINGUP_TIMEOUT):
    for node in nodes:
        node.wait_health(path, timeout)


class Workload:
    """A bounded writer in a thread: at most `max_ops` PUTs (and at most `max_seconds`),
    round-robin over `targets()` (the nodes it may write to right now), with a few retries
    per object. Records every acknowledged write and every failure."""

    def __init__(self, bucket, targets, max_ops=400, max_seconds=120, prefix="w", retries=0,
                 sizes=(1_000, 40_000, 300_000)):
        self.bucket, self.targets = bucket, targets
        self.max_ops, self.max_seconds, self.prefix, self.retries = max_ops, max_seconds, \
            prefix, retries
        self.sizes = sizes
        self.acked = {}          # key -> body, written and acknowledged
        self.failures = []       # (key, node index, status) of each failed attempt
        self.unrecovered = []    # keys whose every attempt failed
        self.ops = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._clients = {}

    def _client(self, node):
        if node not in self._clients:
            self._clients[node] = make_client(node.endpoint, read_timeout=20)
        return self._clients[node]

    def _run(self):
        deadline = time.monotonic() + self.max_seconds
        i = 0
        while i < self.max_ops and time.monotonic() < deadline and not self._stop.is_set():
            key = f"{self.prefix}{i:05d}"
            body = random_bytes(self.sizes[i % len(self.sizes)] + i, key)
            done = False
            for attempt in range(self.retries + 1):
                nodes = self.targets()
                node = nodes[(i + attempt) % len(nodes)]
                self.ops += 1
                try:
                    put(self._client(node), self.bucket, key, body)
                    self.acked[key] = body
                    done = True
                    break
                except (botocore.exceptions.ClientError,
                        botocore.exceptions.BotoCoreError) as e:
                    self.failures.append((key, node, status_of(e)))
                    time.sleep(0.2)
            if not done:
                self.unrecovered.append(key)
            i += 1

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=60):
        self._stop.set()
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the workload did not stop"

    def count(self):
        return len(self.acked)

    def wait_for_more(self, n, timeout=30):
        target = self.count() + n
        return wait_until(lambda: self.count() >= target, timeout, pause=0.1)


def assert_all_read_back(nodes, bucket, objects):
    for node in nodes:
        client = make_client(node.endpoint, read_timeout=30)
        for key, body in objects.items():
            got = get(client, bucket, key)
            assert got == body, (node.endpoint, key, len(got), len(body))


# ---- network namespaces ---------------------------------------------------------------------

class NetnsNode(ServerProcess):
    """A node in its own network namespace: S3 and RPC on PORT on every address of the
    namespace; the test talks to it on its client link."""

    def __init__(self, root, netns, client_ip, port, drive_urls):
        super().__init__(root, drives=0, drive_args=list(drive_urls))
        self.netns, self.client_ip, self.fixed_port = netns, client_ip, port

    def command(self):
        cmd = super().command()
        cmd[cmd.index("--address") + 1] = f"0.0.0.0:{self.fixed_port}"
        # `ip netns exec` execs the command in place: the pid is cairn's.
        return ["ip", "netns", "exec", self.netns] + cmd

    def _wait_address(self, timeout):
        super()._wait_address(timeout)
        self.s3_addr = f"{self.client_ip}:{self.fixed_port}"


class NetnsLab:
    """Four nodes, each in its own network namespace (tests/netns.py); remove() stops them and
    undoes the namespaces, links and bridges (idempotent)."""

    PORT = 9000

    def __init__(self, root, nodes=4, drives=2):
        self.tag = f"cz{os.getpid() % 100000}"
        self.n = nodes
        # The client links live in the root namespace: a subnet of this run's own.
        self.net = NetnsNetwork(self.tag, nodes, "10.213.0", f"10.{100 + os.getpid() % 100}")
        urls = [f"http://{self.net.cluster_ip(n)}:{self.PORT}{root}/n{n + 1}/d{d + 1}"
                for n in range(nodes) for d in range(drives)]
        self.nodes = [NetnsNode(os.path.join(root, f"n{n + 1}"), self.net.names[n],
                                self.net.client_ip(n), self.PORT, urls) for n in range(nodes)]

    def create(self):
        self.net.create()
        return self

    def partition(self, *sides):
        """partition([0, 1, 2], [3]): each node's cluster link joins its side's bridge."""
        self.net.partition(*sides)

    def heal(self):
        self.net.heal()

    def remove(self):
        for node in self.nodes:
            node.stop()
            if node in _live_servers:
                _live_servers.remove(node)
        self.net.remove()


@pytest.fixture
def netns_lab(cairn_bin, tmp_path):
    if shutil.which("ip") is None:
        pytest.skip("needs the ip command (iproute2)")
    lab = NetnsLab(str(tmp_path / "lab"))
    why = netns.probe(lab.tag)
    if why is not None:
        pytest.skip(f"the kernel refused a network namespace: {why}")
    try:
        lab.create()
        yield lab
    finally:
        lab.remove()


def expect_refused(node, bucket, key, timeout=30):
    """A PUT through `node` is refused with 503 (within `timeout`; the node may first need to
    notice its peers are gone). Returns the statuses seen; fails if any write was acked."""
    client = make_client(node.endpoint, read_timeout=30)
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            put(client, bucket, key, b"refused" * 100)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            seen.append(status_of(e))
            if seen[-1] == 503:
                return seen
            time.sleep(0.3)
            continue
        pytest.fail(f"{node.endpoint} acknowledged a write it cannot have a quorum for "
                    f"(after {seen})")
    pytest.fail(f"{node.endpoint} never answered 503 within {timeout}s: {seen}")


def test_partition_3_1_minority_refuses_majority_writes(netns_lab):
    lab = netns_lab
    for node in lab.nodes:
        node.start(wait=None, timeout=BRINGUP_TIMEOUT)
    wait_all_healthy(lab.nodes)
    bucket = unique_name("part")
    lab.nodes[0].client().create_bucket(Bucket=bucket)
    majority, minority = lab.nodes[:3], lab.nodes[3]
    targets = list(lab.nodes)
    wl = Workload(bucket, lambda: targets, max_ops=300, max_seconds=90, retries=2).start()
    try:
        assert wl.wait_for_more(10), wl.failures[-5:]
        targets[:] = majority
        lab.partition([0, 1, 2], [3])
        # The minority refuses writes (no lock quorum, no write quorum of drives)...
        statuses = expect_refused(minority, bucket, "minority-write")
        # ...and keeps refusing them, fast, while the majority goes on.
        assert wl.wait_for_more(15, timeout=40), wl.failures[-5:]
        expect_refused(minority, bucket, "minority-write2", timeout=10)
        assert statuses[-1] == 503
    finally:
        lab.heal()
    wl.stop()
    assert not wl.unrecovered, wl.failures
    wait_all_healthy(lab.nodes)
    # Healed: every node takes writes again (a workload of its own: the first one is bounded
    # in time and may have ended on a slow machine).
    after = Workload(bucket, lambda: lab.nodes, max_ops=20, max_seconds=60, prefix="after",
                     retries=3).start()
    assert after.wait_for_more(20, timeout=60), after.failures[-5:]
    after.stop()
    with pytest.raises(botocore.exceptions.ClientError):
        lab.nodes[0].client().head_object(Bucket=bucket, Key="minority-write")
    assert_all_read_back(lab.nodes, bucket, {**wl.acked, **after.acked})


def test_partition_2_2_no_side_accepts_writes(netns_lab):
    lab = netns_lab
    for node in lab.nodes:
        node.start(wait=None, timeout=BRINGUP_TIMEOUT)
    wait_all_healthy(lab.nodes)
    bucket = unique_name("split")
    lab.nodes[0].client().create_bucket(Bucket=bucket)
    targets = list(lab.nodes)
    wl = Workload(bucket, lambda: targets, max_ops=60, max_seconds=60, retries=2).start()
    assert wl.wait_for_more(20), wl.failures[-5:]
    wl.stop()
    before = dict(wl.acked)
    try:
        lab.partition([0, 1], [2, 3])
        for i, node in enumerate(lab.nodes):
            expect_refused(node, bucket, f"split-write{i}")
        # Still refused on every node once each side knows (a second round, no flip-flop).
        for i, node in enumerate(lab.nodes):
            expect_refused(node, bucket, f"split-again{i}", timeout=10)
        # Each side has 4 of 8 drives, a read quorum, and 2 of 4 lock servers, a read lock
        # quorum: both sides still serve reads of what was written before the split.
        sample = dict(list(before.items())[:4])
        assert_all_read_back(lab.nodes, bucket, sample)
    finally:
        lab.heal()
    wait_all_healthy(lab.nodes)
    after = Workload(bucket, lambda: lab.nodes, max_ops=20, max_seconds=60, prefix="after",
                     retries=3).start()
    assert after.wait_for_more(20, timeout=60), after.failures[-5:]
    after.stop()
    for i in range(len(lab.nodes)):
        with pytest.raises(botocore.exceptions.ClientError):
            lab.nodes[0].client().head_object(Bucket=bucket, Key=f"split-write{i}")
    assert_all_read_back(lab.nodes, bucket, {**before, **after.acked})


def open_stalled_get(node, bucket, key):
    """Starts a GET of `key` through `node` on a raw socket, reads its first bytes and stops
    reading: the node holds the object's read lock until the socket goes away. Returns the
    socket (close it with stall_close)."""
    url = make_client(node.endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
    head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return sock


def stall_close(sock):
    """Closes with a reset, so the server's pending write fails at once."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_unhealthy(node, path="/minio/health/cluster", timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(node.endpoint + path, timeout=5).status_code == 503:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"{node.endpoint}{path} did not turn 503 within {timeout}s")


def test_partition_heal_frees_locks_released_on_the_minority(netns_lab):
    """A lock released on the minority side during a partition (its release cannot reach the
    majority) must not block the majority after the heal: the release arrives when the
    partition heals, not when the grants expire a ttl (60 s) later. Here the minority node
    holds a read lock on `hot` (a GET its client stalls), the partition cuts it off, the GET
    ends there; after the heal, writes of `hot` through the majority succeed at once, and the
    majority's other writes went on throughout."""
    lab = netns_lab
    for node in lab.nodes:
        node.start(wait=None, timeout=BRINGUP_TIMEOUT)
    wait_all_healthy(lab.nodes)
    bucket = unique_name("heal-locks")
    lab.nodes[0].client().create_bucket(Bucket=bucket)
    hot = "hot"
    put(make_client(lab.nodes[0].endpoint, read_timeout=60), bucket, hot,
        random_bytes(24 << 20, hot))
    majority, minority = lab.nodes[:3], lab.nodes[3]
    targets = list(majority)
    wl = Workload(bucket, lambda: targets, max_ops=300, max_seconds=120, retries=2,
                  sizes=(1_000, 20_000)).start()
    sock = None
    try:
        assert wl.wait_for_more(5), wl.failures[-5:]
        sock = open_stalled_get(minority, bucket, hot)  # the read lock is held on every node
        lab.partition([0, 1, 2], [3])
        # Once the minority knows its peers are gone (its write health fails), its calls to
        # them fail at once: nothing it sends now is merely delayed until the heal.
        wait_unhealthy(minority)
        stall_close(sock)  # the GET ends on the minority: its release cannot reach the others
        sock = None
        assert wl.wait_for_more(10, timeout=40), wl.failures[-5:]
    finally:
        if sock is not None:
            sock.close()
        lab.heal()
    healed = time.monotonic()
    wait_all_healthy(lab.nodes)
    # Writes of the key the minority had locked go through within seconds (without the
    # release, its grants on the three majority nodes would block it for up to a minute).
    for node in majority:
        client = make_client(node.endpoint, read_timeout=60)
        start = time.monotonic()
        try:
            put(client, bucket, hot, b"after the heal " + node.endpoint.encode())
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            pytest.fail(f"a write of {hot} through {node.endpoint} failed "
                        f"{time.monotonic() - healed:.1f}s after the heal: {e}")
        took = time.monotonic() - start
        assert took < 5, f"a write of {hot} through {node.endpoint} took {took:.1f}s"
    assert time.monotonic() - healed < 20
    wl.stop()  # bounded in count and time: on a loaded machine it may have ended by now
    assert not wl.unrecovered, wl.failures
    # The majority writes on after the heal (a workload of its own, since the first may be over).
    after = Workload(bucket, lambda: targets, max_ops=20, max_seconds=60, prefix="after",
                     retries=2, sizes=(1_000,)).start()
    try:
        assert after.wait_for_more(5, timeout=30), after.failures[-5:]
    finally:
        after.stop()
    assert not after.unrecovered, after.failures
    assert_all_read_back(lab.nodes, bucket, {**wl.acked, **after.acked})


# ---- rolling restart ------------------------------------------------------------------------

def test_rolling_restart_under_workload(cairn_bin, tmp_path):
    """Each node stopped (SIGTERM) and started in turn, the cluster healthy again before the
    next: every write is acknowledged after at most a few client retries (to another node),
    and every acknowledged object reads back from every node."""
    c = Cluster(str(tmp_path / "rolling"), nodes=4, drives=2)
    wl = None
    try:
        c.start()
        bucket = unique_name("roll")
        c.nodes[0].client().create_bucket(Bucket=bucket)
        wl = Workload(bucket, lambda: c.nodes, max_ops=600, max_seconds=150, retries=6).start()
        assert wl.wait_for_more(10), wl.failures[-5:]
        for node in c.nodes:
            node.stop()
            assert wl.wait_for_more(5), wl.failures[-5:]   # the other three go on
            node.start(wait=None, timeout=BRINGUP_TIMEOUT)
            wait_all_healthy(c.nodes)
            assert wl.wait_for_more(5), wl.failures[-5:]
        wl.stop()
        assert not wl.unrecovered, wl.failures
        assert wl.count() >= 40
        print(f"rolling restart: {wl.count()} writes acknowledged, {len(wl.failures)} "
              f"attempts retried: {sorted(set(str(f[2]) for f in wl.failures))}")
        assert_all_read_back(c.nodes, bucket, wl.acked)
    finally:
        if wl is not None:
            wl.stop()
        c.stop()


# ---- mount namespaces: one drive path, each node's own --------------------------------------

class MountNsNode(ServerProcess):
    """A node in its own mount namespace (`unshare -m`), where `own_dir` is bind-mounted
    (with its submounts) on the shared path `mount_at`: every node is given the same
    drive path, and each sees its own directory there."""

    def __init__(self, root, port, own_dir, mount_at, drive_args):
        super().__init__(root, drives=0, drive_args=list(drive_args))
        self.fixed_port, self.own_dir, self.mount_at = port, own_dir, mount_at

    def command(self):
        cmd = super().command()
        cmd[cmd.index("--address") + 1] = f"127.0.0.1:{self.fixed_port}"
        # unshare and sh exec in place: the pid stays cairn's.
        return ["unshare", "-m", "--propagation", "private", "sh", "-ec",
                'mount --rbind "$1" "$2"; shift 2; exec "$@"', "sh", self.own_dir,
                self.mount_at] + cmd


class MountNsCluster:
    def __init__(self, root, nodes=4):
        self.root = root
        self.ports = reserve_ports(nodes, consecutive=True)
        self.mount_at = os.path.join(root, "mnt")
        os.makedirs(self.mount_at, exist_ok=True)
        self.own_dirs = [os.path.join(root, f"node{n + 1}") for n in range(nodes)]
        for d in self.own_dirs:
            os.makedirs(d, exist_ok=True)
        self.mounts = []   # mounts made in the root namespace (undone by stop)
        self.nodes = []

    def urls(self, pattern):
        """The README's form: every node, every drive, one ellipsis argument."""
        return f"http://127.0.0.1:{{{self.ports[0]}...{self.ports[-1]}}}{self.mount_at}/{pattern}"

    def configure(self, drive_args):
        self.nodes = [MountNsNode(os.path.join(self.root, f"run{n + 1}"), self.ports[n],
                                  self.own_dirs[n], self.mount_at, drive_args)
                      for n in range(len(self.ports))]

    def mount_tmpfs(self, path, size):
        os.makedirs(path, exist_ok=True)
        sh("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path)
        self.mounts.append(path)

    def start(self):
        for node in self.nodes:
            node.start(wait=None, timeout=BRINGUP_TIMEOUT)
        wait_all_healthy(self.nodes)

    def stop(self):
        for node in self.nodes:
            node.stop()
            if node in _live_servers:
                _live_servers.remove(node)

    def cleanup(self):
        self.stop()
        for path in reversed(self.mounts):
            sh("umount", "-l", path, check=False)
        self.mounts = []


@pytest.fixture
def mountns_cluster(cairn_bin, tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux)")
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"the kernel refused a mount namespace: {probe.stderr.strip()}")
    c = MountNsCluster(str(tmp_path / "mns"))
    try:
        yield c
    finally:
        c.cleanup()


def test_readme_ellipsis_command_one_mount_namespace_per_node(mountns_cluster):
    """`cairn server http://127.0.0.1:{P...P+3}/<mnt>/disk{1...4}` on every node, as the
    README's `http://node{1...4}.example.com:9000/data{1...4}`: each node finds its own
    drives by its port and sees its own directory at the shared path."""
    c = mountns_cluster
    c.configure([c.urls("disk{1...4}")])
    c.start()
    assert "1 set of 16 drives" in open(c.nodes[0].log_path).read()
    bucket = unique_name("ell")
    c.nodes[0].client().create_bucket(Bucket=bucket)
    objects = {f"o{i}": random_bytes(300_000 * i + 11, f"ell{i}") for i in range(6)}
    for i, (k, v) in enumerate(objects.items()):
        put(c.nodes[i % 4].client(), bucket, k, v)
    assert_all_read_back(c.nodes, bucket, objects)
    # Each node's drives are in its own directory; the shared path holds nothing itself.
    for d in c.own_dirs:
        for n in range(1, 5):
            assert os.path.exists(os.path.join(d, f"disk{n}", ".cairn.sys", "format.json")), d
    assert os.listdir(c.mount_at) == []


def shard_file_count(paths):
    count = 0
    for p in paths:
        for _, _, files in os.walk(os.path.join(p, "data")):
            count += len(files)  # data/<xx>/<data-id> files and part.N files
    return count


def test_second_pool_added_by_restart(mountns_cluster):
    """One pool (on small file systems), objects written; every node stopped and restarted
    with a second drive pattern (a second pool, on larger file systems): the old objects
    read back from every node, new objects go to the pool with more free space, and an
    overwritten old key stays in the pool that has it."""
    c = mountns_cluster
    for d in c.own_dirs:
        c.mount_tmpfs(os.path.join(d, "small"), "64m")
        c.mount_tmpfs(os.path.join(d, "large"), "512m")
    pool1 = c.urls("small/d{1...2}")
    pool2 = c.urls("large/d{1...2}")
    c.configure([pool1])
    c.start()
    bucket = unique_name("pool")
    c.nodes[0].client().create_bucket(Bucket=bucket)
    old = {f"old{i}": random_bytes(700_000 + i, f"old{i}") for i in range(8)}
    old.update({f"oldsmall{i}": random_bytes(1000 + i, f"olds{i}") for i in range(8)})
    for i, (k, v) in enumerate(old.items()):
        put(c.nodes[i % 4].client(), bucket, k, v)
    small_drives = [os.path.join(d, "small", f"d{n}") for d in c.own_dirs for n in (1, 2)]
    large_drives = [os.path.join(d, "large", f"d{n}") for d in c.own_dirs for n in (1, 2)]
    small_shards = shard_file_count(small_drives)
    assert small_shards == 8 * 8   # 8 large objects, 8 shards each

    c.stop()
    c.configure([pool1, pool2])
    c.start()
    log = open(c.nodes[0].log_path).read()
    assert "pool 2" in log, log[-3000:]
    assert_all_read_back(c.nodes, bucket, old)
    new = {f"new{i}": random_bytes(700_000 + i, f"new{i}") for i in range(8)}
    for i, (k, v) in enumerate(new.items()):
        put(c.nodes[i % 4].client(), bucket, k, v)
    assert shard_file_count(large_drives) == 8 * 8, "new objects did not go to the larger pool"
    assert shard_file_count(small_drives) == small_shards
    # An existing key stays in its pool when overwritten.
    old["old0"] = random_bytes(700_001, "old0-again")
    put(c.nodes[1].client(), bucket, "old0", old["old0"])
    assert shard_file_count(large_drives) == 8 * 8
    assert_all_read_back(c.nodes, bucket, {**old, **new})
    listed = []
    for page in c.nodes[2].client().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed += [o["Key"] for o in page.get("Contents", [])]
    assert sorted(listed) == sorted({**old, **new})


# ---- kill -9 during aws s3 sync -------------------------------------------------------------

def aws_exe():
    for path in ("/usr/bin/aws", shutil.which("aws")):
        if path and os.access(path, os.X_OK):
            return path
    pytest.skip("the AWS CLI is not installed (scripts/install-deps.sh installs it)")


def make_files(root, count):
    files = {}
    for i in range(count):
        rel = os.path.join(f"dir{i % 7}", f"sub{i % 3}", f"file {i:04d}.bin")
        size = (i * 7919) % 20_000 if i % 25 else 600_000 + i
        body = random_bytes(size, f"sync{i}")
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        files[rel] = body
    return files


@pytest.mark.parametrize("count", [200, pytest.param(1000, marks=pytest.mark.slow)])
def test_kill_node_during_aws_s3_sync(cairn_bin, tmp_path, count):
    exe = aws_exe()
    src = str(tmp_path / "src")
    files = make_files(src, count)
    c = Cluster(str(tmp_path / "sync"), nodes=4, drives=2)
    sync = None
    try:
        c.start()
        bucket = unique_name("sync")
        client = c.nodes[0].client()
        client.create_bucket(Bucket=bucket)
        # The CLI's own bandwidth limit makes the sync last about 15 s whatever the server's
        # speed, so the kill below lands in its middle (unthrottled, 200 files once finished
        # before the listing saw a fifth of them).
        total = sum(len(body) for body in files.values())
        env = aws_cli_env(tmp_path, c.nodes[0].access_key, c.nodes[0].secret_key,
                          config="[default]\nregion = us-east-1\ns3 =\n"
                          "  addressing_style = path\n"
                          f"  max_bandwidth = {max(1, total // 15 // 1024)}KB/s\n",
                          AWS_MAX_ATTEMPTS="5", AWS_RETRY_MODE="standard")
        cmd = [exe, "--endpoint-url", c.nodes[0].endpoint, "--no-cli-pager", "s3", "sync",
               "--no-progress", src, f"s3://{bucket}/"]
        out = open(tmp_path / "sync.log", "w")
        sync = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        # kill -9 node 3 once the sync is well under way.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sync.poll() is None:
            if client.list_objects_v2(Bucket=bucket, MaxKeys=1000).get("KeyCount", 0) >= \
                    count // 5:
                break
            time.sleep(0.1)
        victim = c.nodes[2]
        assert sync.poll() is None, "the sync ended before the kill"
        victim.kill()
        rc = sync.wait(timeout=180 if count <= 200 else 600)
        out.close()
        log = open(tmp_path / "sync.log").read()
        assert rc == 0, log[-3000:]
        victim.start(wait=None, timeout=BRINGUP_TIMEOUT)
        wait_all_healthy(c.nodes)
        # Everything synced reads back, byte for byte, through every node.
        for node in c.nodes:
            cl = make_client(node.endpoint, read_timeout=30)
            for rel, body in files.items():
                assert get(cl, bucket, rel) == body, (node.endpoint, rel)
        # A second sync finds nothing to do.
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                               stdin=subprocess.DEVNULL)
        assert again.returncode == 0 and "upload:" not in again.stdout, again.stdout[-2000:]
    finally:
        if sync is not None and sync.poll() is None:
            sync.kill()
            sync.wait(10)
        c.stop()
