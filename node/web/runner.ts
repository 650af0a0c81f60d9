// The simulator the app runs: core's LabRunner, with packet-path tracing on.
import { LabRunner } from '../../core/runtime/lab_runner.js';
import type { RunnerFactory } from './handler.js';

export const makeRunner: RunnerFactory = (topo) => new LabRunner(topo, { trace: true });
