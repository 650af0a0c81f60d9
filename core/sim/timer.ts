// Kernel-style timers (struct timer_list): mod_timer re-arms, del_timer
// cancels. A cancelled or re-armed timer leaves its old event in the queue;
// the generation number makes that event a no-op, which is cheaper than
// removing it from the heap.
import type { Engine } from './engine.js';

export class Timer {
  expires = 0;
  private gen = 0;
  private armed = false;
  constructor(
    private engine: Engine,
    private fn: () => void,
  ) {}

  get pending(): boolean {
    return this.armed;
  }

  /** Arm (or re-arm) the timer to fire at absolute time `expires`. */
  mod(expires: number): void {
    this.expires = expires;
    this.armed = true;
    const g = ++this.gen;
    this.engine.at(expires, () => {
      if (g !== this.gen || !this.armed) return;
      this.armed = false;
      this.fn();
    });
  }

  /** Cancel; returns whether it was pending (as del_timer does). */
  del(): boolean {
    const was = this.armed;
    this.armed = false;
    this.gen++;
    return was;
  }
}
