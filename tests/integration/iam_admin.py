"""The admin API's IAM endpoints (MinIO's paths, JSON bodies) called directly with SigV4, for
tests that need users, policies, groups and service accounts without going through the CLI."""

import json
import urllib.parse

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCESS_KEY, SECRET_KEY

PREFIX = "/minio/admin/v3/"


def call(endpoint, method, op, query=None, body=None, access_key=ACCESS_KEY,
         secret_key=SECRET_KEY, token=None, expect=200):
    """One signed admin request; returns the decoded JSON (or text) of a response with status
    `expect` (None: any), else fails with the status and body."""
    url = endpoint + PREFIX + op
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = b""
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = AWSRequest(method=method, url=url, data=data)
    S3SigV4Auth(Credentials(access_key, secret_key, token), "s3", "us-east-1").add_auth(req)
    res = requests.request(method, url, data=data, headers=dict(req.headers), timeout=30)
    if expect is not None:
        assert res.status_code == expect, (method, op, res.status_code, res.text)
    try:
        return res.json() if res.text else None
    except ValueError:
        return res.text


def add_user(endpoint, access_key, secret_key, **kw):
    return call(endpoint, "PUT", "add-user", {"accessKey": access_key},
                {"secretKey": secret_key, "status": "enabled"}, **kw)


def set_user_status(endpoint, access_key, status):
    return call(endpoint, "PUT", "set-user-status", {"accessKey": access_key, "status": status})


def add_policy(endpoint, name, document):
    doc = document if isinstance(document, str) else json.dumps(document)
    return call(endpoint, "PUT", "add-canned-policy", {"name": name}, doc)


def attach(endpoint, policies, user=None, group=None, **kw):
    body = {"policies": list(policies)}
    if user:
        body["user"] = user
    if group:
        body["group"] = group
    return call(endpoint, "POST", "idp/builtin/policy/attach", body=body, **kw)


def group_members(endpoint, group, members, remove=False):
    return call(endpoint, "PUT", "update-group-members",
                body={"group": group, "members": list(members), "isRemove": remove})


def set_group_status(endpoint, group, status):
    return call(endpoint, "PUT", "set-group-status", {"group": group, "status": status})


def add_service_account(endpoint, target_user=None, policy=None, access_key=None,
                        secret_key=None, expiration=None, **kw):
    body = {}
    if target_user:
        body["targetUser"] = target_user
    if policy is not None:
        body["policy"] = json.loads(policy) if isinstance(policy, str) else policy
    if access_key:
        body["accessKey"] = access_key
    if secret_key:
        body["secretKey"] = secret_key
    if expiration:
        body["expiration"] = expiration
    return call(endpoint, "PUT", "add-service-account", body=body, **kw)["credentials"]


def statement(effect, actions, resources, **extra):
    """One policy statement; `extra`: Principal, Condition, ..."""
    s = {"Effect": effect, "Action": actions, "Resource": resources}
    s.update(extra)
    return s


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}
