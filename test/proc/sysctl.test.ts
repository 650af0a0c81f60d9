// The sysctl tree against Linux 6.18: defaults, `sysctl -a` text and order
// (fixtures captured in a fresh netns), the kernel's integer parsing and the
// side effects of forwarding, conf.default and the neighbour parms.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  SYSCTL_ERR,
  Sysctl,
  formatSysctlLine,
  sysctlDotted,
  sysctlName,
  sysctlPath,
} from '../../core/kernel/sysctl.js';
import { SYSCTL_DEFAULTS } from '../../core/kernel/sysctl_defaults.js';

const { ENOENT, EINVAL, EACCES, EPERM } = SYSCTL_ERR;
const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const lines = (l: Array<[string, string]>) => l.map(([n, v]) => formatSysctlLine(n, v) + '\n').join('');

describe('defaults', () => {
  const s = new Sysctl();
  test.each([
    ['net.ipv4.ip_forward', '0'],
    ['net.core.netdev_budget', '300'],
    ['net.core.netdev_budget_usecs', '8000'],
    ['net.core.dev_weight', '64'],
    ['net.core.netdev_max_backlog', '1000'],
    ['net.ipv4.neigh.default.base_reachable_time_ms', '30000'],
    ['net.ipv4.icmp_ratelimit', '1000'],
    ['net.ipv4.icmp_msgs_per_sec', '1000'],
    ['net.ipv4.icmp_msgs_burst', '50'],
    ['net.core.rmem_default', '212992'],
    ['net.ipv4.ip_local_port_range', '32768\t60999'],
    ['net.ipv4.ip_default_ttl', '64'],
    ['net.ipv4.conf.lo.disable_policy', '1'],
    ['net.ipv4.conf.default.accept_source_route', '1'],
    ['net.ipv4.conf.all.accept_source_route', '0'],
  ])('%s = %j', (name, v) => {
    expect(s.get(name)).toBe(v);
  });

  test('slash form, unknown names, write-only entries', () => {
    expect(s.get('net/ipv4/ip_forward')).toBe('0');
    expect(s.get('net.ipv4.nope')).toBeUndefined();
    expect(s.has('net.ipv4.conf.eth0.forwarding')).toBe(false);
    expect(s.get('net.ipv4.route.flush')).toBe('');
    expect(s.getInt('net.core.dev_weight')).toBe(64);
  });

  test('`sysctl -a` in a fresh netns: same lines, same order', () => {
    const netns = new Sysctl({ netnsOnly: true });
    expect(lines(netns.list().filter(([n]) => /^net\.(core|ipv4|unix)\./.test(n)))).toBe(fixture('sysctl_a_fresh.txt'));
    expect(lines(netns.list('net.core'))).toBe(
      fixture('sysctl_a_fresh.txt').split('\n').filter((l) => l.startsWith('net.core.')).join('\n') + '\n',
    );
    expect(netns.has('net.core.netdev_budget')).toBe(false);
  });

  test('the host view adds the init-namespace-only entries, sorted in', () => {
    const names = s.list().map(([n]) => n);
    expect(names).toContain('net.core.netdev_budget');
    expect(names.indexOf('net.core.netdev_budget')).toBeLessThan(names.indexOf('net.core.netdev_budget_usecs'));
    expect(names.indexOf('net.ipv4.neigh.default.anycast_delay')).toBeLessThan(names.indexOf('net.ipv4.neigh.lo.anycast_delay'));
    expect(names).not.toContain('net.ipv4.route.flush');
  });
});

describe('names', () => {
  test('procps dot/slash rule', () => {
    expect(sysctlPath('net.ipv4.conf.x/1.rp_filter')).toEqual(['net', 'ipv4', 'conf', 'x.1', 'rp_filter']);
    expect(sysctlPath('net/ipv4/conf/x.1/rp_filter')).toEqual(['net', 'ipv4', 'conf', 'x.1', 'rp_filter']);
    expect(sysctlName('net', 'ipv4', 'conf', 'eth0.100', 'forwarding')).toBe('net.ipv4.conf.eth0/100.forwarding');
    expect(sysctlDotted('net/ipv4/ip_forward')).toBe('net.ipv4.ip_forward');
    expect(formatSysctlLine('net.ipv4.ip_forward', '1')).toBe('net.ipv4.ip_forward = 1');
  });
});

