import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** A child process that prints one JSON object per line, and what a test needs to wait on it. */
export interface JsonLineChild<L> {
  readonly lines: readonly L[];
  /** Resolves with the first line (seen so far or later) that matches; rejects if the child exits first or `giveUpMs` passes. */
  waitFor(match: (line: L) => boolean, giveUpMs?: number): Promise<L>;
  /** What it printed, for failure messages. */
  transcript(): string;
  /** Ends stdin (the peers exit on that), then SIGKILL after `killAfterMs`; idempotent. */
  stop(): Promise<void>;
}

/**
 * Follows a JSON-lines child: collects its lines and stderr, settles waiters, and turns a hang into
 * a failure that shows the transcript (the watchdog exists only for that, before vitest's own timeout).
 */
export function followJsonLines<L>(name: string, child: ChildProcessWithoutNullStreams, options: { stderrTail?: number; killAfterMs?: number } = {}): JsonLineChild<L> {
  const stderrTail = options.stderrTail ?? 4000;
  const lines: L[] = [];
  const waiters: { match: (l: L) => boolean; resolve: (l: L) => void; reject: (e: Error) => void }[] = [];
  let stdout = '';
  let stderr = '';
  let exit: string | null = null;

  const transcript = () =>
    `${name} ${exit ?? 'running'}\n--- stdout (last 40 lines)\n${lines.slice(-40).map((l) => JSON.stringify(l)).join('\n')}\n--- stderr\n${stderr.slice(-stderrTail)}`;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    let nl;
    while ((nl = stdout.indexOf('\n')) !== -1) {
      const text = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      const line = JSON.parse(text) as L;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i]!;
        if (w.match(line)) {
          waiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `exited (code ${code}, signal ${signal})`;
      for (const w of waiters.splice(0)) w.reject(new Error(`${name} ended before the awaited line\n${transcript()}`));
      resolve();
    }),
  );

  const waitFor = (match: (l: L) => boolean, giveUpMs = 40_000): Promise<L> => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    if (exit !== null) return Promise.reject(new Error(`${name} ended before the awaited line\n${transcript()}`));
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (l: L) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`${name}: the awaited line did not come within ${giveUpMs} ms\n${transcript()}`));
      }, giveUpMs);
      waiters.push(waiter);
    });
  };

  const stop = async () => {
    if (exit !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 3000);
    await exited;
    clearTimeout(timer);
  };

  return { lines, waitFor, transcript, stop };
}
