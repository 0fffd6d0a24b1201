"""Fixtures that run the real `cairn` binary on 127.0.0.1 with temporary drives.

- `cairn_bin`: path of the binary ($CAIRN_BIN, else build/cairn).
- `server`: one 4-drive server (EC 2+2) shared by the whole session; `s3`, `raw` and
  `bucket` build on it. If a test crashes it, the next test gets a restarted one.
- `make_server(drives=4, args=(), ...)`: a fresh server per test on its own drives, for
  fault tests; stopped (only that pid) at the end of the test.
A server's log tail is attached to the report of a failing test.
"""

import os
import random
import shutil
import signal
import string
import subprocess
import tempfile
import time
import uuid

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests

import s3raw

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ACCESS_KEY = "cairntestadmin"
SECRET_KEY = "cairn-test-secret-key"
HEALTH_PATHS = ("/minio/health/live", "/minio/health/ready", "/minio/health/cluster",
                "/minio/health/cluster/read")

def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def reserve_ports(n, hosts=("127.0.0.1",), consecutive=False, tries=200):
    """n TCP ports free on every one of `hosts`, for servers that must listen on a fixed port.

    They are drawn below the kernel's ephemeral range: a port the kernel may hand out as the
    source port of an outgoing connection (the nodes of a cluster dial each other before every
    one of them listens) can be taken between choosing it and the server binding it."""
    import socket
    high = min(_ephemeral_low(), 65536) - 1
    low = max(10000, high - 20000)
    rng = random.Random()
    for _ in range(tries):
        if consecutive:
            base = rng.randrange(low, high - n)
            ports = list(range(base, base + n))
        else:
            ports = rng.sample(range(low, high), n)
        socks = []
        try:
            for port in ports:
                for h in hosts:
                    s = socket.socket()
                    socks.append(s)
                    s.bind((h, port))
            return ports
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {n} free ports on {hosts}")


