"""ACLs and Object Ownership through the real binary: canned ACLs and x-amz-grant-* on
CreateBucket, PutObject, CopyObject and multipart uploads, Get/PutBucketAcl and
Get/PutObjectAcl (grants to users and to the AllUsers / AuthenticatedUsers groups), owners
(the user that made the bucket or object), Object Ownership (BucketOwnerEnforced turns ACLs
off; BucketOwnerPreferred; ObjectWriter, the default), and ACLs evaluated with policies (an
explicit Deny anywhere wins). Users come from the admin API (iam_admin.py); S3 requests are
boto3's, anonymous ones plain HTTP, and one test is the AWS CLI's.
"""

import hashlib
import json
import subprocess

import botocore.exceptions
import pytest
import requests

import iam_admin as admin
from iam_admin import policy, statement
from conftest import AWS_CLI, assert_s3_error, aws_cli_env, make_client, unique_name

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def new_user(server, policies=()):
    name, secret = unique_name("u"), "secret-key-123"
    admin.add_user(server.endpoint, name, secret)
    if policies:
        admin.attach(server.endpoint, list(policies), user=name)
    return name, make_client(server.endpoint, access_key=name, secret_key=secret)


def canonical_id(user):
    """A user's canonical id (README, "ACLs"): the SHA-256 of its name, in hex."""
    return hashlib.sha256(f"cairn-canonical-user:{user}".encode()).hexdigest()


def anonymous_get(server, bucket, key=""):
    return requests.get(f"{server.endpoint}/{bucket}/{key}", timeout=10)


def refused(fn, code="AccessDenied", status=403):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    assert_s3_error(e, code, status)


def grants_of(acl):
    out = set()
    for g in acl["Grants"]:
        who = g["Grantee"].get("URI") or g["Grantee"].get("ID")
        out.add((who, g["Permission"]))
    return out


def test_canned_acls_on_objects(server):
    s3 = server.client()
    b = unique_name("acl")
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="pub", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=b, Key="priv", Body=b"closed")
    res = anonymous_get(server, b, "pub")
    assert (res.status_code, res.content) == (200, b"open")
    assert anonymous_get(server, b, "priv").status_code == 403
    assert "AccessDenied" in anonymous_get(server, b, "priv").text
    # The listing is the bucket's ACL: still private.
    assert anonymous_get(server, b).status_code == 403

    acl = s3.get_object_acl(Bucket=b, Key="pub")
    root_id = acl["Owner"]["ID"]
    assert grants_of(acl) == {(root_id, "FULL_CONTROL"), (ALL_USERS, "READ")}
    assert grants_of(s3.get_object_acl(Bucket=b, Key="priv")) == {(root_id, "FULL_CONTROL")}

    # PutObjectAcl: open the private one, close the public one.
    s3.put_object_acl(Bucket=b, Key="priv", ACL="public-read")
    s3.put_object_acl(Bucket=b, Key="pub", ACL="private")
    assert anonymous_get(server, b, "priv").status_code == 200
    assert anonymous_get(server, b, "pub").status_code == 403

    # CopyObject and multipart uploads take the request's ACL, never the source's.
    s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "priv"})
    assert anonymous_get(server, b, "copy").status_code == 403
    s3.copy_object(Bucket=b, Key="copy2", CopySource={"Bucket": b, "Key": "pub"},
                   ACL="public-read")
    assert anonymous_get(server, b, "copy2").content == b"open"
    up = s3.create_multipart_upload(Bucket=b, Key="mp", ACL="public-read")
    part = s3.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"m")
    s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert anonymous_get(server, b, "mp").content == b"m"

    refused(lambda: s3.put_object(Bucket=b, Key="x", Body=b"x", ACL="everyone"),
            "InvalidArgument", 400)


