// `pktgen`: a lab front end to the kernel's packet generator (pktgen.ts),
// doing what samples/pktgen/pktgen_sample01_simple.sh does with the same
// options: configure one device on thread 0 (count, clone_skb, pkt_size,
// delay, NO_TIMESTAMP, dst, dst_mac, a random UDP source port in 9..108 so
// the flows spread over RSS queues), start, wait, then print
// "Result device: DEV" and /proc/net/pktgen/DEV. Linux writes the same
// knobs into /proc/net/pktgen/*; this tool sets them directly.
import type { Proc, ProgramGen } from '../process.js';
import { kernel, out, err, parseInetLoose } from './util.js';
import { PktgenDev, pktgen_devices, type PktgenConfig } from '../../net/core/pktgen.js';
import { parseMac } from '../../net/wire/ethernet.js';
import { WaitQueue } from '../../kernel/wait.js';

const HELP = `Usage: pktgen -i ethX -m DST_MAC [options]   (StackLab lab tool; options of samples/pktgen/parameters.sh)
  -i : (DEV)       output interface/device (required)
  -s : (PKT_SIZE)  packet size (default 60)
  -d : (DEST_IP)   destination IP (default 198.18.0.42); a range as A.B.C.D-A.B.C.E
  -m : (DST_MAC)   destination MAC-addr (required)
  -p : (DST_PORT)  destination PORT range (e.g. 433-444) is also allowed
  -k : (UDP_CSUM)  enable UDP tx checksum
  -f : (F_THREAD)  index of first thread (zero indexed CPU number)
  -c : (SKB_CLONE) SKB clones send before alloc new SKB
  -n : (COUNT)     num messages to send per thread, 0 means indefinitely (default 100000)
  -w : (DELAY)     Tx Delay value (ns)
  -v : (VERBOSE)   verbose
Sends from kernel thread kpktgend_F straight to the driver, bypassing the
stack; UDP source ports are random in 9..108 (100 flows). Prints the
device's /proc/net/pktgen file when done.
`;

export function* pktgen(p: Proc): ProgramGen {
  const net = kernel(p);
  const a = p.argv.slice(1);
  let devName = '';
  let size = 60;
  let dest = '198.18.0.42';
  let mac = '';
  let port = '';
  let csum = false;
  let thread = 0;
  let clone = 0;
  let count = 100000;
  let delay = 0;
  let verbose = false;
  for (let i = 0; i < a.length; i++) {
    const o = a[i];
    const v = () => a[++i] ?? '';
    if (o === '-h' || o === '--help') {
      out(p, HELP);
      return 0;
    } else if (o === '-i') devName = v();
    else if (o === '-s') size = Number(v());
    else if (o === '-d') dest = v();
    else if (o === '-m') mac = v();
    else if (o === '-p') port = v();
    else if (o === '-k') csum = true;
    else if (o === '-f') thread = Number(v());
    else if (o === '-c') clone = Number(v());
    else if (o === '-n') count = Number(v());
    else if (o === '-w') delay = Number(v());
    else if (o === '-v') verbose = true;
    else {
      err(p, `pktgen: invalid option -- '${o.replace(/^-+/, '')}'\n${HELP}`);
      return 2;
    }
  }
  if (!devName) {
    err(p, HELP + 'ERROR: Please specify output device\n');
    return 2;
  }
  if (!mac) {
    err(p, HELP + 'ERROR: Must specify -m dst_mac\n');
    return 2;
  }
  const dev = net.dev_get_by_name(devName);
  const dmac = parseMac(mac);
  const [dmin, dmax] = dest.split('-').map((s) => parseInetLoose(s));
  const [pmin, pmax] = port ? port.split('-').map(Number) : [9, 9];
  if (!dev) {
    err(p, `ERROR: Write error(No such device) occurred cmd: "add_device ${devName}"\n`);
    return 1;
  }
  if (!dmac || dmin === null || (dmax ?? dmin) === null || ![size, count, delay, clone, thread, pmin, pmax ?? pmin].every((x) => Number.isInteger(x) && x >= 0)) {
    err(p, `ERROR: invalid parameters\n${HELP}`);
    return 2;
  }
  if (thread >= net.cpus.length) {
    err(p, `ERROR: Write error(No such file or directory) occurred cmd: "rem_device_all"\n`);
    return 1;
  }
  const flags = new Set(['NO_TIMESTAMP', 'UDPSRC_RND']);
  if (port) flags.add('UDPDST_RND');
  if (csum) flags.add('UDPCSUM');
  const cfg: PktgenConfig = {
    count,
    pkt_size: Math.max(size, 14 + 20 + 8),
    delay,
    clone_skb: clone,
    burst: 1,
    dst_min: dmin!,
    dst_max: dmax ?? dmin!,
    dst_mac: dmac,
    udp_src_min: 9,
    udp_src_max: 109,
    udp_dst_min: pmin,
    udp_dst_max: pmax ?? pmin,
    flags,
  };
  if (verbose)
    for (const c of [`count ${count}`, `clone_skb ${clone}`, `pkt_size ${size}`, `delay ${delay}`, 'flag NO_TIMESTAMP', `dst_mac ${mac}`, `dst_min ${dest.split('-')[0]}`, `dst_max ${dest.split('-')[1] ?? dest}`])
      out(p, `cmd: ${c} > /proc/net/pktgen/${devName}\n`);
  const pg = new PktgenDev(net, dev, thread, cfg);
  pktgen_devices(net).set(devName, pg);
  const done = new WaitQueue();
  let finished = false;
  err(p, 'Running... ctrl^C to stop\n');
  pg.start(() => {
    finished = true;
    done.wake_up();
  });
  while (!finished) {
    yield { op: 'wait', q: done };
    if (p.interrupted && !finished) pg.stop();
  }
  if (!p.interrupted) err(p, 'Done\n');
  out(p, `Result device: ${devName}\n` + pg.show());
  return 0;
}
