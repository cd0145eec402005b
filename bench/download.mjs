// Download speed on loopback: one 1 GiB file seeded by libtorrent (seed_mode, TCP only), downloaded
// in turn by Sluice's CLI, a libtorrent downloader and webtorrent in Node, in the same run. For each:
// wall time from spawn to "complete" (MiB/s), CPU seconds of the downloader process per GiB, its
// peak RSS, the seeder's CPU, and a SHA-1 of the file it wrote (a broken run is not a fast run).
// Then Sluice alone on a 64 MiB file, to see whether its memory stays flat as the torrent grows.
// Before every run: sync + drop the page cache, then read the source file once, so the seeder
// serves from memory and no earlier run's writes are pending. A run whose libtorrent (seeder or
// downloader) died of a signal is retried and reported. Needs the built sidecar (`npm run bench`).
// Usage: node bench/download.mjs [rounds=3] [--profile DIR] [--only NAME] [--cli A,B,...] [--small]
//   --profile: Sluice runs with --cpu-prof into DIR; --only: just that downloader (no ratios, no 64 MiB run)
//   --cli: A/B runs of several Sluice builds (paths to their bin/sluice.js, e.g. from `git archive`
//   trees in /tmp), alternated within each round; implies --only. An entry may carry node options after
//   '|' (e.g. `build/sluice/sluice.mjs|--max-semi-space-size=4`). --small: the 64 MiB file instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTorrentFromPath } from '../build/sidecar/src/create/index.js';
import { cachedSha1, dropCaches, ensureRandomFile, median, MIB, ROOT, sha1File, warm, WORK } from './lib/work.mjs';

const PY = '/usr/bin/python3';
const LIB = join(ROOT, 'bench', 'lib');
const CLI = join(ROOT, 'sidecar', 'bin', 'sluice.js');
const GIB = 1024 * MIB;
const PIECE_LENGTH = MIB;
const RUN_TIMEOUT_MS = 10 * 60_000;
const MAX_ATTEMPTS = 3;

const argv = process.argv.slice(2);
const profileAt = argv.indexOf('--profile');
const PROFILE_DIR = profileAt === -1 ? null : argv.splice(profileAt, 2)[1];
const onlyAt = argv.indexOf('--only');
const ONLY = onlyAt === -1 ? null : argv.splice(onlyAt, 2)[1];
const cliAt = argv.indexOf('--cli');
const CLIS = cliAt === -1 ? null : argv.splice(cliAt, 2)[1].split(',');
const smallAt = argv.indexOf('--small');
const SMALL = smallAt !== -1 && argv.splice(smallAt, 1).length > 0;
const ROUNDS = Math.max(1, Number(argv[0] ?? 3));

function sluiceAt(cli) {
  return {
    command: (torrent, out, port) => {
      const state = mkdtempSync(join(tmpdir(), 'sluice-bench-state-'));
      const prof = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
      const [path, ...nodeArgs] = cli.split('|');
      return [process.execPath, ...prof, ...nodeArgs, path, 'download', torrent, '--peer', `127.0.0.1:${port}`, '--out', out, '--no-dht', '--json', '--state', state];
    },
    // The first status line once every piece is verified and written ("seeding"), or the final "done".
    complete: (line) => /"state":"(seeding|done)"/.test(line),
  };
}

/** How each downloader is started, and how its stdout says it is complete. */
const contenders = {
  sluice: sluiceAt(CLI),
  libtorrent: {
    command: (torrent, out, port) => [PY, join(LIB, 'lt_download.py'), torrent, out, String(port)],
    complete: (line) => line.includes('"done": true'),
  },
  webtorrent: {
    command: (torrent, out, port) => [process.execPath, join(LIB, 'wt-download.mjs'), torrent, out, String(port)],
    complete: (line) => line.includes('"done":true'),
  },
};

