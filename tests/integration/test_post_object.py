"""POST Object (browser uploads): forms from boto3's generate_presigned_post posted with
`requests`, and forms built by hand (SigV4 and SigV2) for what boto3 cannot express: the
answers (204, 200, 201 with PostResponse, 303), every policy condition, and the errors of a
malformed, forged or oversized form."""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import requests

import s3raw
from conftest import ACCESS_KEY, SECRET_KEY, make_client, random_bytes

BOUNDARY = "----cairnFormBoundary7MA4YWxkTrZu0gW"


def post(url, fields, file=b"hello post", filename="hello.txt", content_type="text/plain",
         headers=None):
    """POSTs a form the way a browser does (fields first, the file last) with requests."""
    files = {"file": (filename, file, content_type)}
    return requests.post(url, data=fields, files=files, headers=headers or {},
                         allow_redirects=False, timeout=120)


def post_raw(url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", headers=None):
    h = {"content-type": content_type}
    h.update(headers or {})
    return requests.post(url, data=body, headers=h, allow_redirects=False, timeout=60)


def multipart(fields, file=None, filename="f.bin", after=()):
    """A multipart/form-data body built byte by byte: `fields` (pairs), the file part when
    `file` is not None, then the `after` fields."""
    out = []
    for name, value in fields:
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   .encode() + value.encode() + b"\r\n")
    if file is not None:
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                   f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                   .encode() + file + b"\r\n")
    for name, value in after:
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   .encode() + value.encode() + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def expiration(seconds):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sigv4_form(bucket, conditions, expires_in=600, access_key=ACCESS_KEY,
               secret_key=SECRET_KEY, raw_policy=None, encoded_policy=None):
    """The authentication fields of a SigV4 form whose policy holds `conditions`, the bucket
    and the three x-amz-* fields (as AWS requires); `raw_policy` replaces the JSON text,
    `encoded_policy` the base64 text (both signed)."""
    date = s3raw.amz_date()
    credential = f"{access_key}/{date[:8]}/us-east-1/s3/aws4_request"
    doc = {"expiration": expiration(expires_in),
           "conditions": [{"bucket": bucket}, {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                          {"x-amz-credential": credential}, {"x-amz-date": date}] + conditions}
    text = raw_policy if raw_policy is not None else json.dumps(doc)
    policy = encoded_policy or base64.b64encode(text.encode()).decode()
    key = s3raw.signing_key(secret_key, date[:8])
    signature = hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
    return [("x-amz-algorithm", "AWS4-HMAC-SHA256"), ("x-amz-credential", credential),
            ("x-amz-date", date), ("policy", policy), ("x-amz-signature", signature)]


def error_of(resp):
    return resp.status_code, s3raw.parse_error(resp.content)[0]


def error_message(resp):
    return s3raw.parse_error(resp.content)[1]


def url_of(server, bucket):
    return f"{server.endpoint}/{bucket}"


def test_presigned_post_stores_the_file(server, s3, bucket):
    form = s3.generate_presigned_post(bucket, "dir/a b.txt")
    assert form["url"] == url_of(server, bucket)
    resp = post(form["url"], form["fields"], file=b"hello post")
    assert resp.status_code == 204, resp.content
    assert resp.content == b""
    assert resp.headers["etag"] == '"%s"' % hashlib.md5(b"hello post").hexdigest()
    assert resp.headers["location"].endswith(f"/{bucket}/dir/a%20b.txt")
    got = s3.get_object(Bucket=bucket, Key="dir/a b.txt")
    assert got["Body"].read() == b"hello post"
    # Content-Type was not a field: the default, not the file part's type.
    assert got["ContentType"] == "binary/octet-stream"


def test_conditions_fields_and_201(server, s3, bucket):
    form = s3.generate_presigned_post(
        bucket, "user/photo.png",
        Fields={"Content-Type": "image/png", "x-amz-meta-tag": "blue",
                "Cache-Control": "max-age=60", "success_action_status": "201"},
        Conditions=[["content-length-range", 1, 1000], ["starts-with", "$key", "user/"],
                    ["starts-with", "$Content-Type", "image/"], {"x-amz-meta-tag": "blue"},
                    {"Cache-Control": "max-age=60"}, {"success_action_status": "201"}])
    resp = post(form["url"], form["fields"], file=b"\x89PNG fake")
    assert resp.status_code == 201, resp.content
    doc = ET.fromstring(resp.content)
    assert doc.tag == "PostResponse"
    etag = '"%s"' % hashlib.md5(b"\x89PNG fake").hexdigest()
    assert doc.findtext("Bucket") == bucket
    assert doc.findtext("Key") == "user/photo.png"
    assert doc.findtext("ETag") == etag
    assert doc.findtext("Location") == f"{server.endpoint}/{bucket}/user/photo.png"
    assert resp.headers["etag"] == etag
    head = s3.head_object(Bucket=bucket, Key="user/photo.png")
    assert head["ContentType"] == "image/png"
    assert head["Metadata"] == {"tag": "blue"}
    assert head["CacheControl"] == "max-age=60"
    assert s3.get_object(Bucket=bucket, Key="user/photo.png")["Body"].read() == b"\x89PNG fake"


def test_success_action_status_200_and_other(s3, bucket):
    for status, want in (("200", 200), ("204", 204), ("302", 204)):
        form = s3.generate_presigned_post(bucket, f"s{status}",
                                          Fields={"success_action_status": status},
                                          Conditions=[{"success_action_status": status}])
        resp = post(form["url"], form["fields"])
        assert (resp.status_code, resp.content) == (want, b""), (status, resp.content)
        assert s3.get_object(Bucket=bucket, Key=f"s{status}")["Body"].read() == b"hello post"


@pytest.mark.parametrize("field", ["success_action_redirect", "redirect"])
def test_success_action_redirect_is_303(s3, bucket, field):
    target = "https://app.example.test/done?from=form"
    form = s3.generate_presigned_post(bucket, "r/k 1", Fields={field: target},
                                      Conditions=[{field: target}])
    resp = post(form["url"], form["fields"], file=b"redirected")
    assert resp.status_code == 303, resp.content
    etag = hashlib.md5(b"redirected").hexdigest()
    location = resp.headers["location"]
    assert location.startswith(target + "&"), location
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query) == {
        "from": ["form"], "bucket": [bucket], "key": ["r/k 1"], "etag": [f'"{etag}"']}
    assert s3.get_object(Bucket=bucket, Key="r/k 1")["Body"].read() == b"redirected"


