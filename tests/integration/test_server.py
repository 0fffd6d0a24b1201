"""Starting the server: flags, drive counts, defaults, health endpoints, shutdown."""

import base64
import email.utils
import hmac
import json
import os
import select
import signal
import socket
import subprocess
import time

import pytest
import requests

import s3raw

from conftest import HEALTH_PATHS, ServerProcess, make_client


def run_cairn(cairn_bin, args, cwd, timeout=20):
    return subprocess.run([cairn_bin, "server", "--address", "127.0.0.1:0",
                           "--console-address", "127.0.0.1:0"] + args,
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args", [
    ["--no-such-flag", "d{1...4}"],
    ["--parity", "3", "d{1...4}"],               # S = 6 does not divide 4
    ["--set-size", "3", "d{1...4}"],             # 3 does not divide 4
    ["--set-size", "4", "--parity", "3", "d{1...4}"],  # P > S/2
    ["--parity", "0", "d{1...4}"],               # P >= 1
    ["d{1...17}"],                               # no set size in 2..16 divides 17
    ["--set-size", "32", "d{1...32}"],           # sets are at most 16 drives
])
def test_refused_configuration_exits_2_with_one_sentence(cairn_bin, tmp_path, args):
    res = run_cairn(cairn_bin, args, cwd=tmp_path)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    msg = res.stderr.strip()
    assert msg, "a refused start must say why on stderr"
    assert len(msg.splitlines()) <= 3, msg
    # Nothing was formatted: a refused configuration leaves the drives untouched.
    for d in tmp_path.iterdir():
        assert not (d / ".cairn.sys" / "format.json").exists()


@pytest.mark.parametrize("drives,args", [
    (4, []),
    (1, []),
    (6, []),                    # S = 6, P = 3
    (8, ["--parity", "2"]),     # 2 sets of 4, 2+2
    (8, ["--set-size", "8", "--parity", "2"]),  # 1 set of 8, 6+2
])
def test_accepted_layouts_serve_objects(make_server, drives, args):
    srv = make_server(drives=drives, args=args)
    s3 = srv.client()
    s3.create_bucket(Bucket="layout")
    body = os.urandom(300 * 1024)
    s3.put_object(Bucket="layout", Key="k", Body=body)
    assert s3.get_object(Bucket="layout", Key="k")["Body"].read() == body
    for d in srv.drive_paths:
        fmt = os.path.join(d, ".cairn.sys", "format.json")
        assert os.path.isfile(fmt), fmt
        json.load(open(fmt))


def test_drives_flag_equals_positional(make_server):
    srv = make_server(drives=4, wait=None)
    srv.drive_args = ["--drives", ",".join(srv.drive_paths)]
    srv.start()
    s3 = srv.client()
    s3.create_bucket(Bucket="viaflag")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["viaflag"]


def test_health_endpoints_on_both_ports(server):
    for base in (server.endpoint, server.console_endpoint):
        for path in HEALTH_PATHS:
            r = requests.get(base + path, timeout=5)
            assert r.status_code == 200, (base, path, r.status_code, r.text)


def test_address_file_format(server):
    text = open(server.addr_file).read()
    lines = text.splitlines()
    assert [line.split("=")[0] for line in lines] == ["s3", "console"]
    for line in lines:
        host, port = line.split("=")[1].rsplit(":", 1)
        assert host == "127.0.0.1" and 0 < int(port) < 65536


def test_defaults_drives_and_credentials(cairn_bin, tmp_path):
    """No drives and no credentials: ./data/disk{1...4} and cairnadmin/cairnadmin."""
    srv = ServerProcess(str(tmp_path), drives=4, access_key=None, drive_args=[])
    try:
        srv.start()
        for i in range(1, 5):
            assert (tmp_path / "data" / f"disk{i}" / ".cairn.sys" / "format.json").is_file()
        s3 = make_client(srv.endpoint, access_key="cairnadmin", secret_key="cairnadmin")
        s3.create_bucket(Bucket="defaults")
        assert "defaults" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    finally:
        srv.stop()


def test_sigterm_stops_cleanly(make_server):
    srv = make_server(drives=4)
    srv.client().create_bucket(Bucket="sigterm")
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(20) == 0, srv.log_tail()


