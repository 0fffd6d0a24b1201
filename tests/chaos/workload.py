"""The chaos run's client workload and its ledger.

Several threads run PUT / GET / DELETE / multipart / overwrite on a known key space; each key
belongs to one thread, so the operations on a key are sequential and the ledger needs no
ordering guesswork. The ledger keeps, per key, the set of states that a read may return:
- an acknowledged PUT (or CompleteMultipartUpload) makes the new content the only one,
- an acknowledged DELETE makes "absent" the only one,
- a write or delete that failed or timed out adds its outcome to the set ("uncertain": the
  old or the new state is acceptable) until the next acknowledged operation.
A failed operation is retried (up to 3 attempts, on other nodes) with the same content, so
a retry never adds a state of its own. Bodies are not kept: only their SHA-256 and size.
"""

import hashlib
import random
import threading
import traceback
import time

import boto3
import botocore.config
import botocore.exceptions

ABSENT = "absent"
MIN_PART = 5 << 20
BLOCK = 1 << 20
DATA_SHARDS = 8
HASH_SIZE = 32


def make_client(endpoint, access_key, secret_key, read_timeout=30):
    cfg = botocore.config.Config(
        signature_version="s3v4", s3={"addressing_style": "path"},
        retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=3,
        read_timeout=read_timeout, tcp_keepalive=True)
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, region_name="us-east-1", config=cfg)


def body_of(seed, key, gen, size):
    return random.Random(f"{seed}/{key}/{gen}").randbytes(size)


