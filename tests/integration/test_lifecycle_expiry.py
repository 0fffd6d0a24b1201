"""Lifecycle rules applied by the scanner, against the real binary: one server whose lifecycle
"day" is one second and whose scanner runs every second, so that Days=1 rules fall due within
a few seconds. Expiration by prefix, NoncurrentVersionExpiration in a versioned bucket,
AbortIncompleteMultipartUpload, and the cairn_lifecycle_* metrics and admin info counters."""

import json

import pytest

from conftest import ServerProcess, _live_servers, unique_name, wait_until
from test_admin import ADMIN, admin_get, parse_metrics

# Due after at most two one-second days, plus a scanner cycle or two.
DUE_TIMEOUT = 40


@pytest.fixture(scope="module")
def lc_server(cairn_bin, tmp_path_factory):
    srv = ServerProcess(str(tmp_path_factory.mktemp("lifecycle")), drives=4,
                        args=["--lifecycle-day-seconds", "1", "--scanner-interval", "1"])
    srv.start()
    yield srv
    srv.stop()
    if srv in _live_servers:
        _live_servers.remove(srv)


@pytest.fixture
def lc(lc_server):
    return lc_server.client()


def metrics(server):
    r = admin_get(server, "/minio/v2/metrics/cluster")
    assert r.status == 200, r.body
    return parse_metrics(r.body.decode() if isinstance(r.body, bytes) else r.body)


def counter(server, name):
    return metrics(server).get(name, 0.0)


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_expiration_days_removes_matching_prefix_only(lc_server, lc):
    before = counter(lc_server, "cairn_lifecycle_expired_objects_total")
    bucket = unique_name("lc")
    lc.create_bucket(Bucket=bucket)
    lc.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
        "Expiration": {"Days": 1}}]})
    for key in ("logs/a", "logs/b", "keep/c", "keep/logs/d"):
        lc.put_object(Bucket=bucket, Key=key, Body=key.encode())
    left = wait_until(lambda: keys(lc, bucket) == ["keep/c", "keep/logs/d"],
                      timeout=DUE_TIMEOUT)
    assert left, keys(lc, bucket)
    # Unversioned: the objects are gone, no delete marker stays behind.
    versions = lc.list_object_versions(Bucket=bucket)
    assert not versions.get("DeleteMarkers")
    assert lc.get_object(Bucket=bucket, Key="keep/c")["Body"].read() == b"keep/c"
    assert counter(lc_server, "cairn_lifecycle_expired_objects_total") >= before + 2


def test_noncurrent_versions_expire_latest_stays(lc_server, lc):
    before = counter(lc_server, "cairn_lifecycle_expired_versions_total")
    bucket = unique_name("lcv")
    lc.create_bucket(Bucket=bucket)
    lc.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    lc.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    ids = [lc.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(3)]

    def versions():
        return [v["VersionId"] for v in lc.list_object_versions(Bucket=bucket).get("Versions", [])]

    assert wait_until(lambda: versions() == [ids[-1]], timeout=DUE_TIMEOUT), versions()
    assert lc.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"
    assert counter(lc_server, "cairn_lifecycle_expired_versions_total") >= before + 2


def test_incomplete_upload_aborted(lc_server, lc):
    before = counter(lc_server, "cairn_lifecycle_uploads_aborted_total")
    bucket = unique_name("lcu")
    lc.create_bucket(Bucket=bucket)
    lc.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    old = lc.create_multipart_upload(Bucket=bucket, Key="tmp/big")["UploadId"]
    lc.upload_part(Bucket=bucket, Key="tmp/big", UploadId=old, PartNumber=1, Body=b"x" * 1024)
    kept = lc.create_multipart_upload(Bucket=bucket, Key="other/big")["UploadId"]

    def uploads():
        return sorted(u["UploadId"] for u in
                      lc.list_multipart_uploads(Bucket=bucket).get("Uploads", []))

    assert wait_until(lambda: uploads() == [kept], timeout=DUE_TIMEOUT), uploads()
    assert counter(lc_server, "cairn_lifecycle_uploads_aborted_total") >= before + 1
    lc.abort_multipart_upload(Bucket=bucket, Key="other/big", UploadId=kept)


def test_admin_info_reports_lifecycle_counters(lc_server):
    r = admin_get(lc_server, ADMIN + "/info")
    assert r.status == 200, r.body
    heal = json.loads(r.body)["heal"]
    for name in ("lifecycleExpiredObjects", "lifecycleExpiredVersions",
                 "lifecycleExpiredDeleteMarkers", "lifecycleUploadsAborted"):
        assert name in heal and heal[name] >= 0, heal


def test_versioned_expiration_then_lone_delete_marker_removed(lc_server, lc):
    """Expiration in a versioned bucket adds a delete marker; NoncurrentVersionExpiration then
    removes the old data version and ExpiredObjectDeleteMarker the marker left alone."""
    before = counter(lc_server, "cairn_lifecycle_expired_delete_markers_total")
    bucket = unique_name("lcm")
    lc.create_bucket(Bucket=bucket)
    lc.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    lc.put_object(Bucket=bucket, Key="gone/k", Body=b"v")
    lc.put_object(Bucket=bucket, Key="stay/k", Body=b"s")
    lc.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "gone/"},
         "Expiration": {"Days": 1}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
        {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": "gone/"},
         "Expiration": {"ExpiredObjectDeleteMarker": True}}]})

    def entries():
        r = lc.list_object_versions(Bucket=bucket)
        return sorted(v["Key"] for v in r.get("Versions", []) + r.get("DeleteMarkers", []))

    assert wait_until(lambda: entries() == ["stay/k"], timeout=DUE_TIMEOUT), entries()
    assert counter(lc_server, "cairn_lifecycle_expired_delete_markers_total") >= before + 1