describe('writes parse integers as proc_dointvec', () => {
  test.each([
    ['64', '64'],
    [' 65', '65'],
    ['0x40', '64'],
    ['010', '8'],
    ['64 65', '64'],
    ['100\n', '100'],
  ])('ip_default_ttl=%j -> %s', (v, want) => {
    const s = new Sysctl();
    expect(s.set('net.ipv4.ip_default_ttl', v)).toBeNull();
    expect(s.get('net.ipv4.ip_default_ttl')).toBe(want);
  });

  test.each(['abc', '', '64x', '+64', '0', '256', '08', '0x', '-', '-0', '99999999999999999999999'])('ip_default_ttl=%j is EINVAL', (v) => {
    const s = new Sysctl();
    expect(s.set('net.ipv4.ip_default_ttl', v)).toBe(EINVAL);
    expect(s.get('net.ipv4.ip_default_ttl')).toBe('64');
  });

  test('types and ranges found by probing the live kernel', () => {
    const s = new Sysctl();
    expect(s.set('net.ipv4.conf.all.rp_filter', '5')).toBeNull(); // plain int, no range
    expect(s.set('net.ipv4.conf.all.rp_filter', '99999999999')).toBe(EINVAL);
    expect(s.set('net.core.somaxconn', '-5')).toBe(EINVAL);
    expect(s.set('net.ipv4.ip_forward', '-1')).toBeNull();
    expect(s.set('net.ipv4.tcp_notsent_lowat', '4294967295')).toBeNull(); // unsigned int
    expect(s.set('net.ipv4.tcp_notsent_lowat', '-1')).toBe(EINVAL);
    expect(s.set('net.core.netdev_budget_usecs', '7999')).toBe(EINVAL); // 2 jiffies at HZ=250
    expect(s.set('net.core.dev_weight', '0')).toBe(EINVAL);
  });

  test('ms and USER_HZ values are rounded through jiffies (HZ=250)', () => {
    const s = new Sysctl();
    s.set('net.ipv4.icmp_ratelimit', '1001');
    expect(s.get('net.ipv4.icmp_ratelimit')).toBe('1004');
    s.set('net.ipv4.neigh.lo.locktime', '101');
    expect(s.get('net.ipv4.neigh.lo.locktime')).toBe('100');
  });

  test('unknown, read-only, strings', () => {
    const s = new Sysctl();
    expect(s.set('net.ipv4.nope', '1')).toBe(ENOENT);
    expect(s.set('net.ipv4.tcp_available_congestion_control', 'reno')).toBe(EACCES);
    expect(s.set('net.ipv4.tcp_congestion_control', 'nope')).toBe(ENOENT);
    expect(s.set('net.ipv4.tcp_congestion_control', 'cubic')).toBe(EPERM);
    expect(s.set('net.ipv4.tcp_congestion_control', 'reno')).toBeNull();
    expect(s.get('net.ipv4.tcp_congestion_control')).toBe('reno');
    expect(s.set('net.core.default_qdisc', 'fq_codel')).toBeNull();
    expect(s.set('net.core.default_qdisc', 'nope')).toBe(ENOENT);
  });

  test('vectors: tabs on read, partial writes, per-entry rules', () => {
    const s = new Sysctl();
    expect(s.set('net.ipv4.tcp_rmem', '4096 131072 6291456')).toBeNull();
    expect(s.get('net.ipv4.tcp_rmem')).toBe('4096\t131072\t6291456');
    expect(s.set('net.ipv4.tcp_rmem', '8192')).toBeNull();
    expect(s.get('net.ipv4.tcp_rmem')).toBe('8192\t131072\t6291456');
    expect(s.set('net.ipv4.tcp_wmem', '0 1 2')).toBe(EINVAL);
    expect(s.set('net.ipv4.ip_local_port_range', '1000 2000')).toBe(EINVAL); // below ip_unprivileged_port_start
    expect(s.set('net.ipv4.ip_local_port_range', '3000 2000')).toBe(EINVAL);
    expect(s.set('net.ipv4.ip_local_port_range', '1024 65536')).toBe(EINVAL);
    expect(s.set('net.ipv4.ip_local_port_range', '1024 65535')).toBeNull();
    expect(s.set('net.ipv4.ip_unprivileged_port_start', '2000')).toBe(EINVAL);
    expect(s.set('net.ipv4.ping_group_range', '5 2')).toBeNull();
    expect(s.get('net.ipv4.ping_group_range')).toBe('1\t0');
  });
});

