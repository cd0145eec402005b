// A seeder and a downloader as real `sluice` processes, for discovery tests that give no --peer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sluiceLong } from '../../helpers/cli.js';

export interface SeedLine {
  readonly infoHash: string;
  readonly magnet: string;
  readonly port: number;
}

type Run = ReturnType<typeof sluiceLong>;

export class Swarm {
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-discovery-'));
  private readonly runs: Run[] = [];

  /** One file, `<dir>/data.bin`, holding `data`; `spawn` runs both sides elsewhere (a network namespace). */
  constructor(
    readonly data: Uint8Array,
    private readonly spawn: { prefix?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
  ) {
    writeFileSync(join(this.dir, 'data.bin'), data);
  }

  get dataPath(): string {
    return join(this.dir, 'data.bin');
  }

  /** `sluice seed` with its own state folder; resolves with its first JSON line. */
  async seed(args: readonly string[]): Promise<{ run: Run; line: SeedLine }> {
    const run = this.start(['seed', ...args, '--state', join(this.dir, 'seed-state'), '--json']);
    const line = JSON.parse(await run.firstLine) as SeedLine;
    return { run, line };
  }

  /** `sluice download` into `<dir>/out`; resolves when it exits, after checking it finished byte-identical. */
  async download(args: readonly string[]): Promise<Run> {
    const run = this.start(['download', ...args, '--out', join(this.dir, 'out'), '--state', join(this.dir, 'download-state'), '--json']);
    const code = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    const last = JSON.parse(run.stdout().trim().split('\n').at(-1)!) as { state: string; progress: number; downloaded: number };
    expect(last).toMatchObject({ state: 'done', progress: 1 });
    expect(last.downloaded).toBeGreaterThanOrEqual(this.data.length);
    expect(Buffer.from(readFileSync(join(this.dir, 'out', 'data.bin'))).equals(Buffer.from(this.data))).toBe(true);
    return run;
  }

  /** Ends every process this swarm started (SIGTERM, then SIGKILL) and removes its folder. */
  async close(): Promise<void> {
    await Promise.all(
      this.runs.map(async (r) => {
        if (r.child.exitCode !== null || r.child.signalCode !== null) return;
        r.child.kill('SIGTERM');
        const timer = setTimeout(() => r.child.kill('SIGKILL'), 3000);
        await r.exited;
        clearTimeout(timer);
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private start(args: readonly string[]): Run {
    const run = sluiceLong(args, { cwd: this.dir, ...this.spawn });
    this.runs.push(run);
    return run;
  }
}
