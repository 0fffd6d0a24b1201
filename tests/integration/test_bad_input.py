"""Hostile and broken input on raw sockets: malformed XML, bad signatures and dates, odd keys
that look like paths, truncated bodies, huge headers, garbage request lines. After each, the
server must still serve."""

import base64
import hashlib
import os
import socket
import urllib.parse
import uuid

import pytest

import s3raw
from conftest import random_bytes, retry, wait_until

MiB = 1024 * 1024


def md5_b64(body):
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def assert_serving(raw):
    resp = raw.request("GET", "/")
    assert resp.status == 200, f"the server stopped serving: {resp}"


# ---- malformed XML ---------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    b"<Delete><Object><Key>a</Key></Object>",           # unclosed
    b"not xml at all",
    b"<Delete><Object><Key>a</Key></Object></Wrong>",
    b"",
])
def test_delete_objects_malformed_xml(raw, bucket, body):
    resp = raw.request("POST", f"/{bucket}", query=[("delete", "")], body=body,
                       headers={"content-md5": md5_b64(body)})
    assert (resp.status, resp.code) == (400, "MalformedXML"), resp
    assert_serving(raw)


def test_delete_objects_entity_expansion_is_not_performed(raw, bucket):
    body = (b"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
            b"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
            b"<Delete><Object><Key>&c;&c;&c;</Key></Object></Delete>")
    resp = raw.request("POST", f"/{bucket}", query=[("delete", "")], body=body,
                       headers={"content-md5": md5_b64(body)})
    # Refused, or taken literally; never expanded (a billion-laughs document stays small).
    assert resp.status in (200, 400), resp
    assert b"aaaaaaaaaa" not in resp.body, resp
    if resp.status == 400:
        assert resp.code == "MalformedXML", resp
    assert_serving(raw)


def test_delete_objects_too_many_keys(raw, bucket):
    body = ("<Delete>" + "".join(f"<Object><Key>k{i}</Key></Object>" for i in range(1001)) +
            "</Delete>").encode()
    resp = raw.request("POST", f"/{bucket}", query=[("delete", "")], body=body,
                       headers={"content-md5": md5_b64(body)})
    assert (resp.status, resp.code) == (400, "MalformedXML"), resp


def test_create_bucket_malformed_configuration(raw):
    name = f"cfg-{uuid.uuid4().hex[:10]}"
    resp = raw.request("PUT", f"/{name}", body=b"<CreateBucketConfiguration><Location")
    assert (resp.status, resp.code) == (400, "MalformedXML"), resp
    assert raw.request("HEAD", f"/{name}").status == 404


# ---- signatures and dates ----------------------------------------------------------------------
def test_zero_signature(server):
    headers = s3raw.sign_v4("GET", "/", [], {"host": f"{server.host}:{server.port}"},
                            s3raw.EMPTY_SHA256, server.access_key, server.secret_key)
    auth = headers["authorization"]
    headers["authorization"] = auth[:auth.rindex("=") + 1] + "0" * 64
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request("GET", "/", headers))
    assert (resp.status, resp.code) == (403, "SignatureDoesNotMatch"), resp


@pytest.mark.parametrize("date", ["garbage", "20251301T000000Z", "2025-01-01T00:00:00Z",
                                  "99999999T999999Z"])
def test_malformed_amz_date(raw, date):
    # AWS: 403 AccessDenied, "AWS authentication requires a valid Date or x-amz-date header".
    resp = raw.request("GET", "/", date=date)
    assert (resp.status, resp.code) == (403, "AccessDenied"), resp
    assert_serving(raw)


def test_presigned_malformed_date(server, bucket):
    url = server.client().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "a"}, ExpiresIn=60)
    parts = urllib.parse.urlsplit(url)
    query = [(k, "notadate" if k == "X-Amz-Date" else v)
             for k, v in urllib.parse.parse_qsl(parts.query)]
    target = parts.path + "?" + urllib.parse.urlencode(query)
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request(
        "GET", target, {"host": f"{server.host}:{server.port}"}))
    assert (resp.status, resp.code) == (400, "AuthorizationQueryParametersError"), resp


