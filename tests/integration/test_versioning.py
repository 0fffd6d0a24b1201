"""Bucket versioning with boto3 and the AWS CLI against the real binary: Put/GetBucketVersioning,
version ids on PUT, multipart and copy, the null version's replacement rules (unversioned,
suspended), delete markers (404 with x-amz-delete-marker, 405 for a marker asked for by id),
DeleteObjects with version ids, ListObjectVersions with every parameter and its pages, and
versions surviving a restart."""

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import AWS_CLI, assert_s3_error, aws_cli_env, unique_name

MiB = 1024 * 1024


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def versions_of(s3, bucket, **kw):
    """[(key, version id, is latest, is delete marker)] in listing order."""
    out = []
    resp = s3.list_object_versions(Bucket=bucket, **kw)
    entries = [(v, False) for v in resp.get("Versions", [])] + \
              [(d, True) for d in resp.get("DeleteMarkers", [])]
    # boto3 splits the two kinds; listing order is key, then newest first.
    entries.sort(key=lambda e: (e[0]["Key"], -e[0]["LastModified"].timestamp()))
    for v, marker in entries:
        out.append((v["Key"], v["VersionId"], v["IsLatest"], marker))
    return out


def test_versioning_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    # Never back to unversioned: only Enabled and Suspended are states.
    for status in ("Disabled", ""):
        with pytest.raises(ClientError) as e:
            enable(s3, bucket, status)
        assert_s3_error(e, "MalformedXML", 400)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_versioning(Bucket=unique_name("none"))
    assert_s3_error(e, "NoSuchBucket", 404)