def test_restart_keeps_data_and_deployment(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="persist")
    small, large = os.urandom(1000), os.urandom(3 * 1024 * 1024)
    s3.put_object(Bucket="persist", Key="small", Body=small)
    s3.put_object(Bucket="persist", Key="large", Body=large)
    before = [open(os.path.join(d, ".cairn.sys", "format.json")).read() for d in srv.drive_paths]
    srv.restart()
    s3 = srv.client()
    assert s3.get_object(Bucket="persist", Key="small")["Body"].read() == small
    assert s3.get_object(Bucket="persist", Key="large")["Body"].read() == large
    after = [open(os.path.join(d, ".cairn.sys", "format.json")).read() for d in srv.drive_paths]
    assert before == after


def test_on_disk_layout(make_server):
    """DESIGN.md section 4 and docs/format.md: format.json, meta/, tmp/; large objects' shards
    under data/ (a multipart object's as part.N in a folder)."""
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="layout")
    s3.put_object(Bucket="layout", Key="tiny", Body=b"x" * 100)
    assert srv.shard_files() == [], "a 100-byte object must be inline, not in shard files"
    s3.put_object(Bucket="layout", Key="big", Body=os.urandom(4 * 1024 * 1024))
    for d in srv.drive_paths:
        sys_dir = os.path.join(d, ".cairn.sys")
        assert os.path.isfile(os.path.join(sys_dir, "format.json"))
        assert os.path.isdir(os.path.join(sys_dir, "meta"))
        assert os.path.isdir(os.path.join(sys_dir, "tmp"))
        # A single-part object is one file per drive: data/<xx>/<data-id>.
        shards = srv.shard_files(d)
        assert len(shards) == 1, shards
        rel = os.path.relpath(shards[0], os.path.join(d, "data")).split(os.sep)
        assert len(rel) == 2 and len(rel[0]) == 2 and rel[1].startswith(rel[0]), rel
        # Keys never address paths: the object key appears nowhere in the file tree.
        for dirpath, dirs, files in os.walk(d):
            assert "big" not in dirs + files
    assert srv.tmp_files() == []
    # A multipart object keeps a folder of part.N files.
    up = s3.create_multipart_upload(Bucket="layout", Key="multi")["UploadId"]
    parts = []
    for n, size in ((1, 5 * 1024 * 1024), (2, 300 * 1024)):
        etag = s3.upload_part(Bucket="layout", Key="multi", UploadId=up, PartNumber=n,
                              Body=os.urandom(size))["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    s3.complete_multipart_upload(Bucket="layout", Key="multi", UploadId=up,
                                 MultipartUpload={"Parts": parts})
    for d in srv.drive_paths:
        folders = {os.path.dirname(f) for f in srv.shard_files(d) if "/part." in f}
        assert len(folders) == 1, srv.shard_files(d)
        assert sorted(os.listdir(folders.pop())) == ["part.1", "part.2"]


def test_inline_limit_flag(make_server):
    srv = make_server(drives=4, args=["--inline-limit", "0"])
    s3 = srv.client()
    s3.create_bucket(Bucket="noinline")
    s3.put_object(Bucket="noinline", Key="tiny", Body=b"hello")
    assert len(srv.shard_files()) == 4
    assert s3.get_object(Bucket="noinline", Key="tiny")["Body"].read() == b"hello"


def _rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def test_memory_budget_bounds_concurrent_large_puts(make_server):
    # 32 concurrent 16 MiB PUTs (512 MiB in flight) against a 16 MiB budget: each PUT holds
    # its erasure buffers only while it has a lease, so the server's peak RSS stays near its
    # idle size plus the budget, and every PUT succeeds (waiting for room, or a 503 SlowDown
    # that the client retries) and reads back whole.
    import concurrent.futures
    import hashlib

    srv = make_server(drives=4, args=["--memory-budget", "16MiB"])
    client = make_client(srv.endpoint)
    client.create_bucket(Bucket="mem")
    idle = _rss_kib(srv.proc.pid, "VmRSS")
    body = os.urandom(16 << 20)
    retrying = make_client(srv.endpoint, retries=10, read_timeout=120)

    def put(i):
        retrying.put_object(Bucket="mem", Key=f"k{i}", Body=body)

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(put, range(32)))
    peak = _rss_kib(srv.proc.pid, "VmHWM")
    want = hashlib.md5(body).hexdigest()
    for i in (0, 17, 31):
        got = client.get_object(Bucket="mem", Key=f"k{i}")["Body"].read()
        assert hashlib.md5(got).hexdigest() == want
    # Measured: without a budget (--memory-budget 0) the peak grows about 106 MiB over idle
    # (32 x 4 MiB of block buffers, EC 2+2); with the 16 MiB budget, about 10 MiB.
    assert peak - idle < 48 * 1024, (idle, peak)


