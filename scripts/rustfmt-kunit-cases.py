#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rustfmt-kunit-cases.py [--check] RUSTFMT_TOML FILE...

rustfmt leaves macro bodies alone, and the KUnit cases of the Rust server
are written inside a `kunit_cases! { ... }` block.  This formats the block's
functions as rustfmt would at the top level (or, with --check, fails if
that would change anything)."""
import subprocess
import sys
import tempfile

OPEN = 'kunit_cases! {\n'


def formatted(text, toml):
    i = text.index(OPEN) + len(OPEN)
    j = text.rindex('\n}\n') + 1
    body = '\n'.join(l[4:] if l.startswith('    ') else l for l in text[i:j].split('\n'))
    with tempfile.NamedTemporaryFile('w', suffix='.rs') as f:
        f.write(body)
        f.flush()
        subprocess.run(['rustfmt', '--config-path', toml, '--edition', '2021', f.name], check=True)
        out = open(f.name).read().rstrip('\n')
    out = '\n'.join('    ' + l if l else l for l in out.split('\n'))
    return text[:i] + out + '\n}\n'


def main():
    args = sys.argv[1:]
    check = args[0] == '--check'
    toml, files = args[check:][0], args[check:][1:]
    bad = 0
    for path in files:
        text = open(path).read()
        new = formatted(text, toml)
        if new != text:
            if check:
                print(f'{path}: kunit_cases! block not formatted (scripts/rustfmt-kunit-cases.py)')
                bad = 1
            else:
                open(path, 'w').write(new)
    return bad


if __name__ == '__main__':
    sys.exit(main())