# ---- keys ----------------------------------------------------------------------------------------
def test_key_of_1025_bytes(raw, bucket):
    key = "é" * 512 + "x"  # 1025 bytes of UTF-8
    resp = raw.request("PUT", f"/{bucket}/" + urllib.parse.quote(key), body=b"x")
    assert (resp.status, resp.code) == (400, "KeyTooLongError"), resp
    ok = "é" * 512  # exactly 1024 bytes
    resp = raw.request("PUT", f"/{bucket}/" + urllib.parse.quote(ok), body=b"x")
    assert resp.status == 200, resp


def _tree(root):
    out = set()
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(dirpath, name), root))
    return out


PATHLIKE_KEYS = ["../../../../../../../../tmp/{m}", "a/../../../{m}", "..", ".", "./{m}",
                 "x/./y/../{m}", "//{m}", "a//b/{m}", "{m}/..", "..\\..\\{m}",
                 "\x00{m}", "nul\x00in\x00the/{m}", "%2e%2e/{m}"]


@pytest.mark.parametrize("template", PATHLIKE_KEYS)
@pytest.mark.parametrize("encode_dots", [False, True])
def test_pathlike_keys_never_address_paths(server, raw, bucket, template, encode_dots):
    marker = f"cairn-escape-{uuid.uuid4().hex[:10]}"
    key = template.format(m=marker)
    outside_before = _tree(os.path.dirname(server.root))
    quoted = urllib.parse.quote(key, safe="/")
    if encode_dots:
        quoted = quoted.replace(".", "%2E")
    size = 400 * 1024  # not inline: shard files are written
    body = random_bytes(size, seed=key)
    resp = raw.request("PUT", f"/{bucket}/{quoted}", body=body)
    if resp.status == 200:
        # Stored as a plain key: readable by the same name, listed by exactly that name.
        got = raw.request("GET", f"/{bucket}/{quoted}")
        assert got.status == 200 and got.body == body, got
        listed = server.client().list_objects_v2(Bucket=bucket, Prefix=key)
        assert [o["Key"] for o in listed.get("Contents", [])] == [key]
        assert raw.request("DELETE", f"/{bucket}/{quoted}").status == 204
    else:
        assert resp.status == 400, resp
        assert resp.code in ("XMinioInvalidObjectName", "InvalidArgument", "InvalidRequest",
                             "KeyTooLongError", "InvalidURI"), resp
    # Nothing appeared outside the drives, and no file carries the marker name.
    assert not os.path.exists(os.path.join("/tmp", marker))
    outside_after = _tree(os.path.dirname(server.root))
    new = {p for p in outside_after - outside_before
           if not p.startswith(os.path.join(os.path.basename(server.root), "d"))}
    assert new == set(), new
    assert not any(marker in p for p in _tree(server.root)), "a key became a path"
    assert_serving(raw)


# ---- bodies ----------------------------------------------------------------------------------------
def test_content_length_larger_than_body_then_close(server, raw, bucket):
    declared, sent = 8 * MiB, 3 * MiB + 17
    path = f"/{bucket}/truncated"
    headers = s3raw.sign_v4("PUT", path, [], {"host": f"{server.host}:{server.port}",
                                              "content-length": str(declared)},
                            s3raw.UNSIGNED, server.access_key, server.secret_key)
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(s3raw.build_request("PUT", path, headers, random_bytes(sent, "trunc")))
        # Close only once the server is writing the upload (its shards are in tmp/), so that the
        # check below sees them cleaned up rather than not yet made.
        assert wait_until(lambda: server.tmp_files(), timeout=10), "the upload never started"
    assert wait_until(lambda: not server.tmp_files(), timeout=15), \
        "the aborted upload left temporary files"
    assert raw.request("HEAD", path).status == 404
    assert_serving(raw)


def _assert(condition, message):
    assert condition, message


