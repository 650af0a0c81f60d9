// /proc/net/snmp and /proc/net/netstat against text captured from Linux 6.18
// (test/proc/fixtures/capture.sh): the captured values are loaded into a
// NetMib by name and must print back byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  ICMP_FIELDS,
  ICMP_MIB,
  IP_FIELDS,
  IPEXT_FIELDS,
  IPSTATS_MIB,
  IPSTATS_MIB_MAX,
  LINUX_MIB,
  MPTCPEXT_FIELDS,
  NetMib,
  TCP_FIELDS,
  TCP_MIB,
  TCPEXT_FIELDS,
  UDP_FIELDS,
  UDP_MIB,
  type MibSection,
} from '../../core/net/mib.js';
import { procNetNetstat, procNetSnmp } from '../../core/proc/net_snmp.js';

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');

/** Sections of a /proc/net/snmp-style file: name -> list of [header, values] pairs. */
function sections(text: string): Map<string, [string[], string[]][]> {
  const lines = text.trimEnd().split('\n');
  const out = new Map<string, [string[], string[]][]>();
  for (let i = 0; i < lines.length; i += 2) {
    const [name, h] = lines[i].split(': ');
    const v = lines[i + 1].slice(name.length + 2);
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push([h.split(' '), v.split(' ')]);
  }
  return out;
}

interface Loaded {
  mib: NetMib;
  forwarding: boolean;
  defaultTtl: number;
  currEstab: number;
  mptcp: number[];
}

function load(snmp: string, netstat: string): Loaded {
  const mib = new NetMib();
  mib.tcp.fill(0);
  const s = new Map([...sections(snmp), ...sections(netstat)]);
  const [ipH, ipV] = s.get('Ip')![0];
  for (const [name, pairs] of s) {
    if (name === 'MPTcpExt' || name === 'IcmpMsg') continue;
    const [h, v] = pairs[0];
    h.forEach((field, i) => {
      if (name === 'Ip' && i < 2) return;
      // Icmp per-type columns are derived from IcmpMsg: skip, check on output.
      if (name === 'Icmp' && /^(In|Out)(?!Msgs|Errors|CsumErrors|RateLimit)/.test(field)) return;
      mib.inc(name as MibSection, field, Number(v[i]));
    });
  }
  for (const [h, v] of s.get('IcmpMsg') ?? []) {
    h.forEach((col, i) => {
      const m = /^(In|Out)Type(\d+)$/.exec(col)!;
      mib.incMsg(m[1] as 'In' | 'Out', Number(m[2]), Number(v[i]));
    });
  }
  expect(ipH.slice(0, 2)).toEqual(['Forwarding', 'DefaultTTL']);
  const currEstab = Number(s.get('Tcp')![0][1][TCP_MIB.TCP_MIB_CURRESTAB]);
  const mptcp = s.get('MPTcpExt')![0][1].map(Number);
  return { mib, forwarding: ipV[0] === '1', defaultTtl: Number(ipV[1]), currEstab, mptcp };
}

