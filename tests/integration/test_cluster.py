"""A distributed cairn: several `cairn server` processes on 127.0.0.1, each on its own ports,
with drives named by URL (README "Distributed deployment"). Every process a test starts is
stopped by pid; every wait has a timeout.

- 4 nodes x 4 drives (one set of 16, EC 8+8; write quorum 9, read quorum 8), inter-node RPC
  on the S3 port with token authentication: strict read-after-write across nodes, 403 for
  an RPC without a valid token, kill -9 of one node, two of four nodes stopped.
- 4 nodes x 1 drive (EC 2+2) with mutual TLS on --cluster-address, certificates made here
  with openssl: the cluster forms; plain HTTP and a client without a certificate are refused
  on the cluster port; a node whose certificate comes from another CA is refused.
"""

import hashlib
import hmac
import os
import shutil
import subprocess
import time
import urllib.parse

import botocore.exceptions
import pytest
import requests

from conftest import ACCESS_KEY, SECRET_KEY, ServerProcess, _live_servers, \
    check_slow_reader_blocks_no_writer, make_client, random_bytes, reserve_ports, retry, \
    unique_name

pytestmark = pytest.mark.faults

BRINGUP_TIMEOUT = 60


class ClusterNode(ServerProcess):
    """One node: fixed S3 port (and cluster port), every drive URL of the cluster."""

    def __init__(self, root, s3_port, drive_urls, args=()):
        super().__init__(root, drives=0, args=args, drive_args=list(drive_urls))
        self.s3_port = s3_port

    def command(self):
        cmd = super().command()
        cmd[cmd.index("--address") + 1] = f"127.0.0.1:{self.s3_port}"
        return cmd


class Cluster:
    def __init__(self, root, nodes=4, drives=4, tls=None):
        self.root = root
        ports = reserve_ports(2 * nodes if tls else nodes)
        self.s3_ports = ports[:nodes]
        self.cluster_ports = ports[nodes:] if tls else None
        rpc_ports = self.cluster_ports or self.s3_ports
        scheme = "https" if tls else "http"
        urls = [f"{scheme}://127.0.0.1:{rpc_ports[n]}{root}/n{n + 1}/d{d + 1}"
                for n in range(nodes) for d in range(drives)]
        self.nodes = []
        for n in range(nodes):
            args = []
            if tls:
                args = ["--cluster-address", f"127.0.0.1:{self.cluster_ports[n]}",
                        "--cluster-cert", tls["cert"], "--cluster-key", tls["key"],
                        "--cluster-ca", tls["ca"], "--cluster-server-name", "cairn-cluster"]
            self.nodes.append(ClusterNode(os.path.join(root, f"n{n + 1}"), self.s3_ports[n],
                                          urls, args))

    def start(self, wait="cluster"):
        for node in self.nodes:
            node.start(wait=None, timeout=BRINGUP_TIMEOUT)
        if wait:
            for node in self.nodes:
                node.wait_health(f"/minio/health/{wait}", BRINGUP_TIMEOUT)
        return self

    def stop(self):
        for node in self.nodes:
            node.stop()
            if node in _live_servers:
                _live_servers.remove(node)


def put(client, bucket, key, body):
    client.put_object(Bucket=bucket, Key=key, Body=body)


def get(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture(scope="module")
def cluster(cairn_bin, tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("cluster")), nodes=4, drives=4)
    c.start()
    yield c
    c.stop()


def test_every_node_reports_a_healthy_cluster(cluster):
    for node in cluster.nodes:
        for path in ("/minio/health/live", "/minio/health/ready", "/minio/health/cluster",
                     "/minio/health/cluster/read"):
            assert requests.get(node.endpoint + path, timeout=5).status_code == 200, (node, path)
    assert "1 set of 16 drives" in open(cluster.nodes[0].log_path).read()


