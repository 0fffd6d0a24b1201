"""The admin API, `cairn admin` and the Prometheus metrics against the real binary.

Tests that need the heal engine behind ObjectLayer::StartHeal / GetDriveStatus skip with
"pending: heal engine" while ServerPools still answers 501 NotImplemented (see
`require_heal_engine`).
"""

import base64
import json
import re
import subprocess
import time

import pytest
import requests

import s3raw
from conftest import ACCESS_KEY, SECRET_KEY

ADMIN = "/minio/admin/v3"
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? '
    r'(-?[0-9.eE+-]+|NaN|[+-]Inf)$')


def run_admin(server, *args, endpoint=None, secret_key=SECRET_KEY, timeout=180):
    """Runs `cairn admin ARGS` against `server`; returns the CompletedProcess."""
    cmd = [server.command()[0], "admin", *args, "--endpoint", endpoint or server.endpoint,
           "--access-key", ACCESS_KEY, "--secret-key", secret_key]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def signer(server, console=False):
    addr = server.console_addr if console else server.s3_addr
    host, port = addr.rsplit(":", 1)
    return s3raw.Signer(host, int(port), ACCESS_KEY, SECRET_KEY)


def admin_get(server, path, query=(), console=False, method="GET"):
    return signer(server, console).request(method, path, query=list(query))


def parse_metrics(text):
    """Checks every line of the Prometheus text format; returns {"name{labels}": value}."""
    samples, typed, histograms = {}, set(), set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram"), line
            assert name not in typed, f"two TYPE lines for {name}"
            typed.add(name)
            if kind == "histogram":  # its samples: _bucket{le=...}, _sum, _count
                histograms.add(name)
            continue
        m = SAMPLE.match(line)
        assert m, f"bad sample line: {line!r}"
        family = m.group(1)
        for h in histograms:
            if family in (h + "_bucket", h + "_sum", h + "_count"):
                family = h
        assert family in typed, f"no TYPE before {line!r}"
        key, value = line.rsplit(" ", 1)
        samples[key] = float(value)
    return samples


def require_heal_engine(server):
    """Skips (pending) while the object layer has no heal engine (501 NotImplemented)."""
    r = admin_get(server, ADMIN + "/heal/status", [("id", "probe")])
    if r.status == 501:
        pytest.skip("pending: heal engine (H1) not in ServerPools yet (501 NotImplemented)")
    assert r.status == 404, r.body


def test_unsigned_requests_get_403(server):
    for base in (server.endpoint, server.console_endpoint):
        for method, path in (("GET", ADMIN + "/info"), ("GET", ADMIN + "/heal/list"),
                             ("POST", ADMIN + "/heal/start"), ("GET", "/minio/v2/metrics/cluster"),
                             ("GET", "/minio/v2/metrics/node")):
            r = requests.request(method, base + path, timeout=10)
            assert r.status_code == 403, (base, path, r.text)
            assert r.headers["content-type"] == "application/json"
            assert r.json()["Code"] == "AccessDenied"


def test_wrong_secret_gets_403(server):
    r = signer(server)
    resp = r.request("GET", ADMIN + "/info", secret_key="not-the-secret-key")
    assert resp.status == 403
    assert json.loads(resp.body)["Code"] == "SignatureDoesNotMatch"
    p = run_admin(server, "info", secret_key="not-the-secret-key")
    assert p.returncode == 1
    assert "SignatureDoesNotMatch" in p.stderr


def test_info_answers_on_both_ports(server):
    for console in (False, True):
        r = admin_get(server, ADMIN + "/info", console=console)
        assert r.status == 200, r.body
        info = json.loads(r.body)
        assert info["deploymentId"]
        assert info["version"]
        assert info["region"] == "us-east-1"
        assert isinstance(info["drives"], list)
        assert set(info["heal"]) >= {"mrfPushed", "mrfQueued", "objectsHealed", "bytesHealed"}
        assert isinstance(info["sequences"], list)


def test_admin_errors(server):
    assert admin_get(server, ADMIN + "/nothing").status == 404
    assert admin_get(server, ADMIN + "/heal/start").status == 405  # GET, not POST
    r = admin_get(server, ADMIN + "/heal/start", [("deep", "maybe")], method="POST")
    assert r.status == 400
    assert json.loads(r.body)["Code"] == "InvalidArgument"
    assert admin_get(server, ADMIN + "/heal/status").status == 400


