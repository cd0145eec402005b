/**
 * Many shared holders (piece reads and writes) or one exclusive holder (moving a file's bytes,
 * closing). Waiters are served in arrival order, so an exclusive waiter is not starved by a stream of
 * shared ones. Pure promises: no timers, usable in core.
 */
export class RwLock {
  private active = 0;
  private exclusiveHeld = false;
  private readonly queue: { exclusive: boolean; wake: () => void }[] = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.release(false);
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.release(true);
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.queue.length === 0 && this.canEnter(exclusive)) {
      this.enter(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ exclusive, wake: resolve }));
  }

  private canEnter(exclusive: boolean): boolean {
    return exclusive ? this.active === 0 && !this.exclusiveHeld : !this.exclusiveHeld;
  }

  private enter(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = true;
    else this.active++;
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.exclusiveHeld = false;
    else this.active--;
    for (let next = this.queue[0]; next !== undefined && this.canEnter(next.exclusive); next = this.queue[0]) {
      this.queue.shift();
      this.enter(next.exclusive);
      next.wake();
    }
  }
}
