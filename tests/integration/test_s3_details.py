"""The details clients trip on, as AWS S3 behaves: part numbers past the object's parts, copy
ranges past the source, non-ASCII user metadata, Content-Encoding kept as sent, encoding-type=url
as AWS encodes, empty continuation tokens, re-creating a bucket you own, paged ListBuckets,
GetObjectAttributes, GetObjectTorrent, ListObjectsV2 signed with SigV2, odd Expect headers."""

import base64
import email.header
import hashlib
import xml.etree.ElementTree as ET

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

from conftest import assert_s3_error, random_bytes, unique_name

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
MiB = 1024 * 1024


def _multipart(s3, bucket, key, sizes):
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)
    parts, data = [], b""
    for i, size in enumerate(sizes, start=1):
        body = random_bytes(size, f"{key}-{i}")
        data += body
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=i,
                              Body=body)["ETag"]
        parts.append({"PartNumber": i, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    return data


# ---- part numbers and ranges ----------------------------------------------------------------
def test_part_number_past_the_parts_is_invalid_part_number(s3, raw, bucket):
    data = _multipart(s3, bucket, "mp", [5 * MiB, 1000])
    got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert got["Body"].read() == data[5 * MiB:]
    assert got["PartsCount"] == 2
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    assert_s3_error(e, "InvalidPartNumber", 400)
    assert raw.request("HEAD", f"/{bucket}/mp", query=[("partNumber", "3")]).status == 400
    # A single-part object has part 1 only.
    s3.put_object(Bucket=bucket, Key="single", Body=b"abc")
    assert s3.get_object(Bucket=bucket, Key="single", PartNumber=1)["Body"].read() == b"abc"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="single", PartNumber=2)
    assert_s3_error(e, "InvalidPartNumber", 400)


def test_upload_part_copy_range_past_the_source_is_invalid_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x" * 21)
    up = s3.create_multipart_upload(Bucket=bucket, Key="dst")
    src = {"Bucket": bucket, "Key": "src"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up["UploadId"], PartNumber=1,
                            CopySource=src, CopySourceRange="bytes=0-21")
    assert_s3_error(e, "InvalidRange", 416)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up["UploadId"], PartNumber=1,
                            CopySource=src, CopySourceRange="bytes=30-40")
    assert_s3_error(e, "InvalidRange", 416)
    # A malformed range is still InvalidArgument; a good one copies.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up["UploadId"], PartNumber=1,
                            CopySource=src, CopySourceRange="bytes=5-")
    assert_s3_error(e, "InvalidArgument", 400)
    s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=up["UploadId"], PartNumber=1,
                        CopySource=src, CopySourceRange="bytes=0-20")
    s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=up["UploadId"])


# ---- metadata -------------------------------------------------------------------------------
def test_unicode_user_metadata_reads_back_as_sent(s3, bucket):
    # boto3 sends the header as UTF-8 bytes and reads response headers as ISO-8859-1.
    def set_unicode(params, **kwargs):
        params["headers"]["x-amz-meta-meta1"] = "Hello World\xe9"

    s3.meta.events.register("before-call.s3.PutObject", set_unicode)
    try:
        s3.put_object(Bucket=bucket, Key="uni", Body=b"bar")
    finally:
        s3.meta.events.unregister("before-call.s3.PutObject", set_unicode)
    assert s3.get_object(Bucket=bucket, Key="uni")["Metadata"]["meta1"] == "Hello World\xe9"
    assert s3.head_object(Bucket=bucket, Key="uni")["Metadata"]["meta1"] == "Hello World\xe9"