def test_cache_size_bounds_the_metadata_memory_of_every_drive(make_server, cairn_bin):
    # 20,000 PUTs of 4 KiB keep their shards inline in each drive's RocksDB: about 2.5 KiB
    # of memtable an object on each of the 4 drives, 200 MiB in all, which each drive's own
    # 64 MiB write buffers used to hold. With --cache-size 32MiB the memtables of all drives
    # share half of it, so the RSS grows by the budget and the flushed tables' index blocks.
    srv = make_server(drives=4, args=["--cache-size", "32MiB"])
    with open(srv.log_path) as f:
        assert "metadata caches: 32 MiB for 4 local drives" in f.read()
    idle = _rss_kib(srv.proc.pid, "VmRSS")
    run = subprocess.run(
        [cairn_bin, "bench", "put", "--endpoint", srv.endpoint, "--access-key", srv.access_key,
         "--secret-key", srv.secret_key, "--obj-size", "4KiB", "--ops", "20000",
         "--duration", "120s", "--concurrent", "16", "--keep", "--json", "--quiet"],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["total"]["ops"] == 20000 and report["total"]["errors"] == 0, report["total"]
    grown = _rss_kib(srv.proc.pid, "VmRSS") - idle
    # Measured: 192 MiB before the budget (and with the default 512 MiB one); 44 MiB with it.
    assert grown < 110 * 1024, (idle, grown)
    client = make_client(srv.endpoint)
    key = report["prefix"] + "00000007"
    assert len(client.get_object(Bucket=report["bucket"], Key=key)["Body"].read()) == 4096


def test_virtual_host_style_with_domain(make_server):
    # --domain: "<bucket>.<domain>" in the Host header names the bucket; path style still works.
    srv = make_server(drives=4, args=["--domain", "s3.example.test"])
    raw = srv.raw()
    vhost = {"host": f"photos.s3.example.test:{srv.port}"}
    assert raw.request("PUT", "/", headers=dict(vhost)).status == 200  # CreateBucket
    put = raw.request("PUT", "/2026/a%20b.txt", headers=dict(vhost), body=b"virtual")
    assert put.status == 200, put
    got = raw.request("GET", "/2026/a%20b.txt", headers=dict(vhost))
    assert (got.status, got.body) == (200, b"virtual")
    listing = raw.request("GET", "/", query=[("list-type", "2")], headers=dict(vhost))
    assert listing.status == 200 and b"<Key>2026/a b.txt</Key>" in listing.body, listing
    # The same object, path style, through boto3.
    s3 = make_client(srv.endpoint)
    assert s3.get_object(Bucket="photos", Key="2026/a b.txt")["Body"].read() == b"virtual"
    # A host that is not under the domain is path style: "/" lists the buckets.
    buckets = raw.request("GET", "/")
    assert buckets.status == 200 and b"<Name>photos</Name>" in buckets.body, buckets


def test_sigv2_virtual_host_signs_the_bucket(make_server):
    # A SigV2 signature covers "/<bucket>/<key>" also when the bucket is in the Host: made for
    # photos.<domain>/k, it is refused for secret.<domain>/k.
    srv = make_server(drives=4, args=["--domain", "s3.example.test"])
    s3 = make_client(srv.endpoint)
    for b in ("photos", "secret"):
        s3.create_bucket(Bucket=b)
        s3.put_object(Bucket=b, Key="k", Body=b"in " + b.encode())
    date = email.utils.formatdate(usegmt=True)
    sts = f"GET\n\n\n{date}\n/photos/k"
    sig = base64.b64encode(hmac.new(srv.secret_key.encode(), sts.encode(), "sha1").digest())

    def get(bucket):
        headers = {"host": f"{bucket}.s3.example.test:{srv.port}", "date": date,
                   "authorization": f"AWS {srv.access_key}:{sig.decode()}"}
        return s3raw.send_raw(srv.host, srv.port, s3raw.build_request("GET", "/k", headers))

    ok = get("photos")
    assert (ok.status, ok.body) == (200, b"in photos"), ok
    replayed = get("secret")
    assert (replayed.status, replayed.code) == (403, "SignatureDoesNotMatch"), replayed


class HttpsServer(ServerProcess):
    @property
    def endpoint(self):
        return f"https://{self.s3_addr}"


def test_https_on_the_s3_and_console_ports(cairn_bin, tmp_path, monkeypatch):
    # --cert/--key: the S3 port and the console port (admin API, metrics and their bearer
    # tokens) both speak HTTPS; plain HTTP gets no answer on either.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", "key.pem", "-out", "cert.pem"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=60)
    cert = str(tmp_path / "cert.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)  # requests verifies against our CA
    srv = HttpsServer(str(tmp_path / "srv"), drives=4,
                      args=["--cert", cert, "--key", str(tmp_path / "key.pem")])
    try:
        srv.start()
        for addr in (srv.s3_addr, srv.console_addr):
            r = requests.get(f"https://{addr}/minio/health/ready", timeout=5)
            assert r.status_code == 200, (addr, r.status_code)
            with pytest.raises(requests.RequestException):
                requests.get(f"http://{addr}/minio/health/live", timeout=5)
        info = requests.get(f"https://{srv.console_addr}/minio/admin/v3/info", timeout=5)
        assert info.status_code == 403  # served (over TLS), and signed requests only
        assert "Console:  https://" in open(srv.log_path).read()

        # `cairn admin` over HTTPS: the certificate is verified (here against our own CA
        # through SSL_CERT_FILE), or accepted as it is with --insecure.
        def admin(*extra, ca=None):
            env = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
            if ca:
                env["SSL_CERT_FILE"] = ca
            return subprocess.run(
                [cairn_bin, "admin", "info", "--endpoint", f"https://{srv.console_addr}",
                 "--access-key", srv.access_key, "--secret-key", srv.secret_key, *extra],
                capture_output=True, text=True, timeout=60, env=env)
        verified = admin(ca=cert)
        assert verified.returncode == 0, verified.stderr
        assert "d1" in verified.stdout or "drive" in verified.stdout.lower(), verified.stdout
        assert admin("--insecure").returncode == 0
        refused = admin(ca="/etc/ssl/certs/ca-certificates.crt")
        assert refused.returncode != 0 and "TLS" in refused.stderr, refused.stderr
    finally:
        srv.stop()


def test_slow_clients_do_not_starve_the_others(make_server):
    # Slowloris: a client holds many connections open, each with a header that never ends.
    # Past its per-address bound its connections are closed at once; a normal client on
    # another address keeps working, and no drive is taken for faulty.
    srv = make_server(drives=4, args=["--max-connections-per-client", "40"])
    slow = []
    try:
        for _ in range(120):
            s = socket.socket()
            s.settimeout(5)
            s.bind(("127.0.0.2", 0))
            s.connect((srv.host, srv.port))
            try:
                s.sendall(b"GET /bucket/key HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            except OSError:
                pass
            slow.append(s)
        # 80 connections (those past the bound, in whatever order the server's threads took
        # them) were closed by the server: their sockets turn readable (end of stream); the
        # 40 it keeps wait for the rest of their header.
        closed = set()
        deadline = time.monotonic() + 10
        while len(closed) < 80 and time.monotonic() < deadline:
            readable, _, _ = select.select([s for s in slow if s not in closed], [], [], 0.5)
            closed.update(readable)
        time.sleep(0.5)
        readable, _, _ = select.select([s for s in slow if s not in closed], [], [], 0)
        assert (len(closed), len(readable)) == (80, 0)
        s3 = make_client(srv.endpoint)
        s3.create_bucket(Bucket="busy")
        for i in range(20):
            s3.put_object(Bucket="busy", Key=f"k{i}", Body=b"x" * 1000)
            assert s3.get_object(Bucket="busy", Key=f"k{i}")["Body"].read() == b"x" * 1000
        health = requests.get(srv.endpoint + "/minio/health/cluster", timeout=5)
        assert health.status_code == 200
    finally:
        for s in slow:
            s.close()