def test_filename_variable(s3, bucket):
    form = s3.generate_presigned_post(bucket, "uploads/${filename}")
    resp = post(form["url"], form["fields"], file=b"cat", filename="cat.jpg")
    assert resp.status_code == 204, resp.content
    assert s3.get_object(Bucket=bucket, Key="uploads/cat.jpg")["Body"].read() == b"cat"


def test_large_file_streams(server, s3, bucket):
    data = random_bytes(20 * 1024 * 1024 + 12345, "post-large")
    form = s3.generate_presigned_post(bucket, "big.bin",
                                      Conditions=[["content-length-range", 0, 64 << 20]])
    resp = post(form["url"], form["fields"], file=data, content_type="application/octet-stream")
    assert resp.status_code == 204, resp.content
    want = hashlib.md5(data).hexdigest()
    assert resp.headers["etag"] == f'"{want}"'
    got = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert len(got) == len(data) and hashlib.md5(got).hexdigest() == want


def test_expired_policy(s3, bucket):
    form = s3.generate_presigned_post(bucket, "late", ExpiresIn=-60)
    resp = post(form["url"], form["fields"])
    assert error_of(resp) == (403, "AccessDenied"), resp.content
    assert error_message(resp) == "Invalid according to Policy: Policy expired."
    assert_absent(s3, bucket, "late")


def assert_absent(s3, bucket, key):
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount") == 0


def test_violated_conditions(s3, bucket):
    form = s3.generate_presigned_post(
        bucket, "user/a", Fields={"Content-Type": "image/png", "x-amz-meta-tag": "blue"},
        Conditions=[["starts-with", "$key", "user/"], ["starts-with", "$Content-Type", "image/"],
                    {"x-amz-meta-tag": "blue"}])
    for name, value in (("key", "admin/a"), ("Content-Type", "text/html"),
                        ("x-amz-meta-tag", "red")):
        fields = dict(form["fields"], **{name: value})
        resp = post(form["url"], fields)
        assert error_of(resp) == (403, "AccessDenied"), (name, resp.content)
        assert error_message(resp).startswith(
            "Invalid according to Policy: Policy Condition failed"), resp.content
    assert_absent(s3, bucket, "admin")
    assert_absent(s3, bucket, "user")


