// The host entry under Electron's utilityProcess API: parentPort in the
// child, utilityProcessSpawner in the parent (a stand-in for
// utilityProcess.fork over child_process, as no Electron binary is here).
import { describe, it, expect } from 'vitest';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseLab } from '../../core/lab/parse.js';
import { LabRunner } from '../../core/runtime/lab_runner.js';
import { ensureHostBundle } from '../../node/runtime/bundle.js';
import { openLab } from '../../node/runtime/lab.js';
import { utilityProcessSpawner, type UtilityProcessLike } from '../../node/runtime/spawn.js';
import { SHARED_ORACLE } from '../support/oracle.js';

const SHIM = join(__dirname, 'fixtures/parent-port-shim.mjs');

function fakeUtilityFork(modulePath: string, args: string[]): UtilityProcessLike {
  const c = fork(modulePath, args, { serialization: 'advanced', execArgv: ['--import', SHIM] });
  return {
    get pid() {
      return c.pid;
    },
    postMessage: (m) => c.send(m as object),
    on: (ev: string, fn: (...a: any[]) => void) => c.on(ev, fn),
    kill: () => c.kill('SIGKILL'),
  } as UtilityProcessLike;
}

describe('host entry in a utility process', () => {
  it('boots and runs a lab over parentPort, same results as inline', async () => {
    const file = join(SHARED_ORACLE, 'cases/02-router-chain.lab.yaml');
    const topo = () => parseLab(readFileSync(file, 'utf8'), file);
    const inline = new LabRunner(topo());
    inline.boot();
    const want = inline.runChecks();
    const bundle = (await ensureHostBundle())!;
    const lab = await openLab(topo(), { processes: 2, spawner: utilityProcessSpawner(fakeUtilityFork, bundle) });
    try {
      await lab.runner.bootAsync();
      expect(await lab.runner.runChecksAsync()).toEqual(want);
    } finally {
      await lab.close();
    }
  });
});