def test_metadata_beyond_latin1_comes_back_rfc2047_encoded(s3, raw, bucket):
    # A value sent as an RFC 2047 word is stored decoded; one with characters ISO-8859-1 lacks
    # goes back as a UTF-8 word, which decodes to what was sent.
    word = "=?UTF-8?B?" + base64.b64encode("日本 €".encode()).decode() + "?="
    assert raw.request("PUT", f"/{bucket}/jp", headers={"x-amz-meta-lang": word},
                       body=b"x").status == 200
    got = s3.head_object(Bucket=bucket, Key="jp")["Metadata"]["lang"]
    assert got.startswith("=?UTF-8?Q?") and got.endswith("?=")
    text, charset = email.header.decode_header(got)[0]
    assert text.decode(charset) == "日本 €"
    # Plain ASCII is untouched; CopyObject carries the stored value over.
    s3.copy_object(Bucket=bucket, Key="jp2", CopySource={"Bucket": bucket, "Key": "jp"})
    assert s3.head_object(Bucket=bucket, Key="jp2")["Metadata"]["lang"] == got


def test_content_encoding_is_returned_as_stored(s3, bucket):
    s3.put_object(Bucket=bucket, Key="enc", Body=b"x", ContentEncoding="deflate, gzip")
    assert s3.head_object(Bucket=bucket, Key="enc")["ContentEncoding"] == "deflate, gzip"
    assert s3.get_object(Bucket=bucket, Key="enc")["ContentEncoding"] == "deflate, gzip"


# ---- listing --------------------------------------------------------------------------------
def test_encoding_type_url_encodes_as_aws(raw, s3, bucket):
    for key in ("foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "new\nline"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    for list_type in ("1", "2"):
        query = [("delimiter", "/"), ("encoding-type", "url")]
        if list_type == "2":
            query.append(("list-type", "2"))
        resp = raw.request("GET", f"/{bucket}", query=query)
        assert resp.status == 200, resp
        root = ET.fromstring(resp.body)
        keys = [el.text for el in root.iter(f"{NS}Key")]
        prefixes = [el.text for el in root.iter(f"{NS}Prefix") if el.text]
        assert keys == ["asdf%2Bb", "new%0Aline"], keys
        assert prefixes == ["foo%2B1/", "foo/", "quux%20ab/"], prefixes
        assert root.find(f"{NS}Delimiter").text == "/"
    # boto3 asks for url encoding by default and decodes it.
    assert [p["Prefix"] for p in s3.list_objects_v2(Bucket=bucket, Delimiter="/")
            ["CommonPrefixes"]] == ["foo+1/", "foo/", "quux ab/"]


def test_empty_continuation_token_is_absent(raw, bucket, s3):
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    resp = raw.request("GET", f"/{bucket}", query=[("list-type", "2"),
                                                   ("continuation-token", "")])
    assert resp.status == 200, resp
    assert [el.text for el in ET.fromstring(resp.body).iter(f"{NS}Key")] == ["a"]


# ---- buckets --------------------------------------------------------------------------------
def test_recreating_an_owned_bucket_in_us_east_1_succeeds(s3, bucket):
    s3.put_object(Bucket=bucket, Key="kept", Body=b"1")
    s3.create_bucket(Bucket=bucket)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["kept"]


def test_recreating_an_owned_bucket_elsewhere_is_already_owned(make_server):
    srv = make_server(args=["--region", "eu-west-1"])
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=srv.endpoint, aws_access_key_id=srv.access_key,
        aws_secret_access_key=srv.secret_key, region_name="eu-west-1",
        config=botocore.config.Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 0}))
    conf = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket="mine", CreateBucketConfiguration=conf)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="mine", CreateBucketConfiguration=conf)
    assert_s3_error(e, "BucketAlreadyOwnedByYou", 409)


