"""Access control through the real binary: users, groups, policies (Deny over Allow,
conditions, policy variables), service accounts, bucket policies with anonymous access, the
root user never locked out, secrets surviving a restart, and a change seen by every node of a
4-node cluster at once. Identities are made with the admin API (iam_admin.py); S3 requests
are boto3's.
"""

import glob
import json

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

import iam_admin as admin
from iam_admin import policy, statement
from conftest import ACCESS_KEY, SECRET_KEY, assert_s3_error, make_client, unique_name


def user_client(server, ak, sk, token=None):
    if token is None:
        return make_client(server.endpoint, access_key=ak, secret_key=sk)
    cfg = botocore.config.Config(s3={"addressing_style": "path"},
                                 retries={"max_attempts": 0, "mode": "legacy"})
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
        aws_session_token=token, region_name="us-east-1", config=cfg)


def denied(fn):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    assert_s3_error(e, "AccessDenied", 403)


@pytest.fixture
def iam_server(make_server):
    return make_server()


def new_user(server, name=None, secret="secret-key-123"):
    name = name or unique_name("u")
    admin.add_user(server.endpoint, name, secret)
    return name, secret


def test_new_user_has_no_access_until_a_policy_allows(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"data")
    ak, sk = new_user(iam_server)
    u = user_client(iam_server, ak, sk)
    denied(lambda: u.list_buckets())
    denied(lambda: u.get_object(Bucket=b, Key="k"))
    denied(lambda: u.put_object(Bucket=b, Key="k2", Body=b"x"))

    admin.attach(iam_server.endpoint, ["readonly"], user=ak)
    assert u.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    denied(lambda: u.put_object(Bucket=b, Key="k2", Body=b"x"))
    denied(lambda: u.delete_object(Bucket=b, Key="k"))

    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    u.put_object(Bucket=b, Key="k2", Body=b"x")
    assert b in [x["Name"] for x in u.list_buckets()["Buckets"]]


def test_unknown_disabled_and_wrong_secret_keys(iam_server):
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    u = user_client(iam_server, ak, sk)
    u.list_buckets()
    admin.set_user_status(iam_server.endpoint, ak, "disabled")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.list_buckets()
    assert_s3_error(e, "InvalidAccessKeyId", 403)
    admin.set_user_status(iam_server.endpoint, ak, "enabled")
    u.list_buckets()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user_client(iam_server, ak, "wrong-secret-1").list_buckets()
    assert_s3_error(e, "SignatureDoesNotMatch", 403)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user_client(iam_server, "nosuchuser", sk).list_buckets()
    assert_s3_error(e, "InvalidAccessKeyId", 403)
    # A session token on a key that is not temporary.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user_client(iam_server, ak, sk, token="bogus").list_buckets()
    assert_s3_error(e, "InvalidToken", 400)