# No user's AWS configuration may leak into a test.
for _name in list(os.environ):
    if _name.startswith("AWS_") or _name.startswith("RCLONE_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = "/nonexistent/cairn-test-aws-config"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/cairn-test-aws-credentials"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

_live_servers = []


def binary_path():
    # Absolute: servers run with their own working directory (CAIRN_BIN=build/cairn works too).
    return os.path.abspath(os.environ.get("CAIRN_BIN") or os.path.join(ROOT, "build", "cairn"))


# Debian's AWS CLI (None when it is not installed).
AWS_CLI = "/usr/bin/aws" if os.access("/usr/bin/aws", os.X_OK) else shutil.which("aws")


def aws_cli_env(tmp_path, access_key=ACCESS_KEY, secret_key=SECRET_KEY, config=None, **extra):
    """The environment of an AWS CLI run: these credentials, us-east-1, no pager, no EC2
    metadata lookups, no file of the user's; `config`: the text of the config file to use
    (written under tmp_path); `extra`: more variables."""
    cfg = tmp_path / "none"
    if config is not None:
        cfg = tmp_path / "aws-config"
        cfg.write_text(config)
    return dict(os.environ, AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key,
                AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=str(cfg),
                AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_PAGER="",
                AWS_EC2_METADATA_DISABLED="true", **extra)


def unique_name(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_client(endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY, signature="s3v4",
                read_timeout=20, retries=0):
    """A boto3 S3 client: path style, us-east-1, retries off (every error is seen once) unless
    `retries` asks for boto3's standard retries (503 SlowDown, connection errors)."""
    cfg = botocore.config.Config(
        signature_version=signature,
        s3={"addressing_style": "path"},
        retries={"max_attempts": retries, "mode": "standard" if retries else "legacy"},
        connect_timeout=5,
        read_timeout=read_timeout,
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, region_name="us-east-1", config=cfg)


class ServerProcess:
    """One `cairn server` process on 127.0.0.1 port 0 with its drives under `root`."""

    def __init__(self, root, drives=4, args=(), access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                 drive_args=None, env=None):
        self.root = root
        self.env = dict(env or {})  # extra environment (CAIRN_KMS_SECRET_KEY, ...)
        os.makedirs(root, exist_ok=True)
        self.drive_paths = [os.path.join(root, f"d{i}") for i in range(1, drives + 1)]
        # Drives with cairn's own ellipsis syntax, which the shell does not expand.
        self.drive_args = drive_args if drive_args is not None else [
            os.path.join(root, "d{1..." + str(drives) + "}")]
        self.extra_args = list(args)
        self.access_key, self.secret_key = access_key, secret_key
        self.log_path = os.path.join(root, "server.log")
        self.addr_file = os.path.join(root, "address")
        self.proc = None
        self.s3_addr = self.console_addr = None
        self.starts = 0

    # ---- lifecycle -----------------------------------------------------------------------
    def command(self):
        cmd = [binary_path(), "server", "--address", "127.0.0.1:0",
               "--console-address", "127.0.0.1:0", "--address-file", self.addr_file]
        if self.access_key is not None:
            cmd += ["--access-key", self.access_key, "--secret-key", self.secret_key]
        return cmd + self.extra_args + self.drive_args

    def start(self, wait="ready", timeout=60):
        if os.path.exists(self.addr_file):
            os.unlink(self.addr_file)
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n==== start #{self.starts}: {' '.join(self.command())}\n".encode())
        log.flush()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CAIRN_ROOT_", "MINIO_", "CAIRN_KMS_"))}
        env.update(self.env)
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.root, env=env)
        log.close()
        if self not in _live_servers:
            _live_servers.append(self)
        self._wait_address(timeout)
        self.wait_health("/minio/health/live", timeout)
        if wait == "ready":
            self.wait_health("/minio/health/ready", timeout)
        elif wait == "cluster":
            self.wait_health("/minio/health/cluster", timeout)
        return self

    def _wait_address(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cairn exited with {self.proc.returncode} before listening:\n"
                                   f"{self.log_tail()}")
            try:
                with open(self.addr_file) as f:
                    text = f.read()
            except FileNotFoundError:
                text = ""
            if text.endswith("\n"):
                fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
                if "s3" in fields and "console" in fields:
                    self.s3_addr, self.console_addr = fields["s3"], fields["console"]
                    return
            time.sleep(0.05)
        raise RuntimeError(f"cairn wrote no address file within {timeout}s:\n{self.log_tail()}")

    def wait_health(self, path, timeout=60, status=200):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cairn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                last = requests.get(self.endpoint + path, timeout=5).status_code
                if last == status:
                    return
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.1)
        raise RuntimeError(f"{path} did not answer {status} within {timeout}s (last: {last})\n"
                           f"{self.log_tail()}")

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        rc = self.proc.returncode
        return rc

    def kill(self):
        """SIGKILL (kill -9) the process, as a crash or power loss would stop it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, wait="ready", timeout=60):
        """Stops and starts the same server on the same drives (the ports change)."""
        self.stop()
        return self.start(wait=wait, timeout=timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # ---- access --------------------------------------------------------------------------
    @property
    def host(self):
        return self.s3_addr.rsplit(":", 1)[0]

    @property
    def port(self):
        return int(self.s3_addr.rsplit(":", 1)[1])

    @property
    def endpoint(self):
        return f"http://{self.s3_addr}"

    @property
    def console_endpoint(self):
        return f"http://{self.console_addr}"

    def client(self, **kw):
        kw.setdefault("access_key", self.access_key or "cairnadmin")
        kw.setdefault("secret_key", self.secret_key or "cairnadmin")
        return make_client(self.endpoint, **kw)

    def raw(self):
        return s3raw.Signer(self.host, self.port, self.access_key or "cairnadmin",
                            self.secret_key or "cairnadmin")

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()[-20000:].decode("utf-8", "replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(data.splitlines()[-lines:])

    def shard_files(self, drive=None):
        """Every shard file under the data/ folder of one drive (or of all drives): a
        single-part object's data/<xx>/<data-id> and a multipart object's part.N files."""
        out = []
        for d in ([drive] if drive else self.drive_paths):
            for dirpath, _, files in os.walk(os.path.join(d, "data")):
                out += [os.path.join(dirpath, f) for f in files]
        return sorted(out)

    def tmp_files(self):
        out = []
        for d in self.drive_paths:
            for dirpath, _, files in os.walk(os.path.join(d, ".cairn.sys", "tmp")):
                out += [os.path.join(dirpath, f) for f in files]
        return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for srv in _live_servers:
            state = "running" if srv.alive() else f"exited {srv.proc.returncode}"
            rep.sections.append((f"cairn log ({srv.root}, {state})", srv.log_tail()))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CAIRN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set CAIRN_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def cairn_bin():
    path = binary_path()
    if not os.access(path, os.X_OK):
        pytest.exit(f"cairn binary not found at {path}: build it or set CAIRN_BIN", 2)
    return path


@pytest.fixture(scope="session")
def work_root():
    root = tempfile.mkdtemp(prefix="cairn-it-")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def _session_server(cairn_bin, work_root):
    srv = ServerProcess(os.path.join(work_root, "shared"), drives=4)
    srv.start()
    yield srv
    srv.stop()
    _live_servers.remove(srv)


@pytest.fixture
def server(_session_server):
    """The shared 4-drive server; restarted on its drives if an earlier test crashed it."""
    if not _session_server.alive():
        _session_server.start()
    return _session_server


@pytest.fixture
def s3(server):
    return server.client()


@pytest.fixture
def raw(server):
    return server.raw()


def _empty_bucket(client, name):
    try:
        # Every version and delete marker (a versioned bucket keeps them after a delete).
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
                client.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
        uploads = client.list_multipart_uploads(Bucket=name).get("Uploads", [])
        for u in uploads:
            client.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
        client.delete_bucket(Bucket=name)
    except Exception:  # best effort: the server may be the thing under test
        pass


@pytest.fixture
def bucket(server):
    """A fresh, empty bucket on the shared server; emptied and removed afterwards."""
    client = server.client()
    name = unique_name("b")
    client.create_bucket(Bucket=name)
    yield name
    if server.alive():
        _empty_bucket(server.client(), name)


@pytest.fixture
def make_server(cairn_bin, tmp_path):
    """Factory: make_server(drives=4, args=(), wait="ready") -> a started ServerProcess on
    fresh drives under this test's tmp_path. Only the processes it started are stopped."""
    made = []

    def factory(drives=4, args=(), wait="ready", name=None, **kw):
        srv = ServerProcess(str(tmp_path / (name or f"srv{len(made)}")), drives=drives,
                            args=args, **kw)
        made.append(srv)
        if wait is not None:
            srv.start(wait=wait)
        return srv

    yield factory
    for srv in made:
        srv.stop()
        if srv in _live_servers:
            _live_servers.remove(srv)


