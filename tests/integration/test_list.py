"""ListObjectsV2 and ListObjects (v1): order, prefix, delimiter, pagination, encoding."""

import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error

KEYS = ["a", "a/b", "a/b/c", "a/b/d", "a/c", "b", "b/x/y", "c.txt", "d/", "d/e",
        "photos/2024/jan/1.jpg", "photos/2024/feb/2.jpg", "photos/2025/mar/3.jpg",
        "z", "é", "\u4e2d"]


def put_all(s3, bucket, keys, body=b"."):
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=body), keys))


@pytest.fixture
def tree(s3, bucket):
    put_all(s3, bucket, KEYS)
    return bucket


def byte_sorted(keys):
    return sorted(keys, key=lambda k: k.encode())


def list_all_v2(s3, bucket, **kw):
    keys, prefixes, pages = [], [], 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, **kw):
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        pages += 1
    return keys, prefixes, pages


def test_v2_lists_everything_in_byte_order(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree)
    assert [o["Key"] for o in resp["Contents"]] == byte_sorted(KEYS)
    assert resp["KeyCount"] == len(KEYS) and resp["IsTruncated"] is False
    obj = resp["Contents"][0]
    assert obj["Size"] == 1 and obj["ETag"] == '"5058f1af8388633f609cadb75a75dc9d"'
    assert obj["StorageClass"] == "STANDARD" and obj["LastModified"] is not None


def test_v2_prefix_and_delimiter(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, Delimiter="/")
    assert [o["Key"] for o in resp["Contents"]] == byte_sorted(
        ["a", "b", "c.txt", "z", "é", "\u4e2d"])
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["a/", "b/", "d/", "photos/"]
    assert resp["KeyCount"] == 10
    resp = s3.list_objects_v2(Bucket=tree, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in resp["Contents"]] == ["a/b", "a/c"]
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["a/b/"]
    resp = s3.list_objects_v2(Bucket=tree, Prefix="photos/", Delimiter="/")
    assert "Contents" not in resp
    assert [p["Prefix"] for p in resp["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    resp = s3.list_objects_v2(Bucket=tree, Prefix="photos/2024/")
    assert [o["Key"] for o in resp["Contents"]] == ["photos/2024/feb/2.jpg",
                                                    "photos/2024/jan/1.jpg"]
    resp = s3.list_objects_v2(Bucket=tree, Prefix="nothing")
    assert resp["KeyCount"] == 0 and "Contents" not in resp


def test_v2_other_delimiter(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, Delimiter=".")
    assert [p["Prefix"] for p in resp.get("CommonPrefixes", [])] == ["c.", "photos/2024/feb/2.",
                                                                     "photos/2024/jan/1.",
                                                                     "photos/2025/mar/3."]


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 1000])
def test_v2_pagination_with_delimiter(s3, tree, page_size):
    keys, prefixes, pages = list_all_v2(s3, tree, Delimiter="/",
                                        PaginationConfig={"PageSize": page_size})
    assert keys == byte_sorted(["a", "b", "c.txt", "z", "é", "\u4e2d"])
    assert prefixes == ["a/", "b/", "d/", "photos/"]
    assert pages == max(1, -(-10 // page_size))


@pytest.mark.parametrize("page_size", [1, 4, 5, 16])
def test_v2_pagination(s3, tree, page_size):
    keys, _, _ = list_all_v2(s3, tree, PaginationConfig={"PageSize": page_size})
    assert keys == byte_sorted(KEYS)


def test_v2_start_after(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, StartAfter="b/x")
    assert [o["Key"] for o in resp["Contents"]] == byte_sorted(KEYS)[6:]
    assert resp["StartAfter"] == "b/x"


def test_v2_max_keys_zero(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, MaxKeys=0)
    assert resp["KeyCount"] == 0 and "Contents" not in resp


def test_v2_fetch_owner(s3, tree):
    resp = s3.list_objects_v2(Bucket=tree, FetchOwner=True, MaxKeys=1)
    assert "Owner" in resp["Contents"][0]
    resp = s3.list_objects_v2(Bucket=tree, MaxKeys=1)
    assert "Owner" not in resp["Contents"][0]


def test_v2_encoding_type_url(raw, s3, bucket):
    key = "sp ace/ü&<x>"
    s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    resp = raw.request("GET", f"/{bucket}", query=[("list-type", "2"), ("encoding-type", "url")])
    assert resp.status == 200, resp
    assert b"<EncodingType>url</EncodingType>" in resp.body
    listed = [el.text for el in ET.fromstring(resp.body).iter()
              if el.tag.endswith("}Key") or el.tag == "Key"]
    assert len(listed) == 1
    assert all(c not in listed[0] for c in " <&ü"), listed
    assert urllib.parse.unquote_plus(listed[0]) == key
    # boto3 asks for url encoding by default and decodes it.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_v1_marker_pagination(s3, tree):
    keys, marker = [], None
    while True:
        kw = {"Marker": marker} if marker else {}
        resp = s3.list_objects(Bucket=tree, MaxKeys=4, **kw)
        keys += [o["Key"] for o in resp.get("Contents", [])]
        if not resp["IsTruncated"]:
            break
        marker = resp.get("NextMarker") or resp["Contents"][-1]["Key"]
    assert keys == byte_sorted(KEYS)


def test_v1_delimiter_next_marker(s3, tree):
    resp = s3.list_objects(Bucket=tree, Delimiter="/", MaxKeys=3)
    assert resp["IsTruncated"] is True
    # With a delimiter, NextMarker is returned (the last key or prefix of the page).
    assert resp["NextMarker"] == "b"
    resp = s3.list_objects(Bucket=tree, Delimiter="/", Marker=resp["NextMarker"])
    assert [p["Prefix"] for p in resp.get("CommonPrefixes", [])] == ["b/", "d/", "photos/"]


def test_invalid_max_keys(raw, bucket):
    resp = raw.request("GET", f"/{bucket}", query=[("list-type", "2"), ("max-keys", "-1")])
    assert (resp.status, resp.code) == (400, "InvalidArgument"), resp
    resp = raw.request("GET", f"/{bucket}", query=[("max-keys", "abc")])
    assert (resp.status, resp.code) == (400, "InvalidArgument"), resp


def test_list_missing_bucket(s3):
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket="no-such-bucket-for-listing")
    assert_s3_error(e, "NoSuchBucket", 404)


def test_list_after_write_and_delete(s3, bucket):
    for i in range(20):
        s3.put_object(Bucket=bucket, Key=f"k{i:02d}", Body=b"x")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert keys[-1] == f"k{i:02d}" and len(keys) == i + 1
    for i in range(0, 20, 2):
        s3.delete_object(Bucket=bucket, Key=f"k{i:02d}")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"k{i:02d}" for i in range(1, 20, 2)]


