#!/usr/bin/env python3
"""cairn against a ceiling: nginx on the same machine and disk.

Starts cairn (4 drives under a temp dir: one erasure set, 2 data + 2 parity) and nginx
(Debian nginx-extras on 127.0.0.1: GET of static files, WebDAV PUT), then for every workload
runs `cairn bench` against cairn and against nginx, in alternation, for --rounds rounds, and
prints each workload's cairn/nginx ratio (the median of the per-round ratios), latencies,
server and client CPU per operation and cairn's memory. Writes every figure as JSON. Stops both
servers (only the processes it started, by pid) and removes its temp dir.

It measures what an outside client sees: every PUT writes a new key (overwrites cost nginx an
ext4 flush on rename and would understate it), both servers get the same requests from the
same client code (SigV4 headers, UNSIGNED-PAYLOAD; nginx ignores them), on --threads client
threads (default 2), and the client's own CPU per operation is printed beside the servers'.
Each run starts after a sync and once the disk is idle, so that no run pays for the writeback
or the discards of the one before.

  bench/compare.py                      # default: 3 rounds of 10 s per run, ~8 minutes
  bench/compare.py --quick              # smoke run, about a minute
  bench/compare.py --cairn build/cairn --rounds 5 --duration 20s --list-keys 1000000
  bench/compare.py --quick --sse kms        # cairn's objects SSE-KMS encrypted (nginx: plain)

--sse s3|kms|c passes `--sse` to every cairn run (and, for kms, `--sse-kms-key-id` with the
key it configured) and starts cairn with what that needs: CAIRN_KMS_SECRET_KEY (a random key
named cairn-bench-key) for s3 and kms, --sse-c-allow-http for c (plain HTTP on loopback).
"""

import argparse
import base64
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ACCESS_KEY = "cairnbench"
SECRET_KEY = "cairnbench-secret"
KMS_KEY_NAME = "cairn-bench-key"  # the one key of the server's built-in KMS under --sse s3|kms

