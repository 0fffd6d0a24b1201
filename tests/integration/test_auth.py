"""Authentication: SigV4 and SigV2 (header and presigned), aws-chunked streaming uploads,
wrong secrets, unknown keys, skewed and missing dates, anonymous requests."""

import datetime
import hashlib
import time
import urllib.parse
import zlib
import base64

import pytest
import requests
from botocore.exceptions import ClientError

import s3raw
from conftest import assert_s3_error, make_client, random_bytes


def error_of(resp):
    return resp.status_code, s3raw.parse_error(resp.content)[0]


# ---- presigned URLs ------------------------------------------------------------------------
@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_presigned_get_and_put(server, s3, bucket, sig):
    signer = server.client(signature=sig)
    body = random_bytes(70000, seed=sig)
    s3.put_object(Bucket=bucket, Key="pre get", Body=body)
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre get"},
                                        ExpiresIn=300)
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == body
    url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre put"},
                                        ExpiresIn=300)
    r = requests.put(url, data=b"uploaded with a presigned url", timeout=10)
    assert r.status_code == 200, r.text
    assert s3.get_object(Bucket=bucket, Key="pre put")["Body"].read() == \
        b"uploaded with a presigned url"


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_presigned_tampered_is_signature_mismatch(server, s3, bucket, sig):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    url = server.client(signature=sig).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=300)
    r = requests.get(url.replace(f"/{bucket}/a?", f"/{bucket}/b?"), timeout=10)
    assert error_of(r) == (403, "SignatureDoesNotMatch"), r.text


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_presigned_wrong_secret(server, s3, bucket, sig):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    bad = server.client(signature=sig, secret_key="not-the-secret")
    url = bad.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a"})
    r = requests.get(url, timeout=10)
    assert error_of(r) == (403, "SignatureDoesNotMatch"), r.text


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_presigned_expired(server, s3, bucket, sig):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    url = server.client(signature=sig).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=1)
    time.sleep(2.2)
    r = requests.get(url, timeout=10)
    assert error_of(r) == (403, "AccessDenied"), r.text


def test_presigned_v4_expiry_over_seven_days(server, s3, bucket):
    url = server.client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=604801)
    r = requests.get(url, timeout=10)
    assert error_of(r) == (400, "AuthorizationQueryParametersError"), r.text


def test_presigned_v4_missing_signature(server, bucket):
    url = server.client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=60)
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "X-Amz-Signature"]
    r = requests.get(parts._replace(query=urllib.parse.urlencode(query)).geturl(), timeout=10)
    assert error_of(r) == (400, "AuthorizationQueryParametersError"), r.text


# ---- header authentication ---------------------------------------------------------------
def test_sigv2_header_auth(server, bucket):
    v2 = server.client(signature="s3")
    v2.put_object(Bucket=bucket, Key="v2 key", Body=b"signed with v2", ContentType="text/x-v2")
    assert v2.get_object(Bucket=bucket, Key="v2 key")["Body"].read() == b"signed with v2"
    assert [o["Key"] for o in v2.list_objects(Bucket=bucket)["Contents"]] == ["v2 key"]


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_wrong_secret_is_signature_mismatch(server, bucket, sig):
    bad = server.client(signature=sig, secret_key="wrong-secret-key")
    for call in (lambda: bad.list_buckets(),
                 lambda: bad.put_object(Bucket=bucket, Key="x", Body=b"x"),
                 lambda: bad.get_object(Bucket=bucket, Key="x")):
        with pytest.raises(ClientError) as e:
            call()
        assert_s3_error(e, "SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_unknown_access_key(server, sig):
    bad = server.client(signature=sig, access_key="NOSUCHKEY1234567890", secret_key="x")
    with pytest.raises(ClientError) as e:
        bad.list_buckets()
    assert_s3_error(e, "InvalidAccessKeyId", 403)


@pytest.mark.parametrize("minutes", [-20, 20, -60 * 24])
def test_skewed_date(raw, minutes):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    resp = raw.request("GET", "/", date=s3raw.amz_date(when))
    assert (resp.status, resp.code) == (403, "RequestTimeTooSkewed"), resp


def test_small_skew_is_accepted(raw):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=4)
    resp = raw.request("GET", "/", date=s3raw.amz_date(when))
    assert resp.status == 200, resp


