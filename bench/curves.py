#!/usr/bin/env python3
"""How cairn's cost scales: one command per curve, each printing a Markdown table (and
writing every figure as JSON with --json-out).

  bench/curves.py drives        # PUT and GET 4 KiB against drives on one node: 4, 8, 16
  bench/curves.py nodes         # PUT and GET 4 KiB against nodes: 1, 2, 4 local processes
  bench/curves.py concurrency   # GET and PUT 4 KiB latency percentiles: 1, 16, 64, 256 clients
  bench/curves.py listing       # ListObjectsV2 page latency against keys: 10,000 and 1,000,000

Every run is `cairn bench` (the client of bench/compare.py: 2 threads, a new key for every
PUT, each run on an idle disk) against servers this script starts under --dir and stops (only
the processes it started, by pid). `nodes` keeps the drives at 4 in all (one 2+2 erasure set)
and spreads them over the nodes, each on its own loopback address (127.0.0.N, one port), so
what changes is the share of shard traffic that crosses the RPC; its load is split evenly
over the nodes' endpoints (one `cairn bench` per node, summed).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (same directory: the server and client helpers)

ACCESS_KEY = compare.ACCESS_KEY
SECRET_KEY = compare.SECRET_KEY


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Node:
    """One `cairn server` process."""

    def __init__(self, binary, root, drive_args, address, extra=()):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.addr_file = os.path.join(root, "cairn.addr")
        self.log_path = os.path.join(root, "cairn.log")
        host = address.rsplit(":", 1)[0]
        self.cmd = [binary, "server", *drive_args, "--address", address,
                    "--console-address", f"{host}:0", "--address-file", self.addr_file,
                    "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
                    "--log-level", "warn", *extra]
        self.proc = None
        self.endpoint = None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdout=open(self.log_path, "wb"),
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout=90):
        deadline = time.time() + timeout
        while not os.path.exists(self.addr_file):
            if self.proc.poll() is not None or time.time() > deadline:
                with open(self.log_path) as f:
                    sys.exit("curves: cairn did not start:\n" + f.read()[-3000:])
            time.sleep(0.1)
        with open(self.addr_file) as f:
            fields = dict(line.strip().split("=", 1) for line in f if "=" in line)
        self.endpoint = "http://" + fields["s3"]

    def wait_writable(self, bench_cmd, timeout=90):
        """Until a PUT succeeds (a cluster answers 503 while it forms)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            probe = subprocess.run(
                bench_cmd + ["put", "--endpoint", self.endpoint, "--access-key", ACCESS_KEY,
                             "--secret-key", SECRET_KEY, "--ops", "1", "--concurrent", "1",
                             "--duration", "5s", "--json", "--quiet"],
                capture_output=True, text=True, timeout=60)
            if probe.returncode == 0 and json.loads(probe.stdout)["total"]["errors"] == 0:
                return
            time.sleep(1)
        sys.exit("curves: the cluster did not take writes:\n" + open(self.log_path).read()[-3000:])

    def stop(self):
        compare.stop(self.proc, signal.SIGTERM, "cairn")


def start_single(binary, tmp, drives, extra=()):
    node = Node(binary, os.path.join(tmp, f"single-{drives}"),
                [os.path.join(tmp, f"single-{drives}", f"d{{1...{drives}}}")], "127.0.0.1:0",
                extra)
    node.start()
    node.wait()
    return [node]


def start_cluster(binary, tmp, nodes, drives=4):
    hosts = [f"127.0.0.{n + 1}" for n in range(nodes)]
    port = compare.free_port()
    root = os.path.join(tmp, f"cluster-{nodes}")
    per = drives // nodes
    urls = [f"http://{h}:{port}{root}/n{n + 1}/d{d + 1}" for n, h in enumerate(hosts)
            for d in range(per)]
    procs = [Node(binary, os.path.join(root, f"n{n + 1}"), urls, f"{h}:{port}")
             for n, h in enumerate(hosts)]
    for p in procs:
        p.start()
    for p in procs:
        p.wait()
    return procs


