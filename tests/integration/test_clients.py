"""Real clients against cairn: the AWS CLI (aws s3 mb/cp/sync/ls/rm/rb, s3api), rclone and
s3cmd, each run as a subprocess with its own throwaway configuration. A folder of 200 small
files and one 64 MiB file go up and come back byte for byte."""

import filecmp
import os
import shutil
import subprocess

import pytest

from conftest import aws_cli_env, random_bytes, unique_name

pytestmark = pytest.mark.clients

MiB = 1024 * 1024


def find_tool(name):
    # Debian's packages, not a newer copy from some other PATH entry (pyenv, pip --user).
    for path in (f"/usr/bin/{name}", shutil.which(name)):
        if path and os.access(path, os.X_OK):
            return path
    pytest.fail(f"{name} is not installed (scripts/install-deps.sh installs it)")


def make_tree(root, count=200, seed="tree"):
    """`count` small files in nested folders (0 bytes to 20 KiB), names with spaces and
    unicode."""
    files = {}
    for i in range(count):
        sub = ["", "a", "a/b", "c d", "ünï"][i % 5]
        rel = os.path.join(sub, f"file {i:03d}.bin") if sub else f"file-{i:03d}.bin"
        data = random_bytes((i * 997) % (20 * 1024), seed=f"{seed}{i}")
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        files[rel] = data
    return files