def test_truncated_upload_does_not_replace_old_object(server, raw, bucket):
    old = random_bytes(2 * MiB, "old")
    assert raw.request("PUT", f"/{bucket}/keep", body=old).status == 200
    path = f"/{bucket}/keep"
    headers = s3raw.sign_v4("PUT", path, [], {"host": f"{server.host}:{server.port}",
                                              "content-length": str(5 * MiB)},
                            s3raw.UNSIGNED, server.access_key, server.secret_key)
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        s.sendall(s3raw.build_request("PUT", path, headers, b"n" * (2 * MiB)))
        # Close only once the server is staging the body (its temporary shard files exist)...
        retry(lambda: _assert(server.tmp_files(), "the upload was never staged"),
              timeout=15, errors=(AssertionError,), pause=0.05)
    # ... and look once it has dropped the truncated upload, instead of after a fixed pause.
    retry(lambda: _assert(not server.tmp_files(), "the truncated upload left temporary files"),
          timeout=15, errors=(AssertionError,), pause=0.05)
    assert raw.request("GET", path).body == old


def test_missing_content_length(server, bucket):
    path = f"/{bucket}/nolen"
    headers = s3raw.sign_v4("PUT", path, [], {"host": f"{server.host}:{server.port}"},
                            s3raw.EMPTY_SHA256, server.access_key, server.secret_key)
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request("PUT", path, headers))
    assert (resp.status, resp.code) == (411, "MissingContentLength"), resp


def test_metadata_too_large(raw, bucket):
    resp = raw.request("PUT", f"/{bucket}/bigmeta", body=b"x",
                       headers={"x-amz-meta-big": "v" * 2100})
    assert (resp.status, resp.code) == (400, "MetadataTooLarge"), resp


# ---- headers and request lines ---------------------------------------------------------------------
def test_huge_header(raw, bucket):
    try:
        resp = raw.request("GET", f"/{bucket}", headers={"x-huge": "h" * (256 * 1024)})
        assert (resp.status, resp.code) == (400, "RequestHeaderSectionTooLarge"), resp
    except (ConnectionError, OSError):
        pass  # closing the connection on an oversized header section is also acceptable
    assert_serving(raw)


def test_many_headers(raw, bucket):
    headers = {f"x-filler-{i}": "v" * 50 for i in range(2000)}
    try:
        resp = raw.request("GET", f"/{bucket}", headers=headers)
        assert (resp.status, resp.code) == (400, "RequestHeaderSectionTooLarge"), resp
    except (ConnectionError, OSError):
        pass
    assert_serving(raw)


@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
    b"GET /" + b"a" * (200 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
    b"\r\n\r\n\r\n",
])
def test_garbage_request_keeps_server_serving(server, raw, data):
    try:
        with socket.create_connection((server.host, server.port), timeout=5) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(5)
            reply = s.recv(65536)
        if reply:
            status = int(reply.split(b" ", 2)[1])
            assert 400 <= status < 600, reply[:200]
    except (ConnectionError, OSError):
        pass
    assert_serving(raw)


def test_half_sent_headers_then_close(server, raw):
    for _ in range(20):
        with socket.create_connection((server.host, server.port), timeout=5) as s:
            s.sendall(b"PUT /x/y HTTP/1.1\r\nHost: a\r\nContent-Le")
    assert_serving(raw)


def test_unknown_method(server, raw):
    headers = s3raw.sign_v4("BREW", "/", [], {"host": f"{server.host}:{server.port}"},
                            s3raw.EMPTY_SHA256, server.access_key, server.secret_key)
    resp = s3raw.send_raw(server.host, server.port, s3raw.build_request("BREW", "/", headers))
    assert (resp.status, resp.code) in ((405, "MethodNotAllowed"), (501, "NotImplemented")), resp
    assert_serving(raw)


def test_keepalive_many_requests_on_one_connection(server, bucket):
    with socket.create_connection((server.host, server.port), timeout=10) as s:
        f = s.makefile("rb")
        for i in range(50):
            path = f"/{bucket}/ka{i}"
            body = f"body {i}".encode()
            headers = s3raw.sign_v4("PUT", path, [], {"host": f"{server.host}:{server.port}",
                                                      "content-length": str(len(body))},
                                    hashlib.sha256(body).hexdigest(), server.access_key,
                                    server.secret_key)
            s.sendall(s3raw.build_request("PUT", path, headers, body))
            status = f.readline()
            assert b" 200 " in status, status
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