# name, mode, object size, headline metric, objects (GET: prepared once and kept)
WORKLOADS = [
    ("PUT 4KiB", "put", "4KiB", "ops_per_s", None),
    ("GET 4KiB", "get", "4KiB", "ops_per_s", 1000),
    ("HEAD 4KiB", "stat", "4KiB", "ops_per_s", 1000),
    ("PUT 1MiB", "put", "1MiB", "mib_per_s", None),
    ("GET 1MiB", "get", "1MiB", "mib_per_s", 256),
    ("PUT 64MiB", "put", "64MiB", "mib_per_s", None),
    ("GET 64MiB", "get", "64MiB", "mib_per_s", 16),
    ("MIXED 4KiB", "mixed", "4KiB", "ops_per_s", None),
]
QUICK_SKIP = {"PUT 64MiB", "GET 64MiB"}
METRIC_LABEL = {"ops_per_s": "ops/s", "mib_per_s": "MiB/s"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_cairn(explicit):
    if explicit:
        return os.path.abspath(explicit)
    candidates = [os.environ.get("CAIRN_BIN", ""), os.path.join(repo_root(), "build", "cairn")]
    builds = glob.glob(os.path.join(repo_root(), "build*", "cairn"))
    builds += glob.glob(os.path.join(os.path.dirname(repo_root()), "build*", "cairn"))
    candidates += sorted(builds, key=os.path.getmtime, reverse=True)
    candidates.append(shutil.which("cairn") or "")
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    sys.exit("compare: no cairn binary found; build it or pass --cairn PATH")


def find_bench(cairn, explicit, sse):
    """The load generator command: `cairn bench` when wired in, else cairn-bench."""
    cmd = None
    if explicit:
        cmd = [os.path.abspath(explicit)]
    else:
        probe = subprocess.run([cairn, "bench", "--help"], capture_output=True, timeout=30)
        if probe.returncode == 0 and b"--concurrent" in probe.stdout:
            cmd = [cairn, "bench"]
        sibling = os.path.join(os.path.dirname(cairn), "cairn-bench")
        for c in [sibling, shutil.which("cairn-bench") or ""]:
            if cmd is None and c and os.access(c, os.X_OK):
                cmd = [c]
    if cmd is None:
        sys.exit("compare: `cairn bench` is not available and no cairn-bench was found; "
                 "pass --bench PATH")
    if sse != "none":
        probe = subprocess.run(cmd + ["--help"], capture_output=True, timeout=30)
        if b"--sse" not in probe.stdout:
            sys.exit(f"compare: {' '.join(cmd)} has no --sse option; rebuild it or pass --bench")
    return cmd


def ensure_nginx():
    for c in [shutil.which("nginx"), "/usr/sbin/nginx"]:
        if c and os.access(c, os.X_OK):
            return c
    if os.geteuid() != 0:
        sys.exit("compare: nginx is missing; install it with `apt-get install nginx-extras`")
    log("compare: installing nginx-extras (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-extras"], check=True, env=env)
    return "/usr/sbin/nginx"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def child_pids(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def stop(proc, sig, name):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        log(f"compare: {name} did not stop; killing pid {proc.pid}")
        proc.kill()
        proc.wait(timeout=10)


class Servers:
    def __init__(self, args, tmp):
        self.args = args
        # What cairn needs for the asked encryption: a KMS (SSE-S3 and SSE-KMS), SSE-C over
        # plain HTTP.
        self.cairn_env = dict(os.environ)
        self.cairn_flags = []
        if args.sse in ("s3", "kms"):
            master = base64.b64encode(os.urandom(32)).decode()
            self.cairn_env["CAIRN_KMS_SECRET_KEY"] = f"{KMS_KEY_NAME}:{master}"
            self.cairn_env.pop("CAIRN_KMS_SECRET_KEY_FILE", None)
        if args.sse == "c":
            self.cairn_flags.append("--sse-c-allow-http")
        self.tmp = tmp
        self.cairn = None
        self.nginx = None
        self.cairn_endpoint = None
        self.nginx_endpoint = None

    def start_cairn(self, binary):
        drives = os.path.join(self.tmp, "drives")
        os.makedirs(drives)
        addr_file = os.path.join(self.tmp, "cairn.addr")
        logf = open(os.path.join(self.tmp, "cairn.log"), "wb")
        cmd = [binary, "server", os.path.join(drives, "d{1...4}"), "--address", "127.0.0.1:0",
               "--console-address", "127.0.0.1:0", "--address-file", addr_file,
               "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--log-level", "warn"]
        cmd += self.cairn_flags
        self.cairn = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                      env=self.cairn_env)
        deadline = time.time() + 60
        while not os.path.exists(addr_file):
            if self.cairn.poll() is not None or time.time() > deadline:
                logf.flush()
                with open(os.path.join(self.tmp, "cairn.log")) as f:
                    sys.exit("compare: cairn did not start:\n" + f.read())
            time.sleep(0.1)
        with open(addr_file) as f:
            fields = dict(line.strip().split("=", 1) for line in f if "=" in line)
        self.cairn_endpoint = "http://" + fields["s3"]
        log(f"compare: cairn pid {self.cairn.pid} on {self.cairn_endpoint}, drives {drives}")

    def start_nginx(self, binary):
        d = os.path.join(self.tmp, "nginx")
        www = os.path.join(self.tmp, "www")
        for sub in ["", "body", "proxy", "fastcgi", "uwsgi", "scgi"]:
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.makedirs(www)
        port = free_port()
        user = "user root;" if os.geteuid() == 0 else ""
        conf = f"""{user}
worker_processes auto;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 600s;
  keepalive_requests 1000000000;
  client_max_body_size 0;
  client_body_temp_path {d}/body 1 2;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {www};
    location / {{
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw;
    }}
  }}
}}
"""
        conf_path = os.path.join(d, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        logf = open(os.path.join(d, "stderr.log"), "wb")
        self.nginx = subprocess.Popen([binary, "-c", conf_path, "-p", d + "/", "-e",
                                       os.path.join(d, "error.log")],
                                      stdout=logf, stderr=subprocess.STDOUT)
        if not wait_for_port(port, self.nginx):
            with open(os.path.join(d, "error.log")) as f:
                sys.exit("compare: nginx did not start:\n" + f.read())
        self.nginx_endpoint = f"http://127.0.0.1:{port}"
        log(f"compare: nginx pid {self.nginx.pid} on {self.nginx_endpoint}, root {www}")

    def nginx_pids(self):
        return [self.nginx.pid] + child_pids(self.nginx.pid)

    def stop_all(self):
        stop(self.nginx, signal.SIGQUIT, "nginx")
        stop(self.cairn, signal.SIGTERM, "cairn")


def run_bench(bench_cmd, target, servers, mode, size, duration, extra, concurrent, bench_cpu,
              threads=1):
    cmd = list(bench_cmd) + [mode, "--obj-size", size, "--concurrent", str(concurrent),
                             "--threads", str(threads), "--duration", duration, "--json",
                             "--quiet"]
    if target == "cairn":
        cmd += ["--endpoint", servers.cairn_endpoint, "--access-key", ACCESS_KEY,
                "--secret-key", SECRET_KEY, "--server-pid", str(servers.cairn.pid)]
        sse = servers.args.sse
        if sse != "none":
            # nginx stores plaintext: only cairn's objects are encrypted.
            cmd += ["--sse", sse]
            if sse == "kms":
                cmd += ["--sse-kms-key-id", KMS_KEY_NAME]
    else:
        # The same keys sign nginx's requests (it ignores them): one client path for both.
        cmd += ["--endpoint", servers.nginx_endpoint, "--target", "nginx",
                "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY,
                "--server-pid", ",".join(str(p) for p in servers.nginx_pids())]
    if bench_cpu:
        cmd += ["--cpu", bench_cpu]
    cmd += extra
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip() or f"exit {proc.returncode}", "command": cmd}
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"error": "bad JSON from bench: " + proc.stdout[:200], "command": cmd}


