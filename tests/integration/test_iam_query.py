"""The AWS IAM query API on the S3 port, through the real binary: boto3's iam client and the
AWS CLI create users, policies, groups, inline policies and access keys, and the keys then do
on S3 exactly what the policies allow; IAM's errors; a non-root caller needs the MinIO admin:
actions; the credential scope's service must match the API.
"""

import hashlib
import json
import subprocess
import urllib.parse

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCESS_KEY, AWS_CLI, SECRET_KEY, aws_cli_env, make_client, unique_name

ACCOUNT = "000000000000"


def iam_client(server, access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    cfg = botocore.config.Config(retries={"max_attempts": 0, "mode": "legacy"},
                                 connect_timeout=5, read_timeout=20)
    return boto3.session.Session().client(
        "iam", endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=cfg)


def iam_error(fn, code, status):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    err = e.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), err
    return err


def policy_doc(actions, resources):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}


def read_only(bucket):
    return policy_doc(["s3:GetObject", "s3:ListBucket"],
                      [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])


def s3_error(fn, code):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    assert e.value.response["Error"]["Code"] == code, e.value.response


def buckets(s3, *names):
    for b in names:
        s3.create_bucket(Bucket=b)
        s3.put_object(Bucket=b, Key="k", Body=b"data")


def test_user_policy_and_access_key(server):
    iam, s3 = iam_client(server), server.client()
    b, other = unique_name("b"), unique_name("b")
    buckets(s3, b, other)
    user = unique_name("u")

    made = iam.create_user(UserName=user)["User"]
    assert made["UserName"] == user
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/{user}"
    assert made["Path"] == "/" and made["UserId"].startswith("AIDA")
    assert iam.get_user(UserName=user)["User"]["Arn"] == made["Arn"]
    assert user in [u["UserName"] for u in iam.list_users()["Users"]]
    # Every user shows up through the paginator too (Marker / MaxItems).
    paged = [u["UserName"] for page in iam.get_paginator("list_users").paginate(
        PaginationConfig={"PageSize": 1}) for u in page["Users"]]
    assert user in paged

    name = unique_name("p")
    p = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(read_only(b)))["Policy"]
    arn = p["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    assert p["DefaultVersionId"] == "v1" and p["AttachmentCount"] == 0
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert attached == [{"PolicyName": name, "PolicyArn": arn}]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == read_only(b) and version["IsDefaultVersion"]
    listed = iam.list_policies(Scope="Local")["Policies"]
    assert name in [x["PolicyName"] for x in listed]
    assert "readwrite" in [x["PolicyName"] for x in iam.list_policies(Scope="AWS")["Policies"]]
    assert [x["PolicyName"] for x in iam.list_policies(OnlyAttached=True)["Policies"]].count(
        name) == 1

    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert key["UserName"] == user and key["Status"] == "Active"
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]

    mine = make_client(server.endpoint, access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"])
    assert mine.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    assert [o["Key"] for o in mine.list_objects_v2(Bucket=b)["Contents"]] == ["k"]
    s3_error(lambda: mine.put_object(Bucket=b, Key="new", Body=b"x"), "AccessDenied")
    s3_error(lambda: mine.get_object(Bucket=other, Key="k"), "AccessDenied")

    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    s3_error(lambda: mine.get_object(Bucket=b, Key="k"), "InvalidAccessKeyId")
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert mine.get_object(Bucket=b, Key="k")["Body"].read() == b"data"

    # IAM's order of deletion: keys, policies, then the user.
    iam_error(lambda: iam.delete_user(UserName=user), "DeleteConflict", 409)
    iam_error(lambda: iam.delete_policy(PolicyArn=arn), "DeleteConflict", 409)
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    s3_error(lambda: mine.get_object(Bucket=b, Key="k"), "InvalidAccessKeyId")
    iam_error(lambda: iam.delete_user(UserName=user), "DeleteConflict", 409)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam_error(lambda: iam.detach_user_policy(UserName=user, PolicyArn=arn), "NoSuchEntity", 404)
    iam.delete_user(UserName=user)
    iam.delete_policy(PolicyArn=arn)
    iam_error(lambda: iam.get_user(UserName=user), "NoSuchEntity", 404)
    iam_error(lambda: iam.get_policy(PolicyArn=arn), "NoSuchEntity", 404)


def test_groups(server):
    iam, s3 = iam_client(server), server.client()
    b = unique_name("b")
    buckets(s3, b)
    user, group = unique_name("u"), unique_name("g")
    iam.create_user(UserName=user)
    g = iam.create_group(GroupName=group)["Group"]
    assert g["GroupName"] == group and g["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/{group}"
    got = iam.get_group(GroupName=group)
    assert got["Group"]["GroupName"] == group and got["Users"] == []
    assert group in [x["GroupName"] for x in iam.list_groups()["Groups"]]
    iam_error(lambda: iam.create_group(GroupName=group), "EntityAlreadyExists", 409)
    iam_error(lambda: iam.add_user_to_group(GroupName=unique_name("g"), UserName=user),
              "NoSuchEntity", 404)

    iam.add_user_to_group(GroupName=group, UserName=user)
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [user]
    assert [x["GroupName"] for x in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]

    name = unique_name("p")
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(read_only(b)))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    assert [x["PolicyArn"] for x in
            iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]] == [arn]
    key = iam.create_access_key(UserName=user)["AccessKey"]
    mine = make_client(server.endpoint, access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"])
    assert mine.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    s3_error(lambda: mine.put_object(Bucket=b, Key="x", Body=b"x"), "AccessDenied")

    iam_error(lambda: iam.delete_group(GroupName=group), "DeleteConflict", 409)
    iam_error(lambda: iam.delete_user(UserName=user), "DeleteConflict", 409)  # keys, group
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam_error(lambda: iam.remove_user_from_group(GroupName=group, UserName=user),
              "NoSuchEntity", 404)
    s3_error(lambda: mine.get_object(Bucket=b, Key="k"), "AccessDenied")
    iam_error(lambda: iam.delete_group(GroupName=group), "DeleteConflict", 409)  # policy
    iam.detach_group_policy(GroupName=group, PolicyArn=arn)
    iam.delete_group(GroupName=group)
    iam_error(lambda: iam.get_group(GroupName=group), "NoSuchEntity", 404)
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user)
    iam.delete_policy(PolicyArn=arn)