def test_missing_date_is_access_denied(raw, server):
    # Signed without any date header: AWS answers 403 AccessDenied ("AWS authentication
    # requires a valid Date or x-amz-date header").
    headers = s3raw.sign_v4("GET", "/", [], {"host": f"{server.host}:{server.port}"},
                            s3raw.EMPTY_SHA256, server.access_key, server.secret_key)
    del headers["x-amz-date"]
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request("GET", "/", headers))
    assert (resp.status, resp.code) == (403, "AccessDenied"), resp


def test_unsigned_amz_header_is_access_denied(raw, server, bucket):
    headers = s3raw.sign_v4("PUT", f"/{bucket}/k", [],
                            {"host": f"{server.host}:{server.port}", "content-length": "1"},
                            hashlib.sha256(b"x").hexdigest(), server.access_key,
                            server.secret_key)
    headers["x-amz-meta-sneaky"] = "added after signing"
    resp = s3raw.send_raw(server.host, server.port,
                          s3raw.build_request("PUT", f"/{bucket}/k", headers, b"x"))
    assert (resp.status, resp.code) == (403, "AccessDenied"), resp


def test_tampered_signed_header(raw, server, bucket):
    headers = s3raw.sign_v4("PUT", f"/{bucket}/k", [],
                            {"host": f"{server.host}:{server.port}", "content-length": "1",
                             "x-amz-meta-a": "1"},
                            hashlib.sha256(b"x").hexdigest(), server.access_key,
                            server.secret_key)
    headers["x-amz-meta-a"] = "2"
    resp = s3raw.send_raw(server.host, server.port,
                          s3raw.build_request("PUT", f"/{bucket}/k", headers, b"x"))
    assert (resp.status, resp.code) == (403, "SignatureDoesNotMatch"), resp


@pytest.mark.parametrize("auth", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=cairntestadmin/20250101/us-east-1/s3/aws4_request, "
    "Signature=abcd",  # no SignedHeaders
    "AWS4-HMAC-SHA256 Credential=cairntestadmin/2025/us-east-1/s3, SignedHeaders=host, "
    "Signature=abcd",  # short credential scope
])
def test_malformed_authorization_header(server, auth):
    headers = {"host": f"{server.host}:{server.port}", "x-amz-date": s3raw.amz_date(),
               "x-amz-content-sha256": s3raw.EMPTY_SHA256, "authorization": auth}
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request("GET", "/", headers))
    assert (resp.status, resp.code) == (400, "AuthorizationHeaderMalformed"), resp


# ---- anonymous -----------------------------------------------------------------------------
def test_anonymous_is_access_denied(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="private", Body=b"secret")
    for method, path in (("GET", "/"), ("GET", f"/{bucket}"), ("GET", f"/{bucket}/private"),
                         ("PUT", f"/{bucket}/anon"), ("DELETE", f"/{bucket}/private"),
                         ("PUT", "/anon-bucket-create")):
        r = requests.request(method, server.endpoint + path, timeout=10,
                             data=b"x" if method == "PUT" else None)
        assert error_of(r) == (403, "AccessDenied"), (method, path, r.text)
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"secret"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="anon")