def test_cli_info_json_lists_four_ok_drives(server):
    require_heal_engine(server)
    p = run_admin(server, "info", "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert len(info["drives"]) == 4
    assert {d["state"] for d in info["drives"]} == {"ok"}
    assert all(d["total"] > 0 for d in info["drives"])
    text = run_admin(server, "info")
    assert text.returncode == 0, text.stderr
    assert text.stdout.count(" ok ") == 4, text.stdout


def test_cli_heal_bucket_runs_to_done(server, bucket):
    require_heal_engine(server)
    client = server.client()
    for i in range(5):
        client.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x" * (1000 * i + 1))
    p = run_admin(server, "heal", bucket, "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    seq = json.loads(p.stdout)
    assert seq["state"] == "done"
    assert seq["kind"] == "admin"
    assert seq["bucket"] == bucket
    assert seq["objectsScanned"] >= 5
    assert seq["objectsFailed"] == 0
    assert seq["endedAt"]
    # The summary line, and the sequence is listed afterwards.
    p = run_admin(server, "heal", bucket + "/k", "--dry-run")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^heal \S+ done: \d+ scanned, 0 healed, 0 failed, 0 dangling, "
                     r"[0-9.]+ MiB healed in [0-9.]+ s$", p.stdout.strip(), re.M), p.stdout
    listed = run_admin(server, "heal-status", "--json")
    assert listed.returncode == 0, listed.stderr
    assert seq["id"] in [s["id"] for s in json.loads(listed.stdout)["sequences"]]


def test_cli_heal_no_wait_and_status(server, bucket):
    require_heal_engine(server)
    p = run_admin(server, "heal", bucket, "--no-wait", "--json")
    assert p.returncode == 0, p.stderr
    seq_id = json.loads(p.stdout)["id"]
    s = run_admin(server, "heal-status", seq_id, "--json")
    assert s.returncode == 0, s.stderr
    assert json.loads(s.stdout)["id"] == seq_id


def test_cli_heal_unknown_bucket_and_id(server):
    require_heal_engine(server)
    p = run_admin(server, "heal", "no-such-bucket-here")
    assert p.returncode == 1
    assert "NoSuchBucket" in p.stderr
    s = run_admin(server, "heal-status", "no-such-id")
    assert s.returncode == 1
    assert "NotFound" in s.stderr
    t = run_admin(server, "heal-stop", "no-such-id")
    assert t.returncode == 1


def test_cli_usage_errors(server):
    assert run_admin(server, "nothing").returncode == 2
    assert run_admin(server, "info", endpoint="http://127.0.0.1:notaport").returncode == 2


def test_metrics_parse_and_count(server, bucket):
    client = server.client()
    client.put_object(Bucket=bucket, Key="m", Body=b"metrics")
    client.get_object(Bucket=bucket, Key="m")["Body"].read()
    r = admin_get(server, "/minio/v2/metrics/cluster")
    assert r.status == 200, r.body
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    cluster = parse_metrics(r.body.decode())
    for name in ("minio_cluster_drive_online_total", "minio_cluster_drive_offline_total",
                 "minio_cluster_drive_total", 'minio_heal_objects_heal_total{type="object"}',
                 "cairn_mrf_queued", "minio_s3_traffic_received_bytes",
                 "minio_s3_traffic_sent_bytes"):
        assert name in cluster, name
    assert cluster['minio_s3_requests_total{api="putobject"}'] >= 1
    assert cluster['minio_s3_requests_total{api="getobject"}'] >= 1
    # The latency histogram: cumulative buckets ending at +Inf, which is the count.
    count = cluster["cairn_s3_request_duration_seconds_count"]
    assert count >= 2
    assert cluster['cairn_s3_request_duration_seconds_bucket{le="+Inf"}'] == count
    assert cluster['cairn_s3_request_duration_seconds_bucket{le="0.0005"}'] <= count
    assert cluster["cairn_s3_request_duration_seconds_sum"] > 0
    # The metadata caches of the four drives: one budget, memtables charged to it.
    assert cluster["cairn_metadata_cache_budget_bytes"] >= 16 << 20
    assert 0 < cluster["cairn_metadata_memtable_bytes"] <= cluster["cairn_metadata_cache_used_bytes"]
    assert cluster["cairn_allocator_idle_bytes"] >= 0
    node = parse_metrics(admin_get(server, "/minio/v2/metrics/node", console=True).body.decode())
    assert node["minio_node_process_uptime_seconds"] > 0
    assert node["minio_node_process_resident_memory_bytes"] > 0
    require_heal_engine(server)
    assert cluster["minio_cluster_drive_total"] == 4
    assert cluster["minio_cluster_drive_online_total"] == 4


def test_public_metrics(make_server, monkeypatch):
    monkeypatch.setenv("CAIRN_PROMETHEUS_AUTH_TYPE", "public")
    srv = make_server()
    r = requests.get(srv.endpoint + "/minio/v2/metrics/cluster", timeout=10)
    assert r.status_code == 200
    parse_metrics(r.text)
    assert requests.get(srv.endpoint + ADMIN + "/info", timeout=10).status_code == 403


def test_prometheus_generate_token_scrapes(server):
    p = run_admin(server, "prometheus", "generate")
    assert p.returncode == 0, p.stderr
    assert "metrics_path: /minio/v2/metrics/cluster" in p.stdout
    assert f"targets: ['{server.s3_addr}']" in p.stdout
    token = re.search(r"bearer_token: (\S+)", p.stdout).group(1)
    r = requests.get(server.endpoint + "/minio/v2/metrics/cluster",
                     headers={"Authorization": "Bearer " + token}, timeout=10)
    assert r.status_code == 200, r.text
    assert "minio_cluster_drive_total" in parse_metrics(r.text)
    bad = requests.get(server.endpoint + "/minio/v2/metrics/cluster",
                       headers={"Authorization": "Bearer " + token[:-2] + "xx"}, timeout=10)
    assert bad.status_code == 403
    # The token ends: a year by default, or --expiry.
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert abs(claims["exp"] - time.time() - 365 * 86400) < 600, claims
    p = run_admin(server, "prometheus", "generate", "node", "--expiry", "2d")
    assert p.returncode == 0, p.stderr
    token = re.search(r"bearer_token: (\S+)", p.stdout).group(1)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert abs(claims["exp"] - time.time() - 2 * 86400) < 600, claims
    assert run_admin(server, "prometheus", "generate", "--expiry", "soon").returncode == 2