def test_inline_policies(server):
    iam, s3 = iam_client(server), server.client()
    b = unique_name("b")
    buckets(s3, b)
    user, group = unique_name("u"), unique_name("g")
    iam.create_user(UserName=user)
    doc = policy_doc(["s3:PutObject"], [f"arn:aws:s3:::{b}/*"])
    iam.put_user_policy(UserName=user, PolicyName="writer", PolicyDocument=json.dumps(doc))
    got = iam.get_user_policy(UserName=user, PolicyName="writer")
    assert got["UserName"] == user and got["PolicyName"] == "writer"
    assert got["PolicyDocument"] == doc
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["writer"]
    # Inline policies are not managed policies: not listed, not attached.
    assert not [p for p in iam.list_policies()["Policies"] if ".inline." in p["PolicyName"]]
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []

    key = iam.create_access_key(UserName=user)["AccessKey"]
    mine = make_client(server.endpoint, access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"])
    mine.put_object(Bucket=b, Key="w", Body=b"w")
    # (An object the user wrote is its own, readable through its ACL: test_acl.py. Others'
    # are not.)
    s3.put_object(Bucket=b, Key="r", Body=b"r")
    s3_error(lambda: mine.get_object(Bucket=b, Key="r"), "AccessDenied")

    # A second put replaces the document.
    doc2 = policy_doc(["s3:GetObject"], [f"arn:aws:s3:::{b}/*"])
    iam.put_user_policy(UserName=user, PolicyName="writer", PolicyDocument=json.dumps(doc2))
    assert mine.get_object(Bucket=b, Key="r")["Body"].read() == b"r"
    s3_error(lambda: mine.put_object(Bucket=b, Key="w2", Body=b"w"), "AccessDenied")

    # Group inline policies reach the group's members.
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_group_policy(GroupName=group, PolicyName="gw", PolicyDocument=json.dumps(doc))
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["gw"]
    assert iam.get_group_policy(GroupName=group, PolicyName="gw")["PolicyDocument"] == doc
    mine.put_object(Bucket=b, Key="w3", Body=b"w")
    iam.delete_group_policy(GroupName=group, PolicyName="gw")
    s3_error(lambda: mine.put_object(Bucket=b, Key="w4", Body=b"w"), "AccessDenied")
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)

    iam.delete_user_policy(UserName=user, PolicyName="writer")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    s3_error(lambda: mine.get_object(Bucket=b, Key="r"), "AccessDenied")
    iam_error(lambda: iam.get_user_policy(UserName=user, PolicyName="writer"), "NoSuchEntity", 404)
    iam_error(lambda: iam.delete_user_policy(UserName=user, PolicyName="writer"),
              "NoSuchEntity", 404)
    iam_error(lambda: iam.put_user_policy(UserName=unique_name("u"), PolicyName="x",
                                          PolicyDocument=json.dumps(doc)), "NoSuchEntity", 404)
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user)


