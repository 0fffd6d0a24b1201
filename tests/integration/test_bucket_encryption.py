"""Bucket default encryption through boto3 and raw requests: PutBucketEncryption,
GetBucketEncryption and DeleteBucketEncryption (`?encryption`), the 404 without a
configuration, the refusal of malformed and unsupported documents, and the 501 of a server
without a KMS (MinIO's answer). The KMS comes from CAIRN_KMS_SECRET_KEY: the tests that need
one skip while the server answers 501 even with it set."""

import base64
import hashlib

import botocore.exceptions
import pytest

from conftest import assert_s3_error, unique_name

MASTER_KEY = "my-key:" + base64.b64encode(
    hashlib.sha256(b"cairn-bucket-encryption").digest()).decode()

SSE_S3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
SSE_KMS = {
    "Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": "my-key"},
        "BucketKeyEnabled": True,
    }]
}
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def _doc(apply, extra=""):
    return (f"<ServerSideEncryptionConfiguration {NS}><Rule>"
            f"<ApplyServerSideEncryptionByDefault>{apply}</ApplyServerSideEncryptionByDefault>"
            f"{extra}</Rule></ServerSideEncryptionConfiguration>").encode()


def _put_raw(srv, bucket, body):
    return srv.raw().request("PUT", f"/{bucket}", query=[("encryption", "")], body=body)


@pytest.fixture
def kms_server(make_server):
    """A server started with a KMS master key."""
    return make_server(drives=4, env={"CAIRN_KMS_SECRET_KEY": MASTER_KEY})


@pytest.fixture
def no_kms_server(make_server):
    # ServerProcess passes no CAIRN_KMS_* variable of the test's own environment on.
    return make_server(drives=4)


def test_put_get_delete_round_trip(kms_server):
    s3 = kms_server.client()
    bucket = unique_name("enc")
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_encryption(Bucket=bucket)
    assert_s3_error(e, "ServerSideEncryptionConfigurationNotFoundError", 404)

    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=SSE_S3)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert len(rules) == 1
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rules[0]["BucketKeyEnabled"] is False

    # A new configuration replaces the old one.
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=SSE_KMS)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                              "KMSMasterKeyID": "my-key"}
    assert rules[0]["BucketKeyEnabled"] is True

    # aws:kms without a key id: the KMS's default key (AWS).
    default_key = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=default_key)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms"}

    # The configuration survives a restart (it is the bucket's stored configuration).
    kms_server.restart()
    s3 = kms_server.client()
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"

    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_encryption(Bucket=bucket)
    assert_s3_error(e, "ServerSideEncryptionConfigurationNotFoundError", 404)
    # Deleting again is no error, as on AWS.
    s3.delete_bucket_encryption(Bucket=bucket)


def test_refused_configurations_change_nothing(kms_server):
    s3 = kms_server.client()
    bucket = unique_name("enc")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=SSE_S3)
    key_with_aes = {"Rules": [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "AES256", "KMSMasterKeyID": "my-key"}}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=key_with_aes)
    assert_s3_error(e, "InvalidArgument", 400)
    dsse = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"}}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=dsse)
    assert_s3_error(e, "InvalidArgument", 400)
    two_rules = {"Rules": SSE_S3["Rules"] * 2}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=two_rules)
    assert_s3_error(e, "MalformedXML", 400)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    s3.delete_bucket_encryption(Bucket=bucket)


@pytest.mark.parametrize("body", [
    b"not xml",
    b"<ServerSideEncryptionConfiguration/>",
    f"<ServerSideEncryptionConfiguration {NS}></ServerSideEncryptionConfiguration>".encode(),
    _doc(""),
    _doc("<SSEAlgorithm>AES128</SSEAlgorithm>"),
    _doc("<SSEAlgorithm>aes256</SSEAlgorithm>"),
    _doc("<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID> my-key </KMSMasterKeyID>"),
    _doc("<SSEAlgorithm>AES256</SSEAlgorithm>", "<BucketKeyEnabled>maybe</BucketKeyEnabled>"),
    b"<CORSConfiguration/>",
], ids=["not-xml", "empty", "no-rule", "no-algorithm", "unknown-algorithm", "lowercase",
        "blank-key-id", "bucket-key-not-bool", "other-root"])
def test_malformed_documents(server, bucket, body):
    # The document is checked before the KMS (MinIO's order): any server answers MalformedXML.
    r = _put_raw(server, bucket, body)
    assert (r.status, r.code) == (400, "MalformedXML"), r


def test_get_and_delete_on_missing_bucket(s3):
    name = unique_name("nobucket")
    for call in (s3.get_bucket_encryption, s3.delete_bucket_encryption):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(Bucket=name)
        assert_s3_error(e, "NoSuchBucket", 404)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=SSE_S3)
    assert_s3_error(e, "NoSuchBucket", 404)


def test_without_kms_put_is_not_implemented(no_kms_server):
    s3 = no_kms_server.client()
    bucket = unique_name("enc")
    s3.create_bucket(Bucket=bucket)
    for config in (SSE_S3, SSE_KMS):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=config)
        assert_s3_error(e, "NotImplemented", 501)
        assert "KMS is not configured" in e.value.response["Error"]["Message"]
    # Nothing was stored; Get and Delete work as without a configuration.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_encryption(Bucket=bucket)
    assert_s3_error(e, "ServerSideEncryptionConfigurationNotFoundError", 404)
    s3.delete_bucket_encryption(Bucket=bucket)
