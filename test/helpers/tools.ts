import { spawnSync } from 'node:child_process';

/**
 * Interop tests drive real tools (mktorrent, transmission-create, libtorrent, chromium). `npm test`
 * installs them first (scripts/ensure-deps.mjs); if one is still missing the test fails with a
 * line naming the Debian package, never skips.
 */
const TOOLS = {
  mktorrent: { cmd: 'mktorrent', args: ['-h'], pkg: 'mktorrent' },
  'transmission-create': { cmd: 'transmission-create', args: ['--version'], pkg: 'transmission-cli' },
  'transmission-cli': { cmd: 'transmission-cli', args: ['--version'], pkg: 'transmission-cli' },
  libtorrent: { cmd: '/usr/bin/python3', args: ['-c', 'import libtorrent'], pkg: 'python3-libtorrent' },
  chromium: { cmd: '/usr/bin/chromium', args: ['--version'], pkg: 'chromium' },
  'firefox-esr': { cmd: '/usr/bin/firefox-esr', args: ['--version'], pkg: 'firefox-esr' },
  ffmpeg: { cmd: 'ffmpeg', args: ['-version'], pkg: 'ffmpeg' },
  qbittorrent: { cmd: 'qbittorrent-nox', args: ['--version'], pkg: 'qbittorrent-nox' },
} as const;

export type ToolName = keyof typeof TOOLS;

export function requireTool(name: ToolName): void {
  const t = TOOLS[name];
  const r = spawnSync(t.cmd, t.args, { stdio: 'ignore' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`${name} is not installed: apt-get install ${t.pkg} (npm test does this when run as root)`);
  }
}

/** Runs a Python script under Debian's python3 (which has libtorrent); returns stdout, throws on failure. */
export function runPython(script: string, args: readonly string[] = [], timeoutMs = 120_000): string {
  requireTool('libtorrent');
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function run(cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
