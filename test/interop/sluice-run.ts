import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sluiceLong } from '../helpers/cli.js';
import { jsonLines, tempDir, track } from './fixture.js';

export interface SluiceDownload {
  readonly code: number | null;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
  /** Its `--log` event lines (peers, trackers, failures with their reasons), for failure messages. */
  readonly events?: string;
}

/** `sluice download` of `target` from the given peers on loopback (no DHT, a private state folder), to the end. */
export async function sluiceDownload(target: string, out: string, peers: readonly string[], giveUpMs = 40_000, extra: readonly string[] = []): Promise<SluiceDownload> {
  const log = join(tempDir('log'), 'events.log');
  const args = ['download', target, '--out', out, '--state', tempDir('state'), '--no-dht', '--json', '--port', '0', '--log', log, ...extra];
  for (const p of peers) args.push('--peer', p);
  const run = sluiceLong(args);
  track(run.child);
  run.firstLine.catch(() => undefined); // a download that prints nothing is judged by its exit code below
  // A stalled download is interrupted (it exits 0 without a 'done' line) so the test fails showing what it printed.
  const watchdog = setTimeout(() => run.child.kill('SIGINT'), giveUpMs);
  const code = await run.exited;
  clearTimeout(watchdog);
  return { code, lines: jsonLines(run.stdout()), stderr: run.stderr(), events: existsSync(log) ? readFileSync(log, 'utf8') : '' };
}

export interface SluiceSeeder {
  readonly port: number;
  readonly magnet: string;
  readonly infoHash: string;
  stdout(): string;
  stderr(): string;
}

/** `sluice seed <target> --json` on loopback; resolves once it printed its first line (port and magnet). */
export async function sluiceSeed(target: string, extra: readonly string[] = []): Promise<SluiceSeeder> {
  const run = sluiceLong(['seed', target, '--state', tempDir('state'), '--no-dht', '--json', '--port', '0', ...extra]);
  track(run.child);
  const first = JSON.parse(await run.firstLine) as { port: number; magnet: string; infoHash: string };
  return { ...first, stdout: run.stdout, stderr: run.stderr };
}

/** What a failed download printed, for the assertion message. */
export function describe(d: SluiceDownload): string {
  // The course of the run, one [state, progress, peers, downloadRate] per status line, shows where a stall began.
  const course = d.lines.slice(-60).map((l) => [l['state'], l['progress'], l['peers'], l['downloadRate']]);
  return `exit ${d.code}\nlast lines: ${JSON.stringify(d.lines.slice(-3))}\ncourse: ${JSON.stringify(course)}\nstderr: ${d.stderr}\nevents (end):\n${(d.events ?? '').split('\n').slice(-30).join('\n')}`;
}
