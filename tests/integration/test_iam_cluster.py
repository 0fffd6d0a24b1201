"""Identities are cluster state: on a 4-node cluster a user made through one node works
through every other at once, and a disabled user, a changed policy or a removed service
account stops working on every node within a second (the node that made the change tells its
peers). A node restarted after the change reads the store again.
"""

import time

import botocore.exceptions
import pytest

import iam_admin as admin
from conftest import make_client, unique_name
from test_cluster import Cluster

pytestmark = pytest.mark.faults

PROPAGATION = 1.0  # seconds: the bound


@pytest.fixture(scope="module")
def cluster(cairn_bin, tmp_path_factory):
    c = Cluster(str(tmp_path_factory.mktemp("iamcluster")), nodes=4, drives=1)
    c.start()
    yield c
    c.stop()


def code_of(fn):
    try:
        fn()
        return "OK"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]


def within(seconds, fn, want):
    """Polls fn until it returns `want`; returns how long that took (fails past `seconds`)."""
    start = time.monotonic()
    while True:
        got = fn()
        took = time.monotonic() - start
        if got == want:
            return took
        assert took < seconds, (got, want)
        time.sleep(0.02)


def test_changes_reach_every_node_within_a_second(cluster):
    nodes = cluster.nodes
    root = make_client(nodes[0].endpoint)
    b = unique_name("b")
    root.create_bucket(Bucket=b)
    root.put_object(Bucket=b, Key="k", Body=b"v")
    ak, sk = unique_name("u"), "secret-key-123"
    admin.add_user(nodes[0].endpoint, ak, sk)
    admin.attach(nodes[1].endpoint, ["readonly"], user=ak)
    clients = [make_client(n.endpoint, access_key=ak, secret_key=sk) for n in nodes]
    for c in clients:
        within(PROPAGATION, lambda c=c: code_of(lambda: c.get_object(Bucket=b, Key="k")), "OK")

    admin.set_user_status(nodes[2].endpoint, ak, "disabled")
    for c in clients:
        within(PROPAGATION, lambda c=c: code_of(lambda: c.get_object(Bucket=b, Key="k")),
               "InvalidAccessKeyId")
    admin.set_user_status(nodes[3].endpoint, ak, "enabled")
    for c in clients:
        within(PROPAGATION, lambda c=c: code_of(lambda: c.get_object(Bucket=b, Key="k")), "OK")

    # A policy changed in place: every node evaluates the new document.
    name = unique_name("p")
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"arn:aws:s3:::{b}/*"]}]}
    admin.add_policy(nodes[0].endpoint, name, doc)
    admin.attach(nodes[0].endpoint, [name], user=ak)
    for c in clients:
        within(PROPAGATION,
               lambda c=c: code_of(lambda: c.put_object(Bucket=b, Key="w", Body=b"x")), "OK")
    doc["Statement"][0]["Effect"] = "Deny"
    admin.add_policy(nodes[1].endpoint, name, doc)
    for c in clients:
        within(PROPAGATION,
               lambda c=c: code_of(lambda: c.put_object(Bucket=b, Key="w", Body=b"x")),
               "AccessDenied")

    # A removed service account.
    svc = admin.add_service_account(nodes[2].endpoint, target_user=ak)
    svc_clients = [make_client(n.endpoint, access_key=svc["accessKey"],
                               secret_key=svc["secretKey"]) for n in nodes]
    for c in svc_clients:
        within(PROPAGATION, lambda c=c: code_of(lambda: c.get_object(Bucket=b, Key="k")), "OK")
    # 204 No Content, as MinIO answers (madmin's client checks for it).
    admin.call(nodes[3].endpoint, "DELETE", "delete-service-account",
               {"accessKey": svc["accessKey"]}, expect=204)
    for c in svc_clients:
        within(PROPAGATION, lambda c=c: code_of(lambda: c.get_object(Bucket=b, Key="k")),
               "InvalidAccessKeyId")


def test_a_node_that_was_down_catches_up(cluster):
    nodes = cluster.nodes
    ak, sk = unique_name("late"), "secret-key-456"
    nodes[3].stop()
    try:
        admin.add_user(nodes[0].endpoint, ak, sk)
        admin.attach(nodes[0].endpoint, ["readwrite"], user=ak)
    finally:
        nodes[3].start(wait=None, timeout=60)
        nodes[3].wait_health("/minio/health/ready", 60)
    c = make_client(nodes[3].endpoint, access_key=ak, secret_key=sk)
    within(20, lambda: code_of(lambda: c.list_buckets()), "OK")
