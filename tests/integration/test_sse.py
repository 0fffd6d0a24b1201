"""Server-side encryption against the real binary: SSE-S3, SSE-KMS (the built-in KMS) and SSE-C
with boto3 and the AWS CLI: round trips of every size class, ranges and part numbers,
multipart, copies between modes, POST uploads, bucket default encryption, the errors AWS
gives, what is on the drives (no plaintext), a corrupt shard, and a lost or wrong master key."""

import base64
import hashlib
import os
import subprocess

import boto3
import botocore
import pytest

from conftest import (ACCESS_KEY, SECRET_KEY, ServerProcess, _live_servers, assert_s3_error,
                      aws_cli_env, random_bytes, unique_name)
import test_post_object as post_helpers

MASTER = base64.b64encode(bytes(range(32))).decode()
OTHER_MASTER = base64.b64encode(bytes(range(100, 132))).decode()
KMS_ENV = {"CAIRN_KMS_SECRET_KEY": "cairn-test-key:" + MASTER}
KEY_A = "0123456789abcdef0123456789ABCDEF"  # a str: Debian's botocore takes no bytes
KEY_B = "fedcba9876543210FEDCBA9876543210"
MiB = 1024 * 1024


def sse_c(key=KEY_A, prefix="SSECustomer"):
    return {prefix + "Algorithm": "AES256", prefix + "Key": key}


@pytest.fixture(scope="module")
def kms_server(tmp_path_factory):
    srv = ServerProcess(str(tmp_path_factory.mktemp("sse")), drives=4,
                        args=["--sse-c-allow-http"], env=KMS_ENV)
    srv.start()
    yield srv
    srv.stop()
    if srv in _live_servers:
        _live_servers.remove(srv)


@pytest.fixture
def c(kms_server):
    if not kms_server.alive():
        kms_server.start()
    return kms_server.client()


@pytest.fixture
def b(c):
    name = unique_name("sse")
    c.create_bucket(Bucket=name)
    return name


