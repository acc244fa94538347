#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scan a guest kernel log for reports: KASAN, KFENCE, lockdep, WARN, BUG,
oops, panic, UBSAN, debug-objects, RCU stalls, hung tasks, kCFI failures.  Prints 'clean'
or each report's first lines; exits 1 on any report."""
import re
import sys

PATTERNS = [
    r"BUG: ", r"WARNING: ", r"KASAN: ", r"KFENCE: ", r"UBSAN: ",
    r"Oops", r"general protection fault", r"Kernel panic",
    r"kernel BUG at", r"possible circular locking", r"possible recursive locking",
    r"inconsistent lock state", r"suspicious RCU usage", r"INFO: task .* blocked",
    r"rcu: INFO: .* stall", r"ODEBUG: ", r"refcount_t: ", r"list_(add|del) corruption",
    r"unreferenced object 0x", r"Call Trace:", r"------------\[ cut here \]------------",
    r"rust_kernel: panicked", r"panicked at ", r"CFI failure",
]
rx = re.compile("|".join(PATTERNS))


def main():
    path = sys.argv[1]
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    hits = [i for i, line in enumerate(lines) if rx.search(line)]
    if not hits:
        print(f"clean: no report in {path}")
        return 0
    print(f"REPORTS in {path}:")
    shown = -1
    for i in hits:
        if i <= shown:
            continue
        for line in lines[i:i + 12]:
            print(f"  | {line}")
        print("  | ...")
        shown = i + 11
    return 1


if __name__ == "__main__":
    sys.exit(main())
