"""The commit path's fsync order (docs/format.md), seen from outside with strace on a running
server: for a PUT with shard files, on every drive, the shard file (staged as tmp/<id>, one
file) is fdatasynced before it is renamed into data/, its new parent folder is fsynced after
that rename, and the metadata's synced RocksDB write (a WAL fsync) follows; so an
acknowledged object never rests on the file system's journal ordering. A multipart part is
renamed into its upload's data folder, and that folder and its parent are fsynced before
the part is recorded."""

import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import random_bytes

pytestmark = pytest.mark.faults

# "123 fdatasync(9</d1/.cairn.sys/tmp/x/part.1>) = 0", "<unfinished ...>", "<... resumed>"
CALL = re.compile(r"^(\d+)\s+(\w+)\((.*?)(\) += (-?\d+).*| <unfinished \.\.\.>)$")
RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>.*\) += (-?\d+)")
FD_PATH = re.compile(r"^\d+<(.*)>$")


def parse(trace):
    """Completed calls in completion order: (index, started_at, name, args, result)."""
    pending, calls = {}, []
    for n, line in enumerate(trace.splitlines()):
        m = CALL.match(line)
        if m:
            pid, name, args, tail, result = m.groups()
            if tail.endswith("<unfinished ...>"):
                pending[pid] = (n, name, args)
            else:
                calls.append((n, n, name, args, int(result)))
            continue
        m = RESUMED.match(line)
        if m and m.group(1) in pending:
            start, name, args = pending.pop(m.group(1))
            calls.append((n, start, name, args, int(m.group(3))))
    return calls


def fd_path(args):
    m = FD_PATH.match(args.split(",")[0].strip())
    return m.group(1) if m else None


def trace(srv, action):
    """The fsync, fdatasync and rename calls of the server while `action` runs."""
    if os.geteuid() != 0 or shutil.which("strace") is None:
        pytest.skip("needs root and strace(1) to trace the server")
    out = os.path.join(srv.root, "strace.txt")
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-y", "-s", "512", "-o", out, "-p", str(srv.proc.pid),
         "-e", "trace=fsync,fdatasync,rename,renameat,renameat2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)  # strace attaches to every thread
        action()
        time.sleep(0.5)
    finally:
        tracer.send_signal(signal.SIGINT)  # detaches; the server runs on
        try:
            tracer.wait(30)
        except subprocess.TimeoutExpired:
            tracer.kill()
            tracer.wait(10)
    calls = parse(open(out).read())
    assert calls, "strace saw nothing"
    return calls


def synced(calls):
    """Successful fsync/fdatasync calls: (completed at, started at, path)."""
    return [(c[0], c[1], fd_path(c[3])) for c in calls
            if c[2] in ("fsync", "fdatasync") and c[4] == 0 and fd_path(c[3])]


def wal_synced_after(calls, drive, after):
    return [s for s in synced(calls) if s[2].startswith(os.path.join(drive, ".cairn.sys")) and
            s[2].endswith(".log") and s[1] > after]


def test_put_syncs_shards_then_folders_then_metadata(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="sync")
    s3.put_object(Bucket="sync", Key="warm", Body=b"x")  # open files, fan-outs, WAL
    body = random_bytes(3 * 1024 * 1024, "sync")
    calls = trace(srv, lambda: s3.put_object(Bucket="sync", Key="big", Body=body))
    assert s3.get_object(Bucket="sync", Key="big")["Body"].read() == body
    checked = 0
    for drive in srv.drive_paths:
        tmp_root = os.path.join(drive, ".cairn.sys", "tmp") + "/"
        data_root = os.path.join(drive, "data") + "/"
        renames = [c for c in calls if c[2].startswith("rename") and c[4] == 0 and
                   tmp_root in c[3] and data_root in c[3]]
        assert len(renames) == 1, (drive, renames)
        done, started, _, args, _ = renames[0]
        paths = re.findall(r'"([^"]+)"', args)
        src, dst = paths[0], paths[-1]
        # One file per drive: the shard is the data entry itself, no folder.
        assert os.path.isfile(dst), f"{drive}: {dst} is not the shard file"
        syncs = synced(calls)
        shard = [s for s in syncs if s[2] == src]
        assert shard and max(s[0] for s in shard) < started, \
            f"{drive}: shard file not synced before the rename into data/"
        parent = [s for s in syncs if s[2] == os.path.dirname(dst) and s[1] > done]
        assert parent, f"{drive}: {os.path.dirname(dst)} not fsynced after the rename"
        assert wal_synced_after(calls, drive, parent[0][0]), \
            f"{drive}: no synced metadata write after the parent's sync"
        checked += 1
    assert checked == 4


def test_part_syncs_shard_then_folders_then_record(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="parts")
    s3.put_object(Bucket="parts", Key="warm", Body=b"x")
    upload = s3.create_multipart_upload(Bucket="parts", Key="mp")["UploadId"]
    body = random_bytes(6 * 1024 * 1024, "part")
    etags = []
    calls = trace(srv, lambda: etags.append(s3.upload_part(
        Bucket="parts", Key="mp", UploadId=upload, PartNumber=3, Body=body)["ETag"]))
    s3.complete_multipart_upload(Bucket="parts", Key="mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 3, "ETag": etags[0]}]})
    assert s3.get_object(Bucket="parts", Key="mp")["Body"].read() == body
    checked = 0
    for drive in srv.drive_paths:
        data_root = os.path.join(drive, "data") + "/"
        renames = [c for c in calls if c[2].startswith("rename") and c[4] == 0 and
                   data_root in c[3]]
        assert len(renames) == 1, (drive, renames)
        done, started, _, args, _ = renames[0]
        src, dst = re.findall(r'"([^"]+)"', args)[0], re.findall(r'"([^"]+)"', args)[-1]
        assert dst.endswith("/part.3"), dst
        syncs = synced(calls)
        assert [s for s in syncs if s[2] == src and s[0] < started], \
            f"{drive}: part not synced before the rename"
        folder = [s for s in syncs if s[2] == os.path.dirname(dst) and s[1] > done]
        parent = [s for s in syncs if s[2] == os.path.dirname(os.path.dirname(dst)) and
                  s[1] > done]
        assert folder and parent, f"{drive}: {dst}'s folders not fsynced after the rename"
        assert wal_synced_after(calls, drive, max(folder[0][0], parent[0][0])), \
            f"{drive}: no synced record of the part after the folder syncs"
        checked += 1
    assert checked == 4
