"""Multipart uploads as AWS S3 answers them where cairn used to differ:

- a CompleteMultipartUpload retried after it succeeded (the SDK lost the first answer) gets
  200 and the same object, also after a restart; with other parts InvalidPart; once another
  PUT replaced the object, NoSuchUpload;
- two uploads of one part number in flight at once, the first one finishing last: every
  drive keeps the one that started last, and a Complete naming its ETag gets its bytes;
- checksums: a wrong x-amz-checksum-* is 400 BadDigest on PutObject and UploadPart (a
  malformed one InvalidRequest); ChecksumType (COMPOSITE, FULL_OBJECT) on
  CreateMultipartUpload, ListParts, Complete and HEAD/GET with ChecksumMode; FULL_OBJECT CRCs
  combined from the parts; part checksums checked at Complete.

Debian's boto3 1.26 knows neither ChecksumType nor CRC64NVME: those go as raw signed requests.
"""

import base64
import hashlib
import socket
import time
import xml.etree.ElementTree as ET
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, SECRET_KEY, assert_s3_error, random_bytes
from s3raw import _read_response, build_request, canonical_query, sign_v4

MiB = 1024 * 1024


def _crc_table(poly, width):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc_table(0x82F63B78, 32)
_CRC64NVME = _crc_table(0x9A6C9329AC4BC9B5, 64)


def _crc(table, mask, data):
    c = mask
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ mask


def crc_value(algo, data):
    """The base64 x-amz-checksum-<algo> value of `data`."""
    if algo == "crc32":
        raw = zlib.crc32(data).to_bytes(4, "big")
    elif algo == "crc32c":
        try:
            from awscrt import checksums
            value = checksums.crc32c(data)
        except ImportError:
            value = _crc(_CRC32C, 0xFFFFFFFF, data)
        raw = value.to_bytes(4, "big")
    elif algo == "crc64nvme":
        raw = _crc(_CRC64NVME, (1 << 64) - 1, data).to_bytes(8, "big")
    else:
        raw = hashlib.new(algo, data).digest()
    return base64.b64encode(raw).decode()


def test_crc_helpers_are_right():
    assert base64.b64decode(crc_value("crc64nvme", b"123456789")).hex() == "ae8b14860a799888"
    assert base64.b64decode(crc_value("crc32c", b"123456789")).hex() == "e3069283"


def xml_of(resp):
    return ET.fromstring(resp.body)


def text(root, name):
    """The text of `root`'s child element `name`, whatever its namespace."""
    for el in root:
        if el.tag.rsplit("}", 1)[-1] == name:
            return el.text
    return None


def complete_xml(parts):
    """parts: [(number, etag, {"CRC32": value, ...})]"""
    body = "<CompleteMultipartUpload>"
    for number, etag, checksums in parts:
        body += f"<Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag>"
        for algo, value in checksums.items():
            body += f"<Checksum{algo}>{value}</Checksum{algo}>"
        body += "</Part>"
    return (body + "</CompleteMultipartUpload>").encode()


def create_raw(raw, bucket, key, headers):
    resp = raw.request("POST", f"/{bucket}/{key}", query=[("uploads", "")], headers=headers)
    upload_id = text(xml_of(resp), "UploadId") if resp.status == 200 else None
    return resp, upload_id


def upload_part_raw(raw, bucket, key, upload_id, number, body, headers=None):
    return raw.request("PUT", f"/{bucket}/{key}",
                       query=[("partNumber", str(number)), ("uploadId", upload_id)],
                       headers=headers or {}, body=body)


def complete_raw(raw, bucket, key, upload_id, parts, headers=None):
    return raw.request("POST", f"/{bucket}/{key}", query=[("uploadId", upload_id)],
                       headers=headers or {}, body=complete_xml(parts))


