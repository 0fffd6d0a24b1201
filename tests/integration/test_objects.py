"""Object PUT/GET/HEAD/DELETE through boto3: sizes around the inline limit and the erasure
block, metadata, ranges, overwrites, multi-object delete, odd keys."""

import hashlib

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, check_slow_reader_blocks_no_writer, make_client, \
    random_bytes

KiB, MiB = 1024, 1024 * 1024

# 4 drives, 2 data shards: an object up to 256 KiB is inline (128 KiB per drive); the erasure
# block is 1 MiB. Sizes on both sides of each edge.
SIZES = [0, 1, 15, 4 * KiB, 256 * KiB - 1, 256 * KiB, 256 * KiB + 1, MiB - 1, MiB, MiB + 1,
         2 * MiB + 12345, 9 * MiB + 7]


@pytest.mark.parametrize("size", SIZES)
def test_put_get_head_roundtrip(server, bucket, size):
    s3 = server.client(read_timeout=15)
    body = random_bytes(size, seed=size)
    put = s3.put_object(Bucket=bucket, Key=f"obj-{size}", Body=body)
    md5 = hashlib.md5(body).hexdigest()
    assert put["ETag"] == f'"{md5}"'
    got = s3.get_object(Bucket=bucket, Key=f"obj-{size}")
    assert got["ContentLength"] == size
    assert got["ETag"] == f'"{md5}"'
    data = got["Body"].read()
    assert len(data) == size and data == body
    head = s3.head_object(Bucket=bucket, Key=f"obj-{size}")
    assert head["ContentLength"] == size and head["ETag"] == f'"{md5}"'
    assert head["LastModified"] is not None


def test_empty_put_then_put_same_connection(s3, bucket):
    """boto3 sends Expect: 100-continue on every PutObject, also with an empty body. Debian's
    botocore (1.29) breaks if the final response comes without a 100 Continue first and the
    next request on that connection expects one too: the server must send 100 Continue
    whenever the request has Expect: 100-continue, even for Content-Length: 0."""
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    s3.put_object(Bucket=bucket, Key="after", Body=b"next on the same connection")
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == \
        b"next on the same connection"


def test_metadata_and_headers_roundtrip(s3, bucket):
    s3.put_object(Bucket=bucket, Key="meta", Body=b"data", ContentType="text/x-cairn",
                  Metadata={"color": "blue", "Mixed-Case": "Value With Spaces"},
                  CacheControl="max-age=60", ContentDisposition="attachment; filename=a.txt",
                  ContentEncoding="identity", ContentLanguage="en")
    for resp in (s3.head_object(Bucket=bucket, Key="meta"),
                 s3.get_object(Bucket=bucket, Key="meta")):
        assert resp["ContentType"] == "text/x-cairn"
        assert resp["Metadata"] == {"color": "blue", "mixed-case": "Value With Spaces"}
        assert resp["CacheControl"] == "max-age=60"
        assert resp["ContentDisposition"] == "attachment; filename=a.txt"
        assert resp["ContentLanguage"] == "en"


def test_default_content_type(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/noct", body=b"abc")
    assert resp.status == 200, resp
    head = raw.request("HEAD", f"/{bucket}/noct")
    assert head.headers.get("content-type") == "binary/octet-stream" or \
        head.headers.get("content-type") == "application/octet-stream"


def test_overwrite_replaces_whole_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=random_bytes(3 * MiB, 1))
    second = random_bytes(1000, 2)
    s3.put_object(Bucket=bucket, Key="k", Body=second)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == second
    third = random_bytes(2 * MiB + 5, 3)
    s3.put_object(Bucket=bucket, Key="k", Body=third)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == third


def test_slow_get_does_not_hold_the_key(server, s3, bucket):
    check_slow_reader_blocks_no_writer(s3, make_client(server.endpoint, read_timeout=10), bucket)


def test_get_missing_key(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="nope")
    assert_s3_error(e, "NoSuchKey", 404)


def test_head_missing_key_is_404_without_body(raw, bucket):
    resp = raw.request("HEAD", f"/{bucket}/nope")
    assert resp.status == 404 and resp.body == b""


def test_delete_is_idempotent(s3, bucket):
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="d")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("key", [
    "plain",
    "with space and +plus",
    "nested/deep/path/file.txt",
    "unicode-ключ-キー-🙂",
    "special !$&'()*,;=:@~%25",
    "trailing/",
    "a" * 1024,
    "dot./.dot/..x",
    "?question#hash[brackets]",
])
def test_odd_keys_roundtrip(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == [key]
    s3.delete_object(Bucket=bucket, Key=key)


def test_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert_s3_error(e, "KeyTooLongError", 400)


RANGE_SIZE = 3 * MiB + 333


@pytest.fixture
def ranged(s3, bucket):
    body = random_bytes(RANGE_SIZE, seed="range")
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    return body


@pytest.mark.parametrize("spec,first,last", [
    ("bytes=0-0", 0, 0),
    ("bytes=0-9", 0, 9),
    ("bytes=100-", 100, RANGE_SIZE - 1),
    ("bytes=-500", RANGE_SIZE - 500, RANGE_SIZE - 1),
    ("bytes=524287-524288", 524287, 524288),          # across the shard boundary in a block
    ("bytes=1048570-1048580", 1048570, 1048580),      # across the 1 MiB erasure block
    ("bytes=1000-2100000", 1000, 2100000),            # three blocks
    ("bytes=3145000-99999999", 3145000, RANGE_SIZE - 1),  # last past the end: clamped
    ("bytes=-99999999", 0, RANGE_SIZE - 1),           # suffix longer than the object
])
def test_range_get(s3, bucket, ranged, spec, first, last):
    got = s3.get_object(Bucket=bucket, Key="r", Range=spec)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == f"bytes {first}-{last}/{RANGE_SIZE}"
    assert got["ContentLength"] == last - first + 1
    assert got["Body"].read() == ranged[first:last + 1]


@pytest.mark.parametrize("spec", [f"bytes={RANGE_SIZE}-", f"bytes={RANGE_SIZE + 10}-{RANGE_SIZE + 20}"])
def test_unsatisfiable_range(s3, bucket, ranged, spec):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range=spec)
    assert_s3_error(e, "InvalidRange", 416)


def test_range_on_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="empty", Range="bytes=0-0")
    assert_s3_error(e, "InvalidRange", 416)


def test_malformed_range_is_ignored(s3, bucket, ranged):
    # RFC 9110: a syntactically invalid Range header is ignored: the whole object, 200.
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=abc")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == ranged


def test_delete_objects_batch(s3, bucket):
    keys = [f"batch/{i:03d}" for i in range(30)]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    resp = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": k} for k in keys[:20]] + [{"Key": "batch/not-there"}]})
    assert sorted(d["Key"] for d in resp["Deleted"]) == sorted(keys[:20] + ["batch/not-there"])
    assert resp.get("Errors", []) == []
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert left == keys[20:]
    quiet = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": k} for k in keys[20:]], "Quiet": True})
    assert quiet.get("Deleted", []) == [] and quiet.get("Errors", []) == []
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_get_object_response_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="application/json",
                        ResponseContentDisposition="inline", ResponseCacheControl="no-cache")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"


def test_many_small_objects_read_after_write(s3, bucket):
    for i in range(50):
        body = random_bytes(i * 37, seed=i)
        s3.put_object(Bucket=bucket, Key=f"raw/{i}", Body=body)
        assert s3.get_object(Bucket=bucket, Key=f"raw/{i}")["Body"].read() == body