def shard_file_size(size):
    """erasure::ShardFileSize for 1 MiB blocks and 8 data shards: per block a 32-byte hash
    and ceil(block / 8) bytes."""
    full, rest = divmod(size, BLOCK)
    per = full * (HASH_SIZE + -(-BLOCK // DATA_SHARDS))
    if rest:
        per += HASH_SIZE + -(-rest // DATA_SHARDS)
    return per


class Value:
    """One content a key may hold: its digest, size and how many part files per drive."""

    def __init__(self, digest, size, parts):
        self.digest, self.size, self.parts = digest, size, parts


class KeyState:
    def __init__(self):
        self.acceptable = {ABSENT: None}   # digest or ABSENT -> Value (None for ABSENT)
        self.acked = False                 # some operation on the key was acknowledged
        self.uncertain = False             # the last operation was not acknowledged


def outcome_of(exc):
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{status} {err.get('Code')}"
    return type(exc).__name__


def is_transient(exc):
    """Errors a degraded cluster may answer with: the operation's outcome is unknown."""
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= 500 or status in (0, 408)
    return isinstance(exc, (botocore.exceptions.BotoCoreError, OSError))


class Workload:
    def __init__(self, seed, bucket, nodes_fn, access_key, secret_key, keys=240, threads=4,
                 max_ops=None, multipart=True, large_max=3 << 20, inline_limit=16384):
        self.seed, self.bucket, self.nodes_fn = seed, bucket, nodes_fn
        self.access_key, self.secret_key = access_key, secret_key
        self.keys = [f"k{i:04d}" for i in range(keys)]
        self.ledger = {k: KeyState() for k in self.keys}
        self.threads = threads
        self.max_ops = max_ops
        self.multipart, self.large_max = multipart, large_max
        self.inline_limit = inline_limit   # the server's --inline-limit: which PUTs have files
        self.ops = 0                 # operations attempted (retries included)
        self.acked = 0
        self.failed = 0              # attempts that failed
        self.uncertain = 0           # operations whose every attempt failed
        self.anomalies = []          # reads during the run that returned a wrong state
        self.crashes = []            # tracebacks of client threads that died
        self.errors = []             # unexpected client errors (4xx), for the report
        self.slow = []               # (seconds, operation, node, outcome) over 5 s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = []
        self._clients = {}

    # ---- plumbing ----------------------------------------------------------------------
    def client(self, node):
        key = (threading.get_ident(), node.index)
        c = self._clients.get(key)
        if c is None:
            c = make_client(node.endpoint, self.access_key, self.secret_key)
            self._clients[key] = c
        return c

    def _count(self, field, n=1):
        with self._lock:
            setattr(self, field, getattr(self, field) + n)

    def _budget_left(self):
        with self._lock:
            if self.max_ops is not None and self.ops >= self.max_ops:
                return False
            self.ops += 1
            return True

    def _slow(self, fn, node, t0, outcome):
        took = time.monotonic() - t0
        if took > 5:
            with self._lock:
                self.slow.append((round(took, 1), getattr(fn, "__name__", "op"),
                                  node.index + 1, outcome))

    def _attempts(self, rng, fn):
        """Runs fn(client) on up to 3 nodes until one acknowledges. True when acknowledged,
        False when every attempt failed (the outcome is uncertain), None when out of ops."""
        for attempt in range(3):
            nodes = self.nodes_fn()
            if not nodes:
                time.sleep(0.2)
                continue
            if not self._budget_left():
                return None if attempt == 0 else False
            node = rng.choice(nodes)
            t = time.monotonic()
            try:
                fn(self.client(node))
                self._slow(fn, node, t, "ok")
                self._count("acked")
                return True
            except Exception as e:  # noqa: BLE001 - classified below
                self._slow(fn, node, t, outcome_of(e))
                self._count("failed")
                if not is_transient(e):
                    with self._lock:
                        self.errors.append(f"{type(e).__name__}: {e}"[:300])
                time.sleep(0.2 + 0.3 * attempt)
        return False

    # ---- operations --------------------------------------------------------------------
    def _size(self, rng):
        r = rng.random()
        if r < 0.05:
            return 0
        if r < 0.40:
            return rng.randrange(1, 16 << 10)
        if r < 0.75:
            return rng.randrange(128 << 10, 1 << 20)
        return rng.randrange(1 << 20, self.large_max)

    def _write(self, rng, key, gen, multipart):
        st = self.ledger[key]
        if multipart:
            # Mostly one part (any size), sometimes a 5 MiB part and a tail.
            sizes = [rng.randrange(1, 2 << 20)] if rng.random() < 0.7 else \
                [MIN_PART, rng.randrange(1, 512 << 10)]
            body = body_of(self.seed, key, gen, sum(sizes))
            parts = len(sizes)
        else:
            body = body_of(self.seed, key, gen, self._size(rng))
            parts = 1 if shard_file_size(len(body)) > self.inline_limit else 0
            sizes = None
        digest = hashlib.sha256(body).hexdigest()
        value = Value(digest, len(body), parts)
        had = digest in st.acceptable
        st.acceptable[digest] = value      # from now on the write may have happened

        def put(c):
            c.put_object(Bucket=self.bucket, Key=key, Body=body)

        def mpu(c):
            up = c.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
            try:
                done, off = [], 0
                for n, size in enumerate(sizes, 1):
                    r = c.upload_part(Bucket=self.bucket, Key=key, UploadId=up, PartNumber=n,
                                      Body=body[off:off + size])
                    done.append({"PartNumber": n, "ETag": r["ETag"]})
                    off += size
                c.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up,
                                            MultipartUpload={"Parts": done})
            except Exception:
                try:
                    c.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up)
                except Exception:  # noqa: BLE001 - best effort; the error that counts is above
                    pass
                raise

        ok = self._attempts(rng, mpu if multipart else put)
        self._settle(st, digest, value, ok, had)
        return ok is not None

    def _delete(self, rng, key):
        st = self.ledger[key]
        had = ABSENT in st.acceptable
        st.acceptable[ABSENT] = None
        def delete(c):
            c.delete_object(Bucket=self.bucket, Key=key)

        ok = self._attempts(rng, delete)
        self._settle(st, ABSENT, None, ok, had)
        return ok is not None

    def _settle(self, st, state, value, ok, had):
        if ok is None and not had:         # never sent: out of operations
            del st.acceptable[state]
        elif ok:
            st.acceptable = {state: value}
            st.acked, st.uncertain = True, False
        elif ok is False:
            st.uncertain = True
            self._count("uncertain")

    def _read(self, rng, key):
        nodes = self.nodes_fn()
        if not nodes:
            time.sleep(0.2)
            return True
        if not self._budget_left():
            return False
        st = self.ledger[key]
        node, t = rng.choice(nodes), time.monotonic()
        try:
            got = read_state(self.client(node), self.bucket, key)
            self._slow(read_state, node, t, "ok")
        except Exception as e:  # noqa: BLE001
            self._slow(read_state, node, t, outcome_of(e))
            self._count("failed")
            if not is_transient(e):
                with self._lock:
                    self.errors.append(f"{type(e).__name__}: {e}"[:300])
            return True
        self._count("acked")
        if got not in st.acceptable:
            with self._lock:
                self.anomalies.append((key, got, sorted(st.acceptable)))
        return True

    def _run(self, t):
        # A client thread that dies would end the run early with fewer operations and faults
        # than asked for: its traceback is kept, and the run fails with it.
        try:
            self._loop(t)
        except Exception:  # noqa: BLE001 - reported by the run
            with self._lock:
                self.crashes.append(f"client thread {t}: {traceback.format_exc()}")

    def _loop(self, t):
        rng = random.Random(f"{self.seed}/thread{t}")
        mine = self.keys[t::self.threads]
        gen = 0
        while not self._stop.is_set():
            key = rng.choice(mine)
            gen += 1
            r = rng.random()
            if r < 0.40:
                more = self._write(rng, key, f"t{t}g{gen}", False)
            elif r < 0.48 and self.multipart:
                more = self._write(rng, key, f"t{t}g{gen}", True)
            elif r < 0.60:
                more = self._delete(rng, key)
            else:
                more = self._read(rng, key)
            if not more:
                return

    # ---- control -----------------------------------------------------------------------
    def start(self):
        for t in range(self.threads):
            th = threading.Thread(target=self._run, args=(t,), daemon=True,
                                  name=f"chaos-client-{t}")
            th.start()
            self._workers.append(th)
        return self

    def stop(self, timeout=120):
        self._stop.set()
        for th in self._workers:
            th.join(timeout)
        return not any(th.is_alive() for th in self._workers)

    def done(self):
        return all(not th.is_alive() for th in self._workers)


def read_state(client, bucket, key):
    """The key's state as the ledger names it: ABSENT or the SHA-256 of its content.
    Raises on any other answer (a 503, a timeout)."""
    try:
        r = client.get_object(Bucket=bucket, Key=key)
    except botocore.exceptions.ClientError as e:
        if e.response.get("Error", {}).get("Code") == "NoSuchKey":
            return ABSENT
        raise
    h = hashlib.sha256()
    stream = r["Body"]
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        h.update(chunk)
    return h.hexdigest()