def two_part_upload(s3, bucket, key, seed):
    parts = [random_bytes(5 * MiB, f"{seed}1"), random_bytes(1000, f"{seed}2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=p)["ETag"]
        done.append({"PartNumber": i, "ETag": etag})
    return uid, done, parts


# ---- A retried CompleteMultipartUpload.

def test_retried_complete_answers_with_the_object(s3, bucket):
    uid, done, parts = two_part_upload(s3, bucket, "retry", "r")
    first = s3.complete_multipart_upload(Bucket=bucket, Key="retry", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    again = s3.complete_multipart_upload(Bucket=bucket, Key="retry", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert again["ETag"] == first["ETag"]
    assert again["Key"] == "retry" and again["Bucket"] == bucket
    assert s3.get_object(Bucket=bucket, Key="retry")["Body"].read() == b"".join(parts)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    # A retry that names other parts than the completion used is InvalidPart, as in S3.
    for other in ([done[0]], [done[0], {"PartNumber": 2, "ETag": done[0]["ETag"]}]):
        with pytest.raises(ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="retry", UploadId=uid,
                                         MultipartUpload={"Parts": other})
        assert_s3_error(e, "InvalidPart", 400)
    # Once another PUT replaced the object, the upload is gone for good.
    s3.put_object(Bucket=bucket, Key="retry", Body=b"replaced")
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="retry", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert_s3_error(e, "NoSuchUpload", 404)
    assert s3.get_object(Bucket=bucket, Key="retry")["Body"].read() == b"replaced"


def test_retried_complete_after_a_restart(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="retry-restart")
    uid, done, parts = two_part_upload(s3, "retry-restart", "k", "restart")
    first = s3.complete_multipart_upload(Bucket="retry-restart", Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    srv.restart()
    s3 = srv.client()
    again = s3.complete_multipart_upload(Bucket="retry-restart", Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": done})
    assert again["ETag"] == first["ETag"]
    assert s3.get_object(Bucket="retry-restart", Key="k")["Body"].read() == b"".join(parts)


def test_complete_of_an_unknown_upload_is_no_such_upload(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="plain", UploadId="nope.0",
                                     MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                 "ETag": '"00"'}]})
    assert_s3_error(e, "NoSuchUpload", 404)


# ---- Two uploads of one part number at once.

def start_slow_part(server, bucket, key, upload_id, number, body, sent):
    """Sends the headers and the first `sent` bytes of an UploadPart; returns the socket."""
    path = f"/{bucket}/{key}"
    query = [("partNumber", str(number)), ("uploadId", upload_id)]
    headers = {"host": f"{server.host}:{server.port}", "content-length": str(len(body))}
    headers = sign_v4("PUT", path, query, headers, "UNSIGNED-PAYLOAD", ACCESS_KEY, SECRET_KEY)
    sock = socket.create_connection((server.host, server.port), timeout=60)
    sock.sendall(build_request("PUT", path + "?" + canonical_query(query), headers) + body[:sent])
    return sock


def wait_for(cond, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_part_uploaded_twice_at_once_the_last_to_finish_counts(server, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="race")["UploadId"]
    slow = random_bytes(6 * MiB, "slow")
    fast = random_bytes(5 * MiB + 3, "fast")
    tail = b"tail"
    # The first upload of part 1 starts and stalls half way (its shards are being written),
    # a second one starts after it and finishes, then the first one finishes last: as on S3,
    # the one that finished last is the part.
    before = set(server.tmp_files())
    sock = start_slow_part(server, bucket, "race", uid, 1, slow, 3 * MiB)
    try:
        wait_for(lambda: set(server.tmp_files()) - before)
        fast_etag = s3.upload_part(Bucket=bucket, Key="race", UploadId=uid, PartNumber=1,
                                   Body=fast)["ETag"]
        sock.sendall(slow[3 * MiB:])
        resp = _read_response(sock, 60)
    finally:
        sock.close()
    assert resp.status == 200, resp
    slow_etag = resp.headers["etag"]
    assert slow_etag == f'"{hashlib.md5(slow).hexdigest()}"'
    assert fast_etag == f'"{hashlib.md5(fast).hexdigest()}"'
    tail_etag = s3.upload_part(Bucket=bucket, Key="race", UploadId=uid, PartNumber=2,
                               Body=tail)["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key="race", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"]) for p in listed] == [(1, slow_etag), (2, tail_etag)]
    # The replaced copy's ETag names no part.
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="race", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": fast_etag}, {"PartNumber": 2, "ETag": tail_etag}]})
    assert_s3_error(e, "InvalidPart", 400)
    # A client that lists both uploads of the number (in the order it got their answers) is
    # not refused with InvalidPartOrder: the entry that names the kept part counts.
    s3.complete_multipart_upload(Bucket=bucket, Key="race", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": fast_etag}, {"PartNumber": 1, "ETag": slow_etag},
                  {"PartNumber": 2, "ETag": tail_etag}]})
    got = s3.get_object(Bucket=bucket, Key="race")
    assert got["Body"].read() == slow + tail
    assert got["ETag"].endswith('-2"')
    wait_for(lambda: not set(server.tmp_files()) - before)


def test_complete_with_parts_out_of_order_is_invalid_part_order(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="order")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="order", UploadId=uid, PartNumber=n,
                            Body=random_bytes(5 * MiB if n == 1 else 10, f"o{n}"))["ETag"]
             for n in (1, 2)]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]})
    assert_s3_error(e, "InvalidPartOrder", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="order", UploadId=uid)


