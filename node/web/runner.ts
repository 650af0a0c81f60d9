// Which simulator the app runs: core's LabRunner when it is there, else the
// plumbing fake (with a warning).
import type { Topology } from '../../core/lab/topology.js';
import { FakeRunner } from './fake-runner.js';
import type { RunnerFactory, RunnerLike } from './handler.js';

export async function loadRunnerFactory(): Promise<{ factory: RunnerFactory; real: boolean }> {
  const spec = '../../core/runtime/lab_runner.js';
  try {
    const m = (await import(spec)) as { LabRunner: new (t: Topology, o?: { trace?: boolean }) => RunnerLike };
    return { factory: (t) => new m.LabRunner(t, { trace: true }), real: true };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && !/Cannot find module/.test(String(e))) throw e;
    return { factory: (t) => new FakeRunner(t), real: false };
  }
}
