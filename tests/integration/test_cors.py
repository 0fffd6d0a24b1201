"""Bucket CORS as a browser meets it: PutBucketCors / GetBucketCors / DeleteBucketCors through
boto3, the unauthenticated OPTIONS preflight, and the CORS headers of actual requests."""

import botocore.exceptions
import pytest
import requests

from conftest import assert_s3_error

RULES = {
    "CORSRules": [
        {
            "ID": "app",
            "AllowedOrigins": ["https://app.example.com", "https://*.example.org"],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["Content-*", "x-amz-*"],
            "ExposeHeaders": ["ETag", "x-amz-request-id"],
            "MaxAgeSeconds": 3000,
        },
        {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
    ]
}


def _preflight(server, path, origin=None, method=None, headers=None):
    h = {}
    if origin is not None:
        h["Origin"] = origin
    if method is not None:
        h["Access-Control-Request-Method"] = method
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return requests.options(server.endpoint + path, headers=h, timeout=10)


def test_put_get_delete_bucket_cors(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert_s3_error(e, "NoSuchCORSConfiguration", 404)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert got[0]["ID"] == "app"
    assert got[0]["AllowedOrigins"] == RULES["CORSRules"][0]["AllowedOrigins"]
    assert got[0]["AllowedMethods"] == ["GET", "PUT"]
    assert got[0]["AllowedHeaders"] == ["Content-*", "x-amz-*"]
    assert got[0]["ExposeHeaders"] == ["ETag", "x-amz-request-id"]
    assert got[0]["MaxAgeSeconds"] == 3000
    assert got[1]["AllowedOrigins"] == ["*"]
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert_s3_error(e, "NoSuchCORSConfiguration", 404)


def test_invalid_cors_configurations(s3, bucket):
    bad_method = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=bad_method)
    assert_s3_error(e, "InvalidRequest", 400)
    assert "Unsupported method is PATCH" in e.value.response["Error"]["Message"]
    two_wildcards = {"CORSRules": [{"AllowedOrigins": ["*.*.com"], "AllowedMethods": ["GET"]}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=two_wildcards)
    assert_s3_error(e, "InvalidRequest", 400)
    too_many = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}] * 101}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=too_many)
    assert_s3_error(e, "MalformedXML", 400)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_cors(Bucket="no-such-bucket-cors", CORSConfiguration=RULES)
    assert_s3_error(e, "NoSuchBucket", 404)


def test_preflight(server, s3, bucket):
    r = _preflight(server, f"/{bucket}/k", "https://app.example.com", "GET")
    assert r.status_code == 403, r.text
    assert "<Code>AccessForbidden</Code>" in r.text
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    r = _preflight(server, f"/{bucket}/some/key", "https://app.example.com", "PUT",
                   "Content-Type, X-Amz-Date")
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert r.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    assert r.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-request-id"
    assert r.headers["Access-Control-Max-Age"] == "3000"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in r.headers["Vary"]
    # Wildcard origins.
    r = _preflight(server, f"/{bucket}", "https://www.example.org", "GET")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "https://www.example.org"
    r = _preflight(server, f"/{bucket}/k", "https://anyone.test", "HEAD")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    # Nothing allows these.
    for origin, method, headers in [("https://evil.test", "GET", None),
                                    ("https://app.example.com", "DELETE", None),
                                    ("https://app.example.com", "PUT", "Authorization-X")]:
        r = _preflight(server, f"/{bucket}/k", origin, method, headers)
        assert r.status_code == 403, (origin, method, headers)
    r = _preflight(server, "/no-such-bucket-here/k", "https://app.example.com", "GET")
    assert r.status_code == 403
    assert "CORSResponse: Bucket not found" in r.text
    assert _preflight(server, f"/{bucket}/k", None, "GET").status_code == 400
    assert _preflight(server, f"/{bucket}/k", "https://app.example.com").status_code == 400


def test_actual_requests_carry_cors_headers(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    r = requests.get(url, headers={"Origin": "https://app.example.com"}, timeout=10)
    assert r.status_code == 200
    assert r.content == b"hello"
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-request-id"
    assert "Origin" in r.headers["Vary"]
    # An error response carries them too (a browser could not read it otherwise).
    missing = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "nope"})
    r = requests.get(missing, headers={"Origin": "https://app.example.com"}, timeout=10)
    assert r.status_code == 404
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    # No matching origin, or no Origin: none.
    r = requests.get(url, headers={"Origin": "https://evil.test"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in r.headers
    r = requests.get(url, timeout=10)
    assert "Access-Control-Allow-Origin" not in r.headers
    # Removing the configuration removes them.
    s3.delete_bucket_cors(Bucket=bucket)
    r = requests.get(url, headers={"Origin": "https://app.example.com"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in r.headers


def test_configuration_is_seen_by_every_node_at_once(cairn_bin, tmp_path):
    """Set through one node, the rules answer the next preflight on another (the bucket info
    cache is invalidated across nodes); removed through that one, the first stops answering."""
    from test_cluster import Cluster
    cluster = Cluster(str(tmp_path), nodes=2, drives=2).start()
    try:
        n1, n2 = cluster.nodes
        s3 = n1.client()
        s3.create_bucket(Bucket="shared")
        # Read once on node 2 so that its cache holds the bucket without CORS.
        assert _preflight(n2, "/shared/k", "https://app.example.com", "GET").status_code == 403
        s3.put_bucket_cors(Bucket="shared", CORSConfiguration=RULES)
        r = _preflight(n2, "/shared/k", "https://app.example.com", "GET")
        assert r.status_code == 200, r.text
        assert n2.client().get_bucket_cors(Bucket="shared")["CORSRules"][0]["ID"] == "app"
        n2.client().delete_bucket_cors(Bucket="shared")
        assert _preflight(n1, "/shared/k", "https://app.example.com", "GET").status_code == 403
    finally:
        cluster.stop()