def test_bucket_acls_list_and_write(server):
    s3 = server.client()
    b = unique_name("aclb")
    s3.create_bucket(Bucket=b, ACL="public-read")
    s3.put_object(Bucket=b, Key="k", Body=b"v")
    listing = anonymous_get(server, b)
    assert listing.status_code == 200 and "<Key>k</Key>" in listing.text
    # Bucket READ lists, it does not read objects.
    assert anonymous_get(server, b, "k").status_code == 403
    assert grants_of(s3.get_bucket_acl(Bucket=b)) >= {(ALL_USERS, "READ")}

    # public-read-write lets anyone write; the object is then the bucket owner's.
    s3.put_bucket_acl(Bucket=b, ACL="public-read-write")
    res = requests.put(f"{server.endpoint}/{b}/anon", data=b"from anyone", timeout=10)
    assert res.status_code == 200, res.text
    assert s3.get_object(Bucket=b, Key="anon")["Body"].read() == b"from anyone"
    root_id = s3.get_bucket_acl(Bucket=b)["Owner"]["ID"]
    assert s3.get_object_acl(Bucket=b, Key="anon")["Owner"]["ID"] == root_id
    # Anonymous readers are not told user names (access keys) in listings.
    assert "<DisplayName>" not in anonymous_get(server, b).text
    # WRITE writes and deletes objects, never versions for good, nor another's uploads.
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    v = s3.put_object(Bucket=b, Key="versioned", Body=b"1")["VersionId"]
    assert requests.delete(f"{server.endpoint}/{b}/versioned?versionId={v}",
                           timeout=10).status_code == 403
    up = s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    assert requests.get(f"{server.endpoint}/{b}/mp?uploadId={up}", timeout=10).status_code == 403
    assert requests.delete(f"{server.endpoint}/{b}/mp?uploadId={up}",
                           timeout=10).status_code == 403
    s3.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up)
    assert requests.delete(f"{server.endpoint}/{b}/anon", timeout=10).status_code == 204

    s3.put_bucket_acl(Bucket=b, ACL="private")
    assert anonymous_get(server, b).status_code == 403
    assert requests.put(f"{server.endpoint}/{b}/anon2", data=b"x", timeout=10).status_code == 403


def test_grants_to_users_and_groups(server):
    s3 = server.client()
    b = unique_name("aclg")
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="k", Body=b"secret")
    s3.put_object(Bucket=b, Key="other", Body=b"other")
    alice, a = new_user(server)
    bob, bb = new_user(server)
    refused(lambda: a.get_object(Bucket=b, Key="k"))

    # A grant by user name (as other servers' ids) resolves to the canonical id.
    s3.put_object_acl(Bucket=b, Key="k", GrantRead=f'id="{alice}"')
    acl = s3.get_object_acl(Bucket=b, Key="k")
    alice_id = canonical_id(alice)
    users = {g["Grantee"].get("ID"): g["Grantee"].get("DisplayName") for g in acl["Grants"]}
    assert users.get(alice_id) == alice
    assert a.get_object(Bucket=b, Key="k")["Body"].read() == b"secret"
    refused(lambda: a.get_object(Bucket=b, Key="other"))
    refused(lambda: bb.get_object(Bucket=b, Key="k"))
    # READ is not READ_ACP or WRITE.
    refused(lambda: a.get_object_acl(Bucket=b, Key="k"))
    refused(lambda: a.put_object(Bucket=b, Key="k", Body=b"overwrite"))

    # An AccessControlPolicy document: bob gets FULL_CONTROL by canonical id.
    policy = {"Owner": acl["Owner"], "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": acl["Owner"]["ID"]},
         "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "CanonicalUser", "ID": canonical_id(bob)},
         "Permission": "FULL_CONTROL"}]}
    s3.put_object_acl(Bucket=b, Key="k", AccessControlPolicy=policy)
    assert bb.get_object(Bucket=b, Key="k")["Body"].read() == b"secret"
    assert len(bb.get_object_acl(Bucket=b, Key="k")["Grants"]) == 2
    refused(lambda: a.get_object(Bucket=b, Key="k"))

    # AuthenticatedUsers: anyone signed, not anyone at all.
    s3.put_object_acl(Bucket=b, Key="other", ACL="authenticated-read")
    assert a.get_object(Bucket=b, Key="other")["Body"].read() == b"other"
    assert anonymous_get(server, b, "other").status_code == 403

    # Bucket WRITE lets a user write objects, which it then owns.
    s3.put_bucket_acl(Bucket=b, GrantWrite=f'id="{alice}"',
                      GrantFullControl=f'id="{acl["Owner"]["ID"]}"')
    a.put_object(Bucket=b, Key="alices", Body=b"mine")
    assert s3.get_object_acl(Bucket=b, Key="alices")["Owner"]["ID"] == alice_id
    # An unknown grantee and an e-mail grantee are refused.
    refused(lambda: s3.put_object_acl(Bucket=b, Key="k", GrantRead='id="nobody-at-all"'),
            "InvalidArgument", 400)
    refused(lambda: s3.put_object_acl(Bucket=b, Key="k", GrantRead='emailAddress="a@b.c"'),
            "UnresolvableGrantByEmailAddress", 400)


