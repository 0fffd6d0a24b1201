"""The commit path's fsync order (docs/format.md), seen from outside with strace on a running
server: for a PUT with shard files, on every drive, the shard file is fdatasynced before its
staging folder is renamed into data/, the moved folder and its parent are fsynced after that
rename, and the metadata's synced RocksDB write (a WAL fsync) follows them; so an
acknowledged object never rests on the file system's journal ordering."""

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


def test_put_syncs_shards_then_folders_then_metadata(make_server):
    if os.geteuid() != 0 or shutil.which("strace") is None:
        pytest.skip("needs root and strace(1) to trace the server")
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="sync")
    s3.put_object(Bucket="sync", Key="warm", Body=b"x")  # open files, fan-outs, WAL
    out = os.path.join(srv.root, "strace.txt")
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-y", "-s", "512", "-o", out, "-p", str(srv.proc.pid),
         "-e", "trace=fsync,fdatasync,rename,renameat,renameat2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)  # strace attaches to every thread
        s3.put_object(Bucket="sync", Key="big", Body=random_bytes(3 * 1024 * 1024, "sync"))
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
    assert s3.get_object(Bucket="sync", Key="big")["Body"].read() == \
        random_bytes(3 * 1024 * 1024, "sync")
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
        syncs = [(c[0], c[1], fd_path(c[3])) for c in calls
                 if c[2] in ("fsync", "fdatasync") and c[4] == 0 and fd_path(c[3])]
        shard = [s for s in syncs if s[2].startswith(src + "/part.")]
        assert shard and max(s[0] for s in shard) < started, \
            f"{drive}: shard file not synced before the rename into data/"
        folder = [s for s in syncs if s[2] == dst and s[1] > done]
        parent = [s for s in syncs if s[2] == os.path.dirname(dst) and s[1] > done]
        assert folder, f"{drive}: {dst} not fsynced after the rename"
        assert parent, f"{drive}: {os.path.dirname(dst)} not fsynced after the rename"
        after = max(folder[0][0], parent[0][0])
        wal = [s for s in syncs if s[2].startswith(os.path.join(drive, ".cairn.sys")) and
               s[2].endswith(".log") and s[1] > after]
        assert wal, f"{drive}: no synced metadata write after the folder syncs"
        checked += 1
    assert checked == 4