if (CLIS) {
  for (const k of Object.keys(contenders)) delete contenders[k];
  CLIS.forEach((cli, i) => (contenders[`sluice${String.fromCharCode(65 + i)}`] = sluiceAt(cli)));
}

/**
 * The downloaders' environment: ours, less NODE_EXTRA_CA_CERTS. Some machines (this VM's sandbox among
 * them) point it at the system CA bundle, and every Node process then parses ~140 certificates as it
 * starts, ~40 ms of CPU before any code of its own runs, for TLS that a loopback download never uses.
 * It weighed on Sluice and webtorrent alike; libtorrent's Python never reads it. KEEP_CA_CERTS=1 keeps it.
 */
const DOWNLOADER_ENV = { ...process.env };
if (!process.env.KEEP_CA_CERTS) delete DOWNLOADER_ENV.NODE_EXTRA_CA_CERTS;
// Local Service Discovery off, as it is for the libtorrent contenders.
DOWNLOADER_ENV.SLUICE_LSD = '0';

function lines(stream, onLine) {
  createInterface({ input: stream }).on('line', onLine);
}

function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function startSeeder(torrent) {
  const child = spawn(PY, [join(LIB, 'lt_seed.py'), torrent, WORK], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const messages = [];
  let gotPort;
  const port = new Promise((resolve) => (gotPort = resolve));
  lines(child.stdout, (line) => {
    const m = JSON.parse(line);
    messages.push(m);
    if (m.port) gotPort(m.port);
  });
  const ended = exited(child);
  const first = await Promise.race([port, ended.then(() => null)]);
  if (first === null) throw new Error(`the libtorrent seeder did not start: ${stderr.trim()}`);
  return {
    port: first,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const how = await ended;
      clearTimeout(timer);
      const final = messages.find((m) => m.cpu !== undefined);
      return { ...how, cpu: final?.cpu ?? null, uploaded: final?.uploaded ?? null, stderr };
    },
  };
}

