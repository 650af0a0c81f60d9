// Wait queues (wait_queue_head_t): a task sleeping on a condition registers a
// waker; wake_up() runs every registered waker once.

export class WaitQueue {
  private waiters: (() => void)[] = [];

  add(fn: () => void): void {
    this.waiters.push(fn);
  }

  remove(fn: () => void): void {
    const i = this.waiters.indexOf(fn);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  get active(): boolean {
    return this.waiters.length > 0;
  }

  wake_up(): void {
    if (!this.waiters.length) return;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
}
