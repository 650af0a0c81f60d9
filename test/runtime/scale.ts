// Scale measurements (not a vitest file: run `npx tsx test/runtime/scale.ts`):
// 32 hosts one per process, 200 hosts packed 25 per process. Prints process
// start time, RSS per host process, and windows per second under traffic.
import { readFileSync } from 'node:fs';
import type { Topology } from '../../core/lab/topology.js';
import { openLab } from '../../node/runtime/lab.js';
import { childProcessSpawner } from '../../node/runtime/spawn.js';
import { generatedLab } from './gen_lab.js';

function rssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : NaN;
}

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Pings across the whole chain from the first host of every router. */
function traffic(topo: Topology, routers: number, count: number): void {
  topo.checks = [];
  for (let k = 1; k <= routers; k++) {
    const dst = `10.${routers + 1 - k}.2.2`;
    topo.checks.push({ host: `h${k}1`, run: `ping -c ${count} -i 0.001 -q ${dst}`, background: k < routers });
  }
}

export async function measure(label: string, routers: number, perRouter: number, processes: number, execArgv: string[] = []) {
  const topo = generatedLab(routers, perRouter);
  traffic(topo, routers, 200);
  const spawner = await childProcessSpawner({ execArgv });
  const t0 = performance.now();
  const lab = await openLab(topo, { processes, spawner });
  const tOpen = performance.now() - t0;
  await lab.runner.bootAsync();
  const tBoot = performance.now() - t0 - tOpen;
  const w0 = lab.runner.windows;
  const t1 = performance.now();
  const results = await lab.runner.runChecksAsync();
  const dt = performance.now() - t1;
  const windows = lab.runner.windows - w0;
  const pids = lab.supervisor!.processes().map((p) => p.pid!);
  const rss = pids.map(rssMiB);
  const cpu = pids.map(cpuMs);
  const last = results.at(-1)!.stdout!.split('\n').find((l) => l.includes('transmitted'));
  await lab.close();
  const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(
    `${label}: ${topo.hosts.length} hosts in ${pids.length} processes${execArgv.length ? ` (${execArgv.join(' ')})` : ''}\n` +
      `  start ${tOpen.toFixed(0)} ms, boot ${tBoot.toFixed(0)} ms; traffic: ${windows} windows in ${dt.toFixed(0)} ms = ${((windows / dt) * 1000).toFixed(0)} windows/s\n` +
      `  RSS per process: avg ${avg(rss).toFixed(1)} MiB, max ${Math.max(...rss).toFixed(1)} MiB; CPU per process avg ${avg(cpu).toFixed(0)} ms\n` +
      `  ${last}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inline = generatedLab(4, 7);
  traffic(inline, 4, 200);
  const lab = await openLab(inline, { processes: 0 });
  lab.runner.boot();
  const t = performance.now();
  const w0 = lab.runner.windows;
  lab.runner.runChecks();
  console.log(`inline: 32 hosts, ${lab.runner.windows - w0} windows in ${(performance.now() - t).toFixed(0)} ms = ${(((lab.runner.windows - w0) / (performance.now() - t)) * 1000).toFixed(0)} windows/s`);
  await measure('one per process', 4, 7, 32);
  await measure('one per process', 4, 7, 32, ['--max-semi-space-size=1']);
  await measure('packed', 8, 24, 8);
}
