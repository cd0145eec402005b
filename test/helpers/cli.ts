import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const SLUICE_BIN = join(import.meta.dirname, '..', '..', 'sidecar', 'bin', 'sluice.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `sluice` CLI (npm test builds it first) and returns what it printed. */
export function sluice(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [SLUICE_BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, ...options.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a long-running `sluice` command; resolves with the first stdout line and the child. */
export function sluiceLong(args: readonly string[], options: { cwd?: string; prefix?: readonly string[]; env?: NodeJS.ProcessEnv } = {}) {
  const argv = [...(options.prefix ?? []), process.execPath, SLUICE_BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl !== -1) resolve(stdout.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`sluice exited (${code}) before printing: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, exited, stderr: () => stderr, stdout: () => stdout };
}
