"""The web console in a real browser: Debian's Chromium, headless, driven by playwright-core
(console/e2e/run.mjs, one scenario per test) against the real cairn binary, which serves the
front end that scripts/build-console.sh built from console/ with the pinned lockfile.

Sign-in (a wrong secret refused; an HttpOnly, SameSite=Strict session cookie), a bucket made,
files and a folder uploaded with progress (one file multipart), the bytes downloaded equal to
the bytes uploaded, a preview, a share link that works from a fresh browser context and stops
at its expiry, deleting objects and a whole folder, a prefix of 2,000 keys paged, changes
without the CSRF token refused, sign-out and session expiry. A failing scenario keeps a
screenshot and the page's HTML under console/e2e/artifacts/.

CAIRN_SCREENSHOTS=1 also writes the README's pictures (docs/console/*.png)."""

import os
import subprocess
import time

import pytest

from conftest import ROOT, ACCESS_KEY, SECRET_KEY, unique_name

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def console_built():
    """The front end, built once (npm ci from the lockfile and Vite; skipped when current)."""
    run = subprocess.run(["bash", os.path.join(ROOT, "scripts", "build-console.sh")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"scripts/build-console.sh failed:\n{run.stdout}\n{run.stderr}"
    assert os.path.isfile(os.path.join(ROOT, "console", "dist", "index.html"))
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing (scripts/install-deps.sh)"


def scenario(name, srv, tmp_path, timeout=180, **args):
    env = dict(os.environ)
    env.update({
        "CONSOLE_URL": f"http://{srv.console_addr}",
        "ACCESS_KEY": srv.access_key,
        "SECRET_KEY": srv.secret_key,
        "E2E_DIR": str(tmp_path),
        "SCENARIO_ARGS": __import__("json").dumps(args),
        "CHROMIUM": CHROMIUM,
    })
    if os.environ.get("CAIRN_SCREENSHOTS") == "1":
        env["SCREENSHOTS"] = os.path.join(ROOT, "docs", "console")
    run = subprocess.run(["node", os.path.join(ROOT, "console", "e2e", "run.mjs"), name],
                         capture_output=True, text=True, timeout=timeout, env=env,
                         cwd=os.path.join(ROOT, "console"))
    assert run.returncode == 0, (f"browser scenario {name} failed:\n{run.stdout}\n{run.stderr}"
                                 f"\nserver log:\n{srv.log_tail()}")
    return run


def test_console_port_serves_the_front_end(console_built, server):
    import requests
    r = requests.get(f"http://{server.console_addr}/browser/some/bucket/", timeout=10)
    assert r.status_code == 200
    assert '<div id="app">' in r.text
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    script = r.text.split('src="', 1)[1].split('"', 1)[0]
    js = requests.get(f"http://{server.console_addr}{script}", timeout=10)
    assert js.status_code == 200
    assert "immutable" in js.headers["Cache-Control"]
    assert js.headers["Content-Type"].startswith("application/javascript")
    again = requests.get(f"http://{server.console_addr}{script}",
                         headers={"If-None-Match": js.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    assert requests.get(f"http://{server.console_addr}/assets/none.js", timeout=10).status_code == 404
    # The admin API and health checks still answer on this port.
    assert requests.get(f"http://{server.console_addr}/minio/health/live",
                        timeout=10).status_code == 200


def test_sign_in(console_built, server, tmp_path):
    scenario("signin", server, tmp_path)


def test_objects_upload_download_share_delete(console_built, server, s3, tmp_path):
    bucket = unique_name("console")
    scenario("objects", server, tmp_path, bucket=bucket, shareSeconds=4)
    import zipfile
    with zipfile.ZipFile(tmp_path / "picked.zip") as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == ["notes.txt", "photos/a.txt", "photos/sub/b.txt"]
        assert z.read("photos/sub/b.txt") == b"b"
        assert z.read("notes.txt") == b"hello from the console\n" * 100
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["big.bin"]
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 20 * 1024 * 1024 + 12345
    assert head["ETag"].endswith('-3"'), "the 20 MiB file was not uploaded in 8 MiB parts"
    s3.delete_object(Bucket=bucket, Key="big.bin")
    s3.delete_bucket(Bucket=bucket)


def test_a_prefix_of_2000_keys_pages(console_built, server, s3, tmp_path):
    bucket = unique_name("paging")
    s3.create_bucket(Bucket=bucket)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=bucket, Key=f"many/k-{i:05d}", Body=b"x"),
                      range(2000)))
    s3.put_object(Bucket=bucket, Key="other", Body=b"y")
    scenario("paging", server, tmp_path, bucket=bucket, prefix="many/", count=2000)


def test_csrf_sign_out_and_session_expiry(console_built, make_server, tmp_path):
    srv = make_server(env={"CAIRN_BROWSER_SESSION_DURATION": "8s"})
    bucket = unique_name("csrf")
    scenario("session", srv, tmp_path, bucket=bucket, sessionSeconds=8)
    client = srv.client()
    buckets = [b["Name"] for b in client.list_buckets()["Buckets"]]
    assert bucket not in buckets, "a change without the CSRF token was carried out"


def test_identity_pages_add_a_user_who_sees_only_what_it_may_do(console_built, server,
                                                               tmp_path):
    user, policy = unique_name("u"), unique_name("p")
    scenario("identity", server, tmp_path, user=user, secret="user-secret-1", policy=policy)
    import iam_admin
    info = iam_admin.call(server.endpoint, "GET", "user-info", {"accessKey": user})
    assert info["policyName"] == "readonly"
    iam_admin.call(server.endpoint, "DELETE", "remove-user", {"accessKey": user})
    iam_admin.call(server.endpoint, "DELETE", "remove-canned-policy", {"name": policy})


def test_bucket_settings_versioning_and_policy(console_built, server, s3, tmp_path):
    import requests
    bucket = unique_name("settings")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="public/hello.txt", Body=b"hi")
    s3.put_object(Bucket=bucket, Key="private.txt", Body=b"no")
    assert requests.get(f"{server.endpoint}/{bucket}/public/hello.txt", timeout=10).status_code == 403
    scenario("settings", server, tmp_path, bucket=bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert requests.get(f"{server.endpoint}/{bucket}/public/hello.txt", timeout=10).text == "hi"
    assert requests.get(f"{server.endpoint}/{bucket}/private.txt", timeout=10).status_code == 403


def test_legal_hold_from_the_object_details(console_built, server, s3, tmp_path):
    bucket = unique_name("lock")
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    # A key with a ".." segment beside the key it would collapse to: the page must act on the
    # one it shows, never the other.
    key = "hold/../contract.pdf"
    s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.4")
    s3.put_object(Bucket=bucket, Key="contract.pdf", Body=b"decoy")
    scenario("legalHold", server, tmp_path, bucket=bucket, prefix="hold/../", file="contract.pdf")
    assert s3.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "ON"
    with pytest.raises(Exception):
        assert s3.get_object_legal_hold(Bucket=bucket, Key="contract.pdf")["LegalHold"]["Status"] == "ON"
    s3.put_object_legal_hold(Bucket=bucket, Key=key, LegalHold={"Status": "OFF"})


def test_metrics_page_and_bucket_usage(console_built, make_server, tmp_path):
    srv = make_server(env={"CAIRN_METRICS_HISTORY_INTERVAL": "1s"}, args=["--scanner-interval", "1"])
    client = srv.client()
    bucket = unique_name("metrics")
    client.create_bucket(Bucket=bucket)
    for i in range(30):
        client.put_object(Bucket=bucket, Key=f"k{i}", Body=b"z" * 4096)
        if i % 3 == 0:
            client.get_object(Bucket=bucket, Key=f"k{i}")["Body"].read()
            time.sleep(0.3)  # traffic over several points
    scenario("metrics", srv, tmp_path, api="putobject", bucket=bucket, objects=30)
    import iam_admin
    usage = iam_admin.call(srv.endpoint, "GET", "datausageinfo",
                           access_key=srv.access_key, secret_key=srv.secret_key)
    assert usage["bucketsUsageInfo"][bucket] == {"objectsCount": 30, "size": 30 * 4096}
    assert ".cairn.sys" not in usage["bucketsUsageInfo"]


@pytest.mark.faults
def test_cluster_page_shows_a_stopped_node_and_runs_a_heal(console_built, tmp_path_factory,
                                                            tmp_path):
    """4 nodes x 2 drives (EC 4+4): the cluster page lists every node and drive online; a node
    stopped shows offline with its drives within a few seconds, and the sets count one node's
    drives fewer; after the node is back, a heal started from the page runs to "done"."""
    from test_cluster import Cluster

    c = Cluster(str(tmp_path_factory.mktemp("console-cluster")), nodes=4, drives=2)
    c.start()
    try:
        node1 = c.nodes[0]
        client = node1.client()
        bucket = unique_name("heal")
        client.create_bucket(Bucket=bucket)
        for i in range(20):
            client.put_object(Bucket=bucket, Key=f"before/{i}", Body=b"x" * 1000)
        scenario("clusterOnline", node1, tmp_path, nodes=4, drives=8)
        c.nodes[3].stop()
        scenario("clusterOffline", node1, tmp_path, node=f"127.0.0.1:{c.s3_ports[3]}", nodes=4,
                 drives=8, drivesPerNode=2, withinMs=10000)
        for i in range(20):  # written while a node is down: the heal has work to do
            client.put_object(Bucket=bucket, Key=f"during/{i}", Body=b"y" * 1000)
        c.nodes[3].start(wait=None)
        for node in c.nodes:
            node.wait_health("/minio/health/cluster", 60)
        scenario("clusterHeal", node1, tmp_path)
        node4 = c.nodes[3].client()
        assert node4.get_object(Bucket=bucket, Key="during/7")["Body"].read() == b"y" * 1000
    finally:
        c.stop()
