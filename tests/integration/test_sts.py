"""The STS API through the real binary: AssumeRole (boto3 and the AWS CLI) for a user, its
credentials narrowed by a session policy; the refusals (STS's <ErrorResponse>); and
AssumeRoleWithWebIdentity against an OpenID Connect provider served here (discovery and a
JWKS on 127.0.0.1, tokens signed with an RSA key made by `cryptography`).
"""

import base64
import datetime
import html
import http.server
import json
import threading
import time

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import iam_admin as admin
import test_clients
from conftest import ACCESS_KEY, SECRET_KEY, aws_cli_env, make_client, unique_name

CLIENT_ID = "cairn-test-client"


def sts_client(endpoint, ak=ACCESS_KEY, sk=SECRET_KEY, validate=True):
    cfg = botocore.config.Config(retries={"max_attempts": 0, "mode": "legacy"},
                                 parameter_validation=validate, connect_timeout=5,
                                 read_timeout=20)
    return boto3.session.Session().client("sts", endpoint_url=endpoint, region_name="us-east-1",
                                          aws_access_key_id=ak, aws_secret_access_key=sk,
                                          config=cfg)


def temp_client(endpoint, creds, token=True):
    cfg = botocore.config.Config(s3={"addressing_style": "path"},
                                 retries={"max_attempts": 0, "mode": "legacy"})
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", config=cfg,
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"] if token else None)


def sts_error(fn):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"][
        "HTTPStatusCode"]


def s3_error(fn):
    return sts_error(fn)