def run_admin(server, *args):
    cmd = [server.command()[0], "admin", *args, "--endpoint", server.endpoint,
           "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def drive_files(server):
    for d in server.drive_paths:
        for root, _, names in os.walk(d):
            for n in names:
                yield os.path.join(root, n)


def on_drives(server, needle):
    """True when any file of the server's drives holds `needle` (shards, RocksDB files, WAL)."""
    for path in drive_files(server):
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    return True
        except OSError:
            pass
    return False


# ---- round trips --------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300 * 1024 + 7, 3 * MiB + 5])
@pytest.mark.parametrize("mode", ["SSE-S3", "SSE-KMS", "SSE-C"])
def test_round_trip(c, b, mode, size):
    data = random_bytes(size, seed=size)
    extra = {"SSE-S3": {"ServerSideEncryption": "AES256"},
             "SSE-KMS": {"ServerSideEncryption": "aws:kms"},
             "SSE-C": sse_c()}[mode]
    read = sse_c() if mode == "SSE-C" else {}
    put = c.put_object(Bucket=b, Key="k", Body=data, **extra)
    md5 = hashlib.md5(data).hexdigest()
    if mode == "SSE-S3":
        assert put["ServerSideEncryption"] == "AES256"
        assert put["ETag"] == f'"{md5}"'  # SSE-S3 keeps the MD5 ETag
    elif mode == "SSE-KMS":
        assert put["ServerSideEncryption"] == "aws:kms"
        assert put["SSEKMSKeyId"] == "cairn-test-key"
        assert put["ETag"] != f'"{md5}"'
    else:
        assert put["SSECustomerAlgorithm"] == "AES256"
        assert put["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(KEY_A.encode()).digest()).decode()
        assert put["ETag"] != f'"{md5}"'
    got = c.get_object(Bucket=b, Key="k", **read)
    assert got["Body"].read() == data
    assert got["ContentLength"] == size
    assert got["ETag"] == put["ETag"]
    head = c.head_object(Bucket=b, Key="k", **read)
    assert head["ContentLength"] == size
    if mode == "SSE-C":
        assert head["SSECustomerAlgorithm"] == "AES256"
    else:
        assert head["ServerSideEncryption"] == extra["ServerSideEncryption"]
    listed = c.list_objects_v2(Bucket=b)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("k", size, put["ETag"])]
    # A conditional GET on the ETag the client saw.
    assert c.get_object(Bucket=b, Key="k", IfMatch=put["ETag"], **read)["Body"].read() == data


@pytest.mark.parametrize("mode", ["SSE-S3", "SSE-C"])
def test_ranges(c, b, mode):
    size = 5 * 65536 + 123
    data = random_bytes(size, seed=7)
    extra = {"ServerSideEncryption": "AES256"} if mode == "SSE-S3" else sse_c()
    read = sse_c() if mode == "SSE-C" else {}
    c.put_object(Bucket=b, Key="r", Body=data, **extra)
    for first, last in [(0, 0), (0, 65535), (65535, 65536), (65536, 131071), (100, 200000),
                        (size - 1, size - 1), (size - 200, size + 500), (131072, size - 1)]:
        got = c.get_object(Bucket=b, Key="r", Range=f"bytes={first}-{last}", **read)
        want = data[first:last + 1]
        assert got["Body"].read() == want, (first, last)
        assert got["ContentRange"] == f"bytes {first}-{first + len(want) - 1}/{size}"
    got = c.get_object(Bucket=b, Key="r", Range="bytes=-70000", **read)
    assert got["Body"].read() == data[-70000:]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_object(Bucket=b, Key="r", Range=f"bytes={size}-", **read)
    assert_s3_error(e, "InvalidRange", 416)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["content-range"] == f"bytes */{size}"


@pytest.mark.parametrize("mode", ["SSE-S3", "SSE-KMS", "SSE-C"])
def test_multipart(c, b, mode):
    extra = {"SSE-S3": {"ServerSideEncryption": "AES256"},
             "SSE-KMS": {"ServerSideEncryption": "aws:kms"}, "SSE-C": sse_c()}[mode]
    part_extra = sse_c() if mode == "SSE-C" else {}
    parts_data = [random_bytes(5 * MiB, seed=1), random_bytes(5 * MiB + 17, seed=2),
                  random_bytes(1000, seed=3)]
    up = c.create_multipart_upload(Bucket=b, Key="mp", **extra)
    if mode == "SSE-C":
        assert up["SSECustomerAlgorithm"] == "AES256"
    else:
        assert up["ServerSideEncryption"] == extra["ServerSideEncryption"]
    parts = []
    for i, d in enumerate(parts_data, 1):
        r = c.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=i, Body=d,
                          **part_extra)
        if mode == "SSE-S3":
            assert r["ETag"] == '"%s"' % hashlib.md5(d).hexdigest()
        parts.append({"PartNumber": i, "ETag": r["ETag"]})
    listed = c.list_parts(Bucket=b, Key="mp", UploadId=up["UploadId"], **part_extra)["Parts"]
    assert [p["Size"] for p in listed] == [len(d) for d in parts_data]
    done = c.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"],
                                       MultipartUpload={"Parts": parts})
    assert done["ETag"].endswith('-3"')
    whole = b"".join(parts_data)
    got = c.get_object(Bucket=b, Key="mp", **part_extra)
    assert got["ContentLength"] == len(whole)
    assert got["Body"].read() == whole
    assert c.list_objects_v2(Bucket=b)["Contents"][0]["Size"] == len(whole)
    # A part by number, and a range across the boundary of parts 1 and 2.
    p2 = c.get_object(Bucket=b, Key="mp", PartNumber=2, **part_extra)
    assert p2["Body"].read() == parts_data[1]
    assert p2["ContentRange"] == f"bytes {5 * MiB}-{10 * MiB + 16}/{len(whole)}"
    first = 5 * MiB - 100
    got = c.get_object(Bucket=b, Key="mp", Range=f"bytes={first}-{first + 70000}", **part_extra)
    assert got["Body"].read() == whole[first:first + 70001]
    # botocore versions differ in how they send SSE-C on GetObjectAttributes (Debian's neither
    # encodes the key nor adds its MD5): the headers go on as s3-tests sends them.
    headers = {}
    if mode == "SSE-C":
        headers = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
                   "x-amz-server-side-encryption-customer-key":
                       base64.b64encode(KEY_A.encode()).decode(),
                   "x-amz-server-side-encryption-customer-key-md5":
                       base64.b64encode(hashlib.md5(KEY_A.encode()).digest()).decode()}

    def add_headers(request, **_):
        for k, v in headers.items():
            request.headers[k] = v
    c.meta.events.register("before-sign.s3.GetObjectAttributes", add_headers)
    try:
        attrs = c.get_object_attributes(Bucket=b, Key="mp",
                                        ObjectAttributes=["ObjectSize", "ObjectParts"])
    finally:
        c.meta.events.unregister("before-sign.s3.GetObjectAttributes", add_headers)
    assert attrs["ObjectSize"] == len(whole)
    assert [p["Size"] for p in attrs["ObjectParts"]["Parts"]] == [len(d) for d in parts_data]