def raw_iam(server, body, access_key=ACCESS_KEY, secret_key=SECRET_KEY, service="iam",
            headers=None):
    """A form POST / signed with SigV4 for `service`; returns the requests response."""
    data = urllib.parse.urlencode(body).encode()
    h = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    h.update(headers or {})
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers=h)
    SigV4Auth(Credentials(access_key, secret_key), service, "us-east-1").add_auth(req)
    return requests.post(server.endpoint + "/", data=data, headers=dict(req.headers), timeout=20)


def test_errors(server):
    iam = iam_client(server)
    user = unique_name("u")
    iam_error(lambda: iam.get_user(UserName=user), "NoSuchEntity", 404)
    iam_error(lambda: iam.delete_user(UserName=user), "NoSuchEntity", 404)
    iam_error(lambda: iam.create_access_key(UserName=user), "NoSuchEntity", 404)
    iam.create_user(UserName=user)
    err = iam_error(lambda: iam.create_user(UserName=user), "EntityAlreadyExists", 409)
    assert user in err["Error"]["Message"]
    name = unique_name("p")
    doc = json.dumps(read_only("x"))
    arn = iam.create_policy(PolicyName=name, PolicyDocument=doc)["Policy"]["Arn"]
    iam_error(lambda: iam.create_policy(PolicyName=name, PolicyDocument=doc),
              "EntityAlreadyExists", 409)
    iam_error(lambda: iam.create_policy(PolicyName=unique_name("p"), PolicyDocument="{not json"),
              "MalformedPolicyDocument", 400)
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]})
    iam_error(lambda: iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=bad),
              "MalformedPolicyDocument", 400)
    big = json.dumps(policy_doc(["s3:GetObject"], [f"arn:aws:s3:::{'x' * 60}{i}" for i in
                                                   range(100)]))
    iam_error(lambda: iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=big),
              "LimitExceeded", 409)
    iam_error(lambda: iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:s3:::not-a-policy-arn"),
              "ValidationError", 400)
    iam_error(lambda: iam.attach_user_policy(UserName=user, PolicyArn=arn + "-none"),
              "NoSuchEntity", 404)
    iam_error(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v2"), "NoSuchEntity", 404)
    iam_error(lambda: iam.delete_access_key(UserName=user, AccessKeyId="NOSUCHKEY1234567890"),
              "NoSuchEntity", 404)
    iam_error(lambda: iam.tag_user(UserName=user, Tags=[{"Key": "a", "Value": "b"}]),
              "NotImplemented", 501)
    # Parameters cairn cannot honour are refused, not dropped.
    other = unique_name("u")
    iam_error(lambda: iam.create_user(UserName=other, Tags=[{"Key": "a", "Value": "b"}]),
              "NotImplemented", 501)
    iam_error(lambda: iam.create_user(UserName=other, Path="/team/"), "NotImplemented", 501)
    iam_error(lambda: iam.get_user(UserName=other), "NoSuchEntity", 404)
    assert iam.create_user(UserName=other, Path="/")["User"]["UserName"] == other
    iam.delete_user(UserName=other)

    # An unknown action, IAM's error document as such.
    res = raw_iam(server, {"Action": "FlyToTheMoon", "Version": "2010-05-08"})
    assert res.status_code == 400, res.text
    assert "<ErrorResponse" in res.text and "<Code>InvalidAction</Code>" in res.text
    assert "<Type>Sender</Type>" in res.text
    # A bad signature is still answered in IAM's format.
    res = raw_iam(server, {"Action": "ListUsers"}, secret_key="wrong-secret")
    assert res.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in res.text
    res = raw_iam(server, {"Action": "ListUsers"}, access_key="NOSUCHACCESSKEY")
    assert res.status_code == 403 and "<Code>InvalidClientTokenId</Code>" in res.text
    # The signed payload hash must be the body's.
    res = raw_iam(server, {"Action": "ListUsers"},
                  headers={"X-Amz-Content-SHA256": "0" * 64})
    assert res.status_code == 400 and "XAmzContentSHA256Mismatch" in res.text, res.text

    iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName=user)


