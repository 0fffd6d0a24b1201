"""Bucket lifecycle configuration through boto3: Put/Get/DeleteBucketLifecycleConfiguration,
AWS's validation errors, refused transitions, and the x-amz-expiration header of objects a
rule will expire (with --lifecycle-day-seconds shortening a day)."""

import datetime
import email.utils

import botocore.exceptions
import pytest

from conftest import assert_s3_error

RULES = {
    "Rules": [
        {
            "ID": "expire-logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 3},
        },
        {
            "ID": "tagged",
            "Filter": {"And": {"Prefix": "t/", "Tags": [{"Key": "class", "Value": "tmp"}]}},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 5, "NewerNoncurrentVersions": 2},
        },
        {
            "ID": "uploads",
            "Filter": {"Prefix": ""},
            "Status": "Disabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
        {
            "ID": "dated",
            "Filter": {"ObjectSizeGreaterThan": 1000},
            "Status": "Enabled",
            "Expiration": {"Date": datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)},
        },
    ]
}


def _error(s3, bucket, config, code, status):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=config)
    assert_s3_error(e, code, status)
    return e.value.response["Error"]["Message"]


def test_put_get_delete_lifecycle(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert_s3_error(e, "NoSuchLifecycleConfiguration", 404)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=RULES)
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["ID"] for r in got] == ["expire-logs", "tagged", "uploads", "dated"]
    assert got[0]["Filter"] == {"Prefix": "logs/"}
    assert got[0]["Expiration"] == {"Days": 3}
    assert got[1]["Filter"]["And"]["Tags"] == [{"Key": "class", "Value": "tmp"}]
    assert got[1]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 5,
                                                     "NewerNoncurrentVersions": 2}
    assert got[2]["Status"] == "Disabled"
    assert got[2]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert got[3]["Expiration"]["Date"] == datetime.datetime(2040, 1, 1,
                                                             tzinfo=datetime.timezone.utc)
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert_s3_error(e, "NoSuchLifecycleConfiguration", 404)


def test_invalid_lifecycle_configurations(s3, bucket):
    def rule(**kw):
        r = {"ID": "r", "Filter": {"Prefix": ""}, "Status": "Enabled"}
        r.update(kw)
        return {"Rules": [r]}

    msg = _error(s3, bucket, rule(Expiration={"Days": 0}), "InvalidArgument", 400)
    assert "Days" in msg
    msg = _error(s3, bucket, rule(Expiration={"Date": datetime.datetime(
        2040, 1, 1, 12, tzinfo=datetime.timezone.utc)}), "InvalidArgument", 400)
    assert "midnight" in msg
    _error(s3, bucket, rule(), "InvalidRequest", 400)  # no action
    _error(s3, bucket, rule(ID="x" * 256, Expiration={"Days": 1}), "InvalidArgument", 400)
    dup = {"Rules": rule(Expiration={"Days": 1})["Rules"] * 2}
    msg = _error(s3, bucket, dup, "InvalidArgument", 400)
    assert "unique" in msg
    msg = _error(s3, bucket, rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}]),
                 "NotImplemented", 501)
    assert "Transition" in msg
    _error(s3, bucket, rule(Filter={"Tag": {"Key": "k", "Value": "v"}},
                            AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1}),
           "InvalidArgument", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert_s3_error(e, "NoSuchLifecycleConfiguration", 404)


def test_expiration_header(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=RULES)
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    assert 'rule-id="expire-logs"' in put["Expiration"]
    head = s3.head_object(Bucket=bucket, Key="logs/a")
    expiry = head["Expiration"]
    assert 'rule-id="expire-logs"' in expiry
    date = expiry.split('expiry-date="')[1].split('"')[0]
    when = email.utils.parsedate_to_datetime(date)
    # Three days after the write, rounded up to the next midnight UTC.
    now = datetime.datetime.now(datetime.timezone.utc)
    assert (when.hour, when.minute, when.second) == (0, 0, 0)
    assert datetime.timedelta(days=3) <= when - now <= datetime.timedelta(days=4, minutes=1)
    assert "Expiration" in s3.get_object(Bucket=bucket, Key="logs/a")
    # CopyObject and CompleteMultipartUpload report it too.
    copied = s3.copy_object(Bucket=bucket, Key="logs/b",
                            CopySource={"Bucket": bucket, "Key": "logs/a"})
    assert 'rule-id="expire-logs"' in copied["Expiration"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="logs/mp")
    etag = s3.upload_part(Bucket=bucket, Key="logs/mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"p")["ETag"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="logs/mp", UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                    "ETag": etag}]})
    assert 'rule-id="expire-logs"' in done["Expiration"]
    # Big objects fall under the dated rule, small ones elsewhere under none.
    s3.put_object(Bucket=bucket, Key="big", Body=b"b" * 2000)
    assert 'rule-id="dated"' in s3.head_object(Bucket=bucket, Key="big")["Expiration"]
    s3.put_object(Bucket=bucket, Key="small", Body=b"s")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="small")


def test_day_length_flag(make_server):
    srv = make_server(args=("--lifecycle-day-seconds", "10"))
    s3 = srv.client()
    s3.create_bucket(Bucket="days")
    s3.put_bucket_lifecycle_configuration(Bucket="days", LifecycleConfiguration={"Rules": [
        {"ID": "soon", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "Expiration": {"Days": 2}}]})
    s3.put_object(Bucket="days", Key="k", Body=b"x")
    head = s3.head_object(Bucket="days", Key="k")
    date = head["Expiration"].split('expiry-date="')[1].split('"')[0]
    when = email.utils.parsedate_to_datetime(date)
    delta = when - head["LastModified"]
    # Two ten-second days, rounded up to the next ten-second boundary.
    assert datetime.timedelta(seconds=20) <= delta <= datetime.timedelta(seconds=31)
    assert when.second % 10 == 0