describe('forwarding (devinet_sysctl_forward)', () => {
  test('ip_forward=1 turns on conf.all, conf.default and every interface, all.accept_redirects off', () => {
    const s = new Sysctl();
    s.addInterface('eth0');
    const seen: string[] = [];
    s.onChange('net.ipv4', (n, v) => seen.push(`${n}=${v}`));
    expect(s.set('net.ipv4.ip_forward', '1')).toBeNull();
    for (const d of ['all', 'default', 'lo', 'eth0']) expect(s.get(`net.ipv4.conf.${d}.forwarding`)).toBe('1');
    expect(s.get('net.ipv4.conf.all.accept_redirects')).toBe('0');
    expect(s.get('net.ipv4.conf.default.accept_redirects')).toBe('1');
    expect(seen).toEqual(expect.arrayContaining(['net.ipv4.ip_forward=1', 'net.ipv4.conf.eth0.forwarding=1', 'net.ipv4.conf.all.accept_redirects=0']));
  });

  test('conf.all.forwarding is the same variable as ip_forward', () => {
    const s = new Sysctl();
    s.set('net.ipv4.conf.all.forwarding', '2');
    expect(s.get('net.ipv4.ip_forward')).toBe('2');
    expect(s.get('net.ipv4.conf.lo.forwarding')).toBe('2');
    s.set('net.ipv4.ip_forward', '0');
    expect(s.get('net.ipv4.conf.all.forwarding')).toBe('0');
    expect(s.get('net.ipv4.conf.lo.forwarding')).toBe('0');
    expect(s.get('net.ipv4.conf.all.accept_redirects')).toBe('1');
  });

  test('writing the same value changes nothing else; per-device and default writes stay local', () => {
    const s = new Sysctl();
    s.set('net.ipv4.conf.all.accept_redirects', '0');
    s.set('net.ipv4.ip_forward', '0');
    expect(s.get('net.ipv4.conf.all.accept_redirects')).toBe('0');
    s.set('net.ipv4.conf.default.forwarding', '1');
    s.set('net.ipv4.conf.lo.forwarding', '1');
    expect(s.get('net.ipv4.ip_forward')).toBe('0');
    expect(s.get('net.ipv4.conf.all.forwarding')).toBe('0');
  });
});