def test_explicit_deny_beats_an_acl_grant(server):
    s3 = server.client()
    b = unique_name("acld")
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="k", Body=b"v", ACL="public-read")
    alice, a = new_user(server)
    assert a.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    # A bucket policy that denies alice wins over the ACL that lets everyone read.
    deny = policy(statement("Deny", "s3:GetObject", f"arn:aws:s3:::{b}/*",
                            Principal={"AWS": [f"arn:aws:iam:::user/{alice}"]}))
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(deny))
    refused(lambda: a.get_object(Bucket=b, Key="k"))
    assert anonymous_get(server, b, "k").status_code == 200
    s3.delete_bucket_policy(Bucket=b)
    # So does a Deny in the user's own policy.
    name = unique_name("p")
    admin.add_policy(server.endpoint, name,
                     policy(statement("Deny", "s3:GetObject", f"arn:aws:s3:::{b}/*")))
    admin.attach(server.endpoint, [name], user=alice)
    refused(lambda: a.get_object(Bucket=b, Key="k"))


def test_acl_grants_are_narrowed_like_policies(server):
    s3 = server.client()
    b = unique_name("acln")
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="k", Body=b"v", ACL="authenticated-read")
    alice, a = new_user(server)
    assert a.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    # A service account whose session policy allows nothing else gets nothing from the ACL.
    narrow = policy(statement("Allow", "s3:ListBucket", "arn:aws:s3:::nothing"))
    sa = admin.add_service_account(server.endpoint, target_user=alice, policy=narrow)
    creds = sa.get("credentials", sa)
    sac = make_client(server.endpoint, access_key=creds["accessKey"],
                      secret_key=creds["secretKey"])
    refused(lambda: sac.get_object(Bucket=b, Key="k"))

    # DeleteObjects checks each key's ACL and the policies' Deny, as DeleteObject does.
    s3.put_bucket_acl(Bucket=b, GrantWrite=f'id="{alice}"',
                      GrantFullControl=f'id="{s3.get_bucket_acl(Bucket=b)["Owner"]["ID"]}"')
    a.put_object(Bucket=b, Key="mine", Body=b"m")
    res = a.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "mine"}, {"Key": "k"}]})
    assert sorted(d["Key"] for d in res.get("Deleted", [])) == ["k", "mine"]
    s3.put_object(Bucket=b, Key="tagged", Body=b"t", Tagging="keep=yes")
    name = unique_name("p")
    admin.add_policy(server.endpoint, name, policy(statement(
        "Deny", "s3:DeleteObject", f"arn:aws:s3:::{b}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/keep": "yes"}})))
    admin.attach(server.endpoint, [name], user=alice)
    res = a.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "tagged"}]})
    assert [e["Code"] for e in res.get("Errors", [])] == ["AccessDenied"]
    refused(lambda: a.delete_object(Bucket=b, Key="tagged"))

    # A Deny of s3:PutObjectAcl refuses ACL headers on writes too; plain writes go on.
    name2 = unique_name("p")
    admin.add_policy(server.endpoint, name2, policy(
        statement("Deny", ["s3:PutObjectAcl", "s3:PutBucketAcl"], "arn:aws:s3:::*")))
    admin.attach(server.endpoint, [name2], user=alice)
    refused(lambda: a.put_object(Bucket=b, Key="pub", Body=b"x", ACL="public-read"))
    a.put_object(Bucket=b, Key="plain", Body=b"x")
    assert anonymous_get(server, b, "pub").status_code == 403