/** One download by one contender, with the seeder started fresh; retried when libtorrent crashes. */
async function measure(name, file, torrent, notes) {
  const size = statSync(file).size;
  const expected = cachedSha1(file);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const out = join(WORK, `out-${name}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    if (!dropCaches()) notes.add('could not drop the page cache (not root?): runs only warm the source file');
    warm(file);
    const seeder = await startSeeder(torrent);
    const resultPath = join(WORK, `measure-${name}.json`);
    rmSync(resultPath, { force: true });
    const contender = contenders[name];
    const start = performance.now();
    const child = spawn(PY, [join(LIB, 'measure.py'), resultPath, ...contender.command(torrent, out, seeder.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: DOWNLOADER_ENV,
    });
    let doneAt = null;
    let stderr = '';
    let lastLine = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    lines(child.stdout, (line) => {
      lastLine = line;
      if (doneAt === null && contender.complete(line)) doneAt = performance.now();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    const how = await exited(child);
    clearTimeout(timer);
    const seed = await seeder.stop();
    const seederCrashed = seed.signal !== null || (seed.code !== 0 && seed.code !== null);
    const result = existsSync(resultPath) ? JSON.parse(readFileSync(resultPath, 'utf8')) : null;
    const downloaderCrashed = result !== null && result.exitCode < 0;
    if (seederCrashed || (downloaderCrashed && name === 'libtorrent')) {
      const who = seederCrashed ? `the libtorrent seeder (${seed.signal ?? `exit ${seed.code}`})` : `the libtorrent downloader (signal ${-result.exitCode})`;
      notes.add(`${name}, attempt ${attempt}: ${who} crashed; run retried`);
      continue;
    }
    if (how.code !== 0 || doneAt === null || result === null) {
      throw new Error(`${name} failed (exit ${how.code ?? how.signal}); last line: ${lastLine}\n${stderr.trim()}`);
    }
    const written = join(out, 'bench-' + size + '.bin');
    const got = existsSync(written) ? statSync(written).size : -1;
    const sha1 = got === size ? sha1File(written) : null;
    if (sha1 !== expected) throw new Error(`${name} wrote a wrong file: size ${got} (want ${size}), sha1 ${sha1} (want ${expected})`);
    rmSync(out, { recursive: true, force: true });
    return {
      seconds: (doneAt - start) / 1000,
      cpu: result.cpu,
      user: result.user,
      system: result.system,
      rssMiB: result.maxRssKiB / 1024,
      anonMiB: result.peakAnonKiB / 1024,
      seederCpu: seed.cpu,
      attempts: attempt,
    };
  }
  throw new Error(`${name}: libtorrent crashed ${MAX_ATTEMPTS} times in a row`);
}

async function makeTorrent(file) {
  const path = `${file}.torrent`;
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(file).mtimeMs) {
    const created = await createTorrentFromPath(file, { pieceLength: PIECE_LENGTH });
    writeFileSync(path, created.torrent);
  }
  return path;
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

// The files are named after their size so every client writes OUT/<name>.
const big = ensureRandomFile(`bench-${GIB}.bin`, GIB);
const small = ensureRandomFile(`bench-${64 * MIB}.bin`, 64 * MIB);
const bigTorrent = await makeTorrent(big);
const smallTorrent = await makeTorrent(small);
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });

const notes = new Set();
if (process.env.NODE_EXTRA_CA_CERTS && !process.env.KEEP_CA_CERTS) notes.add('NODE_EXTRA_CA_CERTS was set: removed for the downloaders (KEEP_CA_CERTS=1 keeps it)');
const names = Object.keys(contenders).filter((n) => CLIS !== null || ONLY === null || n === ONLY);
const runs = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no contender always goes first after the cache drop.
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length];
    const r = await measure(name, SMALL ? small : big, SMALL ? smallTorrent : bigTorrent, notes);
    runs[name].push(r);
    console.log(
      `round ${round + 1} ${name.padEnd(10)} ${fmt((SMALL ? 64 : 1024) / r.seconds)} MiB/s  ${fmt(r.seconds, 2)} s  cpu ${fmt(r.cpu, 2)} s (${fmt(r.user, 2)}+${fmt(r.system, 2)})  rss ${fmt(r.rssMiB)} MiB` +
        `  load ${loadavg()[0].toFixed(1)}${r.attempts > 1 ? `  (attempt ${r.attempts})` : ''}`,
    );
  }
}
if (ONLY !== null || CLIS !== null) {
  for (const n of names) console.log(`${n.padEnd(10)} median cpu ${fmt(median(runs[n].map((r) => r.cpu)), 2)} s  ${fmt(1024 / median(runs[n].map((r) => r.seconds)) / (SMALL ? 16 : 1))} MiB/s  rss max ${fmt(Math.max(...runs[n].map((r) => r.rssMiB)))} MiB`);
  for (const n of notes) console.log(`note: ${n}`);
  process.exit(0);
}
const smallRun = await measure('sluice', small, smallTorrent, notes);

const summary = Object.fromEntries(
  names.map((n) => {
    const rs = runs[n];
    const gib = GIB / GIB;
    return [
      n,
      {
        rate: 1024 / median(rs.map((r) => r.seconds)),
        seconds: median(rs.map((r) => r.seconds)),
        cpuPerGiB: median(rs.map((r) => r.cpu)) / gib,
        userPerGiB: median(rs.map((r) => r.user)) / gib,
        systemPerGiB: median(rs.map((r) => r.system)) / gib,
        rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
        anonMiB: Math.max(...rs.map((r) => r.anonMiB)),
        seederCpuPerGiB: median(rs.map((r) => r.seederCpu)) / gib,
      },
    ];
  }),
);

console.log(`\ndownload: 1 GiB, piece length ${PIECE_LENGTH / MIB} MiB, loopback TCP from a libtorrent 2.0.8 seed_mode seeder; ${ROUNDS} round(s), medians (peak RSS: max)`);
console.log('page cache: sync + drop_caches=3, then the source file read once, before every run');
console.log(`machine: ${cpus().length} cores; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (seeder and downloader share these cores)`);
console.log('downloader     MiB/s   wall s  CPU s/GiB (user+sys)  peak RSS MiB  peak anon MiB  seeder CPU s/GiB');
for (const n of names) {
  const s = summary[n];
  console.log(
    `${n.padEnd(12)}${fmt(s.rate).padStart(8)}${fmt(s.seconds, 2).padStart(9)}${`${fmt(s.cpuPerGiB, 2)} (${fmt(s.userPerGiB, 2)}+${fmt(s.systemPerGiB, 2)})`.padStart(22)}` +
      `${fmt(s.rssMiB).padStart(14)}${fmt(s.anonMiB).padStart(15)}${fmt(s.seederCpuPerGiB, 2).padStart(18)}`,
  );
}
const S = summary.sluice;
const L = summary.libtorrent;
const W = summary.webtorrent;
const mark = (ok) => (ok ? 'met' : 'NOT met');
console.log(`\nSluice/libtorrent throughput: ${fmt(S.rate / L.rate, 3)}x (target ≥ 1.25x: ${mark(S.rate / L.rate >= 1.25)})`);
console.log(`Sluice CPU: ${fmt(S.cpuPerGiB, 2)} s/GiB (target ≤ 2: ${mark(S.cpuPerGiB <= 2)}); libtorrent ${fmt(L.cpuPerGiB, 2)}, Sluice/libtorrent ${fmt(S.cpuPerGiB / L.cpuPerGiB, 2)}x`);
console.log(`Sluice peak RSS: ${fmt(S.rssMiB)} MiB (target ≤ 120 MiB: ${mark(S.rssMiB <= 120)}); libtorrent ${fmt(L.rssMiB)} MiB (${fmt(L.anonMiB)} MiB anonymous; the rest is its mmap'ed file)`);
console.log(`Sluice/webtorrent: throughput ${fmt(S.rate / W.rate, 2)}x, CPU ${fmt(S.cpuPerGiB / W.cpuPerGiB, 2)}x, peak RSS ${fmt(S.rssMiB / W.rssMiB, 2)}x`);
console.log(`memory flatness: Sluice peak RSS 64 MiB download ${fmt(smallRun.rssMiB)} MiB (anon ${fmt(smallRun.anonMiB)}), 1 GiB download ${fmt(S.rssMiB)} MiB (anon ${fmt(S.anonMiB)}); ratio ${fmt(S.rssMiB / smallRun.rssMiB, 2)}x`);
console.log(`  (64 MiB run: ${fmt(64 / smallRun.seconds)} MiB/s, CPU ${fmt(smallRun.cpu, 2)} s)`);
// What the machine charges any writer for 1 GiB of new page cache, whatever client it is: on this VM
// (DAMON proactive reclaim, virtio-balloon) pages freed a few seconds earlier come back at a price in
// system time. dd, no BitTorrent: a floor under every downloader's system time in this run.
{
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 5000));
  const floorFile = join(WORK, 'page-cache-floor.bin');
  const floorResult = join(WORK, 'measure-floor.json');
  spawnSync(PY, [join(LIB, 'measure.py'), floorResult, 'dd', 'if=/dev/zero', `of=${floorFile}`, 'bs=1M', 'count=1024'], { stdio: 'ignore' });
  const floor = JSON.parse(readFileSync(floorResult, 'utf8'));
  rmSync(floorFile, { force: true });
  console.log(`page-cache floor: dd writing 1 GiB into new page cache took ${fmt(floor.cpu, 2)} CPU s (${fmt(floor.user ?? 0, 2)} user + ${fmt(floor.system ?? floor.cpu, 2)} system)`);
}
for (const n of notes) console.log(`note: ${n}`);
if (!notes.size) console.log('note: no libtorrent crash in this run');
