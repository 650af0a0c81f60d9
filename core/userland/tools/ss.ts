// iproute2 ss for datagram sockets: -u -a -n -l (TCP arrives with the TCP model).
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err } from './util.js';
import { formatIPv4 } from '../../net/wire/ip.js';
import type { Sock } from '../../net/ipv4/sock.js';

export function* ss(p: Proc): ProgramGen {
  const net = kernel(p);
  let udp = false;
  let tcp = false;
  let all = false;
  let listening = false;
  let mem = false;
  for (const a of p.argv.slice(1)) {
    if (!a.startsWith('-')) continue;
    for (const f of a.slice(1)) {
      if (f === 'u') udp = true;
      else if (f === 't') tcp = true;
      else if (f === 'a') all = true;
      else if (f === 'l') listening = true;
      else if (f === 'n' || f === '4' || f === 'p' || f === 'e' || f === 'i') continue;
      else if (f === 'm') mem = true;
      else {
        err(p, `ss: invalid option -- '${f}'\n`);
        return 1;
      }
    }
  }
  if (!udp && !tcp) tcp = true;
  const rows: string[][] = [];
  const add = (sk: Sock, state: string) => {
    // Recv-Q of a UDP socket is udp_rqueue_get: memory not yet given back by reads excluded.
    const rq = sk.rmem_alloc - sk.forward_deficit;
    rows.push([state, String(rq), String(sk.wmem_alloc), `${sk.rcv_saddr ? formatIPv4(sk.rcv_saddr) : '0.0.0.0'}:${sk.num}`, sk.daddr ? `${formatIPv4(sk.daddr)}:${sk.dport}` : '0.0.0.0:*', mem ? `\n\t skmem:(r${sk.rmem_alloc},rb${sk.rcvbuf},t${sk.wmem_alloc},tb${sk.sndbuf},f${sk.forward_alloc},w0,o0,bl0,d${sk.drops})` : '']);
  };
  if (udp)
    for (const sk of net.socks.udp) {
      const st = sk.state === 'ESTABLISHED' ? 'ESTAB' : 'UNCONN';
      if (listening ? st !== 'UNCONN' : !all && st === 'UNCONN') continue;
      add(sk, st);
    }
  const header = ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port', 'Process'];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r[0].padEnd(w[0]) + ' ' + r[1].padEnd(6) + ' ' + r[2].padEnd(6) + ' ' + r[3].padStart(Math.max(18, w[3])) + ' ' + r[4].padEnd(Math.max(17, w[4])) + r[5];
  out(p, 'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n'.replace('State  ', header[0].padEnd(w[0]) + ' '));
  for (const r of rows) out(p, line(r) + '\n');
  return 0;
}
