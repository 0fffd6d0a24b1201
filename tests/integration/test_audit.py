"""The audit log against the real binary: records of S3 and admin requests at a webhook
receiver this test runs (MinIO's audit_webhook settings and JSON), requests that never wait
for a receiver that is down (its records dropped and counted in the metrics), and the file
target's rotation by size."""

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.exceptions
import pytest
import requests

from conftest import ACCESS_KEY, unique_name, wait_until
from test_admin import admin_get, parse_metrics

ADMIN = "/minio/admin/v3"


class Receiver:
    """An HTTP server on 127.0.0.1 (random port) in a thread that keeps every POST."""

    def __init__(self):
        self.posts = []  # (path, headers, body)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with receiver.lock:
                    receiver.posts.append(
                        (self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def records(self, path):
        """Every record POSTed to `path`, in order (a POST holds one object or JSON lines)."""
        with self.lock:
            bodies = [body for p, _, body in self.posts if p == path]
        out = []
        for body in bodies:
            out += [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        return out

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def find(records, name, **api):
    for r in records:
        if r["api"].get("name") == name and all(r["api"].get(k) == v for k, v in api.items()):
            return r
    return None


def test_webhook_gets_records_of_s3_and_admin_requests(make_server, receiver):
    env = {
        "MINIO_AUDIT_WEBHOOK_ENABLE_one": "on",
        "MINIO_AUDIT_WEBHOOK_ENDPOINT_one": receiver.url + "/one",
        "MINIO_AUDIT_WEBHOOK_AUTH_TOKEN_one": "Bearer audit-token",
        "CAIRN_AUDIT_WEBHOOK_ENABLE_batched": "on",
        "CAIRN_AUDIT_WEBHOOK_ENDPOINT_batched": receiver.url + "/batched",
        "CAIRN_AUDIT_WEBHOOK_BATCH_SIZE_batched": "3",
        "CAIRN_AUDIT_HEADERS": "x-custom",
    }
    srv = make_server(env=env)
    s3 = srv.client()
    raw = srv.raw()
    bucket = unique_name("audit")
    s3.create_bucket(Bucket=bucket)
    body = b"audited body"
    put = raw.request("PUT", f"/{bucket}/obj", body=body,
                      headers={"x-custom": "kept", "x-amz-meta-color": "blue",
                               "x-other": "left out"})
    assert put.status == 200, put
    got = s3.get_object(Bucket=bucket, Key="obj")["Body"].read()
    assert got == body
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket=bucket, Key="missing")
    info = admin_get(srv, ADMIN + "/info")
    assert info.status == 200, info
    unsigned = requests.get(srv.endpoint + ADMIN + "/info", timeout=10)
    assert unsigned.status_code == 403

    def all_there():
        recs = receiver.records("/one")
        return (find(recs, "PutObject", object="obj") and find(recs, "GetObject", object="obj")
                and find(recs, "GetObject", object="missing")
                and find(recs, "ServerInfo", statusCode=200)
                and find(recs, "ServerInfo", statusCode=403))
    assert wait_until(all_there, timeout=30), receiver.records("/one")
    recs = receiver.records("/one")

    p = find(recs, "PutObject", object="obj")
    assert p["version"] == "1"
    assert p["deploymentid"]
    assert p["trigger"] == "incoming"
    assert p["time"].endswith("Z")
    assert p["api"]["bucket"] == bucket
    assert p["api"]["statusCode"] == 200 and p["api"]["status"] == "OK"
    assert p["api"]["rx"] == len(body)
    assert p["api"]["timeToResponse"].endswith("ns")
    assert p["requestID"] == put.headers["x-amz-request-id"]
    assert p["accessKey"] == ACCESS_KEY
    assert p["remotehost"] == "127.0.0.1"
    assert p["requestPath"] == f"/{bucket}/obj"
    assert p["requestNode"] == srv.s3_addr
    assert p["requestHeader"]["X-Custom"] == "kept"
    assert p["requestHeader"]["X-Amz-Meta-Color"] == "blue"
    assert "X-Other" not in p["requestHeader"]
    assert "Authorization" not in p["requestHeader"]
    assert "errorCode" not in p

    g = find(recs, "GetObject", object="obj")
    assert g["api"]["statusCode"] == 200
    assert g["api"]["tx"] == len(body)
    assert g["api"]["timeToFirstByte"].endswith("ns")
    assert g["userAgent"].startswith("Boto3") or "botocore" in g["userAgent"]

    m = find(recs, "GetObject", object="missing")
    assert m["api"]["statusCode"] == 404 and m["api"]["status"] == "Not Found"
    assert m["errorCode"] == "NoSuchKey"
    assert m["error"]

    a = find(recs, "ServerInfo", statusCode=200)
    assert a["accessKey"] == ACCESS_KEY
    assert a["requestPath"] == ADMIN + "/info"
    assert a["requestID"] == info.headers["x-amz-request-id"]
    assert a["deploymentid"] == p["deploymentid"]
    denied = find(recs, "ServerInfo", statusCode=403)
    assert denied["errorCode"] == "AccessDenied"
    assert "accessKey" not in denied

    # The secret key and signatures never leave the server.
    with receiver.lock:
        sent = b"".join(body for _, _, body in receiver.posts)
        headers = [h for path, h, _ in receiver.posts if path == "/one"]
    assert b"Signature=" not in sent and srv.secret_key.encode() not in sent
    # The auth token as given, one JSON object per POST (batch size 1).
    assert headers and all(h.get("authorization") == "Bearer audit-token" for h in headers)
    with receiver.lock:
        one_bodies = [body for path, _, body in receiver.posts if path == "/one"]
    assert all(b"\n" not in body.strip() for body in one_bodies)

    # The batched target: the same records, up to three to a POST as JSON lines (a POST waits
    # up to a second for its batch to fill).
    assert wait_until(lambda: len(receiver.records("/batched")) >= len(recs), timeout=30)
    with receiver.lock:
        batched = [body for path, _, body in receiver.posts if path == "/batched"]
    lines = [len(body.decode().splitlines()) for body in batched]
    assert all(1 <= n <= 3 for n in lines) and max(lines) > 1, lines
    assert all(body.endswith(b"\n") for body in batched)


def test_requests_never_wait_for_a_receiver_that_is_down(make_server):
    env = {
        "MINIO_AUDIT_WEBHOOK_ENABLE_down": "on",
        "MINIO_AUDIT_WEBHOOK_ENDPOINT_down": f"http://127.0.0.1:{closed_port()}/",
        "MINIO_AUDIT_WEBHOOK_QUEUE_SIZE_down": "10",
    }
    srv = make_server(env=env)
    s3 = srv.client()
    bucket = unique_name("audit-down")
    s3.create_bucket(Bucket=bucket)
    for i in range(50):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x" * 100)
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 50

    def counters():
        r = admin_get(srv, "/minio/v2/metrics/cluster")
        assert r.status == 200, r
        return parse_metrics(r.body.decode())

    label = '{target_id="webhook:down"}'

    def counted():
        m = counters()
        return (m.get("cairn_audit_dropped_messages" + label, 0) > 0
                and m.get("minio_audit_failed_messages" + label, 0) > 0)
    assert wait_until(counted, timeout=30), counters()
    m = counters()
    assert m["minio_audit_total_messages" + label] == 0
    assert m["minio_audit_target_queue_length" + label] <= 10
    # Stopping gives up on the receiver within its grace: a clean, prompt exit.
    assert srv.stop() == 0


def test_file_target_rotates_by_size(make_server, tmp_path):
    path = str(tmp_path / "audit" / "audit.log")
    os.makedirs(os.path.dirname(path))
    srv = make_server(args=["--audit-file", path],
                      env={"CAIRN_AUDIT_FILE_MAX_SIZE": "4KiB", "CAIRN_AUDIT_FILE_KEEP": "2"})
    s3 = srv.client()
    bucket = unique_name("audit-file")
    s3.create_bucket(Bucket=bucket)
    for i in range(40):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"y")

    def text(name):
        try:
            with open(name) as f:
                return f.read()
        except FileNotFoundError:  # between a rotation's rename and the new file's open
            return ""
    # The last request's record is written last, to the current file; then nothing moves.
    assert wait_until(lambda: '"object":"k39"' in text(path), timeout=30)
    assert os.path.exists(path + ".2")
    assert not os.path.exists(path + ".3")
    keys = []
    for name in (path + ".2", path + ".1", path):  # oldest first
        size = os.path.getsize(name)
        assert 0 < size <= 4096, (name, size)
        for line in text(name).splitlines():
            record = json.loads(line)
            assert record["version"] == "1"
            if record["api"].get("name") == "PutObject":
                keys.append(record["api"]["object"])
    # The kept files hold the newest records, in order, ending with k39; older ones rotated out.
    numbers = [int(k[1:]) for k in keys]
    assert len(numbers) >= 5, keys
    assert numbers == list(range(numbers[0], 40)), keys
    assert numbers[0] > 0, keys
