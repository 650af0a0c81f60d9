#!/usr/bin/env python3
"""Generate core/kernel/sysctl_defaults.ts from the running kernel.

Run as root on the reference machine (it creates and deletes a network
namespace; it never writes to the host's own sysctls):

    sudo python3 scripts/gen-sysctl-defaults.py [--out core/kernel/sysctl_defaults.ts]

What it records, for every readable or writable file under
/proc/sys/net/{core,ipv4,unix}:

1. Per-namespace entries, read in a FRESH network namespace (what a lab host,
   which the oracle runs as a netns, shows).  Interface directories other than
   conf/{all,default,lo} and neigh/lo do not exist there.
2. Entries that exist only in the initial namespace (net.core.netdev_budget,
   net.ipv4.neigh.default.*, net.ipv4.route.gc_*, ...), read from the host's
   init namespace and flagged `init`.  Host interface directories (eth0, ...)
   are skipped.
3. For writable single-integer entries of the fresh namespace: the accepted
   range, found by binary search on writes inside that throwaway namespace,
   and whether the value is quantised through jiffies (HZ) on the way in
   ('ms' = proc_dointvec_ms_jiffies, 'uhz' = proc_dointvec_userhz_jiffies).
   Init-only entries cannot be probed without touching the host, so their
   ranges come from a small table transcribed from net/core/sysctl_net_core.c
   and net/core/neighbour.c (6.12), or from neigh.lo for neigh.default.

Skipped on purpose: net.ipv6 (no IPv6 model yet), net.netfilter (54 entries
that depend on nf_conntrack being loaded), net.bridge, net.mptcp.
"""
import json
import os
import re
import stat
import subprocess
import sys

ROOT = '/proc/sys/net'
TOPS = ('core', 'ipv4', 'unix')
INT_RE = re.compile(r'^-?\d+$')
INTS_RE = re.compile(r'^-?\d+(\t-?\d+)+$')
LO = -(1 << 63)
HI = (1 << 63) - 1

