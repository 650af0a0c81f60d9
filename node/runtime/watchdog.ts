// Hang detection while the event loop is blocked. Over blocking pipes the
// parent waits for a host process inside readSync, so the supervisor's
// timer cannot run; a worker thread watches instead. Before each request
// the parent arms its process's slot in a SharedArrayBuffer (the time it
// started waiting) and disarms it when the reply is read; the worker wakes
// every tick (Atomics.wait with a timeout) and applies the supervisor's rule
// to armed slots: no reply for hangMs while burning CPU, or for starvedMs,
// is a hang. It then SIGKILLs the process, which closes its end of the pipe,
// so the parent's read returns end of file and the parent reports the hang
// (killedAfter()). A process that is asleep (blocked on its pipe: it answered,
// or waits to write a long reply the parent has not read yet) is never
// killed for being slow.
import { Worker } from 'node:worker_threads';

export interface WatchPolicy {
  hangMs: number;
  starvedMs: number;
  busyCpuMs: number;
  tickMs: number;
}

// Per slot: Int32 [pid, armed (0 no, 1 yes, 2 killed), arm sequence, -]
// and Float64 [armed since (ms), hangMs, starvedMs, busyCpuMs, waited when killed, -, -, -].
const INTS = 4;
const FLOATS = 8;
const SLOTS = 256;

/** Wall clock shared by threads (performance.now() has a per-thread origin). */
const wallMs = () => performance.timeOrigin + performance.now();

// Plain JS: runs as an eval'd worker, so that it works unchanged from
// sources (tsx), bundles (bench, Electron) and test runners.
const WORKER = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { ints, floats, ctl, INTS, FLOATS, SLOTS } = workerData;
const I = new Int32Array(ints), F = new Float64Array(floats), C = new Int32Array(ctl);
const seen = new Int32Array(SLOTS).fill(-1), cpu0 = new Float64Array(SLOTS);
// CPU time (ms) and scheduler state of a process, null where /proc is missing.
function stat(pid) {
  try {
    const s = readFileSync('/proc/' + pid + '/stat', 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], cpu: (Number(f[11]) + Number(f[12])) * 10 };
  } catch { return null; }
}
while (Atomics.load(C, 0) === 0) {
  Atomics.wait(C, 0, 0, Atomics.load(C, 1));
  const now = performance.timeOrigin + performance.now();
  const tick = Atomics.load(C, 1);
  for (let s = 0; s < SLOTS; s++) {
    const pid = Atomics.load(I, s * INTS);
    if (!pid || Atomics.load(I, s * INTS + 1) !== 1) continue;
    const seq = Atomics.load(I, s * INTS + 2);
    const waited = now - F[s * FLOATS];
    if (waited < tick) continue; // the usual case: a reply is due any moment
    const st = stat(pid);
    // CPU at the first look at this wait, as the supervisor does.
    if (seen[s] !== seq) { seen[s] = seq; cpu0[s] = st ? st.cpu : -1; continue; }
    const busy = !st || cpu0[s] < 0 || st.cpu - cpu0[s] >= F[s * FLOATS + 3];
    const asleep = !!st && !busy && (st.state === 'S' || st.state === 'D');
    const hung = (waited > F[s * FLOATS + 1] && busy) || (waited > F[s * FLOATS + 2] && !asleep);
    if (!hung || Atomics.compareExchange(I, s * INTS + 1, 1, 2) !== 1) continue;
    F[s * FLOATS + 4] = waited;
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
}
`;

class Dog {
  readonly ints = new Int32Array(new SharedArrayBuffer(SLOTS * INTS * 4));
  readonly floats = new Float64Array(new SharedArrayBuffer(SLOTS * FLOATS * 8));
  readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private free: number[] = [];
  private worker: Worker | null = null;
  /** Numbers each wait, across slots and the processes they held. */
  seq = 0;

  constructor() {
    for (let s = SLOTS - 1; s >= 0; s--) this.free.push(s);
    this.ctl[1] = 250;
  }

  get full(): boolean {
    return this.free.length === 0;
  }

  take(pid: number, p: WatchPolicy): number {
    const s = this.free.pop()!;
    this.floats.set([0, p.hangMs, p.starvedMs, p.busyCpuMs, 0], s * FLOATS);
    Atomics.store(this.ints, s * INTS + 1, 0);
    Atomics.store(this.ints, s * INTS, pid);
    // The finest tick asked for applies to every slot.
    if (p.tickMs < Atomics.load(this.ctl, 1)) Atomics.store(this.ctl, 1, Math.max(10, p.tickMs));
    this.start();
    return s;
  }

  give(s: number): void {
    Atomics.store(this.ints, s * INTS, 0);
    Atomics.store(this.ints, s * INTS + 1, 0);
    this.free.push(s);
  }

  private start(): void {
    if (this.worker) return;
    this.worker = new Worker(WORKER, { eval: true, workerData: { ints: this.ints.buffer, floats: this.floats.buffer, ctl: this.ctl.buffer, INTS, FLOATS, SLOTS } });
    this.worker.unref(); // never keeps the process alive
    this.worker.on('error', () => (this.worker = null));
  }
}

const dogs: Dog[] = [];

/** One process watched while the parent waits for it. */
export class Watch {
  /** The parent waits for this process. */
  armed = false;

  constructor(
    private readonly dog: Dog,
    private slot: number,
  ) {}

  /** The parent starts waiting for this process (now, or since `sinceMs` of wallMs). */
  arm(sinceMs = wallMs()): void {
    if (this.slot < 0) return;
    const { ints, floats } = this.dog;
    const i = this.slot * INTS;
    if (Atomics.load(ints, i + 1) === 2) return; // already killed
    floats[this.slot * FLOATS] = sinceMs;
    Atomics.store(ints, i + 2, ++this.dog.seq);
    Atomics.store(ints, i + 1, 1);
    this.armed = true;
  }

  /** A reply arrived: nothing is awaited from the process. */
  disarm(): void {
    if (!this.armed) return;
    this.armed = false;
    Atomics.compareExchange(this.dog.ints, this.slot * INTS + 1, 1, 0);
  }

  /** How long the process had not answered when the watchdog killed it, or null. */
  killedAfter(): number | null {
    if (this.slot < 0) return null;
    return Atomics.load(this.dog.ints, this.slot * INTS + 1) === 2 ? this.dog.floats[this.slot * FLOATS + 4] : null;
  }

  release(): void {
    if (this.slot < 0) return;
    this.dog.give(this.slot);
    this.slot = -1;
    this.armed = false;
  }
}

/** Watch process `pid` under `policy` (one worker thread per 256 processes). */
export function watch(pid: number, policy: WatchPolicy): Watch {
  let dog = dogs.find((d) => !d.full);
  if (!dog) dogs.push((dog = new Dog()));
  return new Watch(dog, dog.take(pid, policy));
}

export { wallMs };