def test_sse_c_part_needs_the_uploads_key(c, b):
    up = c.create_multipart_upload(Bucket=b, Key="mp", **sse_c())
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"x")
    assert_s3_error(e, "InvalidRequest", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.upload_part(Bucket=b, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"x",
                      **sse_c(KEY_B))
    assert_s3_error(e, "AccessDenied", 403)
    c.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"])


# ---- copies -------------------------------------------------------------------------------------
def test_copy_between_modes(c, b):
    data = random_bytes(200 * 1024 + 3, seed=11)
    c.put_object(Bucket=b, Key="c-src", Body=data, **sse_c())
    # SSE-C -> SSE-S3
    r = c.copy_object(Bucket=b, Key="s3", CopySource={"Bucket": b, "Key": "c-src"},
                      ServerSideEncryption="AES256", **sse_c(prefix="CopySourceSSECustomer"))
    assert r["ServerSideEncryption"] == "AES256"
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    assert c.get_object(Bucket=b, Key="s3")["Body"].read() == data
    # SSE-S3 -> plain
    c.copy_object(Bucket=b, Key="plain", CopySource={"Bucket": b, "Key": "s3"})
    got = c.get_object(Bucket=b, Key="plain")
    assert "ServerSideEncryption" not in got
    assert got["Body"].read() == data
    # plain -> SSE-C (another key), and SSE-C -> SSE-KMS
    c.copy_object(Bucket=b, Key="c2", CopySource={"Bucket": b, "Key": "plain"}, **sse_c(KEY_B))
    assert c.get_object(Bucket=b, Key="c2", **sse_c(KEY_B))["Body"].read() == data
    c.copy_object(Bucket=b, Key="kms", CopySource={"Bucket": b, "Key": "c2"},
                  ServerSideEncryption="aws:kms", **sse_c(KEY_B, "CopySourceSSECustomer"))
    assert c.get_object(Bucket=b, Key="kms")["Body"].read() == data
    # The source's key is needed, and must be the right one.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.copy_object(Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "c-src"})
    assert_s3_error(e, "InvalidRequest", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.copy_object(Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "c-src"},
                      **sse_c(KEY_B, "CopySourceSSECustomer"))
    assert_s3_error(e, "AccessDenied", 403)
    # An object copied onto itself to change its encryption (SSE-S3 -> SSE-C).
    c.copy_object(Bucket=b, Key="s3", CopySource={"Bucket": b, "Key": "s3"}, **sse_c())
    assert c.get_object(Bucket=b, Key="s3", **sse_c())["Body"].read() == data


def test_upload_part_copy_from_encrypted_source(c, b):
    data = random_bytes(6 * MiB, seed=12)
    c.put_object(Bucket=b, Key="src", Body=data, **sse_c())
    up = c.create_multipart_upload(Bucket=b, Key="dst", ServerSideEncryption="AES256")
    r1 = c.upload_part_copy(Bucket=b, Key="dst", UploadId=up["UploadId"], PartNumber=1,
                            CopySource={"Bucket": b, "Key": "src"},
                            CopySourceRange=f"bytes=0-{5 * MiB - 1}",
                            **sse_c(prefix="CopySourceSSECustomer"))
    r2 = c.upload_part_copy(Bucket=b, Key="dst", UploadId=up["UploadId"], PartNumber=2,
                            CopySource={"Bucket": b, "Key": "src"},
                            CopySourceRange=f"bytes={5 * MiB}-{6 * MiB - 1}",
                            **sse_c(prefix="CopySourceSSECustomer"))
    c.complete_multipart_upload(
        Bucket=b, Key="dst", UploadId=up["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": r1["CopyPartResult"]["ETag"]},
                                   {"PartNumber": 2, "ETag": r2["CopyPartResult"]["ETag"]}]})
    got = c.get_object(Bucket=b, Key="dst")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == data


