"""Requests that ask for a feature this server cannot give are refused with AWS's (or MinIO's)
error and change nothing: SSE-S3 and SSE-KMS on a server without a KMS, SSE-C over plain HTTP
(the shared server has neither a KMS nor --sse-c-allow-http), object lock on a bucket without
it. A client that asked for encryption must never get a 200 for plaintext storage."""

import base64
import hashlib

import botocore.exceptions
import pytest

KEY = b"k" * 32
SSE_C = {
    "x-amz-server-side-encryption-customer-algorithm": "AES256",
    "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY).decode(),
    "x-amz-server-side-encryption-customer-key-md5":
        base64.b64encode(hashlib.md5(KEY).digest()).decode(),
}


def error_of(excinfo):
    err = excinfo.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"]


@pytest.mark.parametrize("kwargs", [
    {"ServerSideEncryption": "AES256"},
    {"ServerSideEncryption": "aws:kms"},
    {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "my-key"},
])
def test_sse_s3_and_kms_are_refused_and_store_nothing(s3, bucket, kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="secret", Body=b"plaintext", **kwargs)
    assert error_of(e) == (501, "NotImplemented")
    assert "KMS is not configured" in e.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="secret")
    assert error_of(e)[0] == 404
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_multipart_upload(Bucket=bucket, Key="secret", **kwargs)
    assert error_of(e) == (501, "NotImplemented")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_sse_kms_on_copy_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                       ServerSideEncryption="AES256")
    assert error_of(e) == (501, "NotImplemented")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="dst")


def test_sse_c_over_plain_http_is_refused(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/c", headers=dict(SSE_C), body=b"plaintext")
    assert (resp.status, resp.code) == (400, "InvalidRequest"), resp
    assert b"secure connection" in resp.body
    assert raw.request("HEAD", f"/{bucket}/c").status == 404
    # A plain object read with a customer key is refused too, never served as if decrypted.
    assert raw.request("PUT", f"/{bucket}/plain", body=b"data").status == 200
    for method in ("GET", "HEAD"):
        resp = raw.request(method, f"/{bucket}/plain", headers=dict(SSE_C))
        assert resp.status == 400, (method, resp)
    copy_headers = {"x-amz-copy-source": f"/{bucket}/plain"}
    copy_headers.update({k.replace("x-amz-", "x-amz-copy-source-"): v for k, v in SSE_C.items()})
    resp = raw.request("PUT", f"/{bucket}/copy", headers=copy_headers)
    assert (resp.status, resp.code) == (400, "InvalidRequest"), resp
    assert raw.request("HEAD", f"/{bucket}/copy").status == 404


def test_object_lock_headers_are_refused(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="locked", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate="2030-01-01T00:00:00Z")
    assert error_of(e) == (400, "InvalidRequest")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="locked", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert error_of(e) == (400, "InvalidRequest")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="locked")
