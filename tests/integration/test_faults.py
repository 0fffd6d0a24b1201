"""Drive failures, bitrot and crashes against real servers (each test starts its own).

4 drives = one set, EC 2+2 (read quorum 2, write quorum 3); 16 drives by default = one set
of 16, 8+8; 16 drives with --parity 4 = two sets of 8, 4+4. Up to P drives of a set may be
wiped, removed or corrupt and every GET still returns the right bytes; with P+1 gone, a
clean 503; a kill -9 during a PUT leaves the old object or the new one, whole."""

import hashlib
import os
import shutil
import socket
import subprocess
import time

import botocore.exceptions
import pytest
import requests

import s3raw
from conftest import random_bytes, retry, wait_until

pytestmark = pytest.mark.faults

KiB, MiB = 1024, 1024 * 1024
UNAVAILABLE = ("SlowDownRead", "SlowDownWrite", "XMinioServerNotInitialized", "SlowDown",
               "ServiceUnavailable")


def put_mix(s3, bucket="faults"):
    """Small (inline) and large (shard files) objects and one multipart object."""
    s3.create_bucket(Bucket=bucket)
    objs = {}
    # The empty object goes last: see test_objects.py::test_empty_put_then_put_same_connection.
    for size in (1 * KiB, 100 * KiB, MiB + 1, 5 * MiB + 3, 12 * MiB, 0):
        key = f"obj-{size}"
        objs[key] = random_bytes(size, seed=key)
        s3.put_object(Bucket=bucket, Key=key, Body=objs[key])
    parts = [random_bytes(5 * MiB, "mp1"), random_bytes(3 * MiB, "mp2")]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="multipart")["UploadId"]
    done = [{"PartNumber": i, "ETag": s3.upload_part(Bucket=bucket, Key="multipart",
                                                     UploadId=uid, PartNumber=i,
                                                     Body=p)["ETag"]}
            for i, p in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket=bucket, Key="multipart", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    objs["multipart"] = b"".join(parts)
    return objs


def check_all(s3, objs, bucket="faults"):
    for key, body in objs.items():
        got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(got).hexdigest() == hashlib.sha256(body).hexdigest(), \
            f"{key}: wrong bytes ({len(got)} of {len(body)})"
        if len(body) > 2 * MiB:
            first, last = MiB - 100, 2 * MiB + 100
            got = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={first}-{last}")
            assert got["Body"].read() == body[first:last + 1], f"{key}: wrong range"
    listed = s3.list_objects_v2(Bucket=bucket)
    assert sorted(o["Key"] for o in listed.get("Contents", [])) == sorted(objs)


def wipe_contents(path):
    """rm -rf path/* path/.*: the drive is still mounted, but empty."""
    for name in os.listdir(path):
        p = os.path.join(path, name)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def make_unavailable(path):
    """The drive is gone and cannot come back by itself: its path is now a regular file."""
    shutil.rmtree(path, ignore_errors=True)
    with open(path, "w") as f:
        f.write("not a drive\n")


def raw_status(srv, method, path, body=b""):
    return srv.raw().request(method, path, body=body, timeout=30)


# ---- up to P drives gone ---------------------------------------------------------------------
@pytest.mark.parametrize("victims", [(0, 1), (1, 3)])
def test_wipe_p_drives_while_running(make_server, victims):
    srv = make_server(drives=4)
    s3 = srv.client()
    objs = put_mix(s3)
    for i in victims:
        wipe_contents(srv.drive_paths[i])
    check_all(s3, objs)
    assert srv.alive()


def test_wipe_p_drives_while_stopped(make_server):
    srv = make_server(drives=4)
    objs = put_mix(srv.client())
    srv.stop()
    for i in (0, 3):
        wipe_contents(srv.drive_paths[i])
    srv.start()
    s3 = srv.client()
    check_all(s3, objs)
    # All four drives are there again (two empty ones, re-formatted): writes work.
    s3.put_object(Bucket="faults", Key="after", Body=b"written after the wipe")
    assert s3.get_object(Bucket="faults", Key="after")["Body"].read() == b"written after the wipe"


def test_remove_p_drive_dirs_while_stopped(make_server):
    srv = make_server(drives=4)
    objs = put_mix(srv.client())
    srv.stop()
    for i in (1, 2):
        shutil.rmtree(srv.drive_paths[i])
    srv.start()
    check_all(srv.client(), objs)


def test_one_drive_unavailable_reads_and_writes(make_server):
    srv = make_server(drives=4)
    objs = put_mix(srv.client())
    srv.stop()
    make_unavailable(srv.drive_paths[2])
    srv.start()
    s3 = srv.client()
    check_all(s3, objs)
    # 3 of 4 drives is write quorum for 2+2.
    body = random_bytes(3 * MiB, "degraded")
    s3.put_object(Bucket="faults", Key="degraded-write", Body=body)
    assert s3.get_object(Bucket="faults", Key="degraded-write")["Body"].read() == body


def test_16_drives_two_sets_wipe_4_while_stopped(make_server):
    srv = make_server(drives=16, args=["--parity", "4"])
    objs = put_mix(srv.client())
    srv.stop()
    # Any 4 drives: at most P = 4 in either set of 8, whatever the placement.
    for i in (0, 5, 10, 15):
        wipe_contents(srv.drive_paths[i])
    srv.start()
    check_all(srv.client(), objs)


def test_16_drives_default_lose_8_while_running(make_server):
    srv = make_server(drives=16)  # one set of 16: 8 data + 8 parity
    s3 = srv.client()
    objs = put_mix(s3)
    for i in range(0, 16, 2):
        wipe_contents(srv.drive_paths[i])
    check_all(s3, objs)


# ---- P + 1 drives gone -------------------------------------------------------------------------
def test_p_plus_one_drives_unavailable_is_clean_503(make_server):
    srv = make_server(drives=4)
    objs = put_mix(srv.client())
    srv.stop()
    for i in (0, 1, 3):
        make_unavailable(srv.drive_paths[i])
    srv.start(wait="live")
    for key in ("obj-1024", "obj-12582912"):
        resp = raw_status(srv, "GET", f"/faults/{key}")
        assert resp.status == 503 and resp.code in UNAVAILABLE, resp
    resp = raw_status(srv, "PUT", "/faults/new", body=b"x")
    assert resp.status == 503 and resp.code in UNAVAILABLE, resp
    assert requests.get(srv.endpoint + "/minio/health/live", timeout=5).status_code == 200
    for path in ("/minio/health/cluster", "/minio/health/cluster/read"):
        assert requests.get(srv.endpoint + path, timeout=5).status_code == 503, path
    assert srv.alive()
    assert objs


def test_p_plus_one_shards_gone_while_running_is_503(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    objs = put_mix(s3)
    for i in (0, 1, 2):
        shutil.rmtree(os.path.join(srv.drive_paths[i], "data"))
    for key in ("obj-5242883", "obj-12582912", "multipart"):
        resp = raw_status(srv, "GET", f"/faults/{key}")
        assert resp.status == 503 and resp.code in UNAVAILABLE, (key, resp)
    assert srv.alive()
    assert objs


def test_health_cluster_reflects_quorum(make_server):
    srv = make_server(drives=4)
    srv.stop()
    make_unavailable(srv.drive_paths[0])
    make_unavailable(srv.drive_paths[1])
    srv.start(wait="live")
    # 2 of 4: read quorum (2) but not write quorum (3).
    srv.wait_health("/minio/health/cluster/read", timeout=30)
    assert requests.get(srv.endpoint + "/minio/health/cluster", timeout=5).status_code == 503


# ---- bitrot ------------------------------------------------------------------------------------------
def flip(path, offsets):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for off in offsets:
            off = off % size
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([b[0] ^ 0xFF]))


def test_bitrot_on_p_drives_is_repaired_on_read(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    objs = put_mix(s3)
    for i in (1, 2):
        shards = srv.shard_files(srv.drive_paths[i])
        assert len(shards) >= 4, shards
        for f in shards:
            size = os.path.getsize(f)
            flip(f, [5, 40, 1000, size // 2, size - 1])
    check_all(s3, objs)


def test_bitrot_on_every_drive_different_blocks(make_server):
    """Each drive has a corrupt block, but never the same block on more than P drives."""
    srv = make_server(drives=4)
    s3 = srv.client()
    body = random_bytes(8 * MiB, "spread")
    s3.create_bucket(Bucket="faults")
    s3.put_object(Bucket="faults", Key="spread", Body=body)
    shard_block = 512 * KiB + 32  # one 1 MiB erasure block = two 512 KiB shards + hash
    for i, d in enumerate(srv.drive_paths):
        (f,) = srv.shard_files(d)
        flip(f, [(i // 2 * 3 + 1) * shard_block + 100])  # blocks 1, 1, 4, 4
    assert s3.get_object(Bucket="faults", Key="spread")["Body"].read() == body


def test_bitrot_beyond_parity_never_returns_wrong_bytes(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    body = random_bytes(4 * MiB, "rot")
    s3.create_bucket(Bucket="faults")
    s3.put_object(Bucket="faults", Key="rot", Body=body)
    for d in srv.drive_paths[:3]:
        for f in srv.shard_files(d):
            flip(f, [100])  # the same (first) block on 3 of 4 drives
    try:
        r = requests.get(srv.client().generate_presigned_url(
            "get_object", Params={"Bucket": "faults", "Key": "rot"}), timeout=30)
        # Only one intact shard of the first block is left: the data cannot be rebuilt. An
        # error status is right; a 200 must never carry a full body of wrong bytes.
        if r.status_code == 200:
            assert r.content == body, f"{len(r.content)} bytes of corrupt data were returned"
        else:
            assert r.status_code in (500, 503), (r.status_code, r.text[:300])
    except requests.exceptions.RequestException:
        pass  # the connection was cut: acceptable, the client sees an error
    assert srv.alive()


# ---- crashes -----------------------------------------------------------------------------------------
def start_raw_put(srv, path, declared):
    headers = s3raw.sign_v4("PUT", path, [], {"host": f"{srv.host}:{srv.port}",
                                              "content-length": str(declared)},
                            s3raw.UNSIGNED, srv.access_key, srv.secret_key)
    s = socket.create_connection((srv.host, srv.port), timeout=30)
    s.sendall(s3raw.build_request("PUT", path, headers))
    return s


def test_kill9_during_large_put_keeps_old_object(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="crash")
    old = random_bytes(20 * MiB, "old")
    s3.put_object(Bucket="crash", Key="k", Body=old)
    new = random_bytes(64 * MiB, "new")
    s = start_raw_put(srv, "/crash/k", len(new))
    try:
        for off in range(0, 24 * MiB, MiB):
            s.sendall(new[off:off + MiB])
        time.sleep(0.2)
        srv.kill()
    finally:
        s.close()
    srv.start()
    s3 = srv.client()
    got = s3.get_object(Bucket="crash", Key="k")["Body"].read()
    assert got == old, f"got {len(got)} bytes that are not the old object"
    assert wait_until(lambda: not srv.tmp_files()), \
        "temporary files of the killed PUT were not cleaned"


@pytest.mark.parametrize("delay", [0.0, 0.1])
def test_kill9_right_after_body_is_old_or_new(make_server, delay):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="crash")
    old = random_bytes(6 * MiB, f"old{delay}")
    new = random_bytes(9 * MiB, f"new{delay}")
    s3.put_object(Bucket="crash", Key="k", Body=old)
    s = start_raw_put(srv, "/crash/k", len(new))
    try:
        s.sendall(new)
        time.sleep(delay)
        srv.kill()
    finally:
        s.close()
    srv.start()
    got = srv.client().get_object(Bucket="crash", Key="k")["Body"].read()
    assert got in (old, new), f"{len(got)} bytes: neither the old object nor the new one"


def test_acknowledged_put_survives_kill9(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="crash")
    objs = {f"k{i}": random_bytes(size, f"ack{i}")
            for i, size in enumerate((10, 200 * KiB, 3 * MiB))}
    for k, v in objs.items():
        s3.put_object(Bucket="crash", Key=k, Body=v)
    s3.delete_object(Bucket="crash", Key="k0")
    srv.kill()
    srv.start()
    s3 = srv.client()
    for k, v in objs.items():
        if k == "k0":
            assert raw_status(srv, "HEAD", "/crash/k0").status == 404
        else:
            assert s3.get_object(Bucket="crash", Key=k)["Body"].read() == v


# ---- healing ---------------------------------------------------------------------------------------
def test_drive_back_after_outage_is_healed(make_server):
    """Writes made while a drive was away are healed onto it once it is back: its shard files
    appear, and they serve reads when two other drives then lose theirs."""
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="heal")
    victim = srv.drive_paths[1]
    away = victim + ".away"
    objs = {f"k{i}": random_bytes(MiB + 1000 * i, f"heal{i}") for i in range(3)}
    # The running server can no longer create files on the drive: its path is a regular file.
    os.rename(victim, away)
    with open(victim, "w") as f:
        f.write("away\n")
    try:
        for key, body in objs.items():
            s3.put_object(Bucket="heal", Key=key, Body=body)
    finally:
        os.unlink(victim)
        os.rename(away, victim)
    assert srv.shard_files(victim) == []
    wait_until(lambda: len(srv.shard_files(victim)) >= len(objs))
    assert len(srv.shard_files(victim)) == len(objs), srv.shard_files(victim)
    for i in (0, 2):
        shutil.rmtree(os.path.join(srv.drive_paths[i], "data"))
    for key, body in objs.items():
        got = s3.get_object(Bucket="heal", Key=key)["Body"].read()
        assert got == body, f"{key}: wrong bytes after healing"
    assert srv.alive()



def test_bitrot_met_by_a_read_is_healed_on_disk(make_server):
    """A GET that meets corrupt shards serves the right bytes and queues the object; the worker
    rewrites the shard files as they were written, even with a bad block on 3 of 4 drives."""
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="heal")
    body = random_bytes(3 * MiB, "rot-heal")
    s3.put_object(Bucket="heal", Key="k", Body=body)
    shard_block = 512 * KiB + 32  # one 1 MiB erasure block = two 512 KiB shards + hash
    originals = {}
    for i in range(3):  # blocks 0, 1, 2 on drives 0, 1, 2: at least one holds a data shard
        (f,) = srv.shard_files(srv.drive_paths[i])
        with open(f, "rb") as fh:
            originals[f] = fh.read()
        flip(f, [i * shard_block + 100])
    assert s3.get_object(Bucket="heal", Key="k")["Body"].read() == body

    def restored():
        for f, want in originals.items():
            with open(f, "rb") as fh:
                if fh.read() != want:
                    return False
        return True

    assert wait_until(restored), "the corrupt shard files were not healed"


def _can_mount_tmpfs(path):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "needs root and mount(8) for tmpfs drives"
    os.makedirs(path, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", path],
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        return p.stderr.strip() or "mount failed"
    subprocess.run(["umount", path], check=False, timeout=30)
    return None


def test_full_drives_refuse_new_data_and_recover_when_space_is_freed(make_server, tmp_path):
    # Drives on 160 MiB tmpfs mounts (RocksDB's files take a good part): PUTs fill them until the free-space reserve is reached,
    # then get 507 XMinioStorageFull (RocksDB never meets ENOSPC, so it never turns read-only);
    # what was stored reads back; deleting objects makes room, and PUTs work again without a
    # restart.
    why = _can_mount_tmpfs(str(tmp_path / "probe"))
    if why:
        pytest.skip(why)
    mounts = []
    try:
        for i in range(1, 5):
            d = tmp_path / "srv" / f"d{i}"
            d.mkdir(parents=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", str(d)],
                           check=True, timeout=30)
            mounts.append(str(d))
        srv = make_server(drives=4, name="srv")
        s3 = srv.client()
        s3.create_bucket(Bucket="full")
        body = random_bytes(4 * 1024 * 1024, "full")
        stored, refused = [], None
        for i in range(100):  # 4 MiB objects: 2 MiB a drive; the drives hold far fewer
            try:
                s3.put_object(Bucket="full", Key=f"k{i}", Body=body)
                stored.append(f"k{i}")
            except botocore.exceptions.ClientError as e:
                refused = e.response
                break
        assert refused is not None, "the drives never filled"
        assert refused["ResponseMetadata"]["HTTPStatusCode"] == 507, refused
        assert refused["Error"]["Code"] == "XMinioStorageFull", refused
        assert len(stored) >= 6, stored
        for key in stored[:3] + stored[-3:]:
            assert s3.get_object(Bucket="full", Key=key)["Body"].read() == body
        for key in stored[:len(stored) // 2]:
            s3.delete_object(Bucket="full", Key=key)
        retry(lambda: s3.put_object(Bucket="full", Key="after", Body=body), timeout=15,
              errors=(botocore.exceptions.ClientError,), pause=0.3)
        assert s3.get_object(Bucket="full", Key="after")["Body"].read() == body
        srv.stop()
    finally:
        for m in mounts:
            subprocess.run(["umount", "-l", m], check=False, timeout=30)


class PrivateMountServer:
    """Wraps a ServerProcess's command in its own mount namespace (`unshare -m`; the pid stays
    cairn's), where mounts made with nsenter change what the server sees and nothing else."""

    @staticmethod
    def wrap(srv):
        plain = srv.command

        def command():
            return ["unshare", "-m", "--propagation", "private", "sh", "-ec", 'exec "$@"',
                    "sh"] + plain()
        srv.command = command
        return srv

    @staticmethod
    def run(srv, *args):
        subprocess.run(["nsenter", "-t", str(srv.proc.pid), "-m", *args], check=True,
                       capture_output=True, timeout=30)


def test_overwrite_that_misses_write_quorum_keeps_the_acknowledged_object(make_server, tmp_path):
    """EC 4+4, one drive gone: an overwrite writes its shards to the 7 others, then only 4
    can commit (3 have data/ read-only: the rename into it fails), below the write quorum of
    5. The 4 that committed must put the previous object back: had they dropped its data, only
    3 copies would be left, under the read quorum of 4: an acknowledged object lost by a
    failed overwrite. The same for a CopyObject onto the key."""
    why = _can_mount_tmpfs(str(tmp_path / "probe"))
    if why:
        pytest.skip(why)
    srv = PrivateMountServer.wrap(make_server(drives=8, wait=None, name="ec44"))
    srv.start()
    assert "(EC 4+4)" in open(srv.log_path).read()
    s3 = srv.client()
    s3.create_bucket(Bucket="keep")
    v1 = random_bytes(3 * MiB + 5, "keep-v1")
    s3.put_object(Bucket="keep", Key="k", Body=v1)
    s3.put_object(Bucket="keep", Key="src", Body=random_bytes(2 * MiB, "keep-src"))
    d = srv.drive_paths
    # d8: an empty read-only file system over the whole drive (its shard writes fail).
    PrivateMountServer.run(srv, "mount", "-t", "tmpfs", "-o", "ro,size=1g", "tmpfs", d[7])
    # d5..d7: data/ read-only (shards stage under .cairn.sys/tmp, the commit's rename fails).
    for path in d[4:7]:
        data = os.path.join(path, "data")
        PrivateMountServer.run(srv, "mount", "--bind", data, data)
        PrivateMountServer.run(srv, "mount", "-o", "remount,bind,ro", data)
    try:
        for attempt in ("put", "copy"):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                if attempt == "put":
                    s3.put_object(Bucket="keep", Key="k", Body=random_bytes(2 * MiB, "keep-v2"))
                else:
                    s3.copy_object(Bucket="keep", Key="k",
                                   CopySource={"Bucket": "keep", "Key": "src"})
            assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503, e.value.response
            assert e.value.response["Error"]["Code"] in UNAVAILABLE, e.value.response
            got = s3.get_object(Bucket="keep", Key="k")
            assert got["Body"].read() == v1, attempt
            assert got["ContentLength"] == len(v1)
    finally:
        for path in d[4:7]:
            PrivateMountServer.run(srv, "umount", os.path.join(path, "data"))
        PrivateMountServer.run(srv, "umount", d[7])
    # Every drive back: still the acknowledged object, and the next overwrite goes through.
    assert s3.get_object(Bucket="keep", Key="k")["Body"].read() == v1
    v3 = random_bytes(MiB + 3, "keep-v3")
    retry(lambda: s3.put_object(Bucket="keep", Key="k", Body=v3), timeout=20,
          errors=(botocore.exceptions.ClientError,), pause=0.5)
    assert s3.get_object(Bucket="keep", Key="k")["Body"].read() == v3