# ---- POST uploads and bucket default encryption ------------------------------------------------
def test_post_upload_sse_s3(kms_server, c, b):
    form = c.generate_presigned_post(b, "posted", Fields={"x-amz-server-side-encryption": "AES256"},
                                     Conditions=[{"x-amz-server-side-encryption": "AES256"}])
    resp = post_helpers.post(form["url"], form["fields"], file=b"secret post")
    assert resp.status_code == 204, resp.content
    assert resp.headers["x-amz-server-side-encryption"] == "AES256"
    got = c.get_object(Bucket=b, Key="posted")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == b"secret post"


def test_bucket_default_encryption(c, b):
    c.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    put = c.put_object(Bucket=b, Key="d", Body=b"defaulted")
    assert put["ServerSideEncryption"] == "AES256"
    head = c.head_object(Bucket=b, Key="d")
    assert head["ServerSideEncryption"] == "AES256"
    # The request's own encryption wins over the default.
    c.put_object(Bucket=b, Key="own", Body=b"own key", **sse_c())
    assert c.get_object(Bucket=b, Key="own", **sse_c())["Body"].read() == b"own key"
    c.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": "cairn-test-key"}}]})
    put = c.put_object(Bucket=b, Key="k", Body=b"kms defaulted")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"] == "cairn-test-key"
    up = c.create_multipart_upload(Bucket=b, Key="mp")
    assert up["ServerSideEncryption"] == "aws:kms"
    c.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"])
    c.delete_bucket_encryption(Bucket=b)
    assert "ServerSideEncryption" not in c.put_object(Bucket=b, Key="p", Body=b"plain")


# ---- errors -------------------------------------------------------------------------------------
def test_sse_c_errors(c, b):
    c.put_object(Bucket=b, Key="k", Body=b"A" * 100, **sse_c())
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_object(Bucket=b, Key="k")
    assert_s3_error(e, "InvalidRequest", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.head_object(Bucket=b, Key="k")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_object(Bucket=b, Key="k", **sse_c(KEY_B))
    assert_s3_error(e, "AccessDenied", 403)
    # SSE-C headers for an object that is not SSE-C.
    c.put_object(Bucket=b, Key="plain", Body=b"p")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_object(Bucket=b, Key="plain", **sse_c())
    assert_s3_error(e, "InvalidArgument", 400)


@pytest.mark.parametrize("headers,code", [
    ({"x-amz-server-side-encryption": "AES512"}, "InvalidArgument"),
    ({"x-amz-server-side-encryption-aws-kms-key-id": "cairn-test-key"}, "InvalidArgument"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A.encode()).decode()},
     "InvalidArgument"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A.encode()).decode(),
      "x-amz-server-side-encryption-customer-key-md5": "AAAAAAAAAAAAAAAAAAAAAA=="},
     "InvalidArgument"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES128",
      "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A.encode()).decode(),
      "x-amz-server-side-encryption-customer-key-md5":
          base64.b64encode(hashlib.md5(KEY_A.encode()).digest()).decode()},
     "InvalidEncryptionAlgorithmError"),
    ({"x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A.encode()).decode(),
      "x-amz-server-side-encryption-customer-key-md5":
          base64.b64encode(hashlib.md5(KEY_A.encode()).digest()).decode()}, "InvalidArgument"),
    ({"x-amz-server-side-encryption": "AES256",
      "x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A.encode()).decode(),
      "x-amz-server-side-encryption-customer-key-md5":
          base64.b64encode(hashlib.md5(KEY_A.encode()).digest()).decode()}, "InvalidArgument"),
])
def test_bad_encryption_headers(kms_server, b, headers, code):
    raw = kms_server.raw()
    resp = raw.request("PUT", f"/{b}/bad", headers=headers, body=b"x")
    assert resp.status == 400, resp.body
    assert resp.code == code