def test_read_after_write_across_nodes(cluster):
    c1 = cluster.nodes[0].client()
    c3 = cluster.nodes[2].client()
    bucket = unique_name("raw")
    c1.create_bucket(Bucket=bucket)
    # The bucket is there through every node at once.
    for node in cluster.nodes:
        node.client().head_bucket(Bucket=bucket)
    sizes = [0, 1, 1000, 200_000, 3 * 1024 * 1024 + 17]
    for i, size in enumerate(sizes * 2):
        key = f"k{i}"
        body = random_bytes(size, f"raw{i}")
        put(c1, bucket, key, body)
        assert get(c3, bucket, key) == body, (key, size)
        # Overwrite through node 3, read the new bytes through node 1 at once.
        body2 = random_bytes(size + 1, f"raw2-{i}")
        put(c3, bucket, key, body2)
        assert get(c1, bucket, key) == body2, (key, size)
    listed = [o["Key"] for o in cluster.nodes[1].client().list_objects_v2(
        Bucket=bucket)["Contents"]]
    assert sorted(listed) == sorted(f"k{i}" for i in range(len(sizes) * 2))
    c1.delete_object(Bucket=bucket, Key="k0")
    with pytest.raises(botocore.exceptions.ClientError):
        c3.head_object(Bucket=bucket, Key="k0")


def test_retried_complete_through_another_node(cluster):
    """A CompleteMultipartUpload retried through another node (the first answer was lost)
    gets the same object: the completion is recorded on the set's drives, not in a node."""
    c1 = cluster.nodes[0].client()
    c3 = cluster.nodes[2].client()
    bucket = unique_name("mpr")
    c1.create_bucket(Bucket=bucket)
    parts = [random_bytes(5 * 1024 * 1024, "mpr1"), random_bytes(10, "mpr2")]
    uid = c1.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        etag = c1.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=i, Body=p)["ETag"]
        done.append({"PartNumber": i, "ETag": etag})
    first = c1.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    again = c3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    assert again["ETag"] == first["ETag"]
    assert get(c3, bucket, "k") == b"".join(parts)


def test_concurrent_writers_of_one_key_through_two_nodes(cluster):
    """Writers of one key on two nodes are serialized by the distributed locks: every node
    then reads one of the written bodies, whole, and all nodes read the same one."""
    import concurrent.futures
    bucket = unique_name("race")
    cluster.nodes[0].client().create_bucket(Bucket=bucket)
    bodies = {i: random_bytes(150_000 + i, f"race{i}") for i in range(12)}

    def writer(i):
        client = cluster.nodes[0 if i % 2 == 0 else 2].client()
        put(client, bucket, "contended", bodies[i])

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(writer, bodies))
    seen = {get(node.client(), bucket, "contended") for node in cluster.nodes}
    assert len(seen) == 1
    assert seen.pop() in bodies.values()


def test_slow_get_through_remote_drives_does_not_hold_the_key(cluster):
    """The reader's shards are mostly on other nodes: they stay open there for it."""
    bucket = unique_name("slow")
    cluster.nodes[0].client().create_bucket(Bucket=bucket)
    check_slow_reader_blocks_no_writer(cluster.nodes[0].client(),
                                       make_client(cluster.nodes[2].endpoint, read_timeout=10),
                                       bucket)


def test_rpc_without_valid_token_is_refused(cluster):
    url = cluster.nodes[1].endpoint + "/cairn/rpc/v3/1"
    r = requests.post(url, data=b"", timeout=5)
    assert r.status_code == 403
    assert r.headers.get("x-cairn-rpc-errc") == "403"
    forged = "v1:%d:%s" % (int(time.time() * 1000), "00" * 32)
    r = requests.post(url, data=b"", headers={"x-cairn-rpc-token": forged}, timeout=5)
    assert r.status_code == 403
    # An S3 request with the same path prefix never reaches S3 either.
    r = requests.get(cluster.nodes[1].endpoint + "/cairn/rpc/v99/1", timeout=5)
    assert r.status_code == 404