def test_list_buckets_pages(server, raw):
    s3 = server.client()
    prefix = unique_name("lbp")
    names = [f"{prefix}-{i}" for i in range(5)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        seen, token = [], None
        for _ in range(10):
            query = [("max-buckets", "2"), ("prefix", prefix)]
            if token:
                query.append(("continuation-token", token))
            resp = raw.request("GET", "/", query=query)
            assert resp.status == 200, resp
            root = ET.fromstring(resp.body)
            page = [b.find(f"{NS}Name").text for b in root.iter(f"{NS}Bucket")]
            assert len(page) <= 2
            assert all(b.find(f"{NS}BucketRegion").text == "us-east-1"
                       for b in root.iter(f"{NS}Bucket"))
            assert root.find(f"{NS}Prefix").text == prefix
            seen += page
            token_el = root.find(f"{NS}ContinuationToken")
            if token_el is None:
                break
            token = token_el.text
        assert seen == names
        resp = raw.request("GET", "/", query=[("bucket-region", "eu-west-1"),
                                              ("prefix", prefix)])
        assert list(ET.fromstring(resp.body).iter(f"{NS}Bucket")) == []
        for bad in ("0", "10001", "x"):
            resp = raw.request("GET", "/", query=[("max-buckets", bad)])
            assert (resp.status, resp.code) == (400, "InvalidArgument"), resp
        # Unpaged, every bucket is listed as before.
        listed = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert set(names) <= listed
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


# ---- GetObjectAttributes, GetObjectTorrent --------------------------------------------------
def test_get_object_attributes_of_a_plain_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"hello", ChecksumAlgorithm="SHA256")
    got = s3.get_object_attributes(
        Bucket=bucket, Key="plain",
        ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
    assert got["ETag"] == hashlib.md5(b"hello").hexdigest()
    assert got["ObjectSize"] == 5
    assert got["StorageClass"] == "STANDARD"
    assert got["Checksum"]["ChecksumSHA256"] == \
        base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    assert "ObjectParts" not in got
    only_size = s3.get_object_attributes(Bucket=bucket, Key="plain", ObjectAttributes=["ObjectSize"])
    assert "ETag" not in only_size and only_size["ObjectSize"] == 5


def test_get_object_attributes_pages_the_parts(s3, raw, bucket):
    data = _multipart(s3, bucket, "mp", [5 * MiB, 5 * MiB, 7])
    got = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts",
                                                                              "ObjectSize"],
                                   MaxParts=2)
    parts = got["ObjectParts"]
    assert got["ObjectSize"] == len(data)
    assert parts.get("TotalPartsCount", parts.get("PartsCount")) == 3
    assert parts["IsTruncated"] is True
    assert [p["PartNumber"] for p in parts["Parts"]] == [1, 2]
    assert [p["Size"] for p in parts["Parts"]] == [5 * MiB, 5 * MiB]
    rest = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"],
                                    PartNumberMarker=parts["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["ObjectParts"]["Parts"]] == [3]
    assert rest["ObjectParts"]["IsTruncated"] is False


def test_get_object_attributes_errors(s3, raw, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=["ETag"])
    assert_s3_error(e, "NoSuchKey", 404)
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    resp = raw.request("GET", f"/{bucket}/k", query=[("attributes", "")],
                       headers={"x-amz-object-attributes": "ETag,Colour"})
    assert (resp.status, resp.code) == (400, "InvalidArgument"), resp
    resp = raw.request("GET", f"/{bucket}/k", query=[("attributes", "")])
    assert (resp.status, resp.code) == (400, "InvalidRequest"), resp


def test_get_object_torrent(raw, s3, bucket):
    resp = raw.request("GET", f"/{bucket}/nothing", query=[("torrent", "")])
    assert (resp.status, resp.code) == (404, "NoSuchKey"), resp
    s3.put_object(Bucket=bucket, Key="there", Body=b"1")
    resp = raw.request("GET", f"/{bucket}/there", query=[("torrent", "")])
    assert (resp.status, resp.code) == (501, "NotImplemented"), resp


# ---- authentication and headers -------------------------------------------------------------
def test_list_objects_v2_signed_with_sigv2(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a/b", Body=b"1")
    v2 = server.client(signature="s3")
    resp = v2.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/", StartAfter="a")
    assert [o["Key"] for o in resp["Contents"]] == ["a/b"]
    assert [o["Key"] for o in v2.list_objects(Bucket=bucket)["Contents"]] == ["a/b"]
    url = v2.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket, "Prefix": "a"})
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    assert b"<Key>a/b</Key>" in r.content


@pytest.mark.parametrize("expect", ["200", "", "something-else"])
def test_odd_expect_header_is_ignored(raw, s3, bucket, expect):
    key = f"expect-{expect or 'empty'}"
    resp = raw.request("PUT", f"/{bucket}/{key}", headers={"expect": expect}, body=b"body")
    assert resp.status == 200, resp
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"body"