# Ranges of init-only integer entries (no probing possible without writing
# to the host).  From Linux 6.12 net/core/sysctl_net_core.c,
# net/core/neighbour.c, net/ipv4/route.c; HZ = 250 on the reference kernel.
INT_MAX = (1 << 31) - 1
INIT_ONLY_RANGES = {
    'net.core.dev_weight': (1, INT_MAX),
    'net.core.dev_weight_rx_bias': (1, INT_MAX),
    'net.core.dev_weight_tx_bias': (1, INT_MAX),
    'net.core.mem_pcpu_rsv': (256, INT_MAX),
    'net.core.bpf_jit_enable': (0, 2),
    'net.core.bpf_jit_harden': (0, 2),
    'net.core.bpf_jit_kallsyms': (0, 1),
    'net.core.bpf_jit_limit': (1, HI),
    'net.core.tstamp_allow_data': (0, 1),
    'net.core.busy_poll': (0, INT_MAX),
    'net.core.busy_read': (0, INT_MAX),
    'net.core.max_skb_frags': (1, 17),
    'net.core.netdev_budget_usecs': (2 * 1000000 // 250, INT_MAX),
    'net.core.fb_tunnels_only_for_init_net': (0, 2),
    'net.core.devconf_inherit_init_net': (0, 3),
    'net.core.high_order_alloc_disable': (0, 1),
    'net.core.gro_normal_batch': (1, INT_MAX),
    'net.core.netdev_unregister_timeout_secs': (1, 3600),
    'net.core.skb_defer_max': (0, INT_MAX),
    'net.core.message_cost': (-(INT_MAX // 250), INT_MAX // 250),
    'net.ipv4.neigh.default.gc_interval': (-(INT_MAX // 250), INT_MAX // 250),
    'net.ipv4.neigh.default.gc_thresh1': (0, INT_MAX),
    'net.ipv4.neigh.default.gc_thresh2': (0, INT_MAX),
    'net.ipv4.neigh.default.gc_thresh3': (0, INT_MAX),
}
# Entries whose value looks like an integer but is not one (CPU bitmaps, ...).
NOT_INTEGERS = {'net.core.flow_limit_cpu_bitmap', 'net.core.netdev_rss_key',
                'net.core.rps_default_mask'}


def dotted(rel):
    """core/somaxconn -> net.core.somaxconn (a '.' inside a component -> '/')."""
    return 'net.' + '.'.join(c.replace('.', '/') for c in rel.split('/'))


def walk(top):
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
        dirnames.sort()
        for f in sorted(filenames):
            yield os.path.relpath(os.path.join(dirpath, f), ROOT)


def read_entry(rel):
    path = os.path.join(ROOT, rel)
    mode = os.stat(path).st_mode
    e = {'name': dotted(rel)}
    if not mode & stat.S_IRUSR:
        e['wo'] = 1
        e['v'] = ''
    else:
        try:
            with open(path) as fh:
                v = fh.read()
        except OSError:
            return None
        e['v'] = v[:-1] if v.endswith('\n') else v
    if not mode & stat.S_IWUSR:
        e['ro'] = 1
    return e


def try_write(path, value):
    try:
        with open(path, 'w') as fh:
            fh.write(value)
        return True
    except OSError:
        return False


def probe(rel, e):
    """Accepted range and jiffies quantisation of one integer entry."""
    path = os.path.join(ROOT, rel)
    d = int(e['v'])
    orig = e['v']

    def ok(x):
        good = try_write(path, str(x))
        try_write(path, orig)
        return good

    if not ok(d):            # cannot even rewrite its own value: leave alone
        return
    if ok('ff'):             # a bitmap or string that happens to print digits
        e['t'] = 's'
        return
    if ok(HI):
        hi = HI
    else:
        a, b = d, HI         # a accepted, b rejected
        while b - a > 1:
            m = (a + b) // 2
            a, b = (m, b) if ok(m) else (a, m)
        hi = a
    if ok(LO):
        lo = LO
    else:
        a, b = LO, d         # a rejected, b accepted
        while b - a > 1:
            m = (a + b) // 2
            a, b = (a, m) if ok(m) else (m, b)
        lo = b
    e['min'], e['max'] = lo, hi
    if lo <= 1001 <= hi and try_write(path, '1001'):
        with open(path) as fh:
            r = fh.read().strip()
        try_write(path, orig)
        if r == '1004':
            e['q'] = 'ms'
        elif r == '1000':
            e['q'] = 'uhz'
        elif r != '1001':
            e['q'] = 'other:' + r


def classify(e):
    if 't' in e:
        return
    v = e['v']
    if INT_RE.match(v) and e['name'] not in NOT_INTEGERS:
        e['t'] = 'i'
    elif INTS_RE.match(v):
        e['t'] = 'iv'
    else:
        e['t'] = 's'


def phase_ns():
    """Runs inside the fresh namespace: read everything, probe integers."""
    # Read everything first: probing one entry can disturb its twin
    # (unres_qlen <-> unres_qlen_bytes), and the defaults must be pristine.
    found = []
    for top in TOPS:
        for rel in walk(top):
            e = read_entry(rel)
            if e is not None:
                found.append((rel, e))
    for rel, e in found:
        if (INT_RE.match(e['v']) and 'ro' not in e and 'wo' not in e
                and e['name'] not in NOT_INTEGERS):
            probe(rel, e)
            if e.get('q', '').startswith('other'):
                print('warning: %s rounds 1001 to %s' % (e['name'], e['q'][6:]),
                      file=sys.stderr)
        classify(e)
    json.dump([e for _, e in found], sys.stdout)


def host_interface_dir(name):
    m = re.match(r'^net\.ipv4\.(conf|neigh)\.([^.]+)\.', name)
    return bool(m) and m.group(2) not in ('all', 'default', 'lo')


def main():
    out_path = 'core/kernel/sysctl_defaults.ts'
    if '--out' in sys.argv:
        out_path = sys.argv[sys.argv.index('--out') + 1]
    ns = 'sysctlgen%d' % os.getpid()
    subprocess.run(['ip', 'netns', 'add', ns], check=True)
    try:
        res = subprocess.run(['ip', 'netns', 'exec', ns, sys.executable,
                              os.path.abspath(__file__), '--phase-ns'],
                             check=True, capture_output=True, text=True)
    finally:
        subprocess.run(['ip', 'netns', 'del', ns], check=True)
    sys.stderr.write(res.stderr)
    entries = json.loads(res.stdout)
    seen = {e['name'] for e in entries}
    by_name = {e['name']: e for e in entries}

    for top in TOPS:                       # init-only entries (read only)
        for rel in walk(top):
            name = dotted(rel)
            if name in seen or host_interface_dir(name):
                continue
            e = read_entry(rel)
            if e is None:
                continue
            e['init'] = 1
            classify(e)
            if e['t'] == 'i' and 'ro' not in e:
                leaf = name.rsplit('.', 1)[1]
                lo_twin = by_name.get('net.ipv4.neigh.lo.' + leaf)
                if name in INIT_ONLY_RANGES:
                    e['min'], e['max'] = INIT_ONLY_RANGES[name]
                elif name.startswith('net.ipv4.neigh.default.') and lo_twin:
                    for k in ('min', 'max', 'q'):
                        if k in lo_twin:
                            e[k] = lo_twin[k]
            entries.append(e)

    entries.sort(key=lambda e: e['name'].split('.'))
    write_ts(out_path, entries)
    print('wrote %d entries to %s' % (len(entries), out_path))


def num(x):
    if -(1 << 53) <= x <= (1 << 53):
        return str(x)
    return "'%d'" % x


def write_ts(path, entries):
    release = os.uname().release
    lines = [
        '// GENERATED by scripts/gen-sysctl-defaults.py on Linux %s -- do not edit.' % release,
        '// Per-netns entries come from a fresh network namespace; entries marked',
        '// `init` exist only in the initial namespace (read from the host, not probed).',
        '// Regenerate: sudo python3 scripts/gen-sysctl-defaults.py',
        '',
        'export interface SysctlSpec {',
        '  /** Default value exactly as the kernel prints it (vectors are tab-separated). */',
        '  readonly v: string;',
        "  /** 'i' one integer, 'iv' integer vector, 's' anything else. */",
        "  readonly t: 'i' | 'iv' | 's';",
        '  /** Accepted range (inclusive); beyond 2^53 given as a decimal string. */',
        '  readonly min?: number | string;',
        '  readonly max?: number | string;',
        "  /** Written value is rounded through jiffies: 'ms' (ms_jiffies) or 'uhz' (USER_HZ). */",
        "  readonly q?: 'ms' | 'uhz';",
        '  /** Read-only (mode 0444) / write-only (mode 0200). */',
        '  readonly ro?: 1;',
        '  readonly wo?: 1;',
        '  /** Exists only in the initial network namespace on a real kernel. */',
        '  readonly init?: 1;',
        '}',
        '',
        '/** CONFIG_HZ of the reference kernel (jiffies rounding of *_ms entries). */',
        'export const SYSCTL_HZ = 250;',
        '/** Kernel release the defaults were captured from. */',
        "export const SYSCTL_DEFAULTS_RELEASE = '%s';" % release,
        '',
        'export const SYSCTL_DEFAULTS: Readonly<Record<string, SysctlSpec>> = {',
    ]
    for e in entries:
        parts = ['v: %s' % json.dumps(e['v']), "t: '%s'" % e['t']]
        if e['t'] == 'i' and 'min' in e:
            parts.append('min: %s' % num(e['min']))
            parts.append('max: %s' % num(e['max']))
        q = e.get('q')
        if q in ('ms', 'uhz'):
            parts.append("q: '%s'" % q)
        for flag in ('ro', 'wo', 'init'):
            if flag in e:
                parts.append('%s: 1' % flag)
        lines.append("  '%s': { %s }," % (e['name'], ', '.join(parts)))
    lines.append('};')
    lines.append('')
    with open(path, 'w') as fh:
        fh.write('\n'.join(lines))


if __name__ == '__main__':
    if '--phase-ns' in sys.argv:
        phase_ns()
    else:
        main()