def rpc_token(path, host, resource, body_sha256, ms, sender, counter,
              access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    """A v2 RPC token as docs/rpc.md specifies it."""
    key = hmac.new(b"cairn-rpc-token-key-v1", f"{access_key}\n{secret_key}".encode(),
                   hashlib.sha256).digest()
    sts = "\n".join(["cairn-rpc-v2", "POST", path, host, resource, "", body_sha256, str(ms),
                     str(sender), str(counter)])
    mac = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    return f"v2:{ms}:{sender:016x}:{counter}:{mac}"


def test_rpc_token_is_bound_to_its_call_and_used_once(cluster):
    # A captured token is good for its one call: replayed, sent to another node, or with
    # another body, it is refused (403).
    n2, n3 = cluster.nodes[1], cluster.nodes[2]
    drive = urllib.parse.urlparse(n2.drive_args[4]).path  # node 2's first drive
    path = "/cairn/rpc/v3/1"  # DiskInfo
    empty = hashlib.sha256(b"").hexdigest()
    ms = int(time.time() * 1000)
    token = rpc_token(path, f"127.0.0.1:{n2.port}", drive, empty, ms, 0xC0FFEE, 1)

    def call(node, host, body=b"", body_sha=empty):
        return requests.post(f"http://{node.host}:{node.port}{path}", data=body, timeout=5,
                             headers={"host": host, "x-cairn-rpc-token": token,
                                      "x-cairn-rpc-resource": drive,
                                      "x-cairn-rpc-content-sha256": body_sha})

    first = call(n2, f"127.0.0.1:{n2.port}")
    assert first.status_code == 200, first.text
    again = call(n2, f"127.0.0.1:{n2.port}")
    assert again.status_code == 403 and "replay" in again.text, again.text
    # The same token sent to node 3 (which serves no such drive either way) names node 2.
    elsewhere = call(n3, f"127.0.0.1:{n2.port}")
    assert elsewhere.status_code == 403 and "another node" in elsewhere.text, elsewhere.text
    # A fresh token whose body differs from the one it signs.
    token = rpc_token(path, f"127.0.0.1:{n2.port}", drive, empty, ms, 0xC0FFEE, 2)
    tampered = call(n2, f"127.0.0.1:{n2.port}", body=b"x")
    assert tampered.status_code == 403, tampered.text


def test_kill_one_node_reads_and_writes_continue(cluster):
    c1 = cluster.nodes[0].client()
    bucket = unique_name("kill")
    c1.create_bucket(Bucket=bucket)
    before = {f"before{i}": random_bytes(300_000 * i + 5, f"kb{i}") for i in range(4)}
    for k, v in before.items():
        put(c1, bucket, k, v)
    victim = cluster.nodes[3]
    victim.kill()
    after = {f"after{i}": random_bytes(200_000 * i + 3, f"ka{i}") for i in range(4)}
    for k, v in after.items():
        retry(lambda: put(c1, bucket, k, v))
    c2 = cluster.nodes[1].client()
    for k, v in {**before, **after}.items():
        assert get(c2, bucket, k) == v, k
    # 12 of 16 drives are still a write quorum (9): the cluster reports healthy.
    assert requests.get(cluster.nodes[0].endpoint + "/minio/health/cluster",
                        timeout=5).status_code == 200
    # Back again: it rejoins, and serves what was written while it was down.
    victim.start(wait="cluster", timeout=BRINGUP_TIMEOUT)
    c4 = victim.client()
    for k, v in {**before, **after}.items():
        assert retry(lambda: get(c4, bucket, k)) == v, k


def test_two_of_four_nodes_down_reads_served_writes_refused(cluster):
    c1 = cluster.nodes[0].client()
    bucket = unique_name("half")
    c1.create_bucket(Bucket=bucket)
    body = random_bytes(2_000_000, "half")
    put(c1, bucket, "kept", body)
    small = random_bytes(1000, "half-small")
    put(c1, bucket, "small", small)
    down = cluster.nodes[2:]
    for node in down:
        node.stop()
    try:
        # Writes need 9 of 16 drives (and 3 of 4 lock servers): refused with 503, fast.
        slow = make_client(cluster.nodes[0].endpoint, read_timeout=60)
        t0 = time.monotonic()
        with pytest.raises(botocore.exceptions.ClientError) as e:
            put(slow, bucket, "refused", b"x" * 100)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert time.monotonic() - t0 < 10
        with pytest.raises(botocore.exceptions.ClientError) as e:
            put(slow, bucket, "refused2", random_bytes(3_000_000, "refused2"))
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        # Reads need 8 of 16: served.
        assert get(c1, bucket, "kept") == body
        assert get(cluster.nodes[1].client(), bucket, "small") == small
        assert requests.get(cluster.nodes[0].endpoint + "/minio/health/cluster",
                            timeout=5).status_code == 503
        assert requests.get(cluster.nodes[0].endpoint + "/minio/health/cluster/read",
                            timeout=5).status_code == 200
    finally:
        for node in down:
            node.start(wait=None, timeout=BRINGUP_TIMEOUT)
        for node in cluster.nodes:
            node.wait_health("/minio/health/cluster", BRINGUP_TIMEOUT)
    put(c1, bucket, "after", b"y" * 100)
    assert get(cluster.nodes[3].client(), bucket, "after") == b"y" * 100


def test_mismatched_peers_flag_is_refused(cluster, tmp_path):
    node = cluster.nodes[0]
    cmd = [node.command()[0], "server", "--address", "127.0.0.1:0", "--console-address",
           "127.0.0.1:0", "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
           "--peers", "http://127.0.0.1:1"] + node.drive_args
    cmd[cmd.index("--address") + 1] = f"127.0.0.1:{node.s3_port}"
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "--peers does not match the drive URLs" in p.stderr


def test_bringup_waits_with_503_and_refuses_other_credentials(cairn_bin, tmp_path):
    c = Cluster(str(tmp_path / "bringup"), nodes=4, drives=1)  # EC 2+2: 3 nodes form it
    n1, n2, n3, n4 = c.nodes
    n4.secret_key = "another-secret-key"
    try:
        n1.start(wait=None, timeout=BRINGUP_TIMEOUT)
        # Alone, node 1 serves health and says what it waits for.
        assert requests.get(n1.endpoint + "/minio/health/live", timeout=5).status_code == 200
        assert requests.get(n1.endpoint + "/minio/health/ready", timeout=5).status_code == 503
        r = requests.get(n1.endpoint + "/somebucket/key", timeout=5)
        assert r.status_code == 503
        assert "XMinioServerNotInitialized" in r.text
        # An anonymous client learns nothing of the cluster; the admin API says what the node
        # waits for, to the root credentials only.
        assert "waiting" not in r.text and "127.0.0.1" not in r.text, r.text
        info = n1.raw().request("GET", "/minio/admin/v3/info")
        assert info.status == 503, info
        assert b"waiting for a write quorum of drives" in info.body, info
        n4.start(wait=None, timeout=BRINGUP_TIMEOUT)
        n2.start(wait=None, timeout=BRINGUP_TIMEOUT)
        n3.start(wait=None, timeout=BRINGUP_TIMEOUT)
        for node in (n1, n2, n3):
            node.wait_health("/minio/health/cluster", BRINGUP_TIMEOUT)
        # Node 4 was started with other credentials: the others refuse it and it waits.
        deadline = time.monotonic() + 15
        text = ""
        while time.monotonic() < deadline:
            text = n4.raw().request("GET", "/minio/admin/v3/info").body.decode()
            if "other credentials" in text:
                break
            time.sleep(0.3)
        assert "other credentials" in text, text
        assert "other credentials" not in requests.get(n4.endpoint + "/b/k", timeout=5).text
        assert "other credentials" in open(n1.log_path).read()
        bucket = unique_name("bu")
        n2.client().create_bucket(Bucket=bucket)
        put(n1.client(), bucket, "k", b"v" * 10)
        assert get(n3.client(), bucket, "k") == b"v" * 10
    finally:
        c.stop()


class AddressNode(ClusterNode):
    """A node bound to its own loopback address (no --node-host): the bind address alone
    tells it which drive URLs are its own."""

    def __init__(self, root, host, s3_port, drive_urls):
        super().__init__(root, s3_port, drive_urls)
        self.bind_host = host

    def command(self):
        cmd = super().command()
        cmd[cmd.index("--address") + 1] = f"{self.bind_host}:{self.s3_port}"
        cmd[cmd.index("--console-address") + 1] = f"{self.bind_host}:0"
        return cmd


def test_nodes_on_distinct_loopback_addresses_and_one_port(cairn_bin, tmp_path):
    # README: four nodes on one machine, each bound to 127.0.0.N and the same port. Every
    # 127.x address is the machine's own, so a node must go by its bind address.
    hosts = [f"127.0.0.{n}" for n in range(1, 5)]
    port = reserve_ports(1, hosts)[0]
    root = str(tmp_path)
    urls = [f"http://{h}:{port}{root}/n{n + 1}/d{d}" for n, h in enumerate(hosts)
            for d in (1, 2)]
    nodes = [AddressNode(os.path.join(root, f"n{n + 1}"), h, port, urls)
             for n, h in enumerate(hosts)]
    try:
        for node in nodes:
            node.start(wait=None, timeout=BRINGUP_TIMEOUT)
        for node in nodes:
            node.wait_health("/minio/health/cluster", BRINGUP_TIMEOUT)
        for node in nodes:
            # Each node opened exactly its own two drives and reached the others over RPC.
            assert "2 drives on this node, 6 on 3 other nodes" in open(node.log_path).read(), \
                node.log_tail()
            assert node.alive(), node.log_tail()
        for n in range(4):
            for d in (1, 2):
                assert os.path.exists(f"{root}/n{n + 1}/d{d}/.cairn.sys/format.json"), (n, d)
        bucket = unique_name("lo")
        nodes[0].client().create_bucket(Bucket=bucket)
        body = random_bytes(300_000, "loopback")
        put(nodes[1].client(), bucket, "k", body)
        for node in nodes:
            assert get(node.client(), bucket, "k") == body
    finally:
        for node in nodes:
            node.stop()
            if node in _live_servers:
                _live_servers.remove(node)


# ---- mutual TLS -----------------------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca_and_cert(d, name):
    """A CA and one certificate it signed (for the name cairn-cluster, client and server)."""
    os.makedirs(d, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            f"/CN={name} CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=cairn-cluster",
            "-keyout", "node.key", "-out", "node.csr", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:cairn-cluster\n"
                "extendedKeyUsage=serverAuth,clientAuth\n")
    openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "node.crt", cwd=d)
    return {"ca": os.path.join(d, "ca.crt"), "cert": os.path.join(d, "node.crt"),
            "key": os.path.join(d, "node.key")}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_mutual_tls_cluster(cairn_bin, tmp_path):
    good = make_ca_and_cert(str(tmp_path / "pki"), "cluster")
    foreign = make_ca_and_cert(str(tmp_path / "pki-foreign"), "foreign")
    c = Cluster(str(tmp_path / "tls"), nodes=4, drives=1, tls=good)
    try:
        c.start()
        bucket = unique_name("tls")
        c.nodes[0].client().create_bucket(Bucket=bucket)
        body = random_bytes(1_500_000, "tls")
        put(c.nodes[0].client(), bucket, "obj", body)
        assert get(c.nodes[2].client(), bucket, "obj") == body

        port = c.cluster_ports[1]
        # Plain HTTP to the TLS cluster port: no answer but a closed connection.
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(f"http://127.0.0.1:{port}/cairn/rpc/v3/1", data=b"", timeout=5)
        # TLS that trusts the server but presents no client certificate: refused.
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(f"https://127.0.0.1:{port}/cairn/rpc/v3/1", data=b"", timeout=5,
                          verify=False)
        # RPC is not served on the S3 port when the cluster has its own.
        assert requests.post(c.nodes[1].endpoint + "/cairn/rpc/v3/1", timeout=5).status_code \
            == 404

        # Node 4 restarted with a certificate (and CA) of another authority: refused.
        n4 = c.nodes[3]
        n4.stop()
        args = n4.extra_args
        for flag in ("--cluster-cert", "--cluster-key", "--cluster-ca"):
            args[args.index(flag) + 1] = foreign[flag.split("-")[-1]]
        n4.start(wait=None, timeout=BRINGUP_TIMEOUT)
        deadline = time.monotonic() + 20
        text = ""
        while time.monotonic() < deadline:
            assert requests.get(f"{n4.endpoint}/{bucket}/obj", timeout=5).status_code == 503
            r = n4.raw().request("GET", "/minio/admin/v3/info")  # the reason: root only
            assert r.status == 503
            text = r.body.decode()
            if "TLS handshake" in text:
                break
            time.sleep(0.3)
        assert "TLS handshake" in text, text
        assert requests.get(n4.endpoint + "/minio/health/ready", timeout=5).status_code == 503
        # The other three go on (EC 2+2: 3 drives are a write quorum).
        put(c.nodes[0].client(), bucket, "obj2", b"z" * 5000)
        assert get(c.nodes[1].client(), bucket, "obj2") == b"z" * 5000
        log = open(c.nodes[0].log_path).read()
        assert "TLS handshake" in log or "offline" in log
    finally:
        c.stop()
