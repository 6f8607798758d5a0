#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks doc/guides/nics/features/ivshmem.ini against DPDK's default.ini
(keys, order, values) and against what features-probe found in the built
PMD: every feature the probe can tell must be claimed (Y or P) exactly when
the PMD has it; the few it cannot (OS, CPU, docs, multi-process) need their
evidence in the tree; anything else must not be claimed.
Usage: features-ini.py DEFAULT_INI IVSHMEM_INI PROBE_OUTPUT SOURCE_ROOT"""
import os
import platform
import sys


def read_ini(path):
    """{section: [(key, value), ...]} in file order; ';' starts a comment."""
    sections, cur = {}, None
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith(';'):
                continue
            if line.startswith('[') and line.endswith(']'):
                cur = sections.setdefault(line[1:-1], [])
            elif '=' in line and cur is not None:
                key, value = line.split('=', 1)
                cur.append((key.strip(), value.strip()))
            else:
                sys.exit(f'{path}:{n}: not an ini line: {line!r}')
    return sections


def evidence(root):
    """Features no API call shows: what in the tree backs each claim."""
    def exists(*paths):
        return all(os.path.exists(os.path.join(root, p)) for p in paths)
    return {
        'Linux': sys.platform.startswith('linux'),
        'x86-64': platform.machine() == 'x86_64',  # built and tested here
        'Usage doc': exists('doc/guides/nics/ivshmem.rst', 'doc/nic-guide.md'),
        'Design doc': exists('doc/architecture.md', 'doc/bar2-layout.md'),
        'Perf doc': exists('doc/performance.md'),
        # secondaries attach (drivers/ivshmem_mp.c), tested by dpdk-apps mp-*
        'Multiprocess aware': exists('drivers/ivshmem_mp.c', 'tests/dpdk-apps/test-mp.sh'),
    }


def main():
    default_ini, ivshmem_ini, probe_out, root = sys.argv[1:5]
    valid = [k for k, _ in read_ini(default_ini)['Features']]
    ours = read_ini(ivshmem_ini)
    errors = []
    if set(ours) != {'Features'}:
        errors.append(f'sections {sorted(ours)}: only [Features] (the PMD has no rte_flow ops)')
    claims = dict(ours.get('Features', []))
    keys = [k for k, _ in ours.get('Features', [])]
    if len(keys) != len(claims):
        errors.append('a key is given twice')
    for k in keys:
        if k not in valid:
            errors.append(f'{k!r} is not a key of DPDK\'s default.ini')
        elif claims[k] not in ('Y', 'P'):
            errors.append(f'{k} = {claims[k]!r}: want Y or P (leave a missing feature out)')
    listed = [k for k in valid if k in claims]
    if [k for k in keys if k in valid] != listed:
        errors.append(f'keys not in default.ini\'s order: want {listed}')

    probed = {}
    with open(probe_out, encoding='utf-8') as f:
        for line in f:
            if line.startswith('FEATURE '):
                k, v = line[len('FEATURE '):].rstrip('\n').rsplit('=', 1)
                probed[k] = v == '1'
    if len(probed) < 40:
        errors.append(f'the probe told only {len(probed)} features (did it run to the end?)')
    for k in probed:
        if k not in valid:
            errors.append(f'the probe names {k!r}, not a key of default.ini')
    ev = evidence(root)
    for k in valid:
        claimed = k in claims
        if k in probed:
            has, why = probed[k], 'the PMD'
        elif k in ev:
            has, why = ev[k], 'the tree'
        else:
            has, why = False, None
        if claimed and not has:
            errors.append(f'ivshmem.ini claims {k!r} = {claims[k]}, but ' +
                          (f'{why} does not back it' if why else
                           'nothing backs it (features-probe cannot tell it, no evidence in the tree)'))
        elif has and not claimed:
            errors.append(f'{why} has {k!r}, ivshmem.ini leaves it out')
    for e in errors:
        print('FAIL:', e)
    if errors:
        return 1
    print(f'PASS features-ini: {len(claims)} claims, {len(probed)} features probed in the PMD, '
          f'{len(valid)} keys of default.ini checked')
    return 0


if __name__ == '__main__':
    sys.exit(main())
