"""Integrity headers: Content-MD5, x-amz-checksum-{crc32,crc32c,sha1,sha256} (boto3's
ChecksumAlgorithm and raw headers), x-amz-content-sha256, and multipart checksums."""

import base64
import hashlib
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, random_bytes

MiB = 1024 * 1024


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    try:  # awscrt comes with Debian's awscli; the pure-Python loop is slow on megabytes
        from awscrt import checksums
        return checksums.crc32c(data)
    except ImportError:
        pass
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def b64(raw):
    return base64.b64encode(raw).decode()


def checksum(algo, data):
    if algo == "crc32":
        return b64(zlib.crc32(data).to_bytes(4, "big"))
    if algo == "crc32c":
        return b64(crc32c(data).to_bytes(4, "big"))
    return b64(hashlib.new(algo, data).digest())


def test_crc32c_helper_is_right():
    assert crc32c(b"123456789") == 0xE3069283  # the standard check value
    assert _crc32c_table()[1] == 0xF26B8303


def test_content_md5(raw, s3, bucket):
    body = b"checked by md5"
    good = b64(hashlib.md5(body).digest())
    s3.put_object(Bucket=bucket, Key="md5", Body=body, ContentMD5=good)
    resp = raw.request("PUT", f"/{bucket}/md5bad", body=body,
                       headers={"content-md5": b64(hashlib.md5(b"other").digest())})
    assert (resp.status, resp.code) == (400, "BadDigest"), resp
    for bad in ("not-base64!!", b64(b"short")):
        resp = raw.request("PUT", f"/{bucket}/md5bad", body=body, headers={"content-md5": bad})
        assert (resp.status, resp.code) == (400, "InvalidDigest"), resp
    assert raw.request("HEAD", f"/{bucket}/md5bad").status == 404


def test_content_md5_large_mismatch_leaves_nothing(raw, server, bucket):
    body = random_bytes(3 * MiB, "md5big")
    resp = raw.request("PUT", f"/{bucket}/bigbad", body=body,
                       headers={"content-md5": b64(hashlib.md5(body[:-1]).digest())})
    assert (resp.status, resp.code) == (400, "BadDigest"), resp
    assert raw.request("HEAD", f"/{bucket}/bigbad").status == 404
    assert server.tmp_files() == []


@pytest.mark.parametrize("algo", ["crc32", "crc32c", "sha1", "sha256"])
@pytest.mark.parametrize("size", [10, 3 * MiB + 1])
def test_checksum_header_roundtrip(raw, s3, bucket, algo, size):
    body = random_bytes(size, seed=f"{algo}{size}")
    value = checksum(algo, body)
    header = f"x-amz-checksum-{algo}"
    resp = raw.request("PUT", f"/{bucket}/ck", body=body, headers={header: value})
    assert resp.status == 200, resp
    assert resp.headers.get(header) == value
    head = s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert head[f"Checksum{algo.upper()}"] == value
    got = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert got[f"Checksum{algo.upper()}"] == value
    assert got["Body"].read() == body


@pytest.mark.parametrize("algo", ["crc32", "crc32c", "sha1", "sha256"])
def test_checksum_mismatch_is_bad_digest(raw, bucket, algo):
    body = b"the real body"
    resp = raw.request("PUT", f"/{bucket}/ckbad", body=body,
                       headers={f"x-amz-checksum-{algo}": checksum(algo, b"another body")})
    assert (resp.status, resp.code) == (400, "BadDigest"), resp
    assert raw.request("HEAD", f"/{bucket}/ckbad").status == 404


@pytest.mark.parametrize("algo,value", [("crc32", "!!!"), ("crc32", b64(b"12345")),
                                        ("sha256", b64(b"short"))])
def test_malformed_checksum_is_invalid_request(raw, bucket, algo, value):
    resp = raw.request("PUT", f"/{bucket}/ckmal", body=b"x",
                       headers={f"x-amz-checksum-{algo}": value})
    assert (resp.status, resp.code) == (400, "InvalidRequest"), resp


@pytest.mark.parametrize("algo", ["CRC32", "SHA256"])
def test_boto3_checksum_algorithm(s3, bucket, algo):
    body = random_bytes(200 * 1024, seed=algo)
    put = s3.put_object(Bucket=bucket, Key="boto", Body=body, ChecksumAlgorithm=algo)
    expected = checksum(algo.lower(), body)
    assert put[f"Checksum{algo}"] == expected
    got = s3.get_object(Bucket=bucket, Key="boto", ChecksumMode="ENABLED")
    assert got[f"Checksum{algo}"] == expected
    assert got["Body"].read() == body


def test_content_sha256_mismatch(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/sha", body=b"actual body",
                       payload_hash=hashlib.sha256(b"claimed body").hexdigest())
    assert (resp.status, resp.code) == (400, "XAmzContentSHA256Mismatch"), resp
    assert raw.request("HEAD", f"/{bucket}/sha").status == 404


def test_unsigned_payload_accepted(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/unsigned", body=b"unsigned body",
                       payload_hash="UNSIGNED-PAYLOAD")
    assert resp.status == 200, resp
    assert raw.request("GET", f"/{bucket}/unsigned").body == b"unsigned body"


def test_multipart_crc32_composite(s3, bucket):
    parts = [random_bytes(5 * MiB, "c1"), random_bytes(1234, "c2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mpck",
                                     ChecksumAlgorithm="CRC32")["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="mpck", UploadId=uid, PartNumber=i, Body=p,
                           ChecksumAlgorithm="CRC32")
        assert r["ChecksumCRC32"] == checksum("crc32", p)
        done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    listed = s3.list_parts(Bucket=bucket, Key="mpck", UploadId=uid)["Parts"]
    assert [p.get("ChecksumCRC32") for p in listed] == [d["ChecksumCRC32"] for d in done]
    resp = s3.complete_multipart_upload(Bucket=bucket, Key="mpck", UploadId=uid,
                                        MultipartUpload={"Parts": done})
    raw_crcs = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    expected = b64(zlib.crc32(raw_crcs).to_bytes(4, "big")) + "-2"
    assert resp["ChecksumCRC32"] == expected
    head = s3.head_object(Bucket=bucket, Key="mpck", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == expected


def test_multipart_part_checksum_mismatch(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mpbad",
                                     ChecksumAlgorithm="CRC32")["UploadId"]
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="mpbad", UploadId=uid, PartNumber=1, Body=b"abc",
                       ChecksumCRC32=checksum("crc32", b"abd"))
    assert_s3_error(e, "BadDigest", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="mpbad", UploadId=uid)
