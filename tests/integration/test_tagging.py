"""Object and bucket tagging with boto3: PutObjectTagging / GetObjectTagging /
DeleteObjectTagging, x-amz-tagging on PutObject, CreateMultipartUpload and CopyObject (with
x-amz-tagging-directive), x-amz-tagging-count on GET/HEAD, AWS's tag rules and errors, and
bucket tags (NoSuchTagSet when there are none)."""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_s3_error

MiB = 1024 * 1024


def tagset(**kw):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in kw.items()]}


def tags_of(s3, bucket, key, **kw):
    return {t["Key"]: t["Value"]
            for t in s3.get_object_tagging(Bucket=bucket, Key=key, **kw)["TagSet"]}


def test_put_get_delete_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.head_object(Bucket=bucket, Key="k")
    s3.put_object_tagging(Bucket=bucket, Key="k",
                          Tagging=tagset(project="cairn", **{"a b": "c/d=e+f@g:h"}))
    assert tags_of(s3, bucket, "k") == {"project": "cairn", "a b": "c/d=e+f@g:h"}
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    # The data is untouched.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    # A new tag set replaces the old one.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagset(only="one"))
    assert tags_of(s3, bucket, "k") == {"only": "one"}
    resp = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")


def test_tagging_a_missing_object(s3, bucket):
    for call in (lambda: s3.get_object_tagging(Bucket=bucket, Key="none"),
                 lambda: s3.put_object_tagging(Bucket=bucket, Key="none", Tagging=tagset(a="b")),
                 lambda: s3.delete_object_tagging(Bucket=bucket, Key="none")):
        with pytest.raises(ClientError) as e:
            call()
        assert_s3_error(e, "NoSuchKey", 404)


def test_tagging_header_on_put_and_large_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="small", Body=b"x", Tagging="k1=v1&k2=v%202")
    assert tags_of(s3, bucket, "small") == {"k1": "v1", "k2": "v 2"}
    body = b"y" * (3 * MiB)
    s3.put_object(Bucket=bucket, Key="large", Body=body, Tagging="big=yes")
    s3.put_object_tagging(Bucket=bucket, Key="large", Tagging=tagset(big="still"))
    assert tags_of(s3, bucket, "large") == {"big": "still"}
    assert s3.get_object(Bucket=bucket, Key="large")["Body"].read() == body


def test_tagging_on_multipart_upload(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="stage=upload")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1,
                          Body=b"z" * 1024)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert tags_of(s3, bucket, "mp") == {"stage": "upload"}


def test_copy_tagging_directive(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"s", Tagging="from=src")
    src = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=src)
    assert tags_of(s3, bucket, "copied") == {"from": "src"}
    s3.copy_object(Bucket=bucket, Key="copied-explicit", CopySource=src, TaggingDirective="COPY",
                   Tagging="ignored=1")
    assert tags_of(s3, bucket, "copied-explicit") == {"from": "src"}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=src, TaggingDirective="REPLACE",
                   Tagging="new=tag")
    assert tags_of(s3, bucket, "replaced") == {"new": "tag"}
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource=src, TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "cleared") == {}
    # Metadata REPLACE keeps the source's tags unless the tags are replaced too.
    s3.copy_object(Bucket=bucket, Key="meta", CopySource=src, MetadataDirective="REPLACE",
                   Metadata={"m": "1"})
    assert tags_of(s3, bucket, "meta") == {"from": "src"}


@pytest.mark.parametrize("tags,code,status", [
    ([("k", "v")] * 2, "InvalidTag", 400),
    ([(f"k{i}", "v") for i in range(11)], "BadRequest", 400),
    ([("k" * 129, "v")], "InvalidTag", 400),
    ([("k", "v" * 257)], "InvalidTag", 400),
    ([("aws:reserved", "v")], "InvalidTag", 400),
    ([("bad!", "v")], "InvalidTag", 400),
])
def test_invalid_tags_are_refused(s3, bucket, tags, code, status):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="keep=me")
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k",
                              Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags]})
    assert_s3_error(e, code, status)
    assert tags_of(s3, bucket, "k") == {"keep": "me"}


def test_duplicate_key_message_and_limits(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket=bucket, Key="k",
                              Tagging={"TagSet": [{"Key": "a", "Value": "1"},
                                                  {"Key": "a", "Value": "2"}]})
    assert e.value.response["Error"]["Message"] == "Cannot provide multiple Tags with the same key"
    # The largest allowed: 10 tags, keys of 128 and values of 256 characters.
    big = {"TagSet": [{"Key": f"{i}" + "k" * 127, "Value": "v" * 256} for i in range(10)]}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=big)
    assert len(tags_of(s3, bucket, "k")) == 10
    # Refused on PutObject too, with nothing stored.
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="dup", Body=b"x", Tagging="a=1&a=2")
    assert_s3_error(e, "InvalidTag", 400)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="dup")


def test_bucket_tagging(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert_s3_error(e, "NoSuchTagSet", 404)
    assert e.value.response["Error"]["Message"] == "The TagSet does not exist"
    resp = s3.put_bucket_tagging(Bucket=bucket, Tagging=tagset(team="storage", env="test"))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert {t["Key"]: t["Value"] for t in got} == {"team": "storage", "env": "test"}
    # Up to 50 tags on a bucket; 51 is refused and the old set stays.
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"}
                                                             for i in range(50)]})
    with pytest.raises(ClientError) as e:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"}
                                                                 for i in range(51)]})
    assert_s3_error(e, "BadRequest", 400)
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    resp = s3.delete_bucket_tagging(Bucket=bucket)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert_s3_error(e, "NoSuchTagSet", 404)


def test_bucket_tagging_of_a_missing_bucket(s3):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="no-such-bucket-for-tags")
    assert_s3_error(e, "NoSuchBucket", 404)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_tagging(Bucket="no-such-bucket-for-tags", Tagging=tagset(a="b"))
    assert_s3_error(e, "NoSuchBucket", 404)