def test_service_must_match_the_api(server):
    # An S3 request signed for "iam", or for a service cairn does not serve.
    for service in ("iam", "ec2"):
        req = AWSRequest(method="GET", url=server.endpoint + "/")
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, "us-east-1").add_auth(req)
        res = requests.get(server.endpoint + "/", headers=dict(req.headers), timeout=20)
        assert res.status_code == 400 and "AuthorizationHeaderMalformed" in res.text, res.text
    # The IAM form signed for "s3" is not the IAM API: a form POST / not signed for "iam" is
    # the STS API's, which refuses a signature for another service.
    body = {"Action": "ListUsers"}
    sha = hashlib.sha256(urllib.parse.urlencode(body).encode()).hexdigest()
    res = raw_iam(server, body, service="s3", headers={"X-Amz-Content-SHA256": sha})
    assert res.status_code == 400 and "AuthorizationHeaderMalformed" in res.text, res.text


def test_non_root_needs_admin_actions(server):
    iam, s3 = iam_client(server), server.client()
    user = unique_name("u")
    iam.create_user(UserName=user)
    rw = "arn:aws:iam::aws:policy/readwrite"  # a builtin, by AWS's form of its ARN
    iam.attach_user_policy(UserName=user, PolicyArn=rw)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    theirs = iam_client(server, key["AccessKeyId"], key["SecretAccessKey"])
    # readwrite is s3:* only: no IAM at all.
    iam_error(lambda: theirs.list_users(), "AccessDenied", 403)
    iam_error(lambda: theirs.create_user(UserName=unique_name("u")), "AccessDenied", 403)
    iam_error(lambda: theirs.create_access_key(UserName=user), "AccessDenied", 403)
    mine = make_client(server.endpoint, access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"])
    b = unique_name("b")
    mine.create_bucket(Bucket=b)  # but S3 as readwrite allows

    lister = unique_name("p")
    arn = iam.create_policy(PolicyName=lister, PolicyDocument=json.dumps(
        policy_doc(["admin:ListUsers", "admin:GetUser"], ["arn:aws:s3:::*"])))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert user in [u["UserName"] for u in theirs.list_users()["Users"]]
    assert theirs.get_user(UserName=user)["User"]["UserName"] == user
    iam_error(lambda: theirs.create_user(UserName=unique_name("u")), "AccessDenied", 403)
    iam_error(lambda: theirs.create_policy(PolicyName=unique_name("p"),
                                           PolicyDocument=json.dumps(read_only("x"))),
              "AccessDenied", 403)

    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.detach_user_policy(UserName=user, PolicyArn=rw)
    iam.delete_user(UserName=user)
    iam.delete_policy(PolicyArn=arn)
    s3.delete_bucket(Bucket=b)


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed")
def test_aws_cli(server, tmp_path):
    env = aws_cli_env(tmp_path)

    def aws(*args, ok=True):
        res = subprocess.run([AWS_CLI, "iam", *args, "--endpoint-url", server.endpoint,
                              "--output", "json"], env=env, capture_output=True, text=True,
                             timeout=60)
        if ok:
            assert res.returncode == 0, (args, res.stdout, res.stderr)
            return json.loads(res.stdout) if res.stdout.strip() else None
        assert res.returncode != 0, (args, res.stdout)
        return res.stderr

    b = unique_name("b")
    server.client().create_bucket(Bucket=b)
    server.client().put_object(Bucket=b, Key="k", Body=b"cli")
    user, name = unique_name("u"), unique_name("p")
    assert aws("create-user", "--user-name", user)["User"]["UserName"] == user
    assert "EntityAlreadyExists" in aws("create-user", "--user-name", user, ok=False)
    doc = tmp_path / "policy.json"
    doc.write_text(json.dumps(read_only(b)))
    arn = aws("create-policy", "--policy-name", name,
              "--policy-document", f"file://{doc}")["Policy"]["Arn"]
    aws("attach-user-policy", "--user-name", user, "--policy-arn", arn)
    key = aws("create-access-key", "--user-name", user)["AccessKey"]
    users = aws("list-users")["Users"]
    assert user in [u["UserName"] for u in users]
    mine = make_client(server.endpoint, access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"])
    assert mine.get_object(Bucket=b, Key="k")["Body"].read() == b"cli"
    s3_error(lambda: mine.put_object(Bucket=b, Key="x", Body=b"x"), "AccessDenied")
    assert "NoSuchEntity" in aws("get-user", "--user-name", unique_name("u"), ok=False)

    aws("delete-access-key", "--user-name", user, "--access-key-id", key["AccessKeyId"])
    aws("detach-user-policy", "--user-name", user, "--policy-arn", arn)
    aws("delete-user", "--user-name", user)
    aws("delete-policy", "--policy-arn", arn)
