"""Multipart uploads through boto3: create, upload parts, list, complete, abort, errors."""

import hashlib

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, random_bytes

MiB = 1024 * 1024


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def upload(s3, bucket, key, parts, **create_kw):
    uid = s3.create_multipart_upload(Bucket=bucket, Key=key, **create_kw)["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=i, Body=p)["ETag"]
        assert etag == f'"{hashlib.md5(p).hexdigest()}"'
        done.append({"PartNumber": i, "ETag": etag})
    return uid, done


def test_basic_multipart(s3, bucket):
    parts = [random_bytes(5 * MiB, 1), random_bytes(5 * MiB + 17, 2), random_bytes(1234, 3)]
    uid, done = upload(s3, bucket, "mp", parts, ContentType="video/x-cairn",
                       Metadata={"who": "test"})
    resp = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                        MultipartUpload={"Parts": done})
    assert resp["ETag"] == multipart_etag(parts)
    assert resp["Key"] == "mp" and resp["Bucket"] == bucket
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["ETag"] == multipart_etag(parts)
    assert got["ContentType"] == "video/x-cairn"
    assert got["Metadata"] == {"who": "test"}
    assert got["ContentLength"] == sum(map(len, parts))
    assert got["Body"].read() == b"".join(parts)
    # No upload is left behind.
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_get_by_part_number_and_ranges_across_parts(s3, bucket):
    parts = [random_bytes(5 * MiB, 10), random_bytes(5 * MiB, 11), random_bytes(100, 12)]
    uid, done = upload(s3, bucket, "pn", parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="pn", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    whole = b"".join(parts)
    got = s3.get_object(Bucket=bucket, Key="pn", PartNumber=2)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["PartsCount"] == 3
    assert got["Body"].read() == parts[1]
    head = s3.head_object(Bucket=bucket, Key="pn", PartNumber=3)
    assert head["ContentLength"] == 100
    start = 5 * MiB - 10
    got = s3.get_object(Bucket=bucket, Key="pn", Range=f"bytes={start}-{start + 5 * MiB + 19}")
    assert got["Body"].read() == whole[start:start + 5 * MiB + 20]


def test_single_part_may_be_small(s3, bucket):
    uid, done = upload(s3, bucket, "one", [b"tiny"])
    s3.complete_multipart_upload(Bucket=bucket, Key="one", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    assert s3.get_object(Bucket=bucket, Key="one")["Body"].read() == b"tiny"


def test_complete_with_subset_of_parts(s3, bucket):
    parts = [random_bytes(5 * MiB, 20), random_bytes(5 * MiB, 21), random_bytes(10, 22)]
    uid, done = upload(s3, bucket, "subset", parts)
    chosen = [done[0], done[2]]
    s3.complete_multipart_upload(Bucket=bucket, Key="subset", UploadId=uid,
                                 MultipartUpload={"Parts": chosen})
    assert s3.get_object(Bucket=bucket, Key="subset")["Body"].read() == parts[0] + parts[2]


def test_reupload_part_replaces_it(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="re")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="re", UploadId=uid, PartNumber=1, Body=b"first")
    etag = s3.upload_part(Bucket=bucket, Key="re", UploadId=uid, PartNumber=1,
                          Body=b"second")["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key="re", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, etag, 6)]
    s3.complete_multipart_upload(Bucket=bucket, Key="re", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="re")["Body"].read() == b"second"


def test_list_parts_pagination(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="lp")["UploadId"]
    for n in range(1, 8):
        s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=n, Body=b"p" * n)
    page = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=3)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 2, 3]
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 3
    page = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=10,
                         PartNumberMarker=3)
    assert [p["PartNumber"] for p in page["Parts"]] == [4, 5, 6, 7]
    assert [p["Size"] for p in page["Parts"]] == [4, 5, 6, 7]
    assert page["IsTruncated"] is False
    s3.abort_multipart_upload(Bucket=bucket, Key="lp", UploadId=uid)