def read_only_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/*"]}]})


@pytest.fixture
def sts_server(make_server):
    return make_server()


def make_user(server, policies=("readwrite",)):
    """A user with `policies`, made with the admin API; skips the test on a server whose
    admin API has no user endpoints yet (they live on another branch)."""
    deadline = time.monotonic() + 30
    while True:  # the identity store comes up just after the S3 port
        probe = admin.call(server.endpoint, "GET", "list-users", expect=None)
        code = probe.get("Code") if isinstance(probe, dict) else None
        if code == "NotFound":
            pytest.skip("the admin API has no user endpoints in this build")
        if code != "XMinioServerNotInitialized" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    ak, sk = unique_name("u"), "secret-key-123"
    admin.add_user(server.endpoint, ak, sk)
    if policies:
        admin.attach(server.endpoint, list(policies), user=ak)
    return ak, sk


def check_assume_role(ep, ak, sk):
    """AssumeRole as ak/sk (allowed to read and write everything): a session policy narrows
    the credentials; without one they have the caller's power."""
    root = make_client(ep)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"data")
    before = datetime.datetime.now(datetime.timezone.utc)
    got = sts_client(ep, ak, sk).assume_role(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1", DurationSeconds=900,
        Policy=read_only_policy(b))
    creds = got["Credentials"]
    assert creds["AccessKeyId"] and creds["SecretAccessKey"] and creds["SessionToken"]
    ahead = (creds["Expiration"] - before).total_seconds()
    assert 880 <= ahead <= 960, ahead
    assert got["AssumedRoleUser"]["Arn"]
    s3 = temp_client(ep, creds)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    # The session policy allows reading only.
    assert s3_error(lambda: s3.put_object(Bucket=b, Key="k2", Body=b"x")) == ("AccessDenied", 403)
    assert s3_error(lambda: s3.list_objects_v2(Bucket=b)) == ("AccessDenied", 403)
    assert s3_error(lambda: s3.delete_object(Bucket=b, Key="k")) == ("AccessDenied", 403)
    # Without its session token the key is refused; with another token too.
    code_status = s3_error(lambda: temp_client(ep, creds, token=False).get_object(
        Bucket=b, Key="k"))
    assert code_status == ("InvalidToken", 400), code_status
    token = creds["SessionToken"]
    forged = dict(creds, SessionToken=("y" if token[0] == "x" else "x") + token[1:])
    assert s3_error(lambda: temp_client(ep, forged).get_object(Bucket=b, Key="k")) == (
        "InvalidToken", 400)
    # Without a session policy: the caller's own policies.
    full = sts_client(ep, ak, sk).assume_role(RoleArn="arn:xxx:xxx:xxx:xxxx",
                                              RoleSessionName="s1")["Credentials"]
    ahead = (full["Expiration"] - before).total_seconds()
    assert 3580 <= ahead <= 3660, ahead  # the default hour
    s3full = temp_client(ep, full)
    s3full.put_object(Bucket=b, Key="k2", Body=b"x")
    assert s3full.get_object(Bucket=b, Key="k2")["Body"].read() == b"x"
    # The temporary credentials cannot make more.
    temp_sts = boto3.session.Session().client(
        "sts", endpoint_url=ep, region_name="us-east-1",
        aws_access_key_id=full["AccessKeyId"], aws_secret_access_key=full["SecretAccessKey"],
        aws_session_token=full["SessionToken"])
    assert sts_error(lambda: temp_sts.assume_role(RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1")) == (
        "AccessDenied", 403)


def test_assume_role_as_root(make_server):
    sts_server = make_server(args=("--access-log",))
    # The root user may assume a role (as MinIO allows); a session policy narrows even it.
    check_assume_role(sts_server.endpoint, ACCESS_KEY, SECRET_KEY)
    # The access log names the form's Action, not the route's "STS".
    deadline = time.monotonic() + 10
    while "op=AssumeRole method=POST" not in open(sts_server.log_path).read():
        assert time.monotonic() < deadline, "no access log line for AssumeRole"
        time.sleep(0.1)


def test_assume_role_as_user(sts_server):
    ak, sk = make_user(sts_server)
    check_assume_role(sts_server.endpoint, ak, sk)
    # A service account cannot assume a role (as MinIO); a user with no policy gets
    # credentials that can do nothing.
    svc = admin.add_service_account(sts_server.endpoint, target_user=ak)
    svc_sts = sts_client(sts_server.endpoint, svc["accessKey"], svc["secretKey"])
    assert sts_error(lambda: svc_sts.assume_role(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1")) == ("AccessDenied", 403)
    bare, bare_sk = make_user(sts_server, policies=())
    creds = sts_client(sts_server.endpoint, bare, bare_sk).assume_role(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1")["Credentials"]
    assert s3_error(lambda: temp_client(sts_server.endpoint, creds).create_bucket(
        Bucket=unique_name("b"))) == ("AccessDenied", 403)


def test_assume_role_refusals(sts_server):
    ep = sts_server.endpoint
    loose = sts_client(ep, validate=False)
    for seconds in (100, 899, 43201):
        assert sts_error(lambda: loose.assume_role(
            RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1", DurationSeconds=seconds)) == (
            "InvalidParameterValue", 400)
    assert sts_error(lambda: loose.assume_role(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1", Policy="{not json")) == (
        "MalformedPolicyDocument", 400)
    assert sts_error(lambda: loose.assume_role(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1", Policy="{" + " " * 2100 + "}")) == (
        "InvalidParameterValue", 400)
    # A wrong secret, an unknown key: the middleware's errors, in STS's document.
    bad = sts_client(ep, ACCESS_KEY, "wrong-secret-123")
    assert sts_error(lambda: bad.assume_role(RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1")) == (
        "SignatureDoesNotMatch", 403)
    nobody = sts_client(ep, "nobody-at-all", "wrong-secret-123")
    assert sts_error(lambda: nobody.assume_role(RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="s1")) == (
        "InvalidAccessKeyId", 403)


def test_aws_cli_assume_role(sts_server, tmp_path):
    ep = sts_server.endpoint
    env = aws_cli_env(tmp_path)
    out = test_clients.run([test_clients.find_tool("aws"), "sts", "assume-role",
                            "--endpoint-url", ep, "--role-arn", "arn:xxx:xxx:xxx:xxxx",
                            "--role-session-name", "cli", "--duration-seconds", "900",
                            "--output", "json"], env, timeout=60)
    creds = json.loads(out)["Credentials"]
    s3 = temp_client(ep, creds)
    b = unique_name("cli")
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="k", Body=b"v")
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"v"


def signed_form(endpoint, body, service, ak=ACCESS_KEY, sk=SECRET_KEY):
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(ak, sk), service,
                            "us-east-1").add_auth(req)
    prepared = req.prepare()
    return requests.post(prepared.url, data=body, headers=dict(prepared.headers), timeout=20)


def test_service_of_the_signature(sts_server):
    ep = sts_server.endpoint
    body = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Ax&RoleSessionName=s"
    ok = signed_form(ep, body, "sts")
    assert ok.status_code == 200 and "<AssumeRoleResponse" in ok.text, ok.text
    # Signed for S3: the STS endpoint refuses the scope.
    wrong = signed_form(ep, body, "s3")
    assert wrong.status_code == 400, wrong.text
    assert "<ErrorResponse" in wrong.text and "AuthorizationHeaderMalformed" in wrong.text
    assert 'This endpoint belongs to "sts"' in html.unescape(wrong.text)
    # An S3 request signed for STS is refused the same way.
    s3_for_sts = botocore.awsrequest.AWSRequest(method="GET", url=ep + "/")
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "sts",
                            "us-east-1").add_auth(s3_for_sts)
    p = s3_for_sts.prepare()
    r = requests.get(p.url, headers=dict(p.headers), timeout=20)
    assert r.status_code == 400 and "AuthorizationHeaderMalformed" in r.text, r.text
    # So is an admin request (MinIO's admin API is signed for "s3"; the admin API answers
    # its header errors with 403).
    for service, status in (("sts", 403), ("s3", 200)):
        admin_req = botocore.awsrequest.AWSRequest(method="GET", url=ep + "/minio/admin/v3/info")
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY),
                                service, "us-east-1").add_auth(admin_req)
        p = admin_req.prepare()
        r = requests.get(p.url, headers=dict(p.headers), timeout=20)
        assert r.status_code == status, (service, r.text)
        assert service == "s3" or 'belongs to \\"s3\\"' in r.text, r.text
    # Unknown action, wrong version.
    r = signed_form(ep, "Action=GetCallerIdentity&Version=2011-06-15", "sts")
    assert r.status_code == 400 and "<Code>InvalidAction</Code>" in r.text, r.text
    r = signed_form(ep, "Action=AssumeRole&Version=2000-01-01", "sts")
    assert r.status_code == 400 and "<Code>MissingParameter</Code>" in r.text, r.text
    # An unsigned AssumeRole.
    r = requests.post(ep + "/", data="Action=AssumeRole&Version=2011-06-15",
                      headers={"Content-Type": "application/x-www-form-urlencoded"},
                      timeout=20)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text, r.text


# ---- OpenID Connect ---------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


class Idp:
    """A minimal OpenID provider: discovery and a JWKS on 127.0.0.1, tokens signed here."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.requests = []
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                idp.requests.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    doc = {"issuer": idp.issuer, "jwks_uri": idp.issuer + "/jwks",
                           "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/jwks":
                    pub = idp.key.public_key().public_numbers()
                    doc = {"keys": [{"kty": "RSA", "kid": idp.kid, "alg": "RS256", "use": "sig",
                                     "n": b64url(int_bytes(pub.n)),
                                     "e": b64url(int_bytes(pub.e))}]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def token(self, key=None, kid=None, **claims):
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "alice", "iat": now,
                "exp": now + 3600, "policy": "readonly"}
        body.update(claims)
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(body).encode())).encode()
        sig = (key or self.key).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + b64url(sig)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def idp():
    p = Idp()
    yield p
    p.close()


def web_identity(endpoint, token, **kw):
    return sts_client(endpoint, validate=False).assume_role_with_web_identity(
        RoleArn="arn:xxx:xxx:xxx:xxxx", RoleSessionName="web", WebIdentityToken=token, **kw)


def discovery_server(make_server, idp):
    """A server whose OpenID provider is `idp`, found by its discovery document."""
    return make_server(env={
        "MINIO_IDENTITY_OPENID_CONFIG_URL": idp.issuer + "/.well-known/openid-configuration",
        "MINIO_IDENTITY_OPENID_CLIENT_ID": CLIENT_ID})


def test_web_identity_login(make_server, idp):
    ep = discovery_server(make_server, idp).endpoint
    root = make_client(ep)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"oidc")
    got = web_identity(ep, idp.token())
    assert got["SubjectFromWebIdentityToken"] == "alice"
    creds = got["Credentials"]
    s3 = temp_client(ep, creds)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"oidc"
    assert s3_error(lambda: s3.put_object(Bucket=b, Key="w", Body=b"x")) == ("AccessDenied", 403)
    assert "/.well-known/openid-configuration" in idp.requests and "/jwks" in idp.requests
    # Without DurationSeconds the credentials expire with the token (an hour here); with it,
    # as asked.
    now = datetime.datetime.now(datetime.timezone.utc)
    assert 3500 <= (creds["Expiration"] - now).total_seconds() <= 3660
    short = web_identity(ep, idp.token(), DurationSeconds=900)["Credentials"]
    assert 850 <= (short["Expiration"] - now).total_seconds() <= 960
    # The claim may be an array; names of no policy are skipped.
    arr = web_identity(ep, idp.token(policy=["nosuchpolicy", "readwrite"]))["Credentials"]
    temp_client(ep, arr).put_object(Bucket=b, Key="w", Body=b"x")
    # Refusals.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert sts_error(lambda: web_identity(ep, idp.token(key=other))) == (
        "InvalidIdentityToken", 400)
    assert sts_error(lambda: web_identity(ep, idp.token(key=other, kid="k2"))) == (
        "InvalidIdentityToken", 400)
    assert sts_error(lambda: web_identity(ep, idp.token(aud="someone-else"))) == (
        "InvalidIdentityToken", 400)
    assert sts_error(lambda: web_identity(ep, idp.token(iss="http://evil.example"))) == (
        "InvalidIdentityToken", 400)
    assert sts_error(lambda: web_identity(ep, idp.token(exp=int(time.time()) - 3600))) == (
        "ExpiredTokenException", 400)
    assert sts_error(lambda: web_identity(ep, idp.token(policy="nosuchpolicy"))) == (
        "AccessDenied", 403)
    assert sts_error(lambda: web_identity(ep, "not.a.token")) == ("InvalidIdentityToken", 400)
    # The provider rotates its key: a token with the new kid makes the server fetch the key
    # set again (at most every 10 s), then it is accepted.
    idp.key, idp.kid = other, "k3"
    deadline = time.monotonic() + 30
    while True:
        try:
            creds = web_identity(ep, idp.token())["Credentials"]
            break
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "InvalidIdentityToken", e.response
            assert time.monotonic() < deadline, "the rotated key was never fetched"
            time.sleep(0.5)
    assert temp_client(ep, creds).get_object(Bucket=b, Key="k")["Body"].read() == b"oidc"


def test_web_identity_without_provider(sts_server, idp):
    assert sts_error(lambda: web_identity(sts_server.endpoint, idp.token())) == (
        "InvalidParameterValue", 400)


def test_web_identity_jwks_without_discovery(make_server, idp):
    srv = make_server(env={
        "CAIRN_IDENTITY_OPENID_JWKS_URL": idp.issuer + "/jwks",
        "CAIRN_IDENTITY_OPENID_ISSUER": idp.issuer,
        "CAIRN_IDENTITY_OPENID_CLIENT_ID": CLIENT_ID,
        "CAIRN_IDENTITY_OPENID_CLAIM_NAME": "groups"})
    ep = srv.endpoint
    root = make_client(ep)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"jwks")
    creds = web_identity(ep, idp.token(policy=None, groups="readonly"))["Credentials"]
    assert temp_client(ep, creds).get_object(Bucket=b, Key="k")["Body"].read() == b"jwks"
    assert "/.well-known/openid-configuration" not in idp.requests
    assert sts_error(lambda: web_identity(ep, idp.token())) == ("AccessDenied", 403)


def test_temporary_credentials_stop_at_their_expiry(make_server, idp):
    """Credentials from a token that expires in a few seconds expire with it: a request after
    that is 400 ExpiredToken, on every operation (no test-only clock: the token sets it)."""
    ep = discovery_server(make_server, idp).endpoint
    root = make_client(ep)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"short")
    expires_at = int(time.time()) + 4
    creds = web_identity(ep, idp.token(exp=expires_at))["Credentials"]
    s3 = temp_client(ep, creds)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"short"
    time.sleep(max(0.0, expires_at + 1.5 - time.time()))
    assert s3_error(lambda: s3.get_object(Bucket=b, Key="k")) == ("ExpiredToken", 400)
    assert s3_error(lambda: s3.list_objects_v2(Bucket=b)) == ("ExpiredToken", 400)