def test_kms_key_errors(kms_server, c, b):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.put_object(Bucket=b, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                     SSEKMSKeyId="no-such-key")
    assert_s3_error(e, "KMS.NotFoundException", 400)
    # A named key: created, used, disabled (writes and reads refused), enabled again.
    name = unique_name("key")
    p = run_admin(kms_server, "kms", "key", "create", name)
    assert p.returncode == 0, p.stderr
    put = c.put_object(Bucket=b, Key="named", Body=b"named key", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=name)
    assert put["SSEKMSKeyId"] == name
    assert c.get_object(Bucket=b, Key="named")["Body"].read() == b"named key"
    assert run_admin(kms_server, "kms", "key", "disable", name).returncode == 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.put_object(Bucket=b, Key="k2", Body=b"x", ServerSideEncryption="aws:kms",
                     SSEKMSKeyId=name)
    assert_s3_error(e, "KMS.DisabledException", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_object(Bucket=b, Key="named")
    assert_s3_error(e, "KMS.DisabledException", 400)
    assert run_admin(kms_server, "kms", "key", "enable", name).returncode == 0
    assert c.get_object(Bucket=b, Key="named")["Body"].read() == b"named key"


def test_read_refuses_sse_headers(kms_server, c, b):
    c.put_object(Bucket=b, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    resp = kms_server.raw().request("GET", f"/{b}/k",
                                    headers={"x-amz-server-side-encryption": "aws:kms"})
    assert resp.status == 400


def test_without_kms(make_server):
    srv = make_server(drives=1)
    cl = srv.client()
    cl.create_bucket(Bucket="nokms")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cl.put_object(Bucket="nokms", Key="k", Body=b"x", ServerSideEncryption="AES256")
    assert_s3_error(e, "NotImplemented", 501)
    # SSE-C over plain HTTP without --sse-c-allow-http: refused, as AWS refuses it.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cl.put_object(Bucket="nokms", Key="k", Body=b"x", **sse_c())
    assert_s3_error(e, "InvalidRequest", 400)
    assert cl.list_objects_v2(Bucket="nokms").get("KeyCount") == 0


# ---- at rest, faults, keys ------------------------------------------------------------------------
def test_no_plaintext_on_the_drives(kms_server, c, b):
    marker = os.urandom(48)
    big = random_bytes(2 * MiB, seed=5) + marker + random_bytes(1000, seed=6)
    small = b"small" + marker
    for mode, extra, read in [("s3", {"ServerSideEncryption": "AES256"}, {}),
                              ("c", sse_c(), sse_c())]:
        c.put_object(Bucket=b, Key=f"big-{mode}", Body=big, **extra)
        c.put_object(Bucket=b, Key=f"small-{mode}", Body=small, **extra)
        assert c.get_object(Bucket=b, Key=f"big-{mode}", **read)["Body"].read() == big
    assert not on_drives(kms_server, marker)
    # The check can fail: the same bytes unencrypted are found.
    c.put_object(Bucket=b, Key="plain", Body=big)
    assert on_drives(kms_server, marker)


def test_corrupt_shard_of_encrypted_object_is_healed_from_parity(make_server):
    srv = make_server(drives=4, args=["--sse-c-allow-http"], env=KMS_ENV)
    cl = srv.client()
    cl.create_bucket(Bucket="heal")
    data = random_bytes(3 * MiB + 11, seed=9)
    cl.put_object(Bucket="heal", Key="o", Body=data, ServerSideEncryption="AES256")
    files = [f for f in srv.shard_files() if os.path.getsize(f) > 4096]
    assert files
    with open(files[0], "r+b") as f:
        f.seek(5000)
        chunk = f.read(64)
        f.seek(5000)
        f.write(bytes(x ^ 0xFF for x in chunk))
    got = cl.get_object(Bucket="heal", Key="o")
    assert got["Body"].read() == data


def test_lost_or_wrong_master_key(make_server):
    srv = make_server(drives=1, env=KMS_ENV)
    cl = srv.client()
    cl.create_bucket(Bucket="keys")
    cl.put_object(Bucket="keys", Key="o", Body=b"kept secret", ServerSideEncryption="AES256")
    # Without a KMS: a clear error, never the stored bytes.
    srv.stop()
    srv.env = {}
    srv.start()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srv.client().get_object(Bucket="keys", Key="o")
    assert_s3_error(e, "NotImplemented", 501)
    # Another master key of the same name: the sealed key does not open.
    srv.stop()
    srv.env = {"CAIRN_KMS_SECRET_KEY": "cairn-test-key:" + OTHER_MASTER}
    srv.start()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srv.client().get_object(Bucket="keys", Key="o")
    assert e.value.response["Error"]["Code"] == "KMS.InternalException"
    assert srv.alive()
    # The right key again: readable.
    srv.stop()
    srv.env = KMS_ENV
    srv.start()
    assert srv.client().get_object(Bucket="keys", Key="o")["Body"].read() == b"kept secret"


def test_aws_cli_sse(kms_server, b, tmp_path):
    import test_clients
    exe = test_clients.find_tool("aws")
    env = aws_cli_env(tmp_path, config="[default]\nregion = us-east-1\ns3 =\n"
                                       "  addressing_style = path\n")
    src = tmp_path / "f.bin"
    data = random_bytes(20 * MiB + 3, seed=21)  # multipart with the CLI's 8 MiB parts
    src.write_bytes(data)
    key = base64.b64encode(KEY_A.encode()).decode()

    def aws(*args):
        return test_clients.run([exe, "--endpoint-url", kms_server.endpoint, *args], env)
    aws("s3", "cp", str(src), f"s3://{b}/s3.bin", "--sse", "AES256")
    aws("s3", "cp", str(src), f"s3://{b}/kms.bin", "--sse", "aws:kms")
    aws("s3", "cp", str(src), f"s3://{b}/c.bin", "--sse-c", "AES256", "--sse-c-key",
        "fileb://" + str(_write(tmp_path / "key", KEY_A.encode())))
    for name, extra in [("s3.bin", []), ("kms.bin", []),
                        ("c.bin", ["--sse-c", "AES256", "--sse-c-key",
                                   "fileb://" + str(tmp_path / "key")])]:
        out = tmp_path / ("out-" + name)
        aws("s3", "cp", f"s3://{b}/{name}", str(out), *extra)
        assert out.read_bytes() == data, name
    head = aws("s3api", "head-object", "--bucket", b, "--key", "kms.bin")
    assert "aws:kms" in head
    assert key  # the key was given as a file, not echoed


def _write(path, data):
    path.write_bytes(data)
    return path


def test_auto_encryption(make_server):
    srv = make_server(drives=1, args=["--kms-auto-encryption", "--sse-c-allow-http"],
                      env=KMS_ENV)
    cl = srv.client()
    cl.create_bucket(Bucket="auto")
    put = cl.put_object(Bucket="auto", Key="k", Body=b"encrypted without asking")
    assert put["ServerSideEncryption"] == "AES256"
    assert cl.get_object(Bucket="auto", Key="k")["Body"].read() == b"encrypted without asking"
    # An object that asks for SSE-C keeps it.
    cl.put_object(Bucket="auto", Key="c", Body=b"own", **sse_c())
    assert "ServerSideEncryption" not in cl.head_object(Bucket="auto", Key="c", **sse_c())
    # Without a KMS the server refuses to start rather than store plaintext.
    bad = ServerProcess(srv.root + "-nokms", drives=1, args=["--kms-auto-encryption"])
    proc = subprocess.run(bad.command(), capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items()
                               if not k.startswith(("CAIRN_", "MINIO_"))})
    assert proc.returncode != 0
    assert "KMS" in proc.stderr + proc.stdout
