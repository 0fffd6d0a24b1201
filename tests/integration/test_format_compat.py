"""Existing deployments keep working: today's binary starts on drives written before version
histories were split into records (tests/integration/fixtures/drives-before-versioning.tgz),
reads every object back unchanged, and then versions them."""

import hashlib
import os
import tarfile

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "drives-before-versioning.tgz")


def test_drives_written_before_versioning(make_server):
    srv = make_server(drives=4, wait=None)
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(srv.root)
    srv.start()
    s3 = srv.client()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="old")["Contents"]] == \
        ["dir/large.bin", "mp", "small.txt"]
    small = s3.get_object(Bucket="old", Key="small.txt")
    assert small["Body"].read() == b"written by the old format\n"
    assert small["ContentType"] == "text/plain" and small["Metadata"] == {"who": "old"}
    assert s3.get_object(Bucket="old", Key="dir/large.bin")["Body"].read() == \
        bytes(range(256)) * 1200
    mp = s3.get_object(Bucket="old", Key="mp")
    assert mp["ETag"].endswith('-2"')
    assert hashlib.sha256(mp["Body"].read()).digest() == \
        hashlib.sha256(b"a" * (5 * 1024 * 1024) + b"b" * 1000).digest()
    # The old objects are each bucket's null version; versioning then keeps them.
    s3.put_bucket_versioning(Bucket="old", VersioningConfiguration={"Status": "Enabled"})
    vid = s3.put_object(Bucket="old", Key="small.txt", Body=b"new")["VersionId"]
    versions = s3.list_object_versions(Bucket="old", Prefix="small.txt")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(vid, True), ("null", False)]
    assert s3.get_object(Bucket="old", Key="small.txt", VersionId="null")["Body"].read() == \
        b"written by the old format\n"
    # And after a restart, on the drives now holding both forms.
    srv.stop()
    srv.start()
    s3 = srv.client()
    assert s3.get_object(Bucket="old", Key="small.txt")["Body"].read() == b"new"
    assert s3.get_object(Bucket="old", Key="dir/large.bin")["Body"].read() == \
        bytes(range(256)) * 1200
