#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The project as a patch series against the pristine 6.12 extract.

  series.py make [OUT]    write the series (default REPO/series/): a
                          git format-patch series with a cover letter
  series.py verify        for the test command: make the series, git am it
                          onto the pristine extract, compare the result
                          with the tree the harness builds from, run
                          checkpatch --strict on every patch; prints KTAP

The commits are computed from the final tree prepare-tree.py lays down,
split by folder, never by a list of files, so that the split follows the
checkout as files come and go:

  1. abstractions: everything under rust/ (the project's files, and the
     hook patches that touch only rust/);
  2. core: net/tipc/rust/ except its service folders, and the C side of
     the hook patches (every net/tipc file they change but Kconfig and
     Makefile); nothing of it is built yet;
  3. one commit per service folder (SERVICES);
  4. wiring: net/tipc/Kconfig and Makefile as the hook patches leave them,
     which is when the Rust server starts being built;
  5. tests and documentation: net/tipc/kunit/ (tests/kunit), the hook
     patches that only wire it into Kconfig/Makefile, Documentation/.

Each commit adds its own file patterns to one MAINTAINERS entry, so every
patch that adds files also updates MAINTAINERS (checkpatch asks for it).
Dates, author and committer come from the checkout's HEAD, so the same
checkout always gives the same series.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("BUILD_DIR", os.path.join(REPO, "build")))
AUTHOR = ("TIPC Rust developer", "dev@tipc-rust.invalid")
SERVER = "net/tipc/rust"
# Service folders of the server, each its own commit, in this order.
SERVICES = [
    ("topology", "tipc: Rust server: the topology service",
     """The topology service at {1,1} (TIPC_TOP_SRV) on the server core: a
SOCK_SEQPACKET service where a client sends 28-byte struct tipc_subscr
requests and receives 48-byte struct tipc_event messages for every
matching binding published or withdrawn in the cluster, and for node and
link state through the reserved types 0 and 2.

It behaves as topsrv.c/subscr.c do on the wire: either byte order (taken
from the filter bits, answered in the same order), existing bindings
reported at subscribe time, cancel by an identical request (the newest
match), timeout events that end the subscription, 65535 subscriptions per
namespace, a malformed request closes the connection. Kernel-internal
subscriptions (group.c) go through it without a socket.

The name table reports from softirq with its locks held: a report only
builds the event and queues it on the connection (bounded, see the core),
so no event is dropped or allocated with GFP_ATOMIC per subscriber."""),
    ("config", "tipc: Rust server: the configuration service",
     """The configuration service at {0, own node} (TIPC_CFG_SRV) on the
connectionless mode of the server core: a SOCK_RDM service answering
struct tipc_cfg_msg_hdr + TLV requests (TIPC_CMD_*, tipc_config.h), which
is what tipc-config -m=<node> uses to manage a remote node. Upstream
removed it; only the local genetlink compat path is left.

Commands go through netlink_compat.c's own command table (the hook of the
core commit), so a remote node gets the answer local tipc-config gets. A
message carries no credentials, so the service never allows what netlink
would refuse: net.tipc.remote_management (per namespace, 0-2, writable
with CAP_NET_ADMIN) says which public (below 0x4000) and protected
(0x4000-0x7fff) commands other nodes may send; private commands are
never accepted, a requester on the node itself gets public ones only.
Every refusal is an error string, and counted.

The service takes over the {0, addr} publication tipc_net_finalize()
makes, so requests to {0, addr} reach its socket while node up/down
events keep working."""),
]
ABSTRACTIONS_MSG = ("rust: kernel sockets, a BH-disabling spinlock and owned workqueues",
                    """A Rust server inside net/tipc needs what the kernel crate of 6.12 does
not have: kernel sockets (create, bind, listen, non-blocking accept, send
and receive with a TIPC address, shutdown, release) with their
sk_data_ready/sk_write_space callbacks routed through sk_user_data under
sk_callback_lock; a network namespace reference; a spinlock that
disables bottom halves, for state shared with softirq; and a workqueue
the caller allocates and destroys (alloc_workqueue/destroy_workqueue),
for work that may block. The C helpers cover the inline functions they
use. The APIs are safe; unsafe stays inside them.""")
CORE_MSG = ("tipc: a server core in Rust",
            """The core of the server TIPC got in 2013 ("tipc: introduce new TIPC
server infrastructure"), before upstream folded it into topsrv.c, in
Rust: a service listens on a kernel socket; the softirq paths that learn
about a change only queue an event on the connection and schedule work;
send work drains the queue in process context and may block on
congestion, so events are never dropped; receive work reads requests.
For connections, both run on threads every namespace shares, so a
namespace adds none: SCHED_BATCH kthread workers receive, and one
per-CPU workqueue sends, on the CPU that reported the change. Each
connection's queue is bounded (event_queue_limit); a full
queue is reported and counted instead of growing kernel memory. A
connectionless mode serves SOCK_RDM services with a bounded reply queue.
Counters are in /proc/net/tipc_server.

Everything TIPC-internal lives in tipc.ko, not vmlinux, so the server
reaches it through a small C boundary in net/tipc/rust/ (glue.c), which
also carries the fault-injection points the reliability tests use.

Nothing here is built yet: the services follow, and a later commit of
this series lets Kconfig pick the Rust server.""")
WIRING_MSG = ("tipc: let Kconfig pick the Rust server",
              """CONFIG_TIPC_SERVER_RUST=y builds tipc.ko with the Rust server of
net/tipc/rust/ instead of topsrv.c and subscr.c. The Rust side provides
the entry points core.c, name_table.c and group.c call, so no other file
changes for it; with the option off, tipc.ko is what it was.""")
TESTS_MSG = ("tipc: KUnit suites and documentation of the Rust server",
             """The KUnit suites that reach the server through kernel sockets, built as
modules in net/tipc/kunit/ (they need tipc.ko loaded, so they cannot run
at boot), and the documentation of the kernel crate additions, the
server core, the services and the test harness in
Documentation/tipc-rust/.""")
COVER = ("tipc: a server core in Rust, with the topology and configuration services",
         """Linux's TIPC stack runs in-kernel servers that userspace reaches over
AF_TIPC sockets: the topology service at {1,1} and, until upstream
removed it, the configuration service at {0, node} that remote
tipc-config used. This series rebuilds both in Rust on one generic server
core (kernel sockets, send and receive work, bounded queues), as
TIPC's server infrastructure of 2013 laid it out, next to upstream's
topsrv.c/subscr.c:
Kconfig picks one or the other, so the two can be tested by the same
suites and measured side by side.

The series:
{summary}
Every patch builds (the kernel crate, and tipc.ko with each server that
exists at that point). Tested on {version}
with the KUnit suites, userspace specifications of both services, a reliability suite
(each historical upstream server bug as a scenario), and two QEMU guests,
each with its own kernel, running a Rust node against a C node and two
Rust nodes; all under KASAN, lockdep, kmemleak and kCFI.""")
MAINT_TITLE = "TIPC SERVER CORE IN RUST"
MAINT_AFTER = "TIPC NETWORK LAYER"