def test_enabled_bucket_keeps_every_version(s3, bucket):
    enable(s3, bucket)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(4)]
    assert len(set(ids)) == 4 and "null" not in ids
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"v3" and got["VersionId"] == ids[3]
    for i, vid in enumerate(ids):
        assert s3.get_object(Bucket=bucket, Key="k", VersionId=vid)["Body"].read() == f"v{i}".encode()
        assert s3.head_object(Bucket=bucket, Key="k", VersionId=vid)["VersionId"] == vid
    listed = versions_of(s3, bucket)
    assert [v[1] for v in listed] == list(reversed(ids))
    assert [v[2] for v in listed] == [True, False, False, False]
    # ListObjectsV2 shows the key once.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_delete_marker(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    resp = s3.delete_object(Bucket=bucket, Key="k")
    assert resp["DeleteMarker"] is True
    marker = resp["VersionId"]
    assert marker not in ("null", v1)
    # GET and HEAD of the key: 404, naming the marker.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k")
    assert_s3_error(e, "NoSuchKey", 404)
    headers = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    # The marker asked for by id: 405.
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    assert_s3_error(e, "MethodNotAllowed", 405)
    # Listings skip the key; versions list the marker as the latest.
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert versions_of(s3, bucket) == [("k", marker, True, True), ("k", v1, False, False)]
    # The old version is still there; removing the marker brings the key back.
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    resp = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert resp["DeleteMarker"] is True and resp["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    # Removing a version for good.
    resp = s3.delete_object(Bucket=bucket, Key="k", VersionId=v1)
    assert resp["VersionId"] == v1 and "DeleteMarker" not in resp
    assert versions_of(s3, bucket) == []


def test_null_version_rules(s3, bucket):
    # Unversioned: a PUT replaces the null version.
    s3.put_object(Bucket=bucket, Key="k", Body=b"null-1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"null-2")
    assert versions_of(s3, bucket) == [("k", "null", True, False)]
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"enabled")["VersionId"]
    assert versions_of(s3, bucket) == [("k", v1, True, False), ("k", "null", False, False)]
    got = s3.get_object(Bucket=bucket, Key="k", VersionId="null")
    assert got["Body"].read() == b"null-2" and got["VersionId"] == "null"
    # Suspended: a PUT replaces the null version (wherever it is) and becomes the latest.
    enable(s3, bucket, "Suspended")
    resp = s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")
    assert resp.get("VersionId", "null") == "null"
    assert versions_of(s3, bucket) == [("k", "null", True, False), ("k", v1, False, False)]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"suspended"
    # A delete while suspended: a null delete marker replaces the null version.
    resp = s3.delete_object(Bucket=bucket, Key="k")
    assert resp["DeleteMarker"] is True and resp["VersionId"] == "null"
    assert versions_of(s3, bucket) == [("k", "null", True, True), ("k", v1, False, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"enabled"


def test_version_ids_checked(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId="not-a-version")
    assert_s3_error(e, "InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="k", VersionId="00000000-0000-0000-0000-000000000000")
    assert_s3_error(e, "NoSuchVersion", 404)
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    assert_s3_error(e, "InvalidArgument", 400)


def test_delete_objects_with_versions(s3, bucket):
    enable(s3, bucket)
    a1 = s3.put_object(Bucket=bucket, Key="a", Body=b"a1")["VersionId"]
    a2 = s3.put_object(Bucket=bucket, Key="a", Body=b"a2")["VersionId"]
    b1 = s3.put_object(Bucket=bucket, Key="b", Body=b"b")["VersionId"]
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a", "VersionId": a1}, {"Key": "b"}]})
    deleted = {d["Key"]: d for d in resp["Deleted"]}
    assert deleted["a"]["VersionId"] == a1 and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True
    marker = deleted["b"]["DeleteMarkerVersionId"]
    # Removing the marker by id says it was one.
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
    assert resp["Deleted"][0]["DeleteMarker"] is True
    assert [(v[0], v[1]) for v in versions_of(s3, bucket)] == [("a", a2), ("b", b1)]


def test_multipart_and_copy_make_versions(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="src", Body=b"first")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="src", Body=b"second")["VersionId"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"p" * (5 * MiB))
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["VersionId"] not in ("", "null")
    assert s3.head_object(Bucket=bucket, Key="mp")["VersionId"] == done["VersionId"]
    # Copy of an older version by id.
    copied = s3.copy_object(Bucket=bucket, Key="dst",
                            CopySource={"Bucket": bucket, "Key": "src", "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1
    assert copied["VersionId"] not in (v1, v2)
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"first"
    # Tags of an older version, by id.
    s3.put_object_tagging(Bucket=bucket, Key="src", VersionId=v1,
                          Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="src", VersionId=v1)["TagSet"] == [
        {"Key": "old", "Value": "yes"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="src")["TagSet"] == []


def test_list_object_versions_pages(s3, bucket):
    enable(s3, bucket)
    ids = {}
    for key in ("a", "dir/x", "dir/y", "z"):
        ids[key] = [s3.put_object(Bucket=bucket, Key=key, Body=b".")["VersionId"]
                    for _ in range(3)]
    s3.delete_object(Bucket=bucket, Key="z")
    full = versions_of(s3, bucket)
    assert len(full) == 13
    # Pages of 2, resumed at (NextKeyMarker, NextVersionIdMarker), concatenate to the whole.
    paged = []
    kw = {}
    for _ in range(20):
        resp = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kw)
        page = [(v["Key"], v["VersionId"]) for v in
                resp.get("Versions", []) + resp.get("DeleteMarkers", [])]
        assert len(page) <= 2
        paged += page
        if not resp["IsTruncated"]:
            break
        kw = {"KeyMarker": resp["NextKeyMarker"], "VersionIdMarker": resp["NextVersionIdMarker"]}
    assert sorted(paged) == sorted((v[0], v[1]) for v in full)
    assert len(paged) == len(set(paged)) == 13
    # Prefix, delimiter, key marker alone (after every version of that key).
    resp = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["dir/"]
    assert {v["Key"] for v in resp["Versions"]} == {"a", "z"}
    resp = s3.list_object_versions(Bucket=bucket, Prefix="dir/", KeyMarker="dir/x")
    assert [v["VersionId"] for v in resp["Versions"]] == list(reversed(ids["dir/y"]))
    resp = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=ids["a"][2],
                                   MaxKeys=2)
    assert [v["VersionId"] for v in resp["Versions"]] == [ids["a"][1], ids["a"][0]]
    assert all(not v["IsLatest"] for v in resp["Versions"])
    resp = s3.list_object_versions(Bucket=bucket, Prefix="a", EncodingType="url")
    assert resp["EncodingType"] == "url"


def test_aws_cli_lists_versions(server, bucket, tmp_path):
    s3 = server.client()
    enable(s3, bucket)
    for i in range(2):
        s3.put_object(Bucket=bucket, Key="cli", Body=f"{i}".encode())
    s3.delete_object(Bucket=bucket, Key="cli")
    env = aws_cli_env(tmp_path, server.access_key, server.secret_key)
    aws = AWS_CLI or "/usr/bin/aws"
    out = subprocess.run([aws, "--endpoint-url", server.endpoint, "s3api",
                          "list-object-versions", "--bucket", bucket],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    listed = json.loads(out.stdout)
    assert len(listed["Versions"]) == 2 and len(listed["DeleteMarkers"]) == 1
    out = subprocess.run([aws, "--endpoint-url", server.endpoint, "s3api",
                          "get-bucket-versioning", "--bucket", bucket],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout)["Status"] == "Enabled"


def test_versions_survive_a_restart(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    name = unique_name("b")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"null")
    enable(s3, name)
    ids = [s3.put_object(Bucket=name, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(3)]
    marker = s3.delete_object(Bucket=name, Key="k")["VersionId"]
    before = versions_of(s3, name)
    srv.stop()
    srv.start()
    s3 = srv.client()
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert versions_of(s3, name) == before
    assert before[0] == ("k", marker, True, True)
    assert s3.get_object(Bucket=name, Key="k", VersionId=ids[1])["Body"].read() == b"v1"
    assert s3.get_object(Bucket=name, Key="k", VersionId="null")["Body"].read() == b"null"