def test_extra_uncovered_field(s3, bucket):
    form = s3.generate_presigned_post(bucket, "extra")
    fields = dict(form["fields"], **{"x-amz-meta-sneaky": "1"})
    resp = post(form["url"], fields)
    assert error_of(resp) == (403, "AccessDenied"), resp.content
    assert error_message(resp) == (
        "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky")
    assert_absent(s3, bucket, "extra")
    # x-ignore-* fields need no condition.
    fields = dict(form["fields"], **{"x-ignore-tracking": "1"})
    assert post(form["url"], fields).status_code == 204
    assert s3.head_object(Bucket=bucket, Key="extra")["Metadata"] == {}


def test_content_length_range(s3, bucket):
    form = s3.generate_presigned_post(bucket, "sized",
                                      Conditions=[["content-length-range", 10, 20]])
    resp = post(form["url"], form["fields"], file=b"x" * 21)
    assert error_of(resp) == (400, "EntityTooLarge"), resp.content
    resp = post(form["url"], form["fields"], file=b"x" * 9)
    assert error_of(resp) == (400, "EntityTooSmall"), resp.content
    assert_absent(s3, bucket, "sized")
    for n in (10, 20):
        assert post(form["url"], form["fields"], file=b"x" * n).status_code == 204
        assert s3.head_object(Bucket=bucket, Key="sized")["ContentLength"] == n


def test_tampered_signature_and_policy(s3, bucket):
    form = s3.generate_presigned_post(bucket, "forged")
    sig = form["fields"]["x-amz-signature"]
    fields = dict(form["fields"], **{"x-amz-signature": ("0" if sig[0] != "0" else "1") + sig[1:]})
    assert error_of(post(form["url"], fields)) == (403, "SignatureDoesNotMatch")
    # A policy rewritten to allow more, with the old signature.
    doc = json.loads(base64.b64decode(form["fields"]["policy"]))
    doc["conditions"].append(["starts-with", "$x-amz-meta-any", ""])
    fields = dict(form["fields"], policy=base64.b64encode(json.dumps(doc).encode()).decode())
    assert error_of(post(form["url"], fields)) == (403, "SignatureDoesNotMatch")
    assert_absent(s3, bucket, "forged")


def test_wrong_credentials(server, bucket):
    other = make_client(server.endpoint, access_key="NOSUCHKEY", secret_key="whatever")
    form = other.generate_presigned_post(bucket, "k")
    assert error_of(post(form["url"], form["fields"])) == (403, "InvalidAccessKeyId")
    wrong = make_client(server.endpoint, secret_key="not-the-secret")
    form = wrong.generate_presigned_post(bucket, "k")
    assert error_of(post(form["url"], form["fields"])) == (403, "SignatureDoesNotMatch")


def test_unsigned_form_is_access_denied(server, bucket):
    resp = post_raw(url_of(server, bucket), multipart([("key", "k")], file=b"x"))
    assert error_of(resp) == (403, "AccessDenied"), resp.content