def load_prepare():
    spec = importlib.util.spec_from_file_location(
        "prepare_tree", os.path.join(REPO, "scripts", "prepare-tree.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(*cmd, cwd=None, env=None, input=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, input=input, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"series: {' '.join(cmd)}: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


def patch_message(path):
    """Subject and body of a patch file of patches/ (no sign-offs)."""
    with open(path) as f:
        text = f.read()
    head = text.split("\n---\n", 1)[0]
    m = re.search(r"^Subject: (?:\[PATCH[^\]]*\] )?([^\n]*(?:\n [^\n]*)*)\n\n", head, re.M)
    subject = " ".join(m.group(1).split()) if m else os.path.basename(path)
    body = head[m.end():] if m else ""
    body = "\n".join(l for l in body.splitlines() if not l.startswith("Signed-off-by:"))
    return subject, body.strip()


def added_lines(path):
    with open(path) as f:
        return [l[1:] for l in f if l.startswith("+") and not l.startswith("+++")]


def classify(prep, patches):
    """Hook patches: 'rust' (only rust/), 'tests' (only Kconfig/Makefile,
    adding the kunit/ folder to the build) or 'tipc'."""
    groups = {}
    for p in patches:
        paths = set(prep.patched_paths(p))
        if all(x.startswith("rust/") for x in paths):
            groups[p] = "rust"
        elif paths <= {"net/tipc/Kconfig", "net/tipc/Makefile"} and \
                any(re.search(r"\+=\s*kunit/\s*$", l) for l in added_lines(p)):
            groups[p] = "tests"
        else:
            groups[p] = "tipc"
    return groups


def apply_patches(pristine, patches, stage):
    """stage/ = the files these patches touch, from pristine, patched."""
    prep = load_prepare()
    for p in patches:
        for rel in prep.patched_paths(p):
            src, dst = os.path.join(pristine, rel), os.path.join(stage, rel)
            if not os.path.exists(dst) and os.path.exists(src):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
        run("patch", "-p1", "-s", "-N", "-d", stage, "-i", p)


def maint_patterns(rels, pristine):
    """F: patterns for new files: the topmost folder that upstream does not
    have, or the file itself (the server's folder: each of its entries)."""
    out = set()
    for rel in rels:
        if os.path.exists(os.path.join(pristine, rel)):
            continue
        if rel.startswith(SERVER + "/"):
            # One pattern per entry of the server's folder: its commits
            # each bring their own.
            first = rel[len(SERVER) + 1:].split("/")[0]
            out.add(f"{SERVER}/{first}" + ("/" if "/" in rel[len(SERVER) + 1:] else ""))
            continue
        parts = rel.split("/")
        pat = rel
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if not os.path.isdir(os.path.join(pristine, d)):
                pat = d + "/"
                break
        out.add(pat)
    return out


def maintainers(pristine, patterns):
    with open(os.path.join(pristine, "MAINTAINERS")) as f:
        text = f.read()
    entry = [MAINT_TITLE, f"M:\t{AUTHOR[0]} <{AUTHOR[1]}>", "L:\tnetdev@vger.kernel.org",
             "L:\trust-for-linux@vger.kernel.org", "S:\tMaintained"]
    entry += [f"F:\t{p}" for p in sorted(patterns)]
    i = text.index("\n" + MAINT_AFTER + "\n")
    j = text.index("\n\n", i + 1)
    return text[:j + 2] + "\n".join(entry) + "\n\n" + text[j + 2:]


def head_date():
    return run("git", "-C", REPO, "log", "-1", "--format=%ad", "--date=raw").strip()


def wrap_body(text):
    return text.strip() + "\n"


def make(out):
    prep = load_prepare()
    pristine = prep.extract(BUILD)
    version = prep.record_version(BUILD, pristine)
    patches = prep.patch_series(REPO)
    groups = classify(prep, patches)
    work = tempfile.mkdtemp(prefix="series-", dir=BUILD)
    try:
        final = os.path.join(work, "final")
        os.makedirs(final)
        managed = prep.desired_tree(REPO, pristine, final)
        wiring = os.path.join(work, "wiring")
        os.makedirs(wiring)
        apply_patches(pristine, [p for p in patches if groups[p] != "tests"], wiring)

        def final_of(rels):
            return {r: os.path.join(final, r) for r in rels}

        steps = []      # (subject, body, {rel: source file or None})
        rust = sorted(r for r in managed if r.startswith("rust/"))
        hooks = [p for p in patches if groups[p] == "rust"]
        # A rust/ file a tipc hook also changes (bindings_helper.h includes
        # net/tipc/rust/glue.h) stays as the rust hooks leave it here; the
        # core commit, which adds glue.h, brings the rest.
        stage = os.path.join(work, "rust-hooks")
        os.makedirs(stage)
        apply_patches(pristine, hooks, stage)
        later = {r for p in patches if groups[p] == "tipc" for r in prep.patched_paths(p)}

        def abstraction(rel):
            if rel not in later:
                return os.path.join(final, rel)
            staged = os.path.join(stage, rel)
            return staged if os.path.exists(staged) else os.path.join(pristine, rel)

        body = ABSTRACTIONS_MSG[1]
        for p in hooks:
            body += "\n\n" + patch_message(p)[1]
        steps.append((ABSTRACTIONS_MSG[0], body, {r: abstraction(r) for r in rust}))

        build_files = {"net/tipc/Kconfig", "net/tipc/Makefile"}
        services = [s[0] for s in SERVICES]
        core = sorted(r for r in managed if r.startswith(SERVER + "/") and
                      r[len(SERVER) + 1:].split("/")[0] not in services)
        tipc_hooks = [p for p in patches if groups[p] == "tipc"]
        c_side = sorted({r for p in tipc_hooks for r in prep.patched_paths(p)} - build_files)
        body = CORE_MSG[1]
        if c_side:
            body += "\n\nThe C side, in the upstream files:"
            for p in tipc_hooks:
                if set(prep.patched_paths(p)) - build_files:
                    s, b = patch_message(p)
                    body += f"\n\n{s}:\n\n{b}"
        steps.append((CORE_MSG[0], body, final_of(core + c_side)))

        for name, subject, body in SERVICES:
            rels = sorted(r for r in managed if r.startswith(f"{SERVER}/{name}/"))
            steps.append((subject, body, final_of(rels)))

        body = WIRING_MSG[1]
        for p in tipc_hooks:
            if set(prep.patched_paths(p)) & build_files:
                body += "\n\n" + patch_message(p)[1]
        steps.append((WIRING_MSG[0], body,
                      {r: os.path.join(wiring, r) for r in sorted(build_files)
                       if os.path.exists(os.path.join(wiring, r))}))

        done = set().union(*(set(s[2]) for s in steps))
        rest = sorted(r for r in managed if r not in done or r in build_files)
        docs = []
        for dirpath, _, names in os.walk(os.path.join(REPO, "Documentation")):
            for n in names:
                full = os.path.join(dirpath, n)
                docs.append((os.path.relpath(full, REPO), full))
        body = TESTS_MSG[1]
        for p in patches:
            if groups[p] == "tests":
                body += "\n\n" + patch_message(p)[1]
        files = final_of(rest)
        files.update(dict(docs))
        steps.append((TESTS_MSG[0], body, files))

        left = managed - set().union(*(set(s[2]) for s in steps))
        if left:
            sys.exit(f"series: files in no commit: {sorted(left)}")
        commit_all(work, pristine, version, steps, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def commit_all(work, pristine, version, steps, out):
    git = os.path.join(work, "repo.git")
    run("git", "init", "-q", "--bare", git)
    date = head_date()
    env = dict(os.environ, GIT_DIR=git, GIT_INDEX_FILE=os.path.join(work, "index"),
               GIT_AUTHOR_NAME=AUTHOR[0], GIT_AUTHOR_EMAIL=AUTHOR[1],
               GIT_COMMITTER_NAME=AUTHOR[0], GIT_COMMITTER_EMAIL=AUTHOR[1],
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)

    def blob(path):
        return run("git", "hash-object", "-w", path, env=env).strip()

    def mode(path):
        return "100755" if os.access(path, os.X_OK) else "100644"

    touched = set().union(*(set(s[2]) for s in steps)) | {"MAINTAINERS"}
    # The base: the pristine version of every file the series touches (the
    # diffs are the same as against the whole extract).
    entries = []
    for rel in sorted(touched):
        p = os.path.join(pristine, rel)
        if os.path.exists(p):
            entries.append(f"{mode(p)} {blob(p)}\t{rel}")
    run("git", "update-index", "--add", "--index-info", env=env, input="\n".join(entries) + "\n")
    tree = run("git", "write-tree", env=env).strip()
    base = run("git", "commit-tree", tree, "-m", f"Linux {version}", env=env).strip()
    head = base
    patterns = set()
    maint = os.path.join(work, "MAINTAINERS")
    summary = []
    for subject, body, files in steps:
        if not files:
            print(f"series: nothing for '{subject}', left out", file=sys.stderr)
            continue
        entries = []
        new = maint_patterns(files, pristine) - patterns
        if new:
            patterns |= new
            with open(maint, "w") as f:
                f.write(maintainers(pristine, patterns))
            entries.append(f"100644 {blob(maint)}\tMAINTAINERS")
        for rel, src in files.items():
            entries.append(f"{mode(src)} {blob(src)}\t{rel}")
        run("git", "update-index", "--add", "--index-info", env=env,
            input="\n".join(entries) + "\n")
        tree = run("git", "write-tree", env=env).strip()
        msg = f"{subject}\n\n{wrap_body(body)}\nSigned-off-by: {AUTHOR[0]} <{AUTHOR[1]}>\n"
        head = run("git", "commit-tree", tree, "-p", head, env=env, input=msg).strip()
        summary.append(subject)
    order = os.path.join(work, "order")
    with open(order, "w") as f:
        f.write("MAINTAINERS\n*\n")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    run("git", "format-patch", "-q", "--zero-commit", "--cover-letter", "-O", order,
        "--no-signature", "-o", out, f"{base}..{head}", env=env)
    cover = sorted(os.listdir(out))[0]
    path = os.path.join(out, cover)
    with open(path) as f:
        text = f.read()
    subject, body = COVER
    lines = "".join(f"  {i + 1}. {s}\n" for i, s in enumerate(summary))
    body = body.replace("{summary}", lines).replace(
        "{version}", f"Linux {version} (Debian linux-source-6.12)")
    text = text.replace("*** SUBJECT HERE ***", subject)
    text = text.replace("*** BLURB HERE ***", body)
    with open(path, "w") as f:
        f.write(text)
    print(f"series: {len(summary)} patches and a cover letter in {out}")


# --- verify --------------------------------------------------------------

def same_tree(a, b):
    """Differences between two folders, byte for byte (files and names)."""
    r = subprocess.run(["diff", "-rq", "--no-dereference", a, b], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode else ""


def verify():
    prep = load_prepare()
    pristine = prep.extract(BUILD)
    work = os.path.join(BUILD, "series-verify")
    shutil.rmtree(work, ignore_errors=True)
    out = os.path.join(work, "series")
    cases = []

    def case(name, ok, detail=""):
        cases.append((name, ok, detail))

    r = subprocess.run([sys.executable, os.path.abspath(__file__), "make", out],
                       capture_output=True, text=True)
    case("series_made", r.returncode == 0, r.stdout + r.stderr)
    patches = sorted(f for f in os.listdir(out) if f.endswith(".patch")) if r.returncode == 0 else []
    cover = [f for f in patches if f.startswith("0000-")]
    patches = [f for f in patches if not f.startswith("0000-")]
    case("cover_letter", len(cover) == 1 and "*** " not in open(os.path.join(out, cover[0])).read()
         if cover else False)

    # The pristine extract's folders the series touches, as a git tree.
    tree = os.path.join(work, "linux")
    os.makedirs(tree)
    tops = {"rust", "net", "Documentation"}
    for name in os.listdir(pristine):
        src = os.path.join(pristine, name)
        if name in tops:
            shutil.copytree(src, os.path.join(tree, name), symlinks=True)
        elif os.path.isfile(src):
            shutil.copy2(src, os.path.join(tree, name))
    env = dict(os.environ, GIT_AUTHOR_NAME="verify", GIT_AUTHOR_EMAIL="verify@invalid",
               GIT_COMMITTER_NAME="verify", GIT_COMMITTER_EMAIL="verify@invalid")
    run("git", "init", "-q", cwd=tree)
    # Debian's extract ignores everything at its top (.gitignore: /*).
    run("git", "add", "-f", "-A", cwd=tree, env=env)
    run("git", "commit", "-q", "-m", "pristine", cwd=tree, env=env)
    r = subprocess.run(["git", "am", "-q"] + [os.path.join(out, p) for p in patches],
                       cwd=tree, env=env, capture_output=True, text=True)
    applied = r.returncode == 0 and bool(patches)
    case("git_am_applies_every_patch", applied, r.stdout + r.stderr)
    if applied:
        n = run("git", "rev-list", "--count", "HEAD~" + str(len(patches)) + "..HEAD", cwd=tree)
        case("one_commit_per_patch", int(n) == len(patches))
    harness = os.environ.get("TREE", os.path.join(BUILD, "linux"))
    for top in ("rust", "net/tipc"):
        d = same_tree(os.path.join(tree, top), os.path.join(harness, top)) if applied else "not applied"
        case(f"{top.replace('/', '_')}_identical_to_harness_tree", applied and not d, d)
    d = same_tree(os.path.join(tree, "Documentation/tipc-rust"),
                  os.path.join(REPO, "Documentation/tipc-rust")) if applied else "not applied"
    case("documentation_in_tree", applied and not d, d)
    d = same_tree(os.path.join(tree, "net/tipc/kunit"),
                  os.path.join(REPO, "tests/kunit")) if applied else "not applied"
    case("kunit_suites_in_tree", applied and not d, d)

    checkpatch = os.path.join(pristine, "scripts/checkpatch.pl")
    for p in patches:
        r = subprocess.run(["perl", checkpatch, "--strict", "--quiet", "--no-summary",
                            "--root", pristine, os.path.join(out, p)],
                           capture_output=True, text=True)
        case(f"checkpatch_strict_{p[:4]}", r.returncode == 0 and not r.stdout.strip(),
             r.stdout + r.stderr)

    print("KTAP version 1")
    print("1..1")
    print("    KTAP version 1")
    print("    # Subtest: series")
    print(f"    1..{len(cases)}")
    for i, (name, ok, detail) in enumerate(cases, 1):
        if not ok:
            for line in detail.strip().splitlines()[:40]:
                print(f"    # {name}: {line}")
        print(f"    {'ok' if ok else 'not ok'} {i} {name}")
    failed = sum(not ok for _, ok, _ in cases)
    print(f"{'ok' if not failed else 'not ok'} 1 series")
    return 1 if failed else 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["make"] and len(args) <= 2:
        make(os.path.abspath(args[1]) if len(args) == 2 else os.path.join(REPO, "series"))
        return 0
    if args == ["verify"]:
        return verify()
    sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    sys.exit(main())