# ---- Checksums.

ALGOS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"]


@pytest.mark.parametrize("algo", ALGOS)
def test_wrong_checksum_is_bad_digest(raw, s3, bucket, algo):
    body = b"the real body"
    header = f"x-amz-checksum-{algo}"
    resp = raw.request("PUT", f"/{bucket}/bad", body=body,
                       headers={header: crc_value(algo, b"another body")})
    assert (resp.status, resp.code) == (400, "BadDigest"), resp
    resp = raw.request("PUT", f"/{bucket}/good", body=body, headers={header: crc_value(algo, body)})
    assert resp.status == 200 and resp.headers[header] == crc_value(algo, body), resp
    assert resp.headers["x-amz-checksum-type"] == "FULL_OBJECT"
    head = raw.request("HEAD", f"/{bucket}/good", headers={"x-amz-checksum-mode": "ENABLED"})
    assert head.headers[header] == crc_value(algo, body)
    assert head.headers["x-amz-checksum-type"] == "FULL_OBJECT"
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    resp = upload_part_raw(raw, bucket, "mp", uid, 1, body,
                           {header: crc_value(algo, b"another body")})
    assert (resp.status, resp.code) == (400, "BadDigest"), resp
    # Malformed: not base64, or base64 of the wrong length.
    for value in ("!!!not base64", base64.b64encode(b"\x01" * 3).decode()):
        resp = upload_part_raw(raw, bucket, "mp", uid, 1, body, {header: value})
        assert (resp.status, resp.code) == (400, "InvalidRequest"), resp
        resp = raw.request("PUT", f"/{bucket}/bad", body=body, headers={header: value})
        assert (resp.status, resp.code) == (400, "InvalidRequest"), resp
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid).get("Parts", []) == []
    assert raw.request("HEAD", f"/{bucket}/bad").status == 404
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid)


@pytest.mark.parametrize("algo,ctype,code", [
    ("SHA256", "FULL_OBJECT", "InvalidRequest"),
    ("SHA1", "FULL_OBJECT", "InvalidRequest"),
    ("CRC64NVME", "COMPOSITE", "InvalidRequest"),
    ("CRC32", "SOMETHING", "InvalidRequest"),
    (None, "FULL_OBJECT", "InvalidRequest"),
])
def test_create_refuses_checksum_types_s3_refuses(raw, bucket, algo, ctype, code):
    headers = {"x-amz-checksum-type": ctype}
    if algo:
        headers["x-amz-checksum-algorithm"] = algo
    resp, _ = create_raw(raw, bucket, "refused", headers)
    assert (resp.status, resp.code) == (400, code), resp


@pytest.mark.parametrize("algo,ctype,want", [
    ("CRC32", None, "COMPOSITE"),
    ("SHA256", "COMPOSITE", "COMPOSITE"),
    ("CRC32C", "FULL_OBJECT", "FULL_OBJECT"),
    ("CRC64NVME", None, "FULL_OBJECT"),
])
def test_create_and_list_parts_report_the_checksum_type(raw, s3, bucket, algo, ctype, want):
    headers = {"x-amz-checksum-algorithm": algo}
    if ctype:
        headers["x-amz-checksum-type"] = ctype
    resp, uid = create_raw(raw, bucket, "typed", headers)
    assert resp.status == 200, resp
    assert resp.headers["x-amz-checksum-algorithm"] == algo
    assert resp.headers["x-amz-checksum-type"] == want
    listed = raw.request("GET", f"/{bucket}/typed", query=[("uploadId", uid)])
    assert listed.status == 200, listed
    assert text(xml_of(listed), "ChecksumAlgorithm") == algo
    assert text(xml_of(listed), "ChecksumType") == want
    s3.abort_multipart_upload(Bucket=bucket, Key="typed", UploadId=uid)