describe('interfaces', () => {
  test('addInterface copies conf.default and neigh.default; removeInterface drops them', () => {
    const s = new Sysctl();
    s.set('net.ipv4.conf.default.rp_filter', '2');
    s.set('net.ipv4.neigh.default.base_reachable_time_ms', '20000');
    s.addInterface('eth0');
    expect(s.get('net.ipv4.conf.eth0.rp_filter')).toBe('2');
    expect(s.get('net.ipv4.conf.eth0.accept_source_route')).toBe('1');
    expect(s.get('net.ipv4.conf.eth0.disable_policy')).toBe('0');
    expect(s.get('net.ipv4.neigh.eth0.base_reachable_time_ms')).toBe('20000');
    expect(s.get('net.ipv4.neigh.eth0.base_reachable_time')).toBe('20');
    expect(s.has('net.ipv4.neigh.eth0.gc_thresh1')).toBe(false);
    expect(s.interfaces()).toEqual(['lo', 'eth0']);
    expect(s.removeInterface('eth0')).toBe(true);
    expect(s.has('net.ipv4.conf.eth0.rp_filter')).toBe(false);
    expect(s.has('net.ipv4.neigh.eth0.retrans_time')).toBe(false);
  });

  test('`sysctl -a` after adding x, x-1, x.1 and X matches the live listing', () => {
    const s = new Sysctl({ netnsOnly: true });
    for (const i of ['x', 'x-1', 'X', 'x.1']) s.addInterface(i);
    const got = lines(s.list().filter(([n]) => /^net\.ipv4\.(conf|neigh)\./.test(n)));
    expect(got).toBe(fixture('sysctl_a_ifaces.txt'));
    expect(s.get('net.ipv4.conf.x/1.forwarding')).toBe('0');
    expect(s.get('net/ipv4/conf/x.1/forwarding')).toBe('0');
  });

  test('conf.default.X reaches interfaces that never had X written (devinet_copy_dflt_conf)', () => {
    const s = new Sysctl();
    s.addInterface('eth0');
    s.addInterface('eth1');
    s.set('net.ipv4.conf.eth1.rp_filter', '1');
    s.set('net.ipv4.conf.default.rp_filter', '2');
    expect(s.get('net.ipv4.conf.eth0.rp_filter')).toBe('2');
    expect(s.get('net.ipv4.conf.lo.rp_filter')).toBe('2');
    expect(s.get('net.ipv4.conf.eth1.rp_filter')).toBe('1');
    expect(s.get('net.ipv4.conf.all.rp_filter')).toBe('0');
    s.set('net.ipv4.conf.default.disable_policy', '1'); // a flushing entry: no copy
    expect(s.get('net.ipv4.conf.eth0.disable_policy')).toBe('0');
  });

  test('neighbour parms: twins in other units, default reaches unwritten interfaces', () => {
    const s = new Sysctl();
    s.addInterface('eth0');
    s.set('net.ipv4.neigh.eth0.base_reachable_time_ms', '30001');
    expect(s.get('net.ipv4.neigh.eth0.base_reachable_time_ms')).toBe('30004');
    expect(s.get('net.ipv4.neigh.eth0.base_reachable_time')).toBe('30');
    s.set('net.ipv4.neigh.eth0.retrans_time_ms', '1012');
    expect(s.get('net.ipv4.neigh.eth0.retrans_time')).toBe('101');
    s.set('net.ipv4.neigh.eth0.unres_qlen', '1');
    expect(s.get('net.ipv4.neigh.eth0.unres_qlen_bytes')).toBe('2090');
    s.set('net.ipv4.neigh.default.base_reachable_time', '10');
    expect(s.get('net.ipv4.neigh.lo.base_reachable_time_ms')).toBe('10000');
    expect(s.get('net.ipv4.neigh.eth0.base_reachable_time')).toBe('30');
  });

  test('onChange: exact names and prefixes, unsubscribe', () => {
    const s = new Sysctl();
    const got: string[] = [];
    const off = s.onChange('net.core.netdev_budget', (n, v) => got.push(`${n}=${v}`));
    s.onChange('', (n) => got.push('any:' + n));
    s.set('net.core.netdev_budget', '600');
    s.set('net.core.netdev_budget', '600'); // unchanged: silent
    off();
    s.set('net.core.netdev_budget', '300');
    expect(got).toEqual(['any:net.core.netdev_budget', 'net.core.netdev_budget=600', 'any:net.core.netdev_budget']);
  });
});

test('the generated defaults are well formed', () => {
  for (const [name, spec] of Object.entries(SYSCTL_DEFAULTS)) {
    expect(name).toMatch(/^net\.(core|ipv4|unix)\./);
    if (spec.t === 'i') expect(spec.v, name).toMatch(/^-?\d+$/);
    if (spec.t === 'iv') expect(spec.v, name).toMatch(/^-?\d+(\t-?\d+)+$/);
  }
});