def retry(fn, timeout=20, errors=(botocore.exceptions.ClientError,
                                  botocore.exceptions.BotoCoreError), pause=0.2):
    """Calls fn until it does not raise one of `errors` (an operation racing a state change
    in the server), for at most `timeout` seconds; then the last error is raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except errors:
            if time.monotonic() > deadline:
                raise
            time.sleep(pause)


def wait_until(cond, timeout=20, pause=0.2):
    """Polls cond() until it is true (background work: a heal, a cleanup, a node going down),
    for at most `timeout` seconds. Returns its last value, for the caller to assert on."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)


def random_bytes(n, seed):
    """Deterministic pseudo-random bytes (the seed is part of the test's name or data)."""
    return random.Random(seed).randbytes(n)


def random_key(rng, length=12):
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def assert_s3_error(excinfo, code, status):
    """Checks a botocore ClientError: the S3 error Code and the HTTP status."""
    err = excinfo.value.response
    got_code = err.get("Error", {}).get("Code")
    got_status = err.get("ResponseMetadata", {}).get("HTTPStatusCode")
    assert (got_code, got_status) == (code, status), err


def check_slow_reader_blocks_no_writer(reader, writer, bucket, key="slow-read"):
    """A GET whose client stops reading after one byte holds no lock: an overwrite and a
    delete of the key go through at once (a writer that waited for the lock would time out:
    `writer` should have a read timeout shorter than the server's 30 s lock timeout), and the
    stalled reader, resumed, still gets the whole version it started on."""
    old = random_bytes(24 * 1024 * 1024, f"{key}-old")
    writer.put_object(Bucket=bucket, Key=key, Body=old)
    body = reader.get_object(Bucket=bucket, Key=key)["Body"]
    first = body.read(1)
    time.sleep(1)  # the server fills the socket buffers and waits
    new = random_bytes(300_000, f"{key}-new")
    writer.put_object(Bucket=bucket, Key=key, Body=new)
    assert writer.get_object(Bucket=bucket, Key=key)["Body"].read() == new
    writer.delete_object(Bucket=bucket, Key=key)
    rest = body.read()
    assert len(first) + len(rest) == len(old)
    assert first + rest == old

