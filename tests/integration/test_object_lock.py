"""Object lock with boto3: a bucket created with object lock (versioning Enabled, which can
then not be suspended), its configuration and default retention, retention and legal hold of
a version (PutObjectRetention / PutObjectLegalHold and the x-amz-object-lock-* headers on
writes, returned by GET and HEAD), deletes of a locked version refused (GOVERNANCE bypassable,
COMPLIANCE never), and the errors on a bucket without object lock."""

import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error, unique_name


def future(**kw):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now + datetime.timedelta(**kw)


@pytest.fixture
def lock_bucket(s3):
    """A bucket with object lock. Its locked versions outlive the test, so it is left behind
    (the session's drives are removed at the end)."""
    name = unique_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def error_of(call, code, status):
    with pytest.raises(ClientError) as e:
        call()
    assert_s3_error(e, code, status)


def test_lock_bucket_is_versioned_and_cannot_be_suspended(s3, lock_bucket):
    assert s3.get_bucket_versioning(Bucket=lock_bucket)["Status"] == "Enabled"
    conf = s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled"}
    error_of(lambda: s3.put_bucket_versioning(Bucket=lock_bucket,
                                              VersioningConfiguration={"Status": "Suspended"}),
             "InvalidBucketState", 409)


def test_configuration_round_trip_and_default_retention(s3, lock_bucket):
    conf = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration=conf)
    got = s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"]
    assert got == conf
    put = s3.put_object(Bucket=lock_bucket, Key="k", Body=b"data")
    head = s3.head_object(Bucket=lock_bucket, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert future(hours=23) < until < future(hours=25)
    ret = s3.get_object_retention(Bucket=lock_bucket, Key="k", VersionId=put["VersionId"])
    assert ret["Retention"]["Mode"] == "GOVERNANCE"
    # Explicit headers win over the default.
    s3.put_object(Bucket=lock_bucket, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate=future(seconds=30))
    assert s3.head_object(Bucket=lock_bucket, Key="c")["ObjectLockMode"] == "COMPLIANCE"
    # The default applies to multipart uploads and copies too.
    up = s3.create_multipart_upload(Bucket=lock_bucket, Key="mp")
    part = s3.upload_part(Bucket=lock_bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"p")
    s3.complete_multipart_upload(Bucket=lock_bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=lock_bucket, Key="mp")["ObjectLockMode"] == "GOVERNANCE"
    s3.copy_object(Bucket=lock_bucket, Key="copy", CopySource={"Bucket": lock_bucket, "Key": "c"})
    assert s3.head_object(Bucket=lock_bucket, Key="copy")["ObjectLockMode"] == "GOVERNANCE"


@pytest.mark.parametrize("rule,code", [
    ({"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}, "InvalidRetentionPeriod"),
    ({"DefaultRetention": {"Mode": "GOVERNANCE", "Years": -1}}, "InvalidRetentionPeriod"),
    ({"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}, "MalformedXML"),
    ({"DefaultRetention": {"Mode": "GOVERNANCE"}}, "MalformedXML"),
    ({"DefaultRetention": {"Mode": "ABC", "Days": 1}}, "MalformedXML"),
])
def test_invalid_configurations(s3, lock_bucket, rule, code):
    conf = {"ObjectLockEnabled": "Enabled", "Rule": rule}
    error_of(lambda: s3.put_object_lock_configuration(Bucket=lock_bucket,
                                                      ObjectLockConfiguration=conf),
             code, 400)


def test_retention_round_trip_and_governance(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="k", Body=b"data")["VersionId"]
    error_of(lambda: s3.get_object_retention(Bucket=lock_bucket, Key="k"),
             "NoSuchObjectLockConfiguration", 404)
    until = future(days=1)
    s3.put_object_retention(Bucket=lock_bucket, Key="k", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    ret = s3.get_object_retention(Bucket=lock_bucket, Key="k", VersionId=v)["Retention"]
    assert ret == {"Mode": "GOVERNANCE", "RetainUntilDate": until}
    got = s3.get_object(Bucket=lock_bucket, Key="k")
    assert got["ObjectLockMode"] == "GOVERNANCE" and got["ObjectLockRetainUntilDate"] == until
    # Locked: deleting the version is refused; without a version id a delete marker is added.
    error_of(lambda: s3.delete_object(Bucket=lock_bucket, Key="k", VersionId=v),
             "AccessDenied", 403)
    marker = s3.delete_object(Bucket=lock_bucket, Key="k")
    assert marker["DeleteMarker"] is True
    res = s3.delete_objects(Bucket=lock_bucket,
                            Delete={"Objects": [{"Key": "k", "VersionId": v}]})
    assert res["Errors"][0]["Code"] == "AccessDenied"
    # Shortening needs the bypass; extending does not.
    error_of(lambda: s3.put_object_retention(
        Bucket=lock_bucket, Key="k", VersionId=v,
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(hours=1)}), "AccessDenied", 403)
    s3.put_object_retention(Bucket=lock_bucket, Key="k", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(days=2)})
    s3.put_object_retention(Bucket=lock_bucket, Key="k", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(hours=1)},
                            BypassGovernanceRetention=True)
    # The bypass removes the version.
    s3.delete_object(Bucket=lock_bucket, Key="k", VersionId=v, BypassGovernanceRetention=True)
    error_of(lambda: s3.head_object(Bucket=lock_bucket, Key="k", VersionId=v), "404", 404)


def test_compliance_cannot_be_shortened_or_bypassed(s3, lock_bucket):
    until = future(days=1)
    v = s3.put_object(Bucket=lock_bucket, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=until)["VersionId"]
    head = s3.head_object(Bucket=lock_bucket, Key="c")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"] == until
    for retention in ({"Mode": "COMPLIANCE", "RetainUntilDate": future(hours=1)},
                      {"Mode": "GOVERNANCE", "RetainUntilDate": future(days=3)}):
        error_of(lambda: s3.put_object_retention(Bucket=lock_bucket, Key="c", VersionId=v,
                                                 Retention=retention,
                                                 BypassGovernanceRetention=True),
                 "AccessDenied", 403)
    error_of(lambda: s3.delete_object(Bucket=lock_bucket, Key="c", VersionId=v,
                                      BypassGovernanceRetention=True), "AccessDenied", 403)
    # Extending is allowed.
    s3.put_object_retention(Bucket=lock_bucket, Key="c", VersionId=v,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": future(days=2)})


def test_retention_expires(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="short", Body=b"x", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=future(seconds=2))["VersionId"]
    error_of(lambda: s3.delete_object(Bucket=lock_bucket, Key="short", VersionId=v),
             "AccessDenied", 403)
    import time
    time.sleep(3.5)
    s3.delete_object(Bucket=lock_bucket, Key="short", VersionId=v)


def test_legal_hold_blocks_delete_until_off(s3, lock_bucket):
    v = s3.put_object(Bucket=lock_bucket, Key="h", Body=b"x",
                      ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.head_object(Bucket=lock_bucket, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    hold = s3.get_object_legal_hold(Bucket=lock_bucket, Key="h", VersionId=v)["LegalHold"]
    assert hold == {"Status": "ON"}
    error_of(lambda: s3.delete_object(Bucket=lock_bucket, Key="h", VersionId=v,
                                      BypassGovernanceRetention=True), "AccessDenied", 403)
    s3.put_object_legal_hold(Bucket=lock_bucket, Key="h", VersionId=v, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=lock_bucket, Key="h")["LegalHold"] == {"Status": "OFF"}
    s3.delete_object(Bucket=lock_bucket, Key="h", VersionId=v)
    error_of(lambda: s3.put_object_legal_hold(Bucket=lock_bucket, Key="h",
                                              LegalHold={"Status": "MAYBE"}),
             "MalformedXML", 400)


def test_invalid_lock_headers(s3, lock_bucket):
    error_of(lambda: s3.put_object(Bucket=lock_bucket, Key="x", Body=b"x",
                                   ObjectLockMode="GOVERNANCE"), "InvalidArgument", 400)
    error_of(lambda: s3.put_object(Bucket=lock_bucket, Key="x", Body=b"x",
                                   ObjectLockMode="GOVERNANCE",
                                   ObjectLockRetainUntilDate=future(days=-1)),
             "InvalidArgument", 400)
    error_of(lambda: s3.put_object_retention(
        Bucket=lock_bucket, Key="x", Retention={"Mode": "BAD", "RetainUntilDate": future(days=1)}),
        "MalformedXML", 400)


def test_errors_on_a_bucket_without_object_lock(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    error_of(lambda: s3.get_object_lock_configuration(Bucket=bucket),
             "ObjectLockConfigurationNotFoundError", 404)
    for call in (
            lambda: s3.get_object_retention(Bucket=bucket, Key="k"),
            lambda: s3.get_object_legal_hold(Bucket=bucket, Key="k"),
            lambda: s3.put_object_retention(
                Bucket=bucket, Key="k",
                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(days=1)}),
            lambda: s3.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "ON"}),
            lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"x",
                                  ObjectLockLegalHoldStatus="ON")):
        error_of(call, "InvalidRequest", 400)
    conf = {"ObjectLockEnabled": "Enabled"}
    error_of(lambda: s3.put_object_lock_configuration(Bucket=bucket,
                                                      ObjectLockConfiguration=conf),
             "InvalidBucketState", 409)
    # With versioning Enabled, object lock can be turned on.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