def test_default_page_is_1000(s3, bucket):
    keys = [f"many/{i:05d}" for i in range(1203)]
    put_all(s3, bucket, keys, body=b"")
    first = s3.list_objects_v2(Bucket=bucket)
    assert first["KeyCount"] == 1000 and first["IsTruncated"] is True
    assert first["NextContinuationToken"]
    second = s3.list_objects_v2(Bucket=bucket,
                                ContinuationToken=first["NextContinuationToken"])
    assert second["KeyCount"] == 203 and second["IsTruncated"] is False
    got = [o["Key"] for o in first["Contents"] + second["Contents"]]
    assert got == keys
    # More than 1000 requested is capped at 1000.
    assert s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)["KeyCount"] == 1000
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[:1000]],
                                             "Quiet": True})
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[1000:]],
                                             "Quiet": True})
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


# ---- ListObjectVersions (buckets are unversioned: each object once, version "null") ------------
@pytest.mark.parametrize("page_size", [3, 1000])
def test_list_object_versions_of_unversioned_bucket(s3, tree, page_size):
    keys, versions, prefixes = [], [], []
    for page in s3.get_paginator("list_object_versions").paginate(
            Bucket=tree, PaginationConfig={"PageSize": page_size}):
        assert not page.get("DeleteMarkers")
        for v in page.get("Versions", []):
            keys.append(v["Key"])
            versions.append((v["VersionId"], v["IsLatest"], v["Size"]))
            assert v["ETag"].startswith('"') and v["StorageClass"] == "STANDARD"
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert keys == byte_sorted(KEYS) and not prefixes
    assert set(versions) == {("null", True, 1)}
    page = s3.list_object_versions(Bucket=tree, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    page = s3.list_object_versions(Bucket=tree, KeyMarker="b", VersionIdMarker="null",
                                   MaxKeys=2)
    assert [v["Key"] for v in page["Versions"]] == ["b/x/y", "c.txt"]
    assert page["IsTruncated"] and page["NextKeyMarker"] == "c.txt"
    # What s3-tests and other tools do to empty a bucket: versions, then DeleteObjects.
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]}
               for v in s3.list_object_versions(Bucket=tree)["Versions"]]
    out = s3.delete_objects(Bucket=tree, Delete={"Objects": objects, "Quiet": True})
    assert not out.get("Errors")
    assert "Versions" not in s3.list_object_versions(Bucket=tree)


def test_list_object_versions_errors(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    assert_s3_error(e, "InvalidArgument", 400)
    with pytest.raises(ClientError) as e:
        s3.list_object_versions(Bucket=bucket + "-missing")
    assert_s3_error(e, "NoSuchBucket", 404)
