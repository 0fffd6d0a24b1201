"""Identity and access management through the real binary: `cairn admin user|group|policy|
svcacct` (with --json and the readable output) against a server, and the admin API allowing a
non-root user what its admin:* policies allow (`diagnostics` lets a user call `cairn admin
info`; without it: AccessDenied). Names are unique per test: the session server is shared.
"""

import json
import subprocess

import s3raw
from conftest import ACCESS_KEY, SECRET_KEY, make_client, unique_name

ADMIN = "/minio/admin/v3"

READ_PHOTOS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                   "Resource": ["arn:aws:s3:::photos/*"]}],
}


def run_admin(server, *args, access_key=ACCESS_KEY, secret_key=SECRET_KEY, timeout=60):
    """`cairn admin ARGS`. The caller's credentials go before the command: `svcacct add` and
    `edit` have --access-key / --secret-key options of their own (the new account's)."""
    cmd = [server.command()[0], "admin", "--endpoint", server.endpoint,
           "--access-key", access_key, "--secret-key", secret_key, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def admin_json(server, *args, **kw):
    res = run_admin(server, *args, "--json", **kw)
    assert res.returncode == 0, (args, res.stdout, res.stderr)
    return json.loads(res.stdout)


def admin_ok(server, *args, **kw):
    res = run_admin(server, *args, **kw)
    assert res.returncode == 0, (args, res.stdout, res.stderr)
    return res.stdout


def admin_fails(server, *args, says, **kw):
    res = run_admin(server, *args, **kw)
    assert res.returncode == 1 and says in res.stderr, (args, res.returncode, res.stderr)
    return res


def new_user(server, policies=()):
    name, secret = unique_name("user"), unique_name("secret")[:40]
    admin_ok(server, "user", "add", name, secret)
    for p in policies:
        admin_ok(server, "policy", "attach", p, "--user", name)
    return name, secret


def test_users_through_cairn_admin(server):
    name, secret = unique_name("alice"), "alice-secret-key"
    assert admin_json(server, "user", "add", name, secret) == {}
    users = admin_json(server, "user", "list")
    assert users[name]["status"] == "enabled", users
    assert ACCESS_KEY not in users
    assert name in admin_ok(server, "user", "list")
    info = admin_json(server, "user", "info", name)
    assert info["status"] == "enabled" and "secretKey" not in info, info
    assert "status: enabled" in admin_ok(server, "user", "info", name)

    assert "Disabled" in admin_ok(server, "user", "disable", name)
    assert admin_json(server, "user", "info", name)["status"] == "disabled"
    # A disabled user cannot sign in, not even to look at itself.
    admin_fails(server, "user", "info", name, access_key=name, secret_key=secret,
                says="InvalidAccessKeyId")
    admin_ok(server, "user", "enable", name)
    assert admin_json(server, "user", "info", name, access_key=name,
                      secret_key=secret)["status"] == "enabled"

    admin_ok(server, "user", "remove", name)
    admin_fails(server, "user", "info", name, says="XMinioAdminNoSuchUser")
    admin_fails(server, "user", "remove", name, says="XMinioAdminNoSuchUser")
    admin_fails(server, "user", "add", unique_name("u"), "short", says="InvalidArgument")


def test_policies_and_groups(server, tmp_path):
    policy = unique_name("photos-read")
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(READ_PHOTOS))
    assert "Created" in admin_ok(server, "policy", "create", policy, str(path))
    listed = admin_json(server, "policy", "list")
    assert policy in listed and "readwrite" in listed and "diagnostics" in listed
    assert listed[policy]["Statement"][0]["Action"] == ["s3:GetObject"]
    info = admin_json(server, "policy", "info", policy)
    assert info["PolicyName"] == policy and info["Policy"] == READ_PHOTOS, info
    assert "s3:GetObject" in admin_ok(server, "policy", "info", policy)
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    admin_fails(server, "policy", "create", unique_name("bad"), str(bad),
                says="XMinioMalformedIAMPolicy")
    res = run_admin(server, "policy", "create", "x", str(tmp_path / "missing.json"))
    assert res.returncode == 2, res

    user, _ = new_user(server)
    attached = admin_json(server, "policy", "attach", policy, "--user", user)
    assert attached["policiesAttached"] == [policy], attached
    assert admin_json(server, "user", "info", user)["policyName"] == policy
    admin_fails(server, "policy", "remove", policy, says="XMinioAdminPolicyInUse")
    admin_fails(server, "policy", "attach", "no-such-policy", "--user", user,
                says="XMinioAdminNoSuchPolicy")

    group = unique_name("devs")
    admin_ok(server, "group", "add", group, user)
    assert group in admin_json(server, "group", "list")
    g = admin_json(server, "group", "info", group)
    assert g["name"] == group and g["members"] == [user] and g["status"] == "enabled", g
    assert admin_json(server, "user", "info", user)["memberOf"] == [group]
    assert "Attached" in admin_ok(server, "policy", "attach", "readonly", "--group", group)
    assert admin_json(server, "group", "info", group)["policy"] == "readonly"
    admin_ok(server, "group", "disable", group)
    assert admin_json(server, "group", "info", group)["status"] == "disabled"
    admin_ok(server, "group", "enable", group)
    admin_fails(server, "group", "remove", group, says="XMinioAdminGroupNotEmpty")
    admin_ok(server, "group", "remove", group, user)
    assert admin_json(server, "group", "info", group)["members"] == []
    admin_ok(server, "group", "remove", group)
    assert group not in admin_json(server, "group", "list")
    admin_fails(server, "group", "info", group, says="XMinioAdminNoSuchGroup")

    detached = admin_json(server, "policy", "detach", policy, "--user", user)
    assert detached["policiesDetached"] == [policy], detached
    admin_ok(server, "policy", "remove", policy)
    admin_fails(server, "policy", "info", policy, says="XMinioAdminNoSuchPolicy")


