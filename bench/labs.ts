// Labs the benchmarks generate: N hosts in pairs, one link per pair
// (h0-h1, h2-h3, ...), on 10.(100+P/256).(P%256).0/24 for pair P, with MACs
// set explicitly so that hundreds of hosts stay valid.

/** MAC of host index i's eth0 (unique for i < 65536). */
export function macOf(i: number): string {
  const h = (x: number) => x.toString(16).padStart(2, '0');
  return `02:00:00:${h(i >> 8)}:${h(i & 255)}:01`;
}

/** Address of host i (the sender of its pair is .1, the receiver .2). */
export function addrOf(i: number): string {
  const pair = i >> 1;
  return `10.${100 + (pair >> 8)}.${pair & 255}.${(i & 1) + 1}`;
}

export function pairsLab(hosts: number): string {
  if (hosts % 2) throw new Error('hosts must be even');
  const lines = ['version: 1', `name: bench-pairs-${hosts}`, 'hosts:'];
  for (let i = 0; i < hosts; i++) lines.push(`  h${i}:`, `    nics: { eth0: { mac: "${macOf(i)}" } }`, '    exec:', `      - ip addr add ${addrOf(i)}/24 dev eth0`);
  lines.push('links:');
  for (let p = 0; p < hosts / 2; p++) lines.push(`  - endpoints: [h${2 * p}:eth0, h${2 * p + 1}:eth0]`);
  return lines.join('\n') + '\n';
}

/** Shell lines that make every pair busy: a sink on each receiver, then
 * the kernel packet generator on each sender (64-byte UDP payloads, one
 * every 2 us of virtual time, until stopped). */
export function pairsLoad(hosts: number): [host: string, line: string][] {
  const out: [string, string][] = [];
  for (let i = 1; i < hosts; i += 2) out.push([`h${i}`, 'udp-sink -q -p 9000']);
  for (let i = 0; i < hosts; i += 2) out.push([`h${i}`, `pktgen -i eth0 -m ${macOf(i + 1)} -d ${addrOf(i + 1)} -p 9000 -s 106 -n 0 -w 2000`]);
  return out;
}