def test_explicit_deny_beats_allow(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    for k in ("public/a", "secret/b"):
        root.put_object(Bucket=b, Key=k, Body=b"v")
    name = unique_name("p")
    admin.add_policy(iam_server.endpoint, name, policy(
        statement("Allow", ["s3:*"], [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"]),
        statement("Deny", ["s3:GetObject"], [f"arn:aws:s3:::{b}/secret/*"])))
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, [name], user=ak)
    u = user_client(iam_server, ak, sk)
    assert u.get_object(Bucket=b, Key="public/a")["Body"].read() == b"v"
    denied(lambda: u.get_object(Bucket=b, Key="secret/b"))
    # The Deny wins over another policy's Allow too.
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    denied(lambda: u.get_object(Bucket=b, Key="secret/b"))
    # Other actions on the secret prefix are still allowed.
    u.put_object(Bucket=b, Key="secret/c", Body=b"w")


def test_policy_variables_give_each_user_a_home(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("home")
    root.create_bucket(Bucket=b)
    name = unique_name("home")
    admin.add_policy(iam_server.endpoint, name, policy(
        statement("Allow", ["s3:PutObject", "s3:GetObject"],
                  [f"arn:aws:s3:::{b}/${{aws:username}}/*"]),
        statement("Allow", ["s3:ListBucket"], [f"arn:aws:s3:::{b}"],
                  Condition={"StringLike": {"s3:prefix": ["${aws:username}/*"]}})))
    alice, sk = new_user(iam_server, unique_name("alice"))
    bob, _ = new_user(iam_server, unique_name("bob"))
    admin.attach(iam_server.endpoint, [name], user=alice)
    u = user_client(iam_server, alice, sk)
    u.put_object(Bucket=b, Key=f"{alice}/notes.txt", Body=b"mine")
    assert u.get_object(Bucket=b, Key=f"{alice}/notes.txt")["Body"].read() == b"mine"
    denied(lambda: u.put_object(Bucket=b, Key=f"{bob}/notes.txt", Body=b"theirs"))
    listed = u.list_objects_v2(Bucket=b, Prefix=f"{alice}/")
    assert [o["Key"] for o in listed["Contents"]] == [f"{alice}/notes.txt"]
    denied(lambda: u.list_objects_v2(Bucket=b, Prefix=f"{bob}/"))
    denied(lambda: u.list_objects_v2(Bucket=b))


def test_conditions_source_ip_secure_transport_and_if_exists(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"v")
    name = unique_name("p")
    admin.add_policy(iam_server.endpoint, name, policy(
        statement("Allow", ["s3:GetObject"], [f"arn:aws:s3:::{b}/*"],
                  Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}),
        statement("Allow", ["s3:PutObject"], [f"arn:aws:s3:::{b}/*"],
                  Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        statement("Deny", ["s3:DeleteObject"], [f"arn:aws:s3:::{b}/*"],
                  Condition={"Bool": {"aws:SecureTransport": "false"}}),
        statement("Allow", ["s3:DeleteObject"], [f"arn:aws:s3:::{b}/*"]),
        statement("Allow", ["s3:ListBucket"], [f"arn:aws:s3:::{b}"],
                  Condition={"NumericLessThanEqualsIfExists": {"s3:max-keys": "10"}})))
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, [name], user=ak)
    u = user_client(iam_server, ak, sk)
    assert u.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    denied(lambda: u.put_object(Bucket=b, Key="k", Body=b"x"))   # not from 10/8
    denied(lambda: u.delete_object(Bucket=b, Key="k"))          # plain HTTP
    u.list_objects_v2(Bucket=b, MaxKeys=5)
    u.list_objects(Bucket=b)  # V1 without max-keys: IfExists holds
    denied(lambda: u.list_objects_v2(Bucket=b, MaxKeys=100))


def test_group_policies_apply_to_members_until_the_group_is_disabled(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    ak, sk = new_user(iam_server)
    u = user_client(iam_server, ak, sk)
    g = unique_name("g")
    admin.group_members(iam_server.endpoint, g, [ak])
    admin.attach(iam_server.endpoint, ["readwrite"], group=g)
    u.put_object(Bucket=b, Key="k", Body=b"v")
    admin.set_group_status(iam_server.endpoint, g, "disabled")
    denied(lambda: u.put_object(Bucket=b, Key="k", Body=b"v"))
    admin.set_group_status(iam_server.endpoint, g, "enabled")
    u.put_object(Bucket=b, Key="k", Body=b"v")
    admin.group_members(iam_server.endpoint, g, [ak], remove=True)
    denied(lambda: u.put_object(Bucket=b, Key="k", Body=b"v"))


def test_service_accounts_inherit_and_narrow_their_parent(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"v")
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    plain = admin.add_service_account(iam_server.endpoint, target_user=ak)
    s = user_client(iam_server, plain["accessKey"], plain["secretKey"])
    s.put_object(Bucket=b, Key="by-svc", Body=b"x")
    narrowed = admin.add_service_account(iam_server.endpoint, target_user=ak, policy=policy(
        statement("Allow", ["s3:GetObject"], [f"arn:aws:s3:::{b}/*"])))
    n = user_client(iam_server, narrowed["accessKey"], narrowed["secretKey"])
    assert n.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    denied(lambda: n.put_object(Bucket=b, Key="k", Body=b"x"))
    # A session policy cannot widen: the parent loses write, the key with a wide policy too.
    wide = admin.add_service_account(iam_server.endpoint, target_user=ak, policy=policy(
        statement("Allow", ["s3:*"], ["arn:aws:s3:::*"])))
    w = user_client(iam_server, wide["accessKey"], wide["secretKey"])
    w.put_object(Bucket=b, Key="w", Body=b"x")
    admin.call(iam_server.endpoint, "POST", "idp/builtin/policy/detach",
               body={"policies": ["readwrite"], "user": ak})
    denied(lambda: w.put_object(Bucket=b, Key="w", Body=b"x"))
    denied(lambda: s.get_object(Bucket=b, Key="k"))
    # A disabled parent disables its keys.
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    s.get_object(Bucket=b, Key="k")
    admin.set_user_status(iam_server.endpoint, ak, "disabled")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s.get_object(Bucket=b, Key="k")
    assert_s3_error(e, "InvalidAccessKeyId", 403)


def test_bucket_policy_allows_anonymous_download_only_where_it_says(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("pub")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="files/a.txt", Body=b"hello")
    root.put_object(Bucket=b, Key="private/b.txt", Body=b"no")
    url = f"{iam_server.endpoint}/{b}/files/a.txt"
    assert requests.get(url, timeout=10).status_code == 403
    with pytest.raises(botocore.exceptions.ClientError) as e:
        root.get_bucket_policy(Bucket=b)
    assert_s3_error(e, "NoSuchBucketPolicy", 404)

    doc = json.dumps(policy(statement("Allow", ["s3:GetObject"], [f"arn:aws:s3:::{b}/files/*"],
                                      Principal={"AWS": ["*"]})))
    root.put_bucket_policy(Bucket=b, Policy=doc)
    assert json.loads(root.get_bucket_policy(Bucket=b)["Policy"]) == json.loads(doc)
    assert root.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is True
    got = requests.get(url, timeout=10)
    assert got.status_code == 200 and got.content == b"hello"
    assert requests.get(f"{iam_server.endpoint}/{b}/private/b.txt", timeout=10).status_code == 403
    assert requests.put(f"{iam_server.endpoint}/{b}/files/new", data=b"x",
                        timeout=10).status_code == 403
    assert requests.get(f"{iam_server.endpoint}/{b}", timeout=10).status_code == 403

    # A user without policies of its own gets what the bucket policy grants everyone.
    ak, sk = new_user(iam_server)
    u = user_client(iam_server, ak, sk)
    assert u.get_object(Bucket=b, Key="files/a.txt")["Body"].read() == b"hello"
    denied(lambda: u.get_object(Bucket=b, Key="private/b.txt"))

    root.delete_bucket_policy(Bucket=b)
    assert requests.get(url, timeout=10).status_code == 403


def test_bucket_policy_grants_a_named_user_and_denies_are_final(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"v")
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    u = user_client(iam_server, ak, sk)
    root.put_bucket_policy(Bucket=b, Policy=json.dumps(policy(
        statement("Deny", ["s3:DeleteObject"], [f"arn:aws:s3:::{b}/*"],
                  Principal={"AWS": [f"arn:aws:iam:::user/{ak}"]}))))
    u.put_object(Bucket=b, Key="k2", Body=b"x")
    denied(lambda: u.delete_object(Bucket=b, Key="k2"))
    # DeleteObjects answers per key.
    res = u.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k2"}]})
    assert res["Errors"][0]["Code"] == "AccessDenied"
    # The root user is never locked out.
    root.put_bucket_policy(Bucket=b, Policy=json.dumps(policy(
        statement("Deny", ["s3:*"], [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"],
                  Principal="*"))))
    root.delete_object(Bucket=b, Key="k2")
    denied(lambda: u.get_object(Bucket=b, Key="k"))
    root.delete_bucket_policy(Bucket=b)


def test_malformed_bucket_policies_are_refused(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    bad = [
        "not json",
        json.dumps(policy(statement("Allow", ["s3:GetObject"], [f"arn:aws:s3:::{b}/*"]))),
        json.dumps(policy(statement("Allow", ["s3:GetObject"], ["arn:aws:s3:::other/*"],
                                    Principal="*"))),
        json.dumps(policy(statement("Allow", ["s3:NoSuchAction"], [f"arn:aws:s3:::{b}/*"],
                                    Principal="*"))),
    ]
    for doc in bad:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            root.put_bucket_policy(Bucket=b, Policy=doc)
        assert_s3_error(e, "MalformedPolicy", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        root.put_bucket_policy(Bucket=unique_name("none"), Policy=bad[1])
    assert e.value.response["Error"]["Code"] == "NoSuchBucket"


def test_copy_needs_read_on_the_source(iam_server):
    root = make_client(iam_server.endpoint)
    src, dst = unique_name("src"), unique_name("dst")
    root.create_bucket(Bucket=src)
    root.create_bucket(Bucket=dst)
    root.put_object(Bucket=src, Key="k", Body=b"v")
    name = unique_name("p")
    admin.add_policy(iam_server.endpoint, name, policy(
        statement("Allow", ["s3:PutObject", "s3:GetObject"], [f"arn:aws:s3:::{dst}/*"])))
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, [name], user=ak)
    u = user_client(iam_server, ak, sk)
    denied(lambda: u.copy_object(Bucket=dst, Key="c", CopySource={"Bucket": src, "Key": "k"}))
    root.put_bucket_policy(Bucket=src, Policy=json.dumps(policy(
        statement("Allow", ["s3:GetObject"], [f"arn:aws:s3:::{src}/*"],
                  Principal={"AWS": [ak]}))))
    u.copy_object(Bucket=dst, Key="c", CopySource={"Bucket": src, "Key": "k"})
    assert u.get_object(Bucket=dst, Key="c")["Body"].read() == b"v"


def test_identities_survive_a_restart(iam_server):
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, ["readwrite"], user=ak)
    svc = admin.add_service_account(iam_server.endpoint, target_user=ak)
    iam_server.stop()
    iam_server.start()
    user_client(iam_server, ak, sk).list_buckets()
    user_client(iam_server, svc["accessKey"], svc["secretKey"]).list_buckets()
    # Secrets are not stored in the clear.
    for path in glob.glob(f"{iam_server.root}/**/*", recursive=True):
        try:
            with open(path, "rb") as f:
                data = f.read()
            assert sk.encode() not in data and svc["secretKey"].encode() not in data, path
        except (IsADirectoryError, PermissionError):
            pass


def test_browser_upload_by_a_user_is_authorized_on_the_form_key(iam_server):
    root = make_client(iam_server.endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    name = unique_name("p")
    admin.add_policy(iam_server.endpoint, name, policy(
        statement("Allow", ["s3:PutObject"], [f"arn:aws:s3:::{b}/uploads/*"])))
    ak, sk = new_user(iam_server)
    admin.attach(iam_server.endpoint, [name], user=ak)
    u = user_client(iam_server, ak, sk)
    for key, want in (("uploads/a.txt", 204), ("other/a.txt", 403)):
        form = u.generate_presigned_post(b, key)
        resp = requests.post(form["url"], data=form["fields"],
                             files={"file": ("a.txt", b"posted")}, timeout=10)
        assert resp.status_code == want, (key, resp.content)
    assert root.get_object(Bucket=b, Key="uploads/a.txt")["Body"].read() == b"posted"


def test_existing_object_tag_conditions(server):
    # s3:ExistingObjectTag/<key> reads the tags of the object a request acts on.
    root = server.client()
    b = unique_name("tags")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="open", Body=b"o", Tagging="class=public")
    root.put_object(Bucket=b, Key="closed", Body=b"c", Tagging="class=secret&team=a")
    root.put_object(Bucket=b, Key="untagged", Body=b"u")
    name = unique_name("p")
    admin.add_policy(server.endpoint, name, policy(
        statement("Allow", ["s3:GetObject", "s3:GetObjectTagging"], [f"arn:aws:s3:::{b}/*"],
                  Condition={"StringEquals": {"s3:ExistingObjectTag/class": "public"}})))
    ak, sk = new_user(server)
    admin.attach(server.endpoint, [name], user=ak)
    u = user_client(server, ak, sk)
    assert u.get_object(Bucket=b, Key="open")["Body"].read() == b"o"
    assert u.get_object_tagging(Bucket=b, Key="open")["TagSet"] == [
        {"Key": "class", "Value": "public"}]
    denied(lambda: u.get_object(Bucket=b, Key="closed"))
    denied(lambda: u.get_object(Bucket=b, Key="untagged"))
    # Retagging changes the answer at once.
    root.put_object_tagging(Bucket=b, Key="closed",
                            Tagging={"TagSet": [{"Key": "class", "Value": "public"}]})
    assert u.get_object(Bucket=b, Key="closed")["Body"].read() == b"c"

    # A bucket policy Deny on a tag wins over the readonly policy.
    ak2, sk2 = new_user(server)
    admin.attach(server.endpoint, ["readonly"], user=ak2)
    u2 = user_client(server, ak2, sk2)
    root.put_bucket_policy(Bucket=b, Policy=json.dumps(policy(statement(
        "Deny", "s3:GetObject", f"arn:aws:s3:::{b}/*", Principal="*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/team": "a"}}))))
    root.put_object(Bucket=b, Key="team-a", Body=b"a", Tagging="team=a")
    denied(lambda: u2.get_object(Bucket=b, Key="team-a"))
    assert u2.get_object(Bucket=b, Key="untagged")["Body"].read() == b"u"
    assert root.get_object(Bucket=b, Key="team-a")["Body"].read() == b"a"


def test_request_object_tag_conditions(server):
    # s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys read the tags a write sends.
    root = server.client()
    b = unique_name("rtags")
    root.create_bucket(Bucket=b)
    name = unique_name("p")
    admin.add_policy(server.endpoint, name, policy(
        statement("Allow", "s3:PutObject", f"arn:aws:s3:::{b}/*",
                  Condition={"StringEquals": {"s3:RequestObjectTag/class": "public"},
                             "ForAllValues:StringEquals": {
                                 "s3:RequestObjectTagKeys": ["class", "team"]}})))
    ak, sk = new_user(server)
    admin.attach(server.endpoint, [name], user=ak)
    u = user_client(server, ak, sk)
    u.put_object(Bucket=b, Key="ok", Body=b"x", Tagging="class=public&team=a")
    denied(lambda: u.put_object(Bucket=b, Key="secret", Body=b"x", Tagging="class=secret"))
    denied(lambda: u.put_object(Bucket=b, Key="untagged", Body=b"x"))
    denied(lambda: u.put_object(Bucket=b, Key="extra", Body=b"x",
                                Tagging="class=public&owner=me"))
    assert root.get_object_tagging(Bucket=b, Key="ok")["TagSet"] == [
        {"Key": "class", "Value": "public"}, {"Key": "team", "Value": "a"}]