# ---- aws-chunked streaming uploads ---------------------------------------------------------
def chunked_put(server, path, data, chunk_size=65536, corrupt_chunk=None, payload_hash=None,
                extra=b""):
    """`extra`: bytes sent after the aws-chunked stream, within the Content-Length."""
    date = s3raw.amz_date()
    encoded_len = len(s3raw.aws_chunked_body(data, chunk_size, "0" * 64, "x", date))
    headers = {"host": f"{server.host}:{server.port}", "content-encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data)),
               "content-length": str(encoded_len + len(extra))}
    headers = s3raw.sign_v4("PUT", path, [], headers,
                            payload_hash or "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                            server.access_key, server.secret_key, date=date)
    body = s3raw.aws_chunked_body(data, chunk_size, s3raw.signature_of(headers),
                                  server.secret_key, date, corrupt_chunk=corrupt_chunk)
    assert len(body) == encoded_len
    body += extra
    return s3raw.send_raw(server.host, server.port,
                          s3raw.build_request("PUT", path, headers, body), timeout=30)


@pytest.mark.parametrize("size", [0, 1000, 200 * 1024, 3 * 1024 * 1024 + 5])
def test_aws_chunked_signed_upload(server, s3, bucket, size):
    data = random_bytes(size, seed=f"chunked{size}")
    resp = chunked_put(server, f"/{bucket}/chunked", data)
    assert resp.status == 200, resp
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["Body"].read() == data
    assert got["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert got.get("ContentEncoding") in (None, "")  # aws-chunked is not stored


def test_aws_chunked_bytes_after_the_stream_are_refused(server, s3, bucket):
    # A Content-Length longer than the signed stream: the unsigned tail is not accepted as if
    # it were not there, and nothing is stored.
    data = random_bytes(100 * 1024, seed="tail")
    resp = chunked_put(server, f"/{bucket}/tail", data, extra=b"unsigned tail")
    assert (resp.status, resp.code) == (400, "IncompleteBody"), resp
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="tail")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_aws_chunked_bad_chunk_signature(server, s3, bucket):
    data = random_bytes(300 * 1024, seed="badchunk")
    resp = chunked_put(server, f"/{bucket}/badchunk", data, corrupt_chunk=2)
    assert (resp.status, resp.code) == (403, "SignatureDoesNotMatch"), resp
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="badchunk")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert server.tmp_files() == []


def test_unsigned_payload_trailer_with_crc32(server, s3, bucket):
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER, as newer AWS SDKs send by default."""
    data = random_bytes(150 * 1024, seed="trailer")
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    body = b""
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        body += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    body += f"0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    path = f"/{bucket}/trailer"
    headers = {"host": f"{server.host}:{server.port}", "content-encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32", "content-length": str(len(body))}
    headers = s3raw.sign_v4("PUT", path, [], headers, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                            server.access_key, server.secret_key)
    resp = s3raw.send_raw(server.host, server.port,
                          s3raw.build_request("PUT", path, headers, body))
    assert resp.status == 200, resp
    head = s3.head_object(Bucket=bucket, Key="trailer", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc
    assert s3.get_object(Bucket=bucket, Key="trailer")["Body"].read() == data


def test_credentials_from_flags_only(server):
    # The default credentials do not work when others were given.
    other = make_client(server.endpoint, access_key="cairnadmin", secret_key="cairnadmin")
    with pytest.raises(ClientError) as e:
        other.list_buckets()
    assert_s3_error(e, "InvalidAccessKeyId", 403)


# ---- a header-signed request without x-amz-content-sha256 ------------------------------------
def test_unhashed_body_still_checked_by_content_md5_and_checksums(raw, s3, bucket):
    # Accepted as MinIO accepts it (the body is signed as empty, and not verified by the
    # signature), but a Content-MD5 or x-amz-checksum-* that the client sent is verified.
    body = b"the body as sent"
    empty = hashlib.sha256(b"").hexdigest()
    ok = raw.request("PUT", f"/{bucket}/plain", body=body, payload_hash=empty,
                     content_sha256_header=False,
                     headers={"content-md5": base64.b64encode(hashlib.md5(body).digest())
                              .decode()})
    assert ok.status == 200, ok
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == body
    bad_md5 = raw.request("PUT", f"/{bucket}/md5", body=body, payload_hash=empty,
                          content_sha256_header=False,
                          headers={"content-md5": base64.b64encode(
                              hashlib.md5(b"another body").digest()).decode()})
    assert (bad_md5.status, bad_md5.code) == (400, "BadDigest"), bad_md5
    bad_crc = raw.request("PUT", f"/{bucket}/crc", body=body, payload_hash=empty,
                          content_sha256_header=False,
                          headers={"x-amz-checksum-crc32": "AAAAAA=="})
    assert (bad_crc.status, bad_crc.code) == (400, "BadDigest"), bad_crc
    for key in ("md5", "crc"):
        with pytest.raises(ClientError):
            s3.head_object(Bucket=bucket, Key=key)
