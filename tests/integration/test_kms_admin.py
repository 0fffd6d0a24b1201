"""The built-in KMS through the real binary: `cairn admin kms ...` against a server started
with CAIRN_KMS_SECRET_KEY, the admin API without a KMS, the system bucket's invisibility to
S3 clients, and the refusal of a malformed master key or auto encryption without a KMS.
"""

import base64
import json
import os
import subprocess

import botocore.exceptions
import pytest

import s3raw
from conftest import ACCESS_KEY, SECRET_KEY

MASTER = "my-master:" + base64.b64encode(bytes(range(32))).decode()
SYSTEM_BUCKET = ".cairn.sys"


def run_admin(server, *args, timeout=60):
    cmd = [server.command()[0], "admin", *args, "--endpoint", server.endpoint,
           "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def admin_json(server, *args):
    res = run_admin(server, *args, "--json")
    assert res.returncode == 0, (args, res.stdout, res.stderr)
    return json.loads(res.stdout)


@pytest.fixture
def kms_server(make_server):
    return make_server(env={"CAIRN_KMS_SECRET_KEY": MASTER})


def test_kms_keys_through_cairn_admin(kms_server):
    status = admin_json(kms_server, "kms", "status")
    assert status["name"] == "builtin" and status["default-key-id"] == "my-master"
    text = run_admin(kms_server, "kms", "status")
    assert text.returncode == 0 and "my-master" in text.stdout, text

    keys = admin_json(kms_server, "kms", "key", "list")
    assert [k["name"] for k in keys] == ["my-master"]
    assert keys[0]["default"] and keys[0]["enabled"]

    created = run_admin(kms_server, "kms", "key", "create", "app-key")
    assert created.returncode == 0, created.stderr
    assert "app-key" in created.stdout
    again = run_admin(kms_server, "kms", "key", "create", "app-key")
    assert again.returncode != 0 and "AlreadyExists" in again.stderr, again
    bad = run_admin(kms_server, "kms", "key", "create", "bad/name")
    assert bad.returncode != 0 and "InvalidArgument" in bad.stderr, bad

    keys = admin_json(kms_server, "kms", "key", "list")
    assert [k["name"] for k in keys] == ["my-master", "app-key"]
    listed = run_admin(kms_server, "kms", "key", "list")
    assert "app-key" in listed.stdout and "enabled" in listed.stdout, listed

    st = admin_json(kms_server, "kms", "key", "status", "app-key")
    assert st["key-id"] == "app-key"
    assert st["encryption-error"] == "" and st["decryption-error"] == ""
    st = admin_json(kms_server, "kms", "key", "status")  # the default key
    assert st["key-id"] == "my-master" and st["encryption-error"] == ""
    missing = run_admin(kms_server, "kms", "key", "status", "nope")
    assert missing.returncode != 0 and "NotFound" in missing.stderr, missing

    disabled = run_admin(kms_server, "kms", "key", "disable", "app-key")
    assert disabled.returncode == 0, disabled.stderr
    st = run_admin(kms_server, "kms", "key", "status", "app-key", "--json")
    assert st.returncode == 1, st  # the test encryption fails on a disabled key
    st = json.loads(st.stdout)
    assert st["enabled"] is False and "Disabled" in st["encryption-error"]
    keys = {k["name"]: k for k in admin_json(kms_server, "kms", "key", "list")}
    assert keys["app-key"]["enabled"] is False
    master = run_admin(kms_server, "kms", "key", "disable", "my-master")
    assert master.returncode != 0, master

    enabled = run_admin(kms_server, "kms", "key", "enable", "app-key")
    assert enabled.returncode == 0, enabled.stderr
    assert admin_json(kms_server, "kms", "key", "status", "app-key")["encryption-error"] == ""

    # The keys survive a restart (they live in the system bucket, not in memory).
    kms_server.restart()
    keys = admin_json(kms_server, "kms", "key", "list", "app-*")
    assert [k["name"] for k in keys] == ["app-key"]


def test_system_bucket_is_invisible_to_s3(kms_server):
    assert run_admin(kms_server, "kms", "key", "create", "hidden").returncode == 0
    s3 = kms_server.client()
    s3.create_bucket(Bucket="visible")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["visible"]
    # Not addressable: reads, listings, writes, copies.
    for call in (lambda: s3.list_objects_v2(Bucket=SYSTEM_BUCKET),
                 lambda: s3.get_object(Bucket=SYSTEM_BUCKET, Key="kms/keys/hidden.json"),
                 lambda: s3.head_bucket(Bucket=SYSTEM_BUCKET),
                 lambda: s3.put_object(Bucket=SYSTEM_BUCKET, Key="kms/keys/x.json", Body=b"{}"),
                 lambda: s3.delete_object(Bucket=SYSTEM_BUCKET, Key="kms/keys/hidden.json")):
        with pytest.raises((botocore.exceptions.ClientError,
                            botocore.exceptions.ParamValidationError)):
            call()
    raw = s3raw.Signer(kms_server.host, kms_server.port, ACCESS_KEY, SECRET_KEY)
    for path in ("/.cairn.sys/kms/keys/hidden.json", "/%2Ecairn.sys/kms/keys/hidden.json",
                 "/.cairn.sys"):
        r = raw.request("GET", path)
        assert r.status == 400 and r.code == "InvalidBucketName", (path, r)
    r = raw.request("PUT", "/visible/copy",
                    headers={"x-amz-copy-source": "/.cairn.sys/kms/keys/hidden.json"})
    assert r.status >= 400, r
    # The key is still there and whole.
    st = admin_json(kms_server, "kms", "key", "status", "hidden")
    assert st["encryption-error"] == "" and st["decryption-error"] == ""


def test_admin_kms_without_a_kms_is_501(make_server, monkeypatch):
    monkeypatch.delenv("CAIRN_KMS_SECRET_KEY", raising=False)
    monkeypatch.delenv("CAIRN_KMS_SECRET_KEY_FILE", raising=False)
    srv = make_server()
    res = run_admin(srv, "kms", "status")
    assert res.returncode != 0 and "NotImplemented" in res.stderr, res
    raw = s3raw.Signer(srv.host, srv.port, ACCESS_KEY, SECRET_KEY)
    r = raw.request("GET", "/minio/admin/v3/kms/key/list", query=[("pattern", "*")])
    assert r.status == 501 and json.loads(r.body)["Code"] == "NotImplemented", r


def run_server_expecting_refusal(cairn_bin, tmp_path, env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CAIRN_", "MINIO_"))}
    full.update(env)
    return subprocess.run([cairn_bin, "server", "--address", "127.0.0.1:0",
                           "--console-address", "127.0.0.1:0", "d{1...4}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, env=full)


@pytest.mark.parametrize("env,says", [
    ({"CAIRN_KMS_SECRET_KEY": "no-colon-here"}, "CAIRN_KMS_SECRET_KEY"),
    ({"CAIRN_KMS_SECRET_KEY": "k:" + base64.b64encode(b"short").decode()}, "32 bytes"),
    ({"MINIO_KMS_SECRET_KEY": "k:!!notbase64!!"}, "base64"),
    ({"CAIRN_KMS_SECRET_KEY_FILE": "/nonexistent/kms.key"}, "CAIRN_KMS_SECRET_KEY_FILE"),
    ({"CAIRN_KMS_AUTO_ENCRYPTION": "on"}, "no KMS is configured"),
])
def test_malformed_kms_configuration_refuses_to_start(cairn_bin, tmp_path, env, says):
    res = run_server_expecting_refusal(cairn_bin, tmp_path, env)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    msg = res.stderr.strip()
    assert says in msg and len(msg.splitlines()) <= 3, msg
    assert base64.b64encode(b"short").decode() not in msg
    for d in tmp_path.iterdir():
        assert not (d / ".cairn.sys" / "format.json").exists()