def test_owners_are_the_users_that_made_buckets_and_objects(server):
    # Alice may only create buckets: the bucket she makes is hers, through its ACL.
    name = unique_name("p")
    admin.add_policy(server.endpoint, name,
                     policy(statement("Allow", "s3:CreateBucket", "arn:aws:s3:::*")))
    alice, a = new_user(server, [name])
    bob, bb = new_user(server, [name])
    b = unique_name("own")
    a.create_bucket(Bucket=b)
    alice_id = canonical_id(alice)
    acl = a.get_bucket_acl(Bucket=b)
    assert acl["Owner"] == {"ID": alice_id, "DisplayName": alice}
    a.put_object(Bucket=b, Key="k", Body=b"alice's")
    assert [o["Key"] for o in a.list_objects_v2(Bucket=b)["Contents"]] == ["k"]
    listed = a.list_objects(Bucket=b)["Contents"][0]["Owner"]
    assert listed["ID"] == alice_id
    assert b in [x["Name"] for x in a.list_buckets()["Buckets"]]
    refused(lambda: bb.get_object(Bucket=b, Key="k"))
    refused(lambda: bb.put_object(Bucket=b, Key="k2", Body=b"x"))
    # The name is taken: another user that may not use it gets BucketAlreadyExists; the owner
    # and those a policy lets use it (root here) get the owner's answer.
    refused(lambda: bb.create_bucket(Bucket=b), "BucketAlreadyExists", 409)
    a.create_bucket(Bucket=b)
    server.client().create_bucket(Bucket=b)
    # The owner may do anything to its bucket: tag it, give it a policy, delete it.
    a.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    refused(lambda: bb.put_bucket_tagging(Bucket=b, Tagging={"TagSet": []}))
    # Root is never evaluated: it reads alice's objects.
    assert server.client().get_object(Bucket=b, Key="k")["Body"].read() == b"alice's"
    a.delete_object(Bucket=b, Key="k")
    a.delete_bucket(Bucket=b)