def bench(bench_cmd, nodes, mode, size, duration, concurrent, threads, extra=()):
    """One run of `mode` split over the nodes' endpoints; the reports, one per node."""
    compare.settle(nodes[0].root)
    share = [concurrent // len(nodes) + (1 if i < concurrent % len(nodes) else 0)
             for i in range(len(nodes))]
    procs = []
    for node, clients in zip(nodes, share):
        if clients == 0:
            continue
        cmd = bench_cmd + [mode, "--endpoint", node.endpoint, "--access-key", ACCESS_KEY,
                           "--secret-key", SECRET_KEY, "--obj-size", size, "--concurrent",
                           str(clients), "--threads", str(min(threads, clients)), "--duration",
                           duration, "--json", "--quiet", "--server-pid",
                           ",".join(str(n.proc.pid) for n in nodes), *extra]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=3600)
        if p.returncode != 0:
            sys.exit(f"curves: cairn bench failed: {err.strip()}")
        reports.append(json.loads(out))
    return reports


def combine(reports):
    """ops/s summed; latency percentiles: the worst node's (they are alike when balanced)."""
    tot = [r["total"] for r in reports]
    lat = {k: max(t["latency_us"][k] for t in tot) for k in ("p50", "p90", "p99", "max")}
    cpu = [r.get("server_cpu_s") for r in reports]
    ops = sum(t["ops"] for t in tot)
    return {"ops_per_s": sum(t["ops_per_s"] for t in tot), "errors": sum(t["errors"] for t in tot),
            "latency_us": lat,
            # Every report saw the CPU of every node over the same time: take one.
            "server_cpu_us_per_op": (cpu[0] * 1e6 / ops if ops and cpu[0] is not None else None),
            "client_cpu_s": sum(r["client_cpu_s"] for r in reports)}


def ints(text):
    """"4,8,16" -> [4, 8, 16]."""
    return [int(x) for x in text.split(",")]


def ms(us):
    return f"{us / 1e3:.2f}"


def put_get_4k(args, bench_cmd, nodes):
    """PUT, then GET, of 4 KiB objects on started `nodes`, which it stops; both combined."""
    try:
        for n in nodes:
            n.wait_writable(bench_cmd)
        put = combine(bench(bench_cmd, nodes, "put", "4KiB", args.duration, args.concurrent,
                            args.threads))
        get = combine(bench(bench_cmd, nodes, "get", "4KiB", args.duration, args.concurrent,
                            args.threads, ["--objects", "1000"]))
    finally:
        for n in nodes:
            n.stop()
    return put, get


