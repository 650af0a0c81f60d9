// A generated lab for the runtime tests: `routers` routers in a chain, each
// with `perRouter` hosts on their own links, transit links with different
// delays, a rate limit and loss (drawn from the seed), static routes, and
// checks that send traffic across the chain while background traffic runs.
import type { Topology } from '../../core/lab/topology.js';
import { parseLab } from '../../core/lab/parse.js';

/** `light`: only the cross-chain pings (for the big labs of the scale tests). */
export function generatedLab(routers = 4, perRouter = 4, seed = 7, light = false): Topology {
  const hosts: Record<string, { exec: string[] }> = {};
  const links: { endpoints: [string, string]; delay?: string; rate?: string; loss?: number }[] = [];
  const transit = (i: number) => `10.100.${i}`; // r(i) - r(i+1), a /30
  for (let k = 1; k <= routers; k++) {
    const exec = ['sysctl -w net.ipv4.ip_forward=1'];
    if (k > 1) exec.push(`ip addr add ${transit(k - 1)}.2/30 dev eth0`);
    if (k < routers) exec.push(`ip addr add ${transit(k)}.1/30 dev eth1`);
    for (let j = 1; j <= perRouter; j++) exec.push(`ip addr add 10.${k}.${j}.1/24 dev eth${j + 1}`);
    for (let m = 1; m <= routers; m++) {
      if (m < k) exec.push(`ip route add 10.${m}.0.0/16 via ${transit(k - 1)}.1`);
      if (m > k) exec.push(`ip route add 10.${m}.0.0/16 via ${transit(k)}.2`);
    }
    hosts[`r${k}`] = { exec };
    for (let j = 1; j <= perRouter; j++) hosts[`h${k}${j}`] = { exec: [`ip addr add 10.${k}.${j}.2/24 dev eth0`, `ip route add default via 10.${k}.${j}.1`] };
  }
  for (let k = 1; k < routers; k++) {
    const l: (typeof links)[number] = { endpoints: [`r${k}:eth1`, `r${k + 1}:eth0`], delay: ['50us', '200us', '1ms'][k % 3] };
    if (k % 3 === 2) l.rate = '100mbit';
    if (k % 3 === 0) l.loss = 10;
    links.push(l);
  }
  for (let k = 1; k <= routers; k++) for (let j = 1; j <= perRouter; j++) links.push({ endpoints: [`r${k}:eth${j + 1}`, `h${k}${j}:eth0`], delay: '10us' });
  const far = `10.${routers}.${perRouter}.2`;
  const checks = [
    { host: 'h21', run: 'ping -c 20 -i 0.005 -q 10.3.1.2', background: true },
    { host: `h${routers}2`, run: 'nc -u -l 7000 > /dev/null', background: true },
    { host: 'h11', run: `ping -c 5 -i 0.01 ${far}` },
    { host: `h${routers}4`, run: 'ping -c 3 -i 0.02 -s 1400 10.1.2.2' },
    { host: 'h12', run: `sh -c 'echo hello | nc -u -w 1 10.${routers}.2.2 7000; echo rc=$?'` },
    { host: 'h13', run: `traceroute -n -q 1 -w 1 10.${routers}.1.2` },
    { host: 'r2', run: 'cat /proc/net/snmp' },
    { host: `r${routers}`, run: 'ip neigh show' },
    { host: 'r1', run: 'cat /proc/net/dev' },
  ];
  const doc = { version: 1, name: `generated-${routers}x${perRouter}`, seed, hosts, links, checks: light ? checks.filter((c) => c.run.startsWith('ping')) : checks };
  return parseLab(JSON.stringify(doc), 'generated.lab.json');
}
