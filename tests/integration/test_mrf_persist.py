"""The reactive heal (MRF) queue survives a restart: objects written while a drive was away are
queued; the queue is saved on the other drives when the server stops, loaded when it starts,
and the objects are healed onto the drive that came back in between."""

import os

import pytest

from conftest import random_bytes, wait_until

pytestmark = pytest.mark.faults

MiB = 1024 * 1024


def test_queued_heals_survive_a_restart(make_server):
    srv = make_server(drives=4)
    s3 = srv.client()
    s3.create_bucket(Bucket="mrf")
    victim = srv.drive_paths[2]
    away = victim + ".away"
    objs = {f"k{i}": random_bytes(MiB + 1000 * i, f"mrf{i}") for i in range(3)}
    # The running server can no longer use the drive: its path is a regular file.
    os.rename(victim, away)
    with open(victim, "w") as f:
        f.write("away\n")
    try:
        for key, body in objs.items():
            s3.put_object(Bucket="mrf", Key=key, Body=body)
        srv.stop()  # saves the queue on the three drives it can reach
    finally:
        os.unlink(victim)
        os.rename(away, victim)
    assert srv.shard_files(victim) == []
    srv.start()
    wait_until(lambda: len(srv.shard_files(victim)) >= len(objs), timeout=30)
    assert len(srv.shard_files(victim)) == len(objs), srv.shard_files(victim)
    with open(srv.log_path, "rb") as f:
        assert b"queued again from the saved MRF queue" in f.read()
    s3 = srv.client()
    for key, body in objs.items():
        assert s3.get_object(Bucket="mrf", Key=key)["Body"].read() == body
    assert srv.alive()
