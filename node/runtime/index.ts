// The runtime API for the CLI, web mode and Electron main:
//
//   import { openLab, LiveLab, systemClock, utilityProcessSpawner } from '../node/runtime/index.js';
//   const lab = await openLab(topo, { processes: 0 | N, trace: true, onHostEvent });
//   await lab.runner.bootAsync();                 // or runChecksAsync(), runCommandAsync()
//   const live = new LiveLab(lab.runner, systemClock, { onTick, onTrace });
//   ...
//   await live.close(); await lab.close();
//
// Electron: build node/host/entry.ts with hostEntryBuildOptions(outfile, 'cjs')
// and pass spawner: utilityProcessSpawner((p, a, o) => utilityProcess.fork(p, a, o), outfile).
export { openLab, partition, type OpenLab, type OpenLabOptions } from './lab.js';
export { childProcessSpawner, utilityProcessSpawner, inProcessSpawner, type HostProcess, type Spawner, type UtilityProcessLike } from './spawn.js';
export { ProcessPool } from './pool.js';
export { Supervisor, type HostEvent, type HostEventKind, type SupervisorOptions } from './supervisor.js';
export { systemClock } from './clock.js';
export { ensureHostBundle, hostEntryBuildOptions, HOST_ENTRY_SOURCE } from './bundle.js';
export { LiveLab, type LiveOptions, type LiveState, type LiveTick, type StepResult, type WallClock } from '../../core/runtime/live.js';
export { LabRunner, Command, BootError, type CheckResult, type CommandResult } from '../../core/runtime/lab_runner.js';
export type { HostCounters, HostSnapshot } from '../../core/runtime/protocol.js';
