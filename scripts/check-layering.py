#!/usr/bin/python3
"""Checks that no module of src/ includes a header of a module above it.

The layers, lowest first (a module may include its own headers and those of lower layers):

  0  common
  1  erasure, meta, http, auth, crypto    pure code, HTTP, signing and encryption
     policy                               the IAM policy language (parse, evaluate)
  2  storage, rpc, loadgen, audit         the drive interface; the inter-node transport; the
                                          load generator (an HTTP client: http's Endpoint); the
                                          audit log (records, file and webhook targets)
  3  storage/local, storage/remote, cluster, cluster/lock
                                          (cluster/lock: dsync-style locks, common and meta only)
  4  object                               the object layer
  5  heal, kms, iam                       background healing; the key store; identities (over the
                                          object layer)
  6  s3, admin, console                   the S3 and admin front ends; the web console (which
                                          reaches S3 and admin through http::Handler only)
  7  server                               wiring (adapts cluster/lock to object's NsLocker)

(shared/STYLE.md sketches the order; docs/architecture.md has this one.) Modules of one layer
may not include each other either, except where ALLOWED says so. Prints one line per edge
out of order and exits 1; else "layering: ... in order". Also: no test, fuzz or bench header
is included from src/.
"""

import os
import re
import sys

LAYERS = [
    ["common"],
    ["erasure", "meta", "http", "auth", "crypto", "policy"],
    ["storage", "rpc", "loadgen", "audit"],
    ["storage/local", "storage/remote", "cluster", "cluster/lock"],
    ["object"],
    ["heal", "kms", "iam"],
    ["s3", "admin", "console"],
    ["server"],
]
# Edges within a layer that are part of the design, as (includer, included): none yet.
ALLOWED = set()

LEVEL = {m: i for i, layer in enumerate(LAYERS) for m in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(rel):
    parts = rel.split("/")
    if len(parts) > 2 and f"{parts[0]}/{parts[1]}" in LEVEL:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    bad, edges, files = [], set(), 0
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            src = module_of(rel)
            files += 1
            if src not in LEVEL:
                bad.append(f"{rel}: module '{src}' is in no layer (scripts/check-layering.py)")
                continue
            with open(path, errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m or "/" not in m.group(1):
                        continue
                    inc = m.group(1)
                    if inc.startswith(("testing/", "unit/", "fuzz/", "bench/")):
                        bad.append(f"{rel}:{n}: includes test code \"{inc}\"")
                        continue
                    dst = module_of(inc)
                    if dst == src or dst not in LEVEL:
                        continue
                    edges.add((src, dst))
                    up = LEVEL[dst] > LEVEL[src]
                    same = LEVEL[dst] == LEVEL[src] and (src, dst) not in ALLOWED
                    if up or same:
                        bad.append(f"{rel}:{n}: {src} (layer {LEVEL[src]}) includes \"{inc}\" "
                                   f"of {dst} (layer {LEVEL[dst]})")
    for line in bad:
        print(line)
    if bad:
        print(f"layering: FAILED, {len(bad)} includes out of order")
        return 1
    print(f"layering: {files} files, {len(LEVEL)} modules, {len(edges)} module edges, in order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
