#!/usr/bin/env python3
"""The cost of authorization: GET 4 KiB as the root user against a user whose access comes
from a 20-statement policy (19 statements that do not apply, with conditions and wildcards,
then the one that allows), on one cairn (4 drives under a temp dir).

Starts cairn, makes the user and policy through the admin API, prepares the objects once
(kept), then runs `cairn bench get` as root and as the user in alternation for --rounds rounds
and prints each run's ops/s and server CPU per operation, and the median of the per-round
user/root ratios. Stops the server it started (by pid) and removes its temp dir.

  bench/iam_compare.py                       # 5 rounds of 10 s per run
  bench/iam_compare.py --rounds 3 --duration 5s
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the server start/stop and binary lookup are compare.py's)

USER_KEY, USER_SECRET = "bench-user", "bench-user-secret"
BUCKET = "cairn-bench-iam"


def admin(endpoint, method, op, query, body):
    url = f"{endpoint}/minio/admin/v3/{op}?{urllib.parse.urlencode(query)}"
    data = body.encode()
    req = AWSRequest(method=method, url=url, data=data)
    S3SigV4Auth(Credentials(compare.ACCESS_KEY, compare.SECRET_KEY), "s3",
              "us-east-1").add_auth(req)
    res = requests.request(method, url, data=data, headers=dict(req.headers), timeout=30)
    if res.status_code != 200:
        sys.exit(f"iam_compare: {op}: {res.status_code} {res.text}")


def twenty_statements():
    statements = []
    for i in range(19):
        statements.append({
            "Sid": f"other{i}",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
            "Resource": [f"arn:aws:s3:::team-{i}", f"arn:aws:s3:::team-{i}/*"],
            "Condition": {"IpAddress": {"aws:SourceIp": f"10.{i}.0.0/16"},
                          "StringLike": {"s3:prefix": [f"home/{i}/*"]}},
        })
    statements.append({"Sid": "bench", "Effect": "Allow", "Action": ["s3:*"],
                       "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]})
    return {"Version": "2012-10-17", "Statement": statements}


def bench(cmd, endpoint, key, secret, pid, duration, concurrent, extra):
    full = cmd + ["get", "--obj-size", "4KiB", "--concurrent", str(concurrent), "--duration",
                  duration, "--json", "--quiet", "--endpoint", endpoint, "--access-key", key,
                  "--secret-key", secret, "--server-pid", str(pid), "--bucket", BUCKET,
                  "--prefix", "iam/", "--objects", "1000"] + extra
    proc = subprocess.run(full, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        sys.exit(f"iam_compare: bench failed: {proc.stderr}")
    report = json.loads(proc.stdout)
    total = report["total"]
    if total.get("errors"):
        sys.exit(f"iam_compare: {total['errors']} errors: {total.get('first_error')}")
    return {"ops_per_s": total["ops_per_s"],
            "server_cpu_us_per_op": report.get("server_cpu_us_per_op")}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cairn", help="the cairn binary (default: a build dir's cairn)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--concurrent", type=int, default=16)
    ap.add_argument("--dir", default="/var/tmp")
    args = ap.parse_args()
    cairn = compare.find_cairn(args.cairn)
    cmd = compare.find_bench(cairn, None, "none")
    tmp = tempfile.mkdtemp(prefix="cairn-iam-bench-", dir=args.dir)
    args.sse = "none"
    servers = compare.Servers(args, tmp)
    try:
        servers.start_cairn(cairn)
        endpoint, pid = servers.cairn_endpoint, servers.cairn.pid
        admin(endpoint, "PUT", "add-canned-policy", {"name": "bench20"},
              json.dumps(twenty_statements()))
        admin(endpoint, "PUT", "add-user", {"accessKey": USER_KEY},
              json.dumps({"secretKey": USER_SECRET, "status": "enabled"}))
        admin(endpoint, "POST", "idp/builtin/policy/attach", {},
              json.dumps({"policies": ["bench20"], "user": USER_KEY}))
        # Prepare once (as root), keep; every measured run reuses the objects.
        bench(cmd, endpoint, compare.ACCESS_KEY, compare.SECRET_KEY, pid, "1s",
              args.concurrent, ["--keep"])
        rows = []
        for r in range(args.rounds):
            got = {}
            for who, key, secret in (("root", compare.ACCESS_KEY, compare.SECRET_KEY),
                                     ("user", USER_KEY, USER_SECRET)):
                op = bench(cmd, endpoint, key, secret, pid, args.duration, args.concurrent,
                           ["--keep", "--skip-prepare"])
                got[who] = op
                cpu = op.get("server_cpu_us_per_op")
                print(f"round {r + 1} {who}: {op['ops_per_s']:.0f} ops/s, server CPU "
                      f"{cpu if cpu is None else round(cpu, 1)} us/op", flush=True)
            rows.append(got)
        ratio = statistics.median(g["user"]["ops_per_s"] / g["root"]["ops_per_s"] for g in rows)
        cpu = [g["user"].get("server_cpu_us_per_op", 0) / g["root"]["server_cpu_us_per_op"]
               for g in rows if g["root"].get("server_cpu_us_per_op")]
        print(f"user/root GET 4KiB throughput: {ratio:.3f} (median of {len(rows)} rounds)")
        if cpu:
            print(f"user/root server CPU per GET: {statistics.median(cpu):.3f}")
    finally:
        servers.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