def test_service_accounts(server, tmp_path):
    user, _ = new_user(server, ["readwrite"])
    key, secret = unique_name("svc")[:20], "svc-secret-key-1234"
    created = admin_json(server, "svcacct", "add", user, "--access-key", key, "--secret-key",
                         secret, "--name", "backup", "--description", "nightly backups",
                         "--expiry", "2099-01-01T00:00:00Z")
    assert created["credentials"] == {"accessKey": key, "secretKey": secret,
                                      "expiration": "2099-01-01T00:00:00Z"}, created
    text = admin_ok(server, "svcacct", "add", user)
    assert "Access Key:" in text and "Secret Key:" in text, text

    listed = admin_json(server, "svcacct", "list", user)["accounts"]
    assert len(listed) == 2 and key in [a["accessKey"] for a in listed], listed
    assert key in admin_ok(server, "svcacct", "list", user)
    info = admin_json(server, "svcacct", "info", key)
    assert info["parentUser"] == user and info["accountStatus"] == "on", info
    assert info["name"] == "backup" and info["impliedPolicy"] is True, info
    assert "s3:*" in info["policy"], info

    # The key works with its parent's policies (readwrite: no admin actions).
    s3 = server.client()
    s3.create_bucket(Bucket=unique_name("svcb"))
    names = [b["Name"] for b in make_client(server.endpoint, key, secret).list_buckets()["Buckets"]]
    assert names, names
    admin_fails(server, "info", access_key=key, secret_key=secret, says="AccessDenied")

    path = tmp_path / "narrow.json"
    path.write_text(json.dumps(READ_PHOTOS))
    admin_ok(server, "svcacct", "edit", key, "--name", "backup2", "--policy", str(path))
    info = admin_json(server, "svcacct", "info", key)
    assert info["name"] == "backup2" and info["impliedPolicy"] is False, info
    assert json.loads(info["policy"]) == READ_PHOTOS

    admin_ok(server, "svcacct", "disable", key)
    assert admin_json(server, "svcacct", "info", key)["accountStatus"] == "off"
    admin_fails(server, "info", access_key=key, secret_key=secret, says="InvalidAccessKeyId")
    admin_ok(server, "svcacct", "enable", key)
    assert admin_json(server, "svcacct", "info", key)["accountStatus"] == "on"

    assert "Removed" in admin_ok(server, "svcacct", "remove", key)
    admin_fails(server, "svcacct", "info", key, says="XMinioAdminNoSuchServiceAccount")
    res = run_admin(server, "svcacct", "add", user, "--expiry", "tomorrow")
    assert res.returncode == 2 and "RFC 3339" in res.stderr, res


def test_admin_info_needs_an_admin_policy(server):
    user, secret = new_user(server)
    res = admin_fails(server, "info", access_key=user, secret_key=secret, says="AccessDenied")
    assert "admin:ServerInfo" in res.stderr, res.stderr
    admin_fails(server, "user", "list", access_key=user, secret_key=secret, says="AccessDenied")

    admin_ok(server, "policy", "attach", "diagnostics", "--user", user)
    info = admin_json(server, "info", access_key=user, secret_key=secret)
    assert info["drives"], info
    assert "DRIVE" in admin_ok(server, "info", access_key=user, secret_key=secret)
    # diagnostics is not user administration.
    admin_fails(server, "user", "list", access_key=user, secret_key=secret, says="AccessDenied")
    admin_fails(server, "user", "add", unique_name("x"), "some-secret-1", access_key=user,
                secret_key=secret, says="AccessDenied")


def test_a_user_manages_its_own_service_accounts(server):
    user, secret = new_user(server)
    other, _ = new_user(server)
    mine = admin_json(server, "svcacct", "add", user, access_key=user, secret_key=secret)
    key = mine["credentials"]["accessKey"]
    listed = admin_json(server, "svcacct", "list", user, access_key=user, secret_key=secret)
    assert [a["accessKey"] for a in listed["accounts"]] == [key], listed
    assert admin_json(server, "svcacct", "info", key, access_key=user,
                      secret_key=secret)["parentUser"] == user
    admin_fails(server, "svcacct", "add", other, access_key=user, secret_key=secret,
                says="AccessDenied")
    admin_fails(server, "svcacct", "list", other, access_key=user, secret_key=secret,
                says="AccessDenied")
    admin_ok(server, "svcacct", "remove", key, access_key=user, secret_key=secret)


def test_bodies_are_plain_json(server):
    raw = s3raw.Signer(server.host, server.port, ACCESS_KEY, SECRET_KEY)
    # What madmin sends: the JSON sealed with sio (here: any bytes that are not JSON).
    r = raw.request("PUT", ADMIN + "/add-user", query=[("accessKey", unique_name("u"))],
                    body=b"\x00\x01\x02sealed")
    assert r.status == 400, r
    err = json.loads(r.body)
    assert err["Code"] == "XMinioAdminConfigBadJSON" and "send JSON" in err["Message"], err
    name = unique_name("raw")
    r = raw.request("PUT", ADMIN + "/add-user", query=[("accessKey", name)],
                    body=json.dumps({"secretKey": "raw-secret-key", "status": "enabled"}).encode())
    assert r.status == 200, r
    r = raw.request("GET", ADMIN + "/user-info", query=[("accessKey", name)])
    assert r.status == 200 and json.loads(r.body)["status"] == "enabled", r
