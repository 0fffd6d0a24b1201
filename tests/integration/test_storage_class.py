"""Storage classes as MinIO has them: x-amz-storage-class STANDARD / REDUCED_REDUNDANCY
chooses an object's parity (CAIRN_STORAGE_CLASS_STANDARD / _RRS, EC:N), is reported by
HEAD/GET, the listings and the multipart calls, and a bad setting refuses to start.

6 drives = one set, EC 3+3 by default; RRS defaults to EC:1 (5+1). The proof of parity: with
the shard files of 2 drives gone, the RRS object is unreadable and the STANDARD one is not;
with 1 gone, both read."""

import os
import shutil
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, random_bytes

MiB = 1024 * 1024
UNAVAILABLE = ("SlowDownRead", "SlowDown", "ServiceUnavailable", "XMinioServerNotInitialized")


def remove_shards(srv, drives):
    for i in drives:
        shutil.rmtree(os.path.join(srv.drive_paths[i], "data"), ignore_errors=True)


def test_class_is_reported(make_server, monkeypatch):
    monkeypatch.setenv("CAIRN_STORAGE_CLASS_RRS", "EC:1")
    srv = make_server(drives=6)
    s3 = srv.client()
    s3.create_bucket(Bucket="sclass")
    s3.put_object(Bucket="sclass", Key="std", Body=b"s")
    s3.put_object(Bucket="sclass", Key="std-explicit", Body=b"s", StorageClass="STANDARD")
    s3.put_object(Bucket="sclass", Key="rrs", Body=b"r", StorageClass="REDUCED_REDUNDANCY")
    # AWS leaves the header out for STANDARD.
    assert "StorageClass" not in s3.head_object(Bucket="sclass", Key="std")
    assert "StorageClass" not in s3.head_object(Bucket="sclass", Key="std-explicit")
    assert s3.head_object(Bucket="sclass", Key="rrs")["StorageClass"] == "REDUCED_REDUNDANCY"
    assert s3.get_object(Bucket="sclass", Key="rrs")["StorageClass"] == "REDUCED_REDUNDANCY"
    want = {"std": "STANDARD", "std-explicit": "STANDARD", "rrs": "REDUCED_REDUNDANCY"}
    for listed in (s3.list_objects(Bucket="sclass")["Contents"],
                   s3.list_objects_v2(Bucket="sclass")["Contents"],
                   s3.list_object_versions(Bucket="sclass")["Versions"]):
        assert {o["Key"]: o["StorageClass"] for o in listed} == want
    # Multipart: the upload carries its class to ListParts, ListMultipartUploads and the object.
    uid = s3.create_multipart_upload(Bucket="sclass", Key="mp",
                                     StorageClass="REDUCED_REDUNDANCY")["UploadId"]
    assert s3.list_parts(Bucket="sclass", Key="mp", UploadId=uid)["StorageClass"] == \
        "REDUCED_REDUNDANCY"
    uploads = s3.list_multipart_uploads(Bucket="sclass")["Uploads"]
    assert [u["StorageClass"] for u in uploads] == ["REDUCED_REDUNDANCY"]
    etag = s3.upload_part(Bucket="sclass", Key="mp", UploadId=uid, PartNumber=1,
                          Body=b"m" * 1000)["ETag"]
    s3.complete_multipart_upload(Bucket="sclass", Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.head_object(Bucket="sclass", Key="mp")["StorageClass"] == "REDUCED_REDUNDANCY"
    # CopyObject: the class asked for, with either metadata directive; a copy onto itself
    # that changes only the class is allowed.
    s3.copy_object(Bucket="sclass", Key="std", CopySource={"Bucket": "sclass", "Key": "std"},
                   StorageClass="REDUCED_REDUNDANCY")
    assert s3.head_object(Bucket="sclass", Key="std")["StorageClass"] == "REDUCED_REDUNDANCY"
    s3.copy_object(Bucket="sclass", Key="rrs-copy", CopySource={"Bucket": "sclass", "Key": "rrs"})
    assert s3.head_object(Bucket="sclass", Key="rrs-copy")["StorageClass"] == "REDUCED_REDUNDANCY"
    s3.copy_object(Bucket="sclass", Key="rrs-to-std", CopySource={"Bucket": "sclass", "Key": "rrs"},
                   StorageClass="STANDARD")
    assert "StorageClass" not in s3.head_object(Bucket="sclass", Key="rrs-to-std")
    attrs = s3.get_object_attributes(Bucket="sclass", Key="rrs", ObjectAttributes=["StorageClass"])
    assert attrs["StorageClass"] == "REDUCED_REDUNDANCY"


@pytest.mark.parametrize("cls", ["GLACIER", "STANDARD_IA", "standard"])
def test_other_classes_are_refused(s3, bucket, cls):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=cls)
    assert_s3_error(e, "InvalidStorageClass", 400)
    with pytest.raises(ClientError) as e:
        s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass=cls)
    assert_s3_error(e, "InvalidStorageClass", 400)


def test_rrs_has_less_parity_than_standard(make_server, monkeypatch):
    monkeypatch.setenv("CAIRN_STORAGE_CLASS_RRS", "EC:1")
    monkeypatch.setenv("CAIRN_STORAGE_CLASS_STANDARD", "EC:3")
    srv = make_server(drives=6)
    s3 = srv.client()
    s3.create_bucket(Bucket="parity")
    objs = {"std": random_bytes(2 * MiB, "std"), "rrs": random_bytes(2 * MiB, "rrs")}
    s3.put_object(Bucket="parity", Key="std", Body=objs["std"])
    s3.put_object(Bucket="parity", Key="rrs", Body=objs["rrs"], StorageClass="REDUCED_REDUNDANCY")
    # One drive's shards gone: both read (RRS has parity 1).
    remove_shards(srv, [0])
    for key, body in objs.items():
        assert s3.get_object(Bucket="parity", Key=key)["Body"].read() == body, key
    # Two drives' shards gone (again, whatever a heal put back): RRS is unreadable, STANDARD
    # (parity 3) reads.
    remove_shards(srv, [0, 1])
    resp = srv.raw().request("GET", "/parity/rrs", timeout=30)
    assert resp.status == 503 and resp.code in UNAVAILABLE, resp
    assert s3.get_object(Bucket="parity", Key="std")["Body"].read() == objs["std"]
    # Three: STANDARD still reads.
    remove_shards(srv, [0, 1, 2])
    assert s3.get_object(Bucket="parity", Key="std")["Body"].read() == objs["std"]
    assert srv.alive()


@pytest.mark.parametrize("env,words", [
    ({"CAIRN_STORAGE_CLASS_STANDARD": "EC:3"}, "EC:0 to EC:2"),
    ({"CAIRN_STORAGE_CLASS_RRS": "EC:3"}, "REDUCED_REDUNDANCY"),
    ({"CAIRN_STORAGE_CLASS_STANDARD": "EC:1", "CAIRN_STORAGE_CLASS_RRS": "EC:2"},
     "REDUCED_REDUNDANCY"),
    ({"CAIRN_STORAGE_CLASS_RRS": "RS:1"}, "CAIRN_STORAGE_CLASS_RRS=RS:1"),
])
def test_bad_setting_refuses_to_start(make_server, env, words):
    srv = make_server(drives=4, wait=None)
    os.makedirs(srv.root, exist_ok=True)
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CAIRN_", "MINIO_"))}
    full.update(env)
    done = subprocess.run(srv.command(), env=full, cwd=srv.root, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2, done
    assert words in done.stderr, done.stderr
