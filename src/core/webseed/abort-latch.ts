import type { AbortSignalLike } from '../ports/transport.js';

export type AbortCause = 'timeout' | 'aborted' | 'closed';

/** Thrown into a raced promise when its latch fires; the latch's `cause` says why. */
export class AbortedByLatch extends Error {
  override readonly name: string = 'AbortedByLatch';
}

/**
 * An abort signal core can create (it has no AbortController), remembering why it fired. `race`
 * settles a step as soon as the latch fires, so a fetch implementation that ignores its signal
 * cannot keep a request alive past its timeout.
 */
export class AbortLatch implements AbortSignalLike {
  private listeners: (() => void)[] = [];
  private why: AbortCause | null = null;
  private readonly fired: Promise<never>;
  private fire!: (reason: AbortedByLatch) => void;

  constructor() {
    this.fired = new Promise<never>((_, reject) => {
      this.fire = reject;
    });
    this.fired.catch(() => {});
  }

  get aborted(): boolean {
    return this.why !== null;
  }

  get cause(): AbortCause | null {
    return this.why;
  }

  /** Like AbortSignal: a listener added after the abort is never called (check `aborted` first). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.why === null) this.listeners.push(listener);
  }

  abort(cause: AbortCause): void {
    if (this.why !== null) return;
    this.why = cause;
    const listeners = this.listeners;
    this.listeners = [];
    this.fire(new AbortedByLatch(cause));
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own business; the others still run.
      }
    }
  }

  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.fired]);
  }
}