def write_big(path, size, seed="big"):
    with open(path, "wb") as f:
        chunk = random_bytes(MiB, seed=seed)
        for i in range(size // MiB):
            f.write(bytes([i & 0xFF]) + chunk[1:])
        f.write(chunk[:size % MiB])


def assert_same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    stack = [cmp]
    while stack:
        c = stack.pop()
        assert not c.left_only and not c.right_only, (c.left, c.left_only, c.right_only)
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        assert not mismatch and not errors, (c.left, mismatch, errors)
        stack.extend(c.subdirs.values())


def run(cmd, env, timeout=300):
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, f"{' '.join(cmd)} -> {res.returncode}\n{res.stdout[-3000:]}\n" \
                                f"{res.stderr[-3000:]}"
    return res.stdout


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    make_tree(str(src))
    write_big(str(src / "big.bin"), 64 * MiB)
    return src


# ---- AWS CLI ---------------------------------------------------------------------------------------
@pytest.fixture
def target(request):
    """The server the client fixtures talk to: the shared one, or, when a test parametrizes
    it indirectly with a drive count, a fresh server of its own with that many drives."""
    drives = getattr(request, "param", None)
    if drives is None:
        return request.getfixturevalue("server")
    return request.getfixturevalue("make_server")(drives=drives)


@pytest.fixture
def aws(target, tmp_path):
    server = target
    env = aws_cli_env(tmp_path, server.access_key, server.secret_key,
                      config="[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n"
                      "  multipart_threshold = 16MB\n  multipart_chunksize = 8MB\n")
    exe = find_tool("aws")

    def call(*args, timeout=300):
        return run([exe, "--endpoint-url", server.endpoint, "--no-cli-pager", *args], env,
                   timeout=timeout)
    return call


def test_aws_cli_roundtrip(aws, tree, tmp_path):
    b = unique_name("awscli")
    aws("s3", "mb", f"s3://{b}")
    assert b in aws("s3", "ls")
    aws("s3", "sync", str(tree), f"s3://{b}/tree")
    listing = aws("s3", "ls", "--recursive", f"s3://{b}/tree/")
    assert len(listing.strip().splitlines()) == 201
    head = aws("s3api", "head-object", "--bucket", b, "--key", "tree/big.bin")
    assert '"ContentLength": 67108864' in head and '-8\\""' in head  # 8 parts of 8 MiB
    # A second sync has nothing to do.
    assert aws("s3", "sync", str(tree), f"s3://{b}/tree").strip() == ""
    back = tmp_path / "back"
    aws("s3", "sync", f"s3://{b}/tree", str(back))
    assert_same_tree(str(tree), str(back))
    aws("s3", "cp", f"s3://{b}/tree/big.bin", str(tmp_path / "big-again.bin"))
    assert filecmp.cmp(str(tree / "big.bin"), str(tmp_path / "big-again.bin"), shallow=False)
    aws("s3", "cp", str(tree / "file-000.bin"), f"s3://{b}/single")
    aws("s3", "mv", f"s3://{b}/single", f"s3://{b}/moved")
    listing = aws("s3", "ls", f"s3://{b}/")
    assert "moved" in listing and "single" not in listing
    aws("s3", "rm", "--recursive", f"s3://{b}")
    assert aws("s3", "ls", f"s3://{b}").strip() == ""
    aws("s3", "rb", f"s3://{b}")
    assert b not in aws("s3", "ls")


def test_aws_cli_s3api_errors(aws):
    b = unique_name("awsapi")
    with pytest.raises(AssertionError) as e:
        aws("s3api", "head-bucket", "--bucket", b)
    assert "404" in str(e.value)
    with pytest.raises(AssertionError) as e:
        aws("s3api", "get-object", "--bucket", b, "--key", "k", "/dev/null")
    assert "NoSuchBucket" in str(e.value)


# ---- rclone ------------------------------------------------------------------------------------------
@pytest.fixture
def rclone(target, tmp_path):
    server = target
    conf = tmp_path / "rclone.conf"
    conf.write_text("")
    env = dict(os.environ, RCLONE_CONFIG=str(conf),
               RCLONE_CONFIG_CAIRN_TYPE="s3", RCLONE_CONFIG_CAIRN_PROVIDER="Minio",
               RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID=server.access_key,
               RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY=server.secret_key,
               RCLONE_CONFIG_CAIRN_ENDPOINT=server.endpoint,
               RCLONE_CONFIG_CAIRN_REGION="us-east-1",
               RCLONE_CONFIG_CAIRN_FORCE_PATH_STYLE="true")
    exe = find_tool("rclone")

    def call(*args, timeout=300):
        return run([exe, "--retries", "1", "--low-level-retries", "1", "--contimeout", "5s",
                    "--s3-upload-cutoff", "16M", "--s3-chunk-size", "8M", *args], env,
                   timeout=timeout)
    return call


def test_rclone_roundtrip(rclone, tree, tmp_path):
    b = unique_name("rclone")
    rclone("mkdir", f"cairn:{b}")
    rclone("copy", str(tree), f"cairn:{b}/tree", "--transfers", "8")
    # rclone check compares sizes and MD5 hashes (ETags) of every file.
    rclone("check", str(tree), f"cairn:{b}/tree")
    assert len(rclone("lsf", "-R", "--files-only", f"cairn:{b}/tree").splitlines()) == 201
    back = tmp_path / "back"
    rclone("copy", f"cairn:{b}/tree", str(back), "--transfers", "8")
    assert_same_tree(str(tree), str(back))
    rclone("delete", f"cairn:{b}/tree/a")
    assert "a/" not in rclone("lsf", f"cairn:{b}/tree")
    rclone("purge", f"cairn:{b}")
    assert b not in rclone("lsd", "cairn:")


def test_rclone_sync_deletes_extra(rclone, tmp_path):
    b = unique_name("rsync")
    src = tmp_path / "s"
    make_tree(str(src), count=20, seed="sync")
    rclone("mkdir", f"cairn:{b}")
    rclone("sync", str(src), f"cairn:{b}")
    os.unlink(src / "file-000.bin")
    (src / "new.txt").write_bytes(b"new")
    rclone("sync", str(src), f"cairn:{b}")
    rclone("check", str(src), f"cairn:{b}")
    rclone("purge", f"cairn:{b}")


# ---- s3cmd -------------------------------------------------------------------------------------------
@pytest.fixture
def s3cmd(target, tmp_path):
    server = target
    cfg = tmp_path / "s3cfg"
    cfg.write_text(
        "[default]\n"
        f"access_key = {server.access_key}\nsecret_key = {server.secret_key}\n"
        f"host_base = {server.s3_addr}\nhost_bucket = {server.s3_addr}\n"
        "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
        "multipart_chunk_size_mb = 8\n")
    exe = find_tool("s3cmd")

    def call(*args, timeout=300):
        return run([exe, "-c", str(cfg), "--no-progress", *args], dict(os.environ),
                   timeout=timeout)
    return call


def test_s3cmd_roundtrip(s3cmd, tmp_path):
    b = unique_name("s3cmd")
    src = tmp_path / "s"
    make_tree(str(src), count=30, seed="s3cmd")
    write_big(str(src / "big.bin"), 20 * MiB, seed="s3cmdbig")
    s3cmd("mb", f"s3://{b}")
    s3cmd("put", "--recursive", str(src) + "/", f"s3://{b}/")
    listing = s3cmd("ls", "--recursive", f"s3://{b}")
    assert len(listing.strip().splitlines()) == 31
    back = tmp_path / "back"
    back.mkdir()
    s3cmd("get", "--recursive", f"s3://{b}/", str(back) + "/")
    assert_same_tree(str(src), str(back))
    s3cmd("del", "--recursive", "--force", f"s3://{b}")
    s3cmd("rb", f"s3://{b}")


# ---- slow: 1 GiB and 1,000 files -----------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("target", [4, 16], indirect=True, ids=["4-drives", "16-drives"])
def test_slow_one_gib_and_thousand_files(target, aws, rclone, tmp_path):
    """The done-criterion of the single-node server: `aws s3 sync` and `rclone copy` each
    round-trip a 1 GiB file and a folder of 1,000 small files with identical bytes."""
    src = tmp_path / "src"
    src.mkdir()
    make_tree(str(src), count=1000, seed="slow")
    write_big(str(src / "huge.bin"), 1024 * MiB, seed="huge")
    b = unique_name("slow")
    aws("s3", "mb", f"s3://{b}")
    # AWS CLI up and back.
    aws("s3", "sync", str(src), f"s3://{b}/aws", timeout=1200)
    rclone("check", str(src), f"cairn:{b}/aws", timeout=1200)
    back = tmp_path / "back-aws"
    aws("s3", "sync", f"s3://{b}/aws", str(back), timeout=1200)
    assert_same_tree(str(src), str(back))
    shutil.rmtree(back)
    # rclone up and back.
    rclone("copy", str(src), f"cairn:{b}/rclone", "--transfers", "8", timeout=1200)
    back = tmp_path / "back-rclone"
    rclone("copy", f"cairn:{b}/rclone", str(back), "--transfers", "8", timeout=1200)
    assert_same_tree(str(src), str(back))
    shutil.rmtree(back)
    aws("s3", "rm", "--recursive", f"s3://{b}", timeout=600)
    aws("s3", "rb", f"s3://{b}")
