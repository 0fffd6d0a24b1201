"""Healing against the real server: a drive wiped while the server was down is formatted at
start and healed by a drive heal (objects rebuilt onto it, shard files included), and its
data then serves reads when other drives are gone.

4 drives = one set, EC 2+2 (read quorum 2)."""

import hashlib
import re
import shutil
import time

import pytest

from conftest import random_bytes

pytestmark = pytest.mark.faults

KiB, MiB = 1024, 1024 * 1024


def put_objects(s3, bucket):
    """Small (inline) and large (> 128 KiB per shard: shard files) objects and a multipart one."""
    s3.create_bucket(Bucket=bucket)
    objs = {}
    for size in (0, 1 * KiB, 100 * KiB, 300 * KiB, MiB + 1, 3 * MiB + 5):
        key = f"dir/obj-{size}"
        objs[key] = random_bytes(size, seed=key)
        s3.put_object(Bucket=bucket, Key=key, Body=objs[key])
    parts = [random_bytes(5 * MiB, "heal-mp1"), random_bytes(2 * MiB + 7, "heal-mp2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="multipart")["UploadId"]
    done = [{"PartNumber": i, "ETag": s3.upload_part(Bucket=bucket, Key="multipart",
                                                     UploadId=uid, PartNumber=i,
                                                     Body=p)["ETag"]}
            for i, p in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket=bucket, Key="multipart", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    objs["multipart"] = b"".join(parts)
    return objs


def wait_for_log(srv, pattern, timeout=120):
    """Polls the server log for a line matching `pattern`; returns the match."""
    deadline = time.monotonic() + timeout
    rx = re.compile(pattern)
    while time.monotonic() < deadline:
        with open(srv.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        m = rx.search(text)
        if m:
            return m
        assert srv.alive(), srv.log_tail()
        time.sleep(0.2)
    raise AssertionError(f"no log line matching {pattern!r} within {timeout}s:\n{srv.log_tail()}")


def make_unavailable(path):
    """The drive is gone: its path is now a regular file."""
    shutil.rmtree(path, ignore_errors=True)
    with open(path, "w") as f:
        f.write("not a drive\n")


def get_with_retry(s3, bucket, key, timeout=30):
    """GET, retried while the server answers 503 (it may still be loading)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_wiped_drive_is_formatted_and_healed_at_start(make_server):
    srv = make_server(drives=4)
    objs = put_objects(srv.client(), "heal")
    healthy = len(srv.shard_files(srv.drive_paths[0]))
    assert healthy == 5  # obj-300K, obj-1M, obj-3M and the multipart object's 2 parts
    srv.stop()
    victim = srv.drive_paths[2]
    shutil.rmtree(victim)
    srv.start()
    m = wait_for_log(srv, r"drive heal (\S+) of (\S+) finished: (\d+) objects scanned, "
                          r"(\d+) healed, (\d+) failed")
    assert m.group(2).rstrip("/").endswith("d3"), m.group(0)
    assert int(m.group(3)) == len(objs) and int(m.group(4)) == len(objs), m.group(0)
    assert int(m.group(5)) == 0, m.group(0)
    assert len(srv.shard_files(victim)) == healthy

    # Two other drives gone: read quorum is left only with the healed drive's shards.
    srv.stop()
    make_unavailable(srv.drive_paths[0])
    make_unavailable(srv.drive_paths[1])
    srv.start(wait="live")
    s3 = srv.client()
    for key, body in objs.items():
        got = get_with_retry(s3, "heal", key)
        assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest(), key


def test_wiped_drive_heals_every_version(make_server):
    """A versioned bucket: every version (inline and shard files) and delete marker is rebuilt
    on a wiped drive, then served from it with two other drives gone."""
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="vheal")
    s3.put_bucket_versioning(Bucket="vheal", VersioningConfiguration={"Status": "Enabled"})
    versions = {}
    for i, size in enumerate((10, 300 * KiB, 2 * KiB, MiB + 3)):
        body = random_bytes(size, seed=f"v{i}")
        vid = s3.put_object(Bucket="vheal", Key="k", Body=body)["VersionId"]
        versions[vid] = body
    marker = s3.delete_object(Bucket="vheal", Key="k")["VersionId"]
    srv.stop()
    victim = srv.drive_paths[1]
    shutil.rmtree(victim)
    srv.start()
    wait_for_log(srv, r"drive heal (\S+) of (\S+) finished")
    srv.stop()
    make_unavailable(srv.drive_paths[0])
    make_unavailable(srv.drive_paths[2])
    srv.start(wait="live")
    s3 = srv.client()
    deadline = time.monotonic() + 30
    for vid, body in versions.items():
        while True:
            try:
                got = s3.get_object(Bucket="vheal", Key="k", VersionId=vid)["Body"].read()
                break
            except s3.exceptions.ClientError as e:
                if e.response["ResponseMetadata"]["HTTPStatusCode"] != 503 or \
                        time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert got == body, vid
    listed = s3.list_object_versions(Bucket="vheal")
    assert [d["VersionId"] for d in listed["DeleteMarkers"]] == [marker]
    assert {v["VersionId"] for v in listed["Versions"]} == set(versions)
