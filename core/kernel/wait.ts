// Wait queues (wait_queue_head_t): a task sleeping on a condition registers a
// waker; wake_up() runs every registered waker once.

/** A waker that is an object (wait_queue_entry): its wakeup() is called. */
export interface WaitQueueEntry {
  wakeup(): void;
}

type Waker = (() => void) | WaitQueueEntry;

export class WaitQueue {
  private waiters: Waker[] = [];
  /** An empty array to swap in on wake_up (null while a wake_up runs). */
  private spare: Waker[] | null = [];

  add(fn: Waker): void {
    this.waiters.push(fn);
  }

  remove(fn: Waker): void {
    const i = this.waiters.indexOf(fn);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  get active(): boolean {
    return this.waiters.length > 0;
  }

  wake_up(): void {
    const w = this.waiters;
    if (!w.length) return;
    // Wakers registered from a waker wait for the next wake_up.
    const spare = this.spare;
    if (spare === null) {
      this.waiters = [];
      for (const fn of w) call(fn);
      return;
    }
    this.waiters = spare;
    this.spare = null;
    try {
      for (const fn of w) call(fn);
    } finally {
      while (w.length) w.pop(); // (not length = 0: a runtime call)
      this.spare = w;
    }
  }
}

function call(w: Waker): void {
  if (typeof w === 'function') w();
  else w.wakeup();
}