def test_sigv2_form(server, s3, bucket):
    doc = {"expiration": expiration(600),
           "conditions": [{"bucket": bucket}, ["starts-with", "$key", "v2/"],
                          {"Content-Type": "text/plain"}]}
    policy = base64.b64encode(json.dumps(doc).encode()).decode()
    signature = base64.b64encode(
        hmac.new(SECRET_KEY.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    fields = [("key", "v2/${filename}"), ("AWSAccessKeyId", ACCESS_KEY), ("policy", policy),
              ("signature", signature), ("Content-Type", "text/plain")]
    resp = post_raw(url_of(server, bucket), multipart(fields, file=b"v2 body", filename="n.txt"))
    assert resp.status_code == 204, resp.content
    got = s3.get_object(Bucket=bucket, Key="v2/n.txt")
    assert (got["Body"].read(), got["ContentType"]) == (b"v2 body", "text/plain")
    bad = [(k, v if k != "signature" else base64.b64encode(b"x" * 20).decode())
           for k, v in fields]
    resp = post_raw(url_of(server, bucket), multipart(bad, file=b"v2 body"))
    assert error_of(resp) == (403, "SignatureDoesNotMatch"), resp.content


def test_case_insensitive_names_and_fields_after_the_file(server, s3, bucket):
    fields = [("Key", "after/k")] + [(k.upper(), v) for k, v in sigv4_form(
        bucket, [["starts-with", "$key", "after/"]])]
    body = multipart(fields, file=b"first", after=[("x-amz-meta-late", "ignored")])
    resp = post_raw(url_of(server, bucket), body)
    assert resp.status_code == 204, resp.content
    head = s3.head_object(Bucket=bucket, Key="after/k")
    assert head["ContentLength"] == 5 and head["Metadata"] == {}


def test_malformed_forms(server, bucket):
    url = url_of(server, bucket)
    auth = sigv4_form(bucket, [["starts-with", "$key", ""]])
    # No boundary in the Content-Type.
    resp = post_raw(url, multipart([("key", "k")] + auth, file=b"x"),
                    content_type="multipart/form-data")
    assert error_of(resp) == (400, "MalformedPOSTRequest"), resp.content
    # A body that is not multipart at all.
    resp = post_raw(url, b"key=k&file=x")
    assert error_of(resp) == (400, "MalformedPOSTRequest"), resp.content
    # A body cut inside the file.
    body = multipart([("key", "k")] + auth, file=b"x" * 100)
    resp = post_raw(url, body[:-60])
    assert error_of(resp) == (400, "MalformedPOSTRequest"), resp.content
    # No file part, no key field.
    resp = post_raw(url, multipart([("key", "k")] + auth))
    assert error_of(resp) == (400, "InvalidArgument"), resp.content
    assert error_message(resp) == "POST requires exactly one file upload per request."
    resp = post_raw(url, multipart(auth, file=b"x"))
    assert error_of(resp) == (400, "InvalidArgument"), resp.content
    assert "key" in error_message(resp)


def test_bad_policy_documents(server, bucket):
    url = url_of(server, bucket)
    for raw_policy in ("not json", '{"conditions": []}', '{"expiration": "tomorrow", '
                       '"conditions": []}', '{"expiration": "2099-01-01T00:00:00Z", '
                       '"conditions": [["like", "$key", "a"]]}'):
        fields = [("key", "k")] + sigv4_form(bucket, [], raw_policy=raw_policy)
        resp = post_raw(url, multipart(fields, file=b"x"))
        assert error_of(resp) == (400, "InvalidPolicyDocument"), (raw_policy, resp.content)
    # A policy that is not base64 (signed as it is).
    fields = [("key", "k")] + sigv4_form(bucket, [], encoded_policy="%%%not base64%%%")
    resp = post_raw(url, multipart(fields, file=b"x"))
    assert error_of(resp) == (400, "InvalidPolicyDocument"), resp.content


def test_fields_before_the_file_are_bounded(server, s3, bucket):
    # 30 KiB of a field that needs no condition: over the 20 KiB the server reads before the file.
    fields = [("key", "pad")] + sigv4_form(bucket, [["starts-with", "$key", ""]]) + [
        ("x-ignore-padding", "p" * (30 * 1024))]
    resp = post_raw(url_of(server, bucket), multipart(fields, file=b"x"))
    assert error_of(resp) == (400, "MaxPostPreDataLengthExceeded"), resp.content
    assert_absent(s3, bucket, "pad")


def test_acl_field(server, s3, bucket):
    # As PutObject's x-amz-acl: a public-read upload is served to anyone, a private one not;
    # with ACLs off (BucketOwnerEnforced) public-read is refused.
    for acl in ("private", "bucket-owner-full-control", "public-read"):
        fields = [("key", f"acl-{acl}"), ("acl", acl)] + sigv4_form(
            bucket, [["starts-with", "$key", "acl-"], {"acl": acl}])
        resp = post_raw(url_of(server, bucket), multipart(fields, file=b"x"))
        assert resp.status_code == 204, resp.content
    assert requests.get(f"{url_of(server, bucket)}/acl-public-read", timeout=10).status_code == 200
    assert requests.get(f"{url_of(server, bucket)}/acl-private", timeout=10).status_code == 403
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    fields = [("key", "acl-refused"), ("acl", "public-read")] + sigv4_form(
        bucket, [["starts-with", "$key", "acl-"], {"acl": "public-read"}])
    resp = post_raw(url_of(server, bucket), multipart(fields, file=b"x"))
    assert error_of(resp) == (400, "AccessControlListNotSupported")
    assert_absent(s3, bucket, "acl-refused")


def test_tagging_field_tags_the_object(server, s3, bucket):
    # The tagging field is a <Tagging> document; the object gets its tags.
    tags = "<Tagging><TagSet><Tag><Key>k</Key><Value>v w</Value></Tag></TagSet></Tagging>"
    fields = [("key", "tagged"), ("tagging", tags)] + sigv4_form(
        bucket, [{"key": "tagged"}, {"tagging": tags}])
    resp = post_raw(url_of(server, bucket), multipart(fields, file=b"x"))
    assert resp.status_code == 204, resp.content
    got = s3.get_object_tagging(Bucket=bucket, Key="tagged")
    assert got["TagSet"] == [{"Key": "k", "Value": "v w"}]
    # A bad tag set is refused and nothing is stored.
    bad = "<Tagging><TagSet><Tag><Key>aws:k</Key><Value>v</Value></Tag></TagSet></Tagging>"
    fields = [("key", "bad-tags"), ("tagging", bad)] + sigv4_form(
        bucket, [{"key": "bad-tags"}, {"tagging": bad}])
    resp = post_raw(url_of(server, bucket), multipart(fields, file=b"x"))
    assert error_of(resp) == (400, "InvalidTag"), resp.content
    assert_absent(s3, bucket, "bad-tags")


def test_content_md5_and_checksum_fields(server, s3, bucket):
    data = b"checked body"
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    for value, want in ((md5, 204), (base64.b64encode(b"0" * 16).decode(), 400)):
        fields = [("key", "md5"), ("Content-MD5", value)] + sigv4_form(
            bucket, [{"key": "md5"}, {"Content-MD5": value}])
        resp = post_raw(url_of(server, bucket), multipart(fields, file=data))
        assert resp.status_code == want, resp.content
    assert error_of(resp) == (400, "BadDigest")
    assert s3.get_object(Bucket=bucket, Key="md5")["Body"].read() == data


def test_no_such_bucket(server, s3):
    form = s3.generate_presigned_post("no-such-bucket-post", "k")
    assert error_of(post(form["url"], form["fields"])) == (404, "NoSuchBucket")


def test_virtual_host_style(make_server):
    srv = make_server(drives=4, args=["--domain", "s3.example.test"])
    s3 = make_client(srv.endpoint)
    s3.create_bucket(Bucket="photos")
    fields = [("key", "vh/k")] + sigv4_form("photos", [["starts-with", "$key", "vh/"]])
    resp = post_raw(f"{srv.endpoint}/", multipart(fields, file=b"virtual"),
                    headers={"host": f"photos.s3.example.test:{srv.port}"})
    assert resp.status_code == 204, resp.content
    assert resp.headers["location"] == f"http://photos.s3.example.test:{srv.port}/vh/k"
    assert s3.get_object(Bucket="photos", Key="vh/k")["Body"].read() == b"virtual"


def test_checksum_field(server, s3, bucket):
    data = b"checksummed"
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    for value, want in ((digest, 204), (base64.b64encode(b"1" * 32).decode(), 400)):
        fields = [("key", "sum"), ("x-amz-checksum-sha256", value)] + sigv4_form(
            bucket, [{"key": "sum"}, {"x-amz-checksum-sha256": value}])
        resp = post_raw(url_of(server, bucket), multipart(fields, file=data))
        assert resp.status_code == want, resp.content
        if want == 204:
            assert resp.headers["x-amz-checksum-sha256"] == digest
    assert error_of(resp) == (400, "BadDigest")
    got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == digest


def test_too_large_file_stops_early(server, s3, bucket):
    # 4 MiB against a 1 MiB maximum: refused once the maximum is passed (the server does not
    # read the rest of a large body: the client sees the error or, still sending, a closed
    # connection), and nothing is stored.
    form = s3.generate_presigned_post(bucket, "huge",
                                      Conditions=[["content-length-range", 0, 1 << 20]])
    try:
        resp = post(form["url"], form["fields"], file=b"z" * (4 << 20))
        assert error_of(resp) == (400, "EntityTooLarge"), resp.content
    except requests.ConnectionError:
        pass
    assert_absent(s3, bucket, "huge")


def test_utf8_metadata_field(s3, bucket):
    # A form field's value is UTF-8 (what browsers send): stored as the text it is.
    form = s3.generate_presigned_post(bucket, "utf8", Fields={"x-amz-meta-name": "café"},
                                      Conditions=[{"x-amz-meta-name": "café"}])
    resp = post(form["url"], form["fields"])
    assert resp.status_code == 204, resp.content
    assert s3.head_object(Bucket=bucket, Key="utf8")["Metadata"] == {"name": "café"}