def test_object_ownership(server):
    s3 = server.client()
    b = unique_name("ownc")
    s3.create_bucket(Bucket=b, ObjectOwnership="BucketOwnerEnforced")
    assert s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    refused(lambda: s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read"),
            "AccessControlListNotSupported", 400)
    refused(lambda: s3.put_bucket_acl(Bucket=b, ACL="public-read"),
            "AccessControlListNotSupported", 400)
    s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    refused(lambda: s3.create_bucket(Bucket=unique_name("ownc"),
                                     ObjectOwnership="BucketOwnerEnforced", ACL="public-read"),
            "InvalidBucketAclWithObjectOwnership", 400)

    # The default is ObjectWriter: the writer owns what it writes.
    b2 = unique_name("ownw")
    s3.create_bucket(Bucket=b2, ACL="public-read-write")
    assert s3.get_bucket_ownership_controls(Bucket=b2)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    alice, a = new_user(server)
    a.put_object(Bucket=b2, Key="w", Body=b"w")
    assert s3.get_object_acl(Bucket=b2, Key="w")["Owner"]["ID"] == canonical_id(alice)
    # BucketOwnerPreferred: bucket-owner-full-control hands the object to the bucket owner.
    s3.put_bucket_ownership_controls(Bucket=b2, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    a.put_object(Bucket=b2, Key="p", Body=b"p", ACL="bucket-owner-full-control")
    root_id = s3.get_bucket_acl(Bucket=b2)["Owner"]["ID"]
    assert s3.get_object_acl(Bucket=b2, Key="p")["Owner"]["ID"] == root_id
    # Turning ACLs off while the bucket ACL grants others is refused until it is reset.
    refused(lambda: s3.put_bucket_ownership_controls(Bucket=b2, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
        "InvalidBucketAclWithObjectOwnership", 400)
    s3.put_bucket_acl(Bucket=b2, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=b2, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    # ACLs off: the bucket owner owns everything, alice's grants are gone.
    assert s3.get_object_acl(Bucket=b2, Key="w")["Owner"]["ID"] == root_id
    assert s3.list_objects(Bucket=b2)["Contents"][0]["Owner"]["ID"] == root_id
    refused(lambda: a.get_object(Bucket=b2, Key="w"))
    s3.delete_bucket_ownership_controls(Bucket=b2)
    refused(lambda: s3.get_bucket_ownership_controls(Bucket=b2),
            "OwnershipControlsNotFoundError", 404)


def test_default_ownership_from_the_environment(make_server):
    srv = make_server(env={"CAIRN_DEFAULT_OBJECT_OWNERSHIP": "BucketOwnerEnforced"})
    s3 = make_client(srv.endpoint)
    b = unique_name("env")
    s3.create_bucket(Bucket=b)
    assert s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    refused(lambda: s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read"),
            "AccessControlListNotSupported", 400)


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed")
def test_aws_cli(server, tmp_path):
    env = aws_cli_env(tmp_path)

    def aws(*args):
        res = subprocess.run([AWS_CLI, *args, "--endpoint-url", server.endpoint],
                             env=env, capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, (args, res.stdout, res.stderr)
        return res.stdout

    b = unique_name("cli")
    server.client().create_bucket(Bucket=b)
    src = tmp_path / "f.txt"
    src.write_bytes(b"from the cli")
    aws("s3", "cp", str(src), f"s3://{b}/f.txt", "--acl", "public-read")
    assert anonymous_get(server, b, "f.txt").content == b"from the cli"
    acl = json.loads(aws("s3api", "get-object-acl", "--bucket", b, "--key", "f.txt",
                         "--output", "json"))
    assert (ALL_USERS, "READ") in grants_of(acl)
    aws("s3api", "put-object-acl", "--bucket", b, "--key", "f.txt", "--acl", "private")
    assert anonymous_get(server, b, "f.txt").status_code == 403


def test_writers_own_what_they_write_unless_acls_are_off(server):
    # A write-only user owns the objects it writes (ObjectWriter, the default) and so reads
    # them back; with BucketOwnerEnforced (MinIO's behaviour) it does not, and nothing else
    # ever: others' objects stay closed either way.
    s3 = server.client()
    name = unique_name("p")
    admin.add_policy(server.endpoint, name,
                     policy(statement("Allow", "s3:PutObject", "arn:aws:s3:::*")))
    writer, w = new_user(server, [name])
    for ownership, readable in (("ObjectWriter", True), ("BucketOwnerEnforced", False)):
        b = unique_name("wo")
        s3.create_bucket(Bucket=b, ObjectOwnership=ownership)
        s3.put_object(Bucket=b, Key="root's", Body=b"r")
        w.put_object(Bucket=b, Key="mine", Body=b"m")
        refused(lambda: w.get_object(Bucket=b, Key="root's"))
        if readable:
            assert w.get_object(Bucket=b, Key="mine")["Body"].read() == b"m"
        else:
            refused(lambda: w.get_object(Bucket=b, Key="mine"))
