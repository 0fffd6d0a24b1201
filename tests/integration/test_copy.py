"""CopyObject: within and across buckets, metadata directives, conditions, errors."""

import hashlib

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, random_bytes, unique_name

MiB = 1024 * 1024


@pytest.mark.parametrize("size", [0, 100, 300 * 1024, 7 * MiB + 3])
def test_copy_same_bucket(s3, bucket, size):
    body = random_bytes(size, seed=f"copy{size}")
    s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="text/x-src",
                  Metadata={"m": "1"})
    resp = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    etag = f'"{hashlib.md5(body).hexdigest()}"'
    assert resp["CopyObjectResult"]["ETag"] == etag
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == body
    assert got["ETag"] == etag
    assert got["ContentType"] == "text/x-src" and got["Metadata"] == {"m": "1"}
    # The source is untouched, and the copy is independent of it.
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == body


def test_copy_across_buckets(s3, bucket):
    other = unique_name("dst")
    s3.create_bucket(Bucket=other)
    try:
        body = random_bytes(2 * MiB, seed="xb")
        s3.put_object(Bucket=bucket, Key="a/b c", Body=body)
        s3.copy_object(Bucket=other, Key="copied", CopySource={"Bucket": bucket, "Key": "a/b c"})
        assert s3.get_object(Bucket=other, Key="copied")["Body"].read() == body
    finally:
        s3.delete_object(Bucket=other, Key="copied")
        s3.delete_bucket(Bucket=other)


def test_copy_replace_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", ContentType="text/old",
                  Metadata={"old": "1"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", ContentType="text/new", Metadata={"new": "2"})
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["ContentType"] == "text/new" and head["Metadata"] == {"new": "2"}


def test_copy_onto_itself_needs_replace(s3, bucket):
    s3.put_object(Bucket=bucket, Key="self", Body=b"same", Metadata={"v": "1"})
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert_s3_error(e, "InvalidRequest", 400)
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"v": "2"})
    got = s3.get_object(Bucket=bucket, Key="self")
    assert got["Metadata"] == {"v": "2"} and got["Body"].read() == b"same"


def test_copy_missing_source(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert_s3_error(e, "NoSuchKey", 404)
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst",
                       CopySource={"Bucket": unique_name("nobucket"), "Key": "x"})
    assert_s3_error(e, "NoSuchBucket", 404)


def test_copy_conditions(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"cond")["ETag"]
    src = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="ok", CopySource=src, CopySourceIfMatch=etag)
    s3.copy_object(Bucket=bucket, Key="ok2", CopySource=src, CopySourceIfNoneMatch='"abc"')
    for kw in ({"CopySourceIfMatch": '"0123456789abcdef0123456789abcdef"'},
               {"CopySourceIfNoneMatch": etag}):
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=bucket, Key="no", CopySource=src, **kw)
        assert_s3_error(e, "PreconditionFailed", 412)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="no")


def test_copy_invalid_source_header(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/dst", headers={"x-amz-copy-source": "no-slash-here"})
    assert (resp.status, resp.code) == (400, "InvalidArgument"), resp


def test_copy_multipart_source(s3, bucket):
    parts = [random_bytes(5 * MiB, "p1"), random_bytes(1000, "p2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        done.append({"PartNumber": i, "ETag": s3.upload_part(
            Bucket=bucket, Key="mp", UploadId=uid, PartNumber=i, Body=p)["ETag"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    s3.copy_object(Bucket=bucket, Key="mp-copy", CopySource={"Bucket": bucket, "Key": "mp"})
    assert s3.get_object(Bucket=bucket, Key="mp-copy")["Body"].read() == b"".join(parts)
