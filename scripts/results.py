#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the test results of one or more guest runs.

Each run's output holds KTAP documents between '@@KTAP-BEGIN NAME' and
'@@KTAP-END NAME RC' lines (scripts/guest/lib.sh).  Every document is parsed
with the kernel's own KTAP parser (tools/testing/kunit/kunit_parser.py).
Besides the KTAP cases, each guest run counts two checks of its own: the guest
reported an exit status of 0, and the kernel log was free of reports.

Usage: results.py RUN_DIR...    prints per-suite counts, and at the end
                                'N passed, N failed'; exits 1 on any failure.
"""
import io
import os
import re
import sys
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.environ["TREE"], "tools/testing/kunit"))
import kunit_parser  # noqa: E402

BEGIN = re.compile(r"^@@KTAP-BEGIN (\S+)")
END = re.compile(r"^@@KTAP-END (\S+) (-?\d+)")


def documents(path):
    name, body = None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = BEGIN.match(line)
            if m:
                name, body = m.group(1), []
                continue
            m = END.match(line)
            if m and name:
                yield name, body, int(m.group(2))
                name = None
                continue
            if name:
                body.append(line)
    if name:
        yield name, body, None      # the guest died inside this document


def parse(body):
    out = io.StringIO()
    with redirect_stdout(out):
        test = kunit_parser.parse_run_tests(body)
    c = test.counts
    return c.passed, c.failed + c.crashed + c.errors, c.skipped, out.getvalue()


def main():
    passed = failed = skipped = 0
    for run in sys.argv[1:]:
        label = os.path.basename(run.rstrip("/"))
        out = os.path.join(run, "output.log")
        for name, body, rc in documents(out) if os.path.exists(out) else []:
            p, f, s, detail = parse(body)
            if rc is None:
                f += 1
                detail += "\n(the document was cut short)"
            elif rc != 0 and f == 0:
                f += 1
                detail += f"\n(the suite exited with {rc} but reported no failure)"
            passed, failed, skipped = passed + p, failed + f, skipped + s
            print(f"{'FAIL' if f else 'ok  '} {label}: {name}: {p} passed, {f} failed, {s} skipped")
            if f:
                print(detail)
        if os.path.exists(os.path.join(run, "host")):
            continue        # a check run on the host: no guest, no kernel log
        text = open(out, errors="replace").read() if os.path.exists(out) else ""
        m = re.findall(r"^@@GUEST-EXIT (\d+)", text, re.M)
        check = os.path.join(run, "guest-log-check")
        checks = [("guest job exit status 0", bool(m) and m[-1] == "0"),
                  ("kernel log free of reports",
                   os.path.exists(check) and open(check).read().startswith("clean"))]
        if re.search(r"^@@KMEMLEAK", text, re.M):
            checks.append(("kmemleak: no suspected leaks",
                           re.search(r"^@@KMEMLEAK-CLEAN", text, re.M) is not None))
        for what, ok in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {label}: {what}")
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