describe('MIB names and order are the live kernel’s', () => {
  const s = new Map([...sections(fixture('snmp_fresh.txt')), ...sections(fixture('netstat_fresh.txt'))]);
  test.each([
    ['Ip', ['Forwarding', 'DefaultTTL', ...IP_FIELDS]],
    ['Icmp', ICMP_FIELDS],
    ['Tcp', TCP_FIELDS],
    ['Udp', UDP_FIELDS],
    ['UdpLite', UDP_FIELDS],
    ['TcpExt', TCPEXT_FIELDS],
    ['IpExt', IPEXT_FIELDS],
    ['MPTcpExt', MPTCPEXT_FIELDS],
  ] as const)('%s', (name, fields) => {
    expect(s.get(name)![0][0]).toEqual([...fields]);
  });

  test('the enum-like index objects cover their arrays exactly once', () => {
    for (const [obj, n] of [
      [IPSTATS_MIB, IPSTATS_MIB_MAX],
      [ICMP_MIB, 7],
      [TCP_MIB, TCP_FIELDS.length],
      [UDP_MIB, UDP_FIELDS.length],
      [LINUX_MIB, TCPEXT_FIELDS.length],
    ] as const) {
      expect(Object.values(obj).sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
    }
    expect(IPSTATS_MIB.IPSTATS_MIB_INPKTS).toBe(IP_FIELDS.indexOf('InReceives'));
    expect(IPSTATS_MIB.IPSTATS_MIB_INOCTETS).toBe(IP_FIELDS.length + IPEXT_FIELDS.indexOf('InOctets'));
    expect(LINUX_MIB.LINUX_MIB_LISTENDROPS).toBe(TCPEXT_FIELDS.indexOf('ListenDrops'));
    expect(LINUX_MIB.LINUX_MIB_PAWS_OLD_ACK).toBe(TCPEXT_FIELDS.indexOf('PAWSOldAck'));
  });
});

describe('/proc/net/snmp and /proc/net/netstat print as Linux', () => {
  test.each(['fresh', 'traffic'])('%s namespace', (which) => {
    const snmp = fixture(`snmp_${which}.txt`);
    const netstat = fixture(`netstat_${which}.txt`);
    const l = load(snmp, netstat);
    expect(procNetSnmp(l.mib, { forwarding: l.forwarding, defaultTtl: l.defaultTtl, currEstab: l.currEstab })).toBe(snmp);
    expect(procNetNetstat(l.mib, l.mptcp)).toBe(netstat);
  });

  test('a new NetMib prints exactly a fresh namespace', () => {
    const mib = new NetMib();
    expect(procNetSnmp(mib, { forwarding: false, defaultTtl: 64 })).toBe(fixture('snmp_fresh.txt'));
    expect(procNetNetstat(mib)).toBe(fixture('netstat_fresh.txt'));
  });

  test('Forwarding is 1 when forwarding, DefaultTTL follows the sysctl', () => {
    const out = procNetSnmp(new NetMib(), { forwarding: true, defaultTtl: 42 });
    expect(out.split('\n')[1].startsWith('Ip: 1 42 0 ')).toBe(true);
  });

  test('Icmp per-type columns come from IcmpMsg; IcmpMsg lists non-zero types, 16 per pair', () => {
    const mib = new NetMib();
    mib.incMsg('In', 8, 4); // echo requests
    mib.incMsg('Out', 0, 4); // echo replies
    mib.icmp[ICMP_MIB.ICMP_MIB_INMSGS] = 4;
    mib.icmp[ICMP_MIB.ICMP_MIB_OUTMSGS] = 4;
    const lines = procNetSnmp(mib, { forwarding: false, defaultTtl: 64 }).split('\n');
    const icmp = Object.fromEntries(lines[2].split(' ').slice(1).map((f, i) => [f, lines[3].split(' ')[i + 1]]));
    expect(icmp).toMatchObject({ InMsgs: '4', InEchos: '4', OutEchoReps: '4', OutMsgs: '4', InEchoReps: '0' });
    expect(lines[4]).toBe('IcmpMsg: InType8 OutType0');
    expect(lines[5]).toBe('IcmpMsg: 4 4');
    expect(lines[6].startsWith('Tcp:')).toBe(true);

    for (let t = 0; t < 17; t++) mib.incMsg('Out', 100 + t);
    const msg = procNetSnmp(mib, { forwarding: false, defaultTtl: 64 })
      .split('\n')
      .filter((l) => l.startsWith('IcmpMsg:'));
    expect(msg).toHaveLength(4);
    expect(msg[0].split(' ')).toHaveLength(17);
    expect(msg[0].split(' ').slice(1, 4)).toEqual(['InType8', 'OutType0', 'OutType100']);
    expect(msg[2]).toBe('IcmpMsg: OutType114 OutType115 OutType116');
  });

  test('CurrEstab is the gauge given, MaxConn is signed, other counters unsigned', () => {
    const mib = new NetMib();
    mib.tcp[TCP_MIB.TCP_MIB_ACTIVEOPENS] = 3;
    mib.udp[UDP_MIB.UDP_MIB_NOPORTS] = -1;
    const lines = procNetSnmp(mib, { forwarding: false, defaultTtl: 64, currEstab: 7 }).split('\n');
    const tcp = lines.find((l) => /^Tcp: \d/.test(l))!;
    expect(tcp).toBe('Tcp: 1 200 120000 -1 3 0 0 0 7 0 0 0 0 0 0');
    expect(lines.find((l) => /^Udp: \d/.test(l))).toBe('Udp: 0 18446744073709551615 0 0 0 0 0 0 0');
  });

  test('counter() and inc() address counters by their printed names', () => {
    const mib = new NetMib();
    mib.inc('Ip', 'InReceives');
    mib.inc('IpExt', 'InOctets', 84);
    mib.inc('Icmp', 'OutEchoReps');
    mib.inc('TcpExt', 'TCPTimeouts', 2);
    expect(mib.ip[IPSTATS_MIB.IPSTATS_MIB_INPKTS]).toBe(1);
    expect(mib.ipExt[IPEXT_FIELDS.indexOf('InOctets')]).toBe(84);
    expect(mib.icmpmsgOut[0]).toBe(1);
    expect(mib.counter('TcpExt', 'TCPTimeouts')).toBe(2);
    expect(mib.counter('Tcp', 'RtoMax')).toBe(120000);
    expect(mib.counter('Ip', 'Nope')).toBeUndefined();
    expect(() => mib.inc('Ip', 'InReceive')).toThrow('NetMib: no counter Ip:InReceive');
  });
});