def disk_stat(path):
    """The /sys/dev/block/<dev>/stat counters of the device holding `path`; None if unknown."""
    st = os.stat(path)
    try:
        with open(f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}/stat") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return None


def settle(path, timeout=60):
    """Syncs, then waits (at most `timeout` s) until the disk under `path` has nothing in flight
    and completed no request for 0.5 s: the writeback and the discards of the last run's
    deletes (ext4 mounted with `discard`) would otherwise land on the next run. Returns the
    seconds it took."""
    t0 = time.time()
    os.sync()
    last = disk_stat(path)
    while last is not None and time.time() - t0 < timeout:
        time.sleep(0.5)
        now = disk_stat(path)
        # Fields: reads, writes, in flight (index 8), discards (index 11) completed.
        if now[8] == 0 and now[0] == last[0] and now[4] == last[4] and \
                now[11:12] == last[11:12]:
            break
        last = now
    return time.time() - t0


def rss_mib(pid, field="VmRSS"):
    """The resident set (or its peak, VmHWM) of `pid` in MiB; None when unreadable."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def half_duration(d):
    if d.endswith("s") and d[:-1].isdigit():
        return f"{max(1, int(d[:-1]) // 2)}s"
    return d


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cairn", help="the cairn binary (default: a build dir's cairn)")
    ap.add_argument("--bench", help="the load generator (default: `cairn bench`, else cairn-bench)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", default="10s", help="per run (default 10s)")
    ap.add_argument("--concurrent", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2,
                    help="load generator threads (default 2, as wrk -t2 would)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 round of 3 s, no 64 MiB workloads, 5,000 list keys")
    ap.add_argument("--workloads", help="comma-separated subset, e.g. 'PUT 4KiB,GET 4KiB,LIST'")
    ap.add_argument("--list-keys", type=int, default=50000,
                    help="keys in the flat prefix of the LIST workload (0: skip it)")
    ap.add_argument("--list-duration", default=None, help="per LIST run (default: half --duration)")
    ap.add_argument("--bench-cpu", help="pin the load generator to these CPUs (e.g. 1)")
    ap.add_argument("--dir", default="/var/tmp",
                    help="parent of the temp dir holding cairn's drives and nginx's root")
    ap.add_argument("--json-out", help="where to write the JSON (default ./cairn-vs-nginx-<time>.json)")
    ap.add_argument("--keep-tmp", action="store_true", help="leave the temp dir (debugging)")
    ap.add_argument("--sse", choices=["none", "s3", "kms", "c"], default="none",
                    help="encrypt cairn's objects: SSE-S3, SSE-KMS or SSE-C (nginx stays plain); "
                         "starts cairn with a KMS key or --sse-c-allow-http")
    args = ap.parse_args()

    if args.quick:
        args.rounds = 1
        args.duration = "3s"
        if args.list_keys == 50000:
            args.list_keys = 5000
    list_duration = args.list_duration or (
        args.duration if args.quick else half_duration(args.duration))
    workloads = [w for w in WORKLOADS if not (args.quick and w[0] in QUICK_SKIP)]
    want_list = args.list_keys > 0
    if args.workloads:
        wanted = {w.strip().upper() for w in args.workloads.split(",")}
        workloads = [w for w in workloads if w[0].upper() in wanted]
        want_list = want_list and "LIST" in wanted

    cairn = find_cairn(args.cairn)
    bench_cmd = find_bench(cairn, args.bench, args.sse)
    nginx = ensure_nginx()
    tmp = tempfile.mkdtemp(prefix="cairn-compare.", dir=args.dir)
    servers = Servers(args, tmp)

    def on_signal(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, on_signal)
    started = datetime.datetime.now(datetime.timezone.utc)
    results = {"started": started.isoformat(), "cairn": cairn, "bench": bench_cmd,
               "rounds": args.rounds, "duration": args.duration,
               "concurrent": args.concurrent, "threads": args.threads, "sse": args.sse,
               "machine": {"cpus": os.cpu_count()},
               "runs": [], "list_runs": []}
    try:
        servers.start_cairn(cairn)
        servers.start_nginx(nginx)
        time.sleep(1)
        results["cairn_rss_mib"] = {"idle": rss_mib(servers.cairn.pid)}
        prepared = set()
        for rnd in range(args.rounds):
            order = ["cairn", "nginx"] if rnd % 2 == 0 else ["nginx", "cairn"]
            for name, mode, size, metric, objects in workloads:
                for target in order:
                    extra = []
                    slug = size.lower()
                    if objects is not None:
                        # GET and HEAD objects: prepared once per target and size, kept for
                        # the later rounds.
                        extra = ["--bucket", f"keep-{slug}", "--prefix", f"get-{slug}/",
                                 "--objects", str(objects), "--keep"]
                        if (target, slug) in prepared:
                            extra.append("--skip-prepare")
                    # Flush what the last run left dirty (nginx does not fsync: 8 s of its
                    # PUTs leave gigabytes for the kernel to write during the next run).
                    synced = settle(args.dir)
                    if synced > 2:
                        log(f"compare: the disk settled in {synced:.1f}s before {name} {target}")
                    t0 = time.time()
                    rep = run_bench(bench_cmd, target, servers, mode, size, args.duration, extra,
                                    args.concurrent, args.bench_cpu, args.threads)
                    if "error" not in rep and objects is not None:
                        prepared.add((target, slug))
                    results["runs"].append({"round": rnd, "workload": name, "target": target,
                                            "metric": metric, "report": rep})
                    if "error" in rep:
                        log(f"round {rnd + 1} {name:<11} {target:<5}: FAILED {rep['error']}")
                    else:
                        tot = rep["total"]
                        log(f"round {rnd + 1} {name:<11} {target:<5}: {tot[metric]:10.1f} "
                            f"{METRIC_LABEL[metric]}, p99 {tot['latency_us']['p99'] / 1e3:.2f} ms, "
                            f"errors {tot['errors']} ({time.time() - t0:.0f}s)")
            if want_list:
                # cairn only (nginx has no listing): a flat prefix filled once, then pages at
                # the start and at 90% timed by one client.
                extra = ["--bucket", "keep-list", "--prefix", "list/", "--objects",
                         str(args.list_keys), "--keep"]
                if rnd == 0:
                    t0 = time.time()
                    fill = run_bench(bench_cmd, "cairn", servers, "list", "0", "1s", extra,
                                     args.concurrent, args.bench_cpu)
                    log(f"list: filled {args.list_keys} keys in {time.time() - t0:.0f}s"
                        + (f" FAILED {fill['error']}" if "error" in fill else ""))
                rep = run_bench(bench_cmd, "cairn", servers, "list", "0", list_duration,
                                extra + ["--skip-prepare"], 1, args.bench_cpu)
                results["list_runs"].append({"round": rnd, "report": rep})
                if "error" in rep:
                    log(f"round {rnd + 1} LIST: FAILED {rep['error']}")
                else:
                    for op in rep["operations"]:
                        log(f"round {rnd + 1} {op['name']:<16}: p50 "
                            f"{op['latency_us']['p50'] / 1e3:.2f} ms, p99 "
                            f"{op['latency_us']['p99'] / 1e3:.2f} ms, errors {op['errors']}")
    except KeyboardInterrupt:
        log("compare: interrupted")
    finally:
        if servers.cairn is not None and servers.cairn.poll() is None:
            results.setdefault("cairn_rss_mib", {})["after"] = rss_mib(servers.cairn.pid)
            results["cairn_rss_mib"]["peak"] = rss_mib(servers.cairn.pid, "VmHWM")
        servers.stop_all()
        if args.keep_tmp:
            log(f"compare: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    summary = summarize(results, workloads)
    results["summary"] = summary
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
    print_table(summary, results)
    out = args.json_out or f"cairn-vs-nginx-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    log(f"compare: wrote {out}")


def summarize(results, workloads):
    summary = {"workloads": [], "list": []}
    for name, mode, size, metric, _ in workloads:
        per = {"cairn": {}, "nginx": {}}
        errors = 0
        for run in results["runs"]:
            if run["workload"] != name or "error" in run["report"]:
                continue
            tot = run["report"]["total"]
            per[run["target"]][run["round"]] = {
                "value": tot[metric], "p99_ms": tot["latency_us"]["p99"] / 1e3,
                "cpu_us": run["report"].get("server_cpu_us_per_op"),
                "client_cpu_us": (run["report"]["client_cpu_s"] * 1e6 / tot["ops"]
                                  if tot["ops"] else None)}
            errors += tot["errors"]
        ratios = [per["cairn"][r]["value"] / per["nginx"][r]["value"]
                  for r in per["cairn"] if r in per["nginx"] and per["nginx"][r]["value"] > 0]

        def med(target, key):
            return median([v[key] for v in per[target].values()])

        summary["workloads"].append({
            "workload": name, "metric": metric,
            "cairn": med("cairn", "value"), "nginx": med("nginx", "value"),
            "ratio": median(ratios), "ratios": ratios, "rounds": len(ratios),
            "cairn_p99_ms": med("cairn", "p99_ms"), "nginx_p99_ms": med("nginx", "p99_ms"),
            "cairn_cpu_us_per_op": med("cairn", "cpu_us"),
            "nginx_cpu_us_per_op": med("nginx", "cpu_us"),
            "cairn_client_cpu_us_per_op": med("cairn", "client_cpu_us"),
            "nginx_client_cpu_us_per_op": med("nginx", "client_cpu_us"), "errors": errors})
    pages = {}
    for run in results["list_runs"]:
        if "error" in run["report"]:
            continue
        for op in run["report"]["operations"]:
            pages.setdefault(op["name"], []).append(op)
    for page, ops in pages.items():
        summary["list"].append({
            "page": page, "p50_ms": median([o["latency_us"]["p50"] / 1e3 for o in ops]),
            "p99_ms": median([o["latency_us"]["p99"] / 1e3 for o in ops]),
            "ops_per_s": median([o["ops_per_s"] for o in ops]),
            "errors": sum(o["errors"] for o in ops)})
    return summary


def print_table(summary, results):
    sse = results.get("sse", "none")
    print(f"\ncairn{'' if sse == 'none' else f' (--sse {sse})'} vs nginx, "
          f"{results['concurrent']} clients on {results['threads']} client thread(s), "
          f"{results['duration']} per run, median of {results['rounds']} round(s), alternating, "
          f"a new key for every PUT\n")
    print(f"{'workload':<11} {'metric':<6} {'cairn':>9} {'nginx':>9} {'ratio':>6} "
          f"{'p99 cairn':>10} {'p99 nginx':>10} {'server CPU/op':>17} {'client CPU/op':>17} "
          f"{'errors':>6}")
    for w in summary["workloads"]:
        server = f"{fmt(w['cairn_cpu_us_per_op'])}/{fmt(w['nginx_cpu_us_per_op'])}us"
        client = (f"{fmt(w['cairn_client_cpu_us_per_op'])}/"
                  f"{fmt(w['nginx_client_cpu_us_per_op'])}us")
        print(f"{w['workload']:<11} {METRIC_LABEL[w['metric']]:<6} {fmt(w['cairn']):>9} "
              f"{fmt(w['nginx']):>9} {fmt(w['ratio'], 2):>6} "
              f"{fmt(w['cairn_p99_ms'], 2) + 'ms':>10} {fmt(w['nginx_p99_ms'], 2) + 'ms':>10} "
              f"{server:>17} {client:>17} {w['errors']:>6}")
    print("(CPU/op: cairn/nginx, microseconds of CPU per operation)")
    rss = results.get("cairn_rss_mib") or {}
    if rss:
        print(f"\ncairn RSS: idle {fmt(rss.get('idle'))} MiB, after the run "
              f"{fmt(rss.get('after'))} MiB, peak {fmt(rss.get('peak'))} MiB")
    print("\nThe client signs each request (SigV4 headers, UNSIGNED-PAYLOAD: one SHA-256 and "
          "one HMAC), for nginx too, which ignores it; a client replaying presigned URLs skips "
          "that (1-2 us of its CPU) and the server verifies the same signature either way.")
    if summary["list"]:
        print("\nListObjectsV2 on cairn, 1 client, flat prefix (target: < 20 ms a page):")
        for p in summary["list"]:
            print(f"  {p['page']:<16} p50 {fmt(p['p50_ms'], 2)} ms  p99 {fmt(p['p99_ms'], 2)} ms"
                  f"  {fmt(p['ops_per_s'])} pages/s  errors {p['errors']}")


if __name__ == "__main__":
    main()
