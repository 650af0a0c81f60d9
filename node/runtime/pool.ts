// Warm host processes kept between labs: starting a Node process costs more
// CPU than booting a lab's hosts in it (see bundle.ts), and a process simply
// gets booted again for the next lab. Tests and the app reuse them; a
// process that died or was busy when its lab closed is never pooled.
import type { HostProcess, Spawner } from './spawn.js';

export class ProcessPool {
  private idle: HostProcess[] = [];

  constructor(
    private readonly spawner: Spawner,
    /** Most idle processes kept; more are ended on release. */
    private readonly max = 64,
  ) {}

  /** A Spawner that hands out pooled processes first. */
  readonly take: Spawner = (label) => {
    for (let p = this.idle.pop(); p; p = this.idle.pop()) if (p.alive) return p;
    return this.spawner(label);
  };

  /** Take a process back for a later lab. */
  give(p: HostProcess): void {
    p.onExit(null);
    p.onMessage(() => {});
    if (!p.alive || this.idle.length >= this.max) p.kill();
    else this.idle.push(p);
  }

  /** Start n processes now, so the next labs need not wait for them. */
  warm(n: number, label = 'pool'): void {
    while (this.idle.length < n) this.idle.push(this.spawner(label));
  }

  get size(): number {
    return this.idle.length;
  }

  close(): void {
    for (const p of this.idle) p.kill();
    this.idle = [];
  }
}