@pytest.mark.parametrize("algo", ["crc32", "crc32c", "crc64nvme"])
def test_full_object_checksum_is_the_crc_of_the_object(raw, bucket, algo):
    key = f"full-{algo}"
    parts = [random_bytes(5 * MiB, f"{algo}1"), random_bytes(105, f"{algo}2")]
    whole = b"".join(parts)
    whole_crc = crc_value(algo, whole)
    header = f"x-amz-checksum-{algo}"
    resp, uid = create_raw(raw, bucket, key, {"x-amz-checksum-algorithm": algo.upper(),
                                              "x-amz-checksum-type": "FULL_OBJECT"})
    assert resp.status == 200, resp
    done = []
    for i, p in enumerate(parts, 1):
        r = upload_part_raw(raw, bucket, key, uid, i, p, {header: crc_value(algo, p)})
        assert r.status == 200 and r.headers[header] == crc_value(algo, p), r
        done.append((i, r.headers["etag"], {}))
    # A whole-object checksum that is not the object's is BadDigest, and nothing is made.
    bad = complete_raw(raw, bucket, key, uid, done, {header: crc_value(algo, b"wrong")})
    assert (bad.status, bad.code) == (400, "BadDigest"), bad
    # A part checksum that is not the part's is InvalidPart.
    wrong = [(n, e, {algo.upper(): crc_value(algo, b"x")}) for n, e, _ in done]
    bad = complete_raw(raw, bucket, key, uid, wrong)
    assert (bad.status, bad.code) == (400, "InvalidPart"), bad
    # A checksum type that is not the upload's is InvalidRequest.
    bad = complete_raw(raw, bucket, key, uid, done, {"x-amz-checksum-type": "COMPOSITE"})
    assert (bad.status, bad.code) == (400, "InvalidRequest"), bad
    assert raw.request("HEAD", f"/{bucket}/{key}").status == 404
    ok = complete_raw(raw, bucket, key, uid, done, {header: whole_crc})
    assert ok.status == 200, ok
    root = xml_of(ok)
    assert text(root, f"Checksum{algo.upper()}") == whole_crc
    assert text(root, "ChecksumType") == "FULL_OBJECT"
    for method in ("HEAD", "GET"):
        got = raw.request(method, f"/{bucket}/{key}", headers={"x-amz-checksum-mode": "ENABLED"})
        assert got.status == 200, got
        assert got.headers[header] == whole_crc
        assert got.headers["x-amz-checksum-type"] == "FULL_OBJECT"
        if method == "GET":
            assert got.body == whole


def test_composite_checksum_needs_every_part_checksum(raw, s3, bucket):
    parts = [random_bytes(5 * MiB, "comp1"), random_bytes(10, "comp2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="comp",
                                     ChecksumAlgorithm="SHA256")["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="comp", UploadId=uid, PartNumber=i, Body=p,
                           ChecksumAlgorithm="SHA256")
        done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
    bare = [{"PartNumber": d["PartNumber"], "ETag": d["ETag"]} for d in done]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="comp", UploadId=uid,
                                     MultipartUpload={"Parts": bare})
    assert_s3_error(e, "InvalidRequest", 400)  # as S3: "It was missing for part 1"
    swapped = [dict(done[0], ChecksumSHA256=done[1]["ChecksumSHA256"]), done[1]]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="comp", UploadId=uid,
                                     MultipartUpload={"Parts": swapped})
    assert_s3_error(e, "InvalidPart", 400)
    resp = s3.complete_multipart_upload(Bucket=bucket, Key="comp", UploadId=uid,
                                        MultipartUpload={"Parts": done})
    raw_sums = b"".join(hashlib.sha256(p).digest() for p in parts)
    want = base64.b64encode(hashlib.sha256(raw_sums).digest()).decode() + "-2"
    assert resp["ChecksumSHA256"] == want
    head = raw.request("HEAD", f"/{bucket}/comp", headers={"x-amz-checksum-mode": "ENABLED"})
    assert head.headers["x-amz-checksum-sha256"] == want
    assert head.headers["x-amz-checksum-type"] == "COMPOSITE"


def test_parts_carry_the_uploads_checksum(raw, s3, bucket):
    """A part sent without a checksum gets the upload's (computed, in the UploadPart answer);
    one with another algorithm is refused, as S3 does ("Checksum Type mismatch")."""
    resp, uid = create_raw(raw, bucket, "implicit", {"x-amz-checksum-algorithm": "CRC32",
                                                     "x-amz-checksum-type": "FULL_OBJECT"})
    assert resp.status == 200, resp
    parts = [random_bytes(5 * MiB, "imp1"), random_bytes(33, "imp2")]
    # (a small body: the server answers before it reads one, and may close the connection)
    bad = upload_part_raw(raw, bucket, "implicit", uid, 1, parts[1],
                          {"x-amz-checksum-sha256": crc_value("sha256", parts[1])})
    assert (bad.status, bad.code) == (400, "InvalidRequest"), bad
    done = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="implicit", UploadId=uid, PartNumber=i, Body=p)
        assert r["ChecksumCRC32"] == crc_value("crc32", p)
        done.append((i, r["ETag"], {}))
    whole = b"".join(parts)
    ok = complete_raw(raw, bucket, "implicit", uid, done)
    assert ok.status == 200, ok
    assert text(xml_of(ok), "ChecksumCRC32") == crc_value("crc32", whole)
    assert s3.get_object(Bucket=bucket, Key="implicit")["Body"].read() == whole