def test_list_multipart_uploads(s3, bucket):
    ids = {}
    for key in ("a/1", "a/2", "b/1"):
        ids[key] = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    ups = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert sorted((u["Key"], u["UploadId"]) for u in ups) == sorted(ids.items())
    ups = s3.list_multipart_uploads(Bucket=bucket, Prefix="a/")["Uploads"]
    assert sorted(u["Key"] for u in ups) == ["a/1", "a/2"]
    delim = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in delim.get("CommonPrefixes", [])] == ["a/", "b/"]
    for key, uid in ids.items():
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_abort_then_use_is_no_such_upload(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="ab")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=1, Body=b"x" * 100)
    s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    for call in (
            lambda: s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=2, Body=b"y"),
            lambda: s3.list_parts(Bucket=bucket, Key="ab", UploadId=uid),
            lambda: s3.complete_multipart_upload(
                Bucket=bucket, Key="ab", UploadId=uid,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]}),
            lambda: s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)):
        with pytest.raises(ClientError) as e:
            call()
        assert_s3_error(e, "NoSuchUpload", 404)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="ab")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_unknown_upload_id(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="does-not-exist", PartNumber=1, Body=b"x")
    assert_s3_error(e, "NoSuchUpload", 404)


def test_entity_too_small(s3, bucket):
    parts = [b"a" * 1024, b"b" * 1024]
    uid, done = upload(s3, bucket, "small", parts)
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert_s3_error(e, "EntityTooSmall", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)


def test_invalid_part_etag(s3, bucket):
    uid, done = upload(s3, bucket, "ip", [random_bytes(5 * MiB, 30), b"end"])
    bad = [done[0], {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="ip", UploadId=uid,
                                     MultipartUpload={"Parts": bad})
    assert_s3_error(e, "InvalidPart", 400)
    missing = [done[0], {"PartNumber": 3, "ETag": done[1]["ETag"]}]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="ip", UploadId=uid,
                                     MultipartUpload={"Parts": missing})
    assert_s3_error(e, "InvalidPart", 400)
    # The upload is still usable after a refused completion.
    s3.complete_multipart_upload(Bucket=bucket, Key="ip", UploadId=uid,
                                 MultipartUpload={"Parts": done})


def test_invalid_part_order(s3, bucket):
    uid, done = upload(s3, bucket, "order", [random_bytes(5 * MiB, 40), b"end"])
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=uid,
                                     MultipartUpload={"Parts": list(reversed(done))})
    assert_s3_error(e, "InvalidPartOrder", 400)
    s3.abort_multipart_upload(Bucket=bucket, Key="order", UploadId=uid)


@pytest.mark.parametrize("number", [0, 10001])
def test_invalid_part_number(raw, s3, bucket, number):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="pnum")["UploadId"]
    resp = raw.request("PUT", f"/{bucket}/pnum",
                       query=[("partNumber", str(number)), ("uploadId", uid)], body=b"x")
    assert (resp.status, resp.code) == (400, "InvalidArgument"), resp
    s3.abort_multipart_upload(Bucket=bucket, Key="pnum", UploadId=uid)


def test_complete_malformed_xml(raw, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mx")["UploadId"]
    resp = raw.request("POST", f"/{bucket}/mx", query=[("uploadId", uid)],
                       body=b"<CompleteMultipartUpload><Part><PartNumber>1</Part>")
    assert (resp.status, resp.code) == (400, "MalformedXML"), resp
    s3.abort_multipart_upload(Bucket=bucket, Key="mx", UploadId=uid)


def test_upload_part_copy(s3, bucket):
    src = random_bytes(6 * MiB, 50)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"},
                             CopySourceRange=f"bytes=0-{5 * MiB - 1}")["CopyPartResult"]["ETag"]
    p2 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": bucket, "Key": "src"})["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == src[:5 * MiB] + src


def test_boto3_managed_transfer(s3, bucket, tmp_path):
    """boto3's upload_file/download_file split into concurrent parts and ranged GETs."""
    import boto3.s3.transfer as tr
    cfg = tr.TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB,
                            max_concurrency=4)
    src = tmp_path / "src.bin"
    src.write_bytes(random_bytes(40 * MiB + 3, 60))
    s3.upload_file(str(src), bucket, "managed", Config=cfg)
    head = s3.head_object(Bucket=bucket, Key="managed")
    assert head["ETag"].endswith('-6"')
    dst = tmp_path / "dst.bin"
    s3.download_file(bucket, "managed", str(dst), Config=cfg)
    assert dst.read_bytes() == src.read_bytes()


def test_multipart_survives_restart(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="mpu")
    part1 = random_bytes(5 * MiB, 70)
    uid = s3.create_multipart_upload(Bucket="mpu", Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket="mpu", Key="k", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
    srv.restart()
    s3 = srv.client()
    e2 = s3.upload_part(Bucket="mpu", Key="k", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
    s3.complete_multipart_upload(Bucket="mpu", Key="k", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert s3.get_object(Bucket="mpu", Key="k")["Body"].read() == part1 + b"tail"
