#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Lay the project into a Debian linux-source-6.12 tree, incrementally.

The tree under BUILD_DIR/linux is the pristine extract plus the project's
patch series (patches/series) plus the project's own files (the overlay
folders below; tests/kunit goes to net/tipc/kunit).  Only files whose
content changes are rewritten, so make's timestamps stay valid and the
next build is incremental.  Files the project
stops providing go back to their pristine content (or away, if upstream has
none).  The pristine extract under BUILD_DIR/linux-pristine is never built in.
"""
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

# The project's folders and where they go in the tree.
OVERLAY = [("rust", "rust"), ("net/tipc", "net/tipc"), ("tests/kunit", "net/tipc/kunit")]
TARBALL = "/usr/src/linux-source-6.12.tar.xz"


def log(msg):
    print(f"prepare: {msg}", flush=True)


def extract(build):
    pristine = os.path.join(build, "linux-pristine")
    if os.path.isdir(pristine):
        return pristine
    log(f"extracting {TARBALL}")
    tmp = pristine + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    subprocess.run(["tar", "-xf", TARBALL, "-C", tmp, "--strip-components=1"],
                   check=True)
    os.rename(tmp, pristine)
    return pristine


def record_version(build, pristine):
    ver = subprocess.run(["make", "-s", "-C", pristine, "kernelversion"],
                         check=True, capture_output=True, text=True).stdout.strip()
    deb = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "linux-source-6.12"],
                         capture_output=True, text=True).stdout.strip()
    with open(os.path.join(build, "kernel-version"), "w") as f:
        f.write(f"{ver} (Debian linux-source-6.12 {deb})\n")
    return ver


def overlay_files(repo):
    files = {}
    for top, dest in OVERLAY:
        base = os.path.join(repo, top)
        for dirpath, _, names in os.walk(base):
            for n in names:
                src = os.path.join(dirpath, n)
                files[os.path.join(dest, os.path.relpath(src, base))] = src
    return files


def patch_series(repo):
    series = os.path.join(repo, "patches", "series")
    if not os.path.exists(series):
        return []
    with open(series) as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return [os.path.join(repo, "patches", n) for n in names]


def patched_paths(patch):
    paths = []
    with open(patch) as f:
        for line in f:
            if line.startswith("+++ ") or line.startswith("--- "):
                p = line[4:].split("\t")[0].strip()
                if p != "/dev/null":
                    paths.append(p.split("/", 1)[1])
    return paths


def desired_tree(repo, pristine, stage):
    """Build, in stage/, every file the project manages, with its final content."""
    managed = set()
    for patch in patch_series(repo):
        for p in patched_paths(patch):
            dst = os.path.join(stage, p)
            if p not in managed and os.path.exists(os.path.join(pristine, p)):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(os.path.join(pristine, p), dst)
            managed.add(p)
        r = subprocess.run(["patch", "-p1", "-s", "-N", "-d", stage, "-i", patch],
                           capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"prepare: {os.path.basename(patch)} does not apply:\n{r.stdout}{r.stderr}")
    for rel, src in overlay_files(repo).items():
        if rel in managed:
            sys.exit(f"prepare: {rel} is both patched and laid: keep one")
        dst = os.path.join(stage, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        managed.add(rel)
    return managed


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(repo, "build")))
    os.makedirs(build, exist_ok=True)
    pristine = extract(build)
    ver = record_version(build, pristine)
    tree = os.path.join(build, "linux")
    if not os.path.isdir(tree):
        log(f"copying pristine {ver} to {tree}")
        subprocess.run(["cp", "-a", pristine, tree + ".tmp"], check=True)
        os.rename(tree + ".tmp", tree)

    manifest_path = os.path.join(build, "linux.managed.json")
    old = set()
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = set(json.load(f))

    changed = 0
    with tempfile.TemporaryDirectory(dir=build) as stage:
        managed = desired_tree(repo, pristine, stage)
        for rel in sorted(managed):
            src = os.path.join(stage, rel)
            dst = os.path.join(tree, rel)
            if not os.path.exists(src):     # removed by a patch
                if os.path.exists(dst):
                    os.unlink(dst)
                    changed += 1
                continue
            if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=False):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            os.utime(dst)   # newer than any object built from the old content
            changed += 1
        for rel in sorted(old - managed):
            dst = os.path.join(tree, rel)
            orig = os.path.join(pristine, rel)
            if os.path.exists(orig):
                shutil.copy2(orig, dst)
                os.utime(dst)
            elif os.path.exists(dst):
                os.unlink(dst)
            changed += 1

    with open(manifest_path + ".tmp", "w") as f:
        json.dump(sorted(managed), f, indent=0)
    os.replace(manifest_path + ".tmp", manifest_path)
    log(f"linux {ver} in {tree}: {len(managed)} project files, {changed} updated")


if __name__ == "__main__":
    main()
