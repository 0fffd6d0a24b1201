"""Bucket operations through boto3: create, head, list, location, delete, errors."""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, unique_name


def test_create_head_list_delete(s3):
    name = unique_name("bk")
    s3.create_bucket(Bucket=name)
    assert s3.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    buckets = s3.list_buckets()
    assert name in [b["Name"] for b in buckets["Buckets"]]
    assert all("CreationDate" in b for b in buckets["Buckets"])
    s3.delete_bucket(Bucket=name)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_buckets_sorted(s3):
    names = sorted(unique_name("srt") for _ in range(3))
    for n in reversed(names):
        s3.create_bucket(Bucket=n)
    try:
        listed = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert listed == sorted(listed)
        assert set(names) <= set(listed)
    finally:
        for n in names:
            s3.delete_bucket(Bucket=n)


def test_delete_nonempty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="x", Body=b"1")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert_s3_error(e, "BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="x")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)  # for the fixture's cleanup


def test_missing_bucket_errors(s3):
    name = unique_name("missing")
    for call in (lambda: s3.delete_bucket(Bucket=name),
                 lambda: s3.list_objects_v2(Bucket=name),
                 lambda: s3.get_object(Bucket=name, Key="k"),
                 lambda: s3.put_object(Bucket=name, Key="k", Body=b"x"),
                 lambda: s3.get_bucket_location(Bucket=name)):
        with pytest.raises(ClientError) as e:
            call()
        assert_s3_error(e, "NoSuchBucket", 404)


@pytest.mark.parametrize("name", [
    "ab",                      # too short
    "a" * 64,                  # too long
    "UpperCase",               # upper case
    "under_score",
    "-leading-dash",
    "trailing-dash-",
    "double..dot",
    "192.168.5.4",             # formatted as an IP address
])
def test_invalid_bucket_names(raw, name):
    # boto3 validates some names client side; send the request raw to reach the server.
    resp = raw.request("PUT", "/" + name)
    assert (resp.status, resp.code) == (400, "InvalidBucketName"), resp


def test_valid_edge_bucket_names(s3):
    for name in ("abc", "a" * 63, "a.b-c.d1", "1" + unique_name("d")[:20]):
        s3.create_bucket(Bucket=name)
        s3.head_bucket(Bucket=name)
        s3.delete_bucket(Bucket=name)


def test_bucket_location(s3, bucket):
    loc = s3.get_bucket_location(Bucket=bucket)
    # us-east-1 is reported as an empty (null) LocationConstraint.
    assert loc.get("LocationConstraint") in (None, "")


def test_head_bucket_missing_is_404_without_body(raw):
    resp = raw.request("HEAD", "/" + unique_name("nob"))
    assert resp.status == 404
    assert resp.body == b""


def test_buckets_survive_restart(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    for n in ("one", "two", "three"):
        s3.create_bucket(Bucket=n)
    s3.delete_bucket(Bucket="two")
    srv.restart()
    assert sorted(b["Name"] for b in srv.client().list_buckets()["Buckets"]) == ["one", "three"]
