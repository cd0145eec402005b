#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs npm packages when they are
// missing or stale, and (with --test) the Debian tools the interop tests drive, via apt-get when
// running as root. Uses Node built-ins only, since it runs before anything is installed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`ensure-deps: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status})`);
    process.exit(1);
  }
}

// npm packages: installed when node_modules is missing, or was installed from another lock file.
// The stamp is a hash of package-lock.json, so touching package.json does not trigger a reinstall.
const lockPath = join(root, 'package-lock.json');
const stampPath = join(root, 'node_modules', '.sluice-lock-hash');
const lockHash = existsSync(lockPath) ? createHash('sha256').update(readFileSync(lockPath)).digest('hex') : 'no-lock';
const installed = existsSync(join(root, 'node_modules', '.package-lock.json')) && existsSync(stampPath)
  ? readFileSync(stampPath, 'utf8').trim() : null;
if (installed !== lockHash) {
  console.error('ensure-deps: installing npm packages…');
  run('npm', [existsSync(lockPath) ? 'ci' : 'install', '--no-audit', '--no-fund']);
  writeFileSync(stampPath, `${lockHash}\n`);
}

// Debian tools used by the interop tests: command -> package
const debianTools = [
  { check: ['mktorrent', ['-h']], pkg: 'mktorrent' },
  { check: ['transmission-create', ['--version']], pkg: 'transmission-cli' },
  { check: ['/usr/bin/python3', ['-c', 'import libtorrent']], pkg: 'python3-libtorrent' },
  { check: ['/usr/bin/chromium', ['--version']], pkg: 'chromium' },
  { check: ['/usr/bin/firefox-esr', ['--version']], pkg: 'firefox-esr' },
  { check: ['ffmpeg', ['-version']], pkg: 'ffmpeg' },
  { check: ['qbittorrent-nox', ['--version']], pkg: 'qbittorrent-nox' },
  // The LSD tests multicast inside a network namespace of their own (ip netns).
  { check: ['ip', ['-V']], pkg: 'iproute2' },
];

function present({ check: [cmd, args] }) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

if (forTests) {
  const missing = debianTools.filter((t) => !present(t));
  if (missing.length > 0) {
    const pkgs = missing.map((t) => t.pkg);
    if (process.getuid && process.getuid() === 0) {
      console.error(`ensure-deps: installing Debian packages: ${pkgs.join(' ')}`);
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', ...pkgs], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } else {
      const line = `ensure-deps: missing Debian packages ${pkgs.join(' ')}; install them with: sudo apt-get install ${pkgs.join(' ')}`;
      if (process.env.CI === 'true') {
        console.error(line);
        process.exit(1);
      }
      console.error(`${line} (the tests that need them will fail)`);
    }
  }
}
