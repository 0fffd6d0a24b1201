"""Conditional requests: GET/HEAD preconditions (If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since) and conditional writes (PUT with If-None-Match: * / If-Match)."""

import datetime
import email.utils

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error


def http_date(dt):
    return email.utils.format_datetime(dt.astimezone(datetime.timezone.utc), usegmt=True)


@pytest.fixture
def obj(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")["ETag"]
    mtime = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    return bucket, etag, mtime


def test_if_match(s3, obj):
    bucket, etag, _ = obj
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"conditional"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert_s3_error(e, "PreconditionFailed", 412)


def test_if_none_match_is_304(raw, obj):
    bucket, etag, _ = obj
    for method in ("GET", "HEAD"):
        resp = raw.request(method, f"/{bucket}/c", headers={"if-none-match": etag})
        assert resp.status == 304, resp
        assert resp.body == b""
        assert resp.headers.get("etag") == etag
    resp = raw.request("GET", f"/{bucket}/c", headers={"if-none-match": '"other"'})
    assert resp.status == 200 and resp.body == b"conditional"


def test_if_modified_since(raw, obj):
    bucket, _, mtime = obj
    later = http_date(mtime + datetime.timedelta(hours=1))
    earlier = http_date(mtime - datetime.timedelta(hours=1))
    resp = raw.request("GET", f"/{bucket}/c", headers={"if-modified-since": later})
    assert resp.status == 304 and resp.body == b""
    resp = raw.request("GET", f"/{bucket}/c", headers={"if-modified-since": earlier})
    assert resp.status == 200 and resp.body == b"conditional"


def test_if_unmodified_since(s3, obj):
    bucket, _, mtime = obj
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c",
                      IfUnmodifiedSince=mtime - datetime.timedelta(hours=1))
    assert_s3_error(e, "PreconditionFailed", 412)
    got = s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=mtime + datetime.timedelta(hours=1))
    assert got["Body"].read() == b"conditional"


def test_rfc_precedence(raw, obj):
    bucket, etag, mtime = obj
    earlier = http_date(mtime - datetime.timedelta(hours=1))
    later = http_date(mtime + datetime.timedelta(hours=1))
    # If-Match true and If-Unmodified-Since false: 200 (AWS documents this case).
    resp = raw.request("GET", f"/{bucket}/c",
                       headers={"if-match": etag, "if-unmodified-since": earlier})
    assert resp.status == 200, resp
    # If-None-Match false and If-Modified-Since true: 304.
    resp = raw.request("GET", f"/{bucket}/c",
                       headers={"if-none-match": etag, "if-modified-since": earlier})
    assert resp.status == 304, resp
    # If-None-Match true (no match) wins over If-Modified-Since false: 200.
    resp = raw.request("GET", f"/{bucket}/c",
                       headers={"if-none-match": '"zzz"', "if-modified-since": later})
    assert resp.status == 200, resp


def test_head_precondition_failed_has_no_body(raw, obj):
    bucket, _, _ = obj
    resp = raw.request("HEAD", f"/{bucket}/c", headers={"if-match": '"nope"'})
    assert resp.status == 412 and resp.body == b""


def test_conditional_put_if_none_match_star(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/once", headers={"if-none-match": "*"}, body=b"first")
    assert resp.status == 200, resp
    resp = raw.request("PUT", f"/{bucket}/once", headers={"if-none-match": "*"}, body=b"second")
    assert (resp.status, resp.code) == (412, "PreconditionFailed"), resp
    assert raw.request("GET", f"/{bucket}/once").body == b"first"


def test_conditional_put_if_match(raw, s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="cas", Body=b"v1")["ETag"]
    resp = raw.request("PUT", f"/{bucket}/cas", headers={"if-match": '"' + "1" * 32 + '"'},
                       body=b"v2")
    assert (resp.status, resp.code) == (412, "PreconditionFailed"), resp
    resp = raw.request("PUT", f"/{bucket}/cas", headers={"if-match": etag}, body=b"v2")
    assert resp.status == 200, resp
    assert s3.get_object(Bucket=bucket, Key="cas")["Body"].read() == b"v2"
    # If-Match on a key that does not exist: 404 NoSuchKey (AWS conditional writes).
    resp = raw.request("PUT", f"/{bucket}/absent", headers={"if-match": etag}, body=b"v")
    assert (resp.status, resp.code) == (404, "NoSuchKey"), resp


def test_conditional_complete_multipart(raw, s3, bucket):
    s3.put_object(Bucket=bucket, Key="mpc", Body=b"exists")
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mpc")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mpc", UploadId=uid, PartNumber=1,
                          Body=b"part")["ETag"]
    xml = (f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag>"
           f"</Part></CompleteMultipartUpload>").encode()
    resp = raw.request("POST", f"/{bucket}/mpc", query=[("uploadId", uid)],
                       headers={"if-none-match": "*"}, body=xml)
    assert (resp.status, resp.code) == (412, "PreconditionFailed"), resp
    assert s3.get_object(Bucket=bucket, Key="mpc")["Body"].read() == b"exists"