def curve_drives(args, bench_cmd, tmp):
    rows = []
    print("| drives (one node) | erasure set(s) | PUT 4 KiB ops/s | GET 4 KiB ops/s | "
          "PUT p99 ms | GET p99 ms |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for drives in ints(args.drives):
        put, get = put_get_4k(args, bench_cmd, start_single(args.cairn, tmp, drives))
        # The server's default geometry: sets of the largest size in 16..2 dividing the
        # drive count, half of each set parity.
        size = next(n for n in range(16, 1, -1) if drives % n == 0)
        sets = f"{drives // size} x {size // 2}+{size // 2}"
        rows.append({"drives": drives, "put": put, "get": get})
        print(f"| {drives} | {sets} | {put['ops_per_s']:,.0f} | {get['ops_per_s']:,.0f} | "
              f"{ms(put['latency_us']['p99'])} | {ms(get['latency_us']['p99'])} |", flush=True)
    return rows


def curve_nodes(args, bench_cmd, tmp):
    rows = []
    print("| nodes (4 drives in all) | PUT 4 KiB ops/s | GET 4 KiB ops/s | PUT p99 ms | "
          "GET p99 ms | server CPU per PUT / GET us |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in ints(args.nodes):
        nodes = (start_single(args.cairn, tmp, 4) if count == 1
                 else start_cluster(args.cairn, tmp, count))
        put, get = put_get_4k(args, bench_cmd, nodes)
        rows.append({"nodes": count, "put": put, "get": get})
        print(f"| {count} | {put['ops_per_s']:,.0f} | {get['ops_per_s']:,.0f} | "
              f"{ms(put['latency_us']['p99'])} | {ms(get['latency_us']['p99'])} | "
              f"{compare.fmt(put['server_cpu_us_per_op'])} / "
              f"{compare.fmt(get['server_cpu_us_per_op'])} |", flush=True)
    return rows


def curve_concurrency(args, bench_cmd, tmp):
    rows = []
    nodes = start_single(args.cairn, tmp, 4)
    print("| clients | GET 4 KiB ops/s | GET p50 / p90 / p99 ms | PUT 4 KiB ops/s | "
          "PUT p50 / p90 / p99 ms |")
    print("| ---: | ---: | --- | ---: | --- |")
    try:
        prepared = False
        for clients in ints(args.levels):
            extra = ["--bucket", "curve-get", "--prefix", "get/", "--objects", "1000", "--keep"]
            if prepared:
                extra.append("--skip-prepare")
            get = combine(bench(bench_cmd, nodes, "get", "4KiB", args.duration, clients,
                                args.threads, extra))
            prepared = True
            put = combine(bench(bench_cmd, nodes, "put", "4KiB", args.duration, clients,
                                args.threads))
            rows.append({"clients": clients, "get": get, "put": put})
            g, p = get["latency_us"], put["latency_us"]
            print(f"| {clients} | {get['ops_per_s']:,.0f} | {ms(g['p50'])} / {ms(g['p90'])} / "
                  f"{ms(g['p99'])} | {put['ops_per_s']:,.0f} | {ms(p['p50'])} / "
                  f"{ms(p['p90'])} / {ms(p['p99'])} |", flush=True)
    finally:
        for n in nodes:
            n.stop()
    return rows


def curve_listing(args, bench_cmd, tmp):
    rows = []
    nodes = start_single(args.cairn, tmp, 4)
    print("| keys in the prefix | fill s | page | p50 ms | p99 ms | pages/s |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    try:
        for keys in ints(args.keys):
            extra = ["--bucket", f"curve-list-{keys}", "--prefix", "list/", "--objects",
                     str(keys), "--keep"]
            t0 = time.time()
            bench(bench_cmd, nodes, "list", "0", "1s", args.concurrent, args.threads, extra)
            fill = time.time() - t0
            rep = bench(bench_cmd, nodes, "list", "0", args.duration, 1, 1,
                        extra + ["--skip-prepare"])[0]
            for op in rep["operations"]:
                rows.append({"keys": keys, "fill_s": fill, "page": op["name"],
                             "latency_us": op["latency_us"], "ops_per_s": op["ops_per_s"]})
                print(f"| {keys:,} | {fill:.0f} | {op['name']} | {ms(op['latency_us']['p50'])} | "
                      f"{ms(op['latency_us']['p99'])} | {op['ops_per_s']:,.0f} |", flush=True)
    finally:
        for n in nodes:
            n.stop()
    return rows


CURVES = {"drives": curve_drives, "nodes": curve_nodes, "concurrency": curve_concurrency,
          "listing": curve_listing}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("curve", choices=sorted(CURVES))
    ap.add_argument("--cairn", help="the cairn binary (default: a build dir's cairn)")
    ap.add_argument("--duration", default="8s", help="per run (default 8s)")
    ap.add_argument("--concurrent", type=int, default=16, help="clients (not for concurrency)")
    ap.add_argument("--threads", type=int, default=2, help="client threads (default 2)")
    ap.add_argument("--drives", default="4,8,16", help="drives: the drive counts")
    ap.add_argument("--nodes", default="1,2,4", help="nodes: the node counts (divide 4)")
    ap.add_argument("--levels", default="1,16,64,256", help="concurrency: the client counts")
    ap.add_argument("--keys", default="10000,1000000", help="listing: the prefix sizes")
    ap.add_argument("--dir", default="/var/tmp", help="parent of the temp dir")
    ap.add_argument("--json-out", help="write every figure here")
    args = ap.parse_args()
    args.cairn = compare.find_cairn(args.cairn)
    bench_cmd = compare.find_bench(args.cairn, None, "none")
    tmp = tempfile.mkdtemp(prefix="cairn-curves.", dir=args.dir)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        rows = CURVES[args.curve](args, bench_cmd, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"curve": args.curve, "cairn": args.cairn, "duration": args.duration,
                       "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
