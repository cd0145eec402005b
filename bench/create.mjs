// Torrent creation speed: Sluice against mktorrent on the same 1 GiB file, same piece length, in
// the same run. The file is made once in bench/.work/ and read fully before every timed run, so
// both tools hash from the page cache. Needs the built sidecar (`npm run bench` builds it).
// Usage: node bench/create.mjs [runs]
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bencode from 'bencode';
import { autoPieceLength } from '../build/src/core/create/piece-length.js';
import { createTorrentFromPath } from '../build/sidecar/src/create/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work');
const FILE = join(work, '1gib.bin');
const SIZE = 1 << 30;
const MIB = SIZE / (1 << 20);
const RUNS = Number(process.argv[2] ?? 3);
const CLI = join(root, 'sidecar', 'bin', 'sluice.js');
const CLI_HAS_CREATE = existsSync(join(root, 'build', 'sidecar', 'src', 'cli', 'commands', 'create.js'));

function makeFile() {
  if (existsSync(FILE) && statSync(FILE).size === SIZE) return;
  mkdirSync(work, { recursive: true });
  console.log('making bench/.work/1gib.bin (once)…');
  const chunk = new Uint8Array(16 << 20);
  const fd = openSync(FILE, 'w');
  for (let done = 0; done < SIZE; done += chunk.length) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
}

function warmPageCache() {
  const fd = openSync(FILE, 'r');
  const buf = new Uint8Array(16 << 20);
  while (readSync(fd, buf) > 0);
  closeSync(fd);
}

function infoHash(torrentPath) {
  const decoded = bencode.decode(readFileSync(torrentPath));
  return createHash('sha1').update(bencode.encode(decoded.info)).digest('hex');
}

/**
 * The tools' environment: ours less NODE_EXTRA_CA_CERTS, as in bench/download.mjs. This sandbox points it at
 * the system CA bundle, and every Node process then parses ~140 certificates as it starts (~40 ms) for TLS
 * that creating a torrent never uses; mktorrent never reads it. KEEP_CA_CERTS=1 keeps it.
 */
const TOOL_ENV = { ...process.env };
if (!process.env.KEEP_CA_CERTS) delete TOOL_ENV.NODE_EXTRA_CA_CERTS;

function runTool(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: TOOL_ENV });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

makeFile();
const pieceLength = autoPieceLength(SIZE);
const exponent = Math.log2(pieceLength);
const outputs = { sluice: join(work, 'sluice.torrent'), api: join(work, 'sluice-api.torrent'), mktorrent: join(work, 'mktorrent.torrent') };

const contenders = {
  // The CLI as people run it: process start, walk, read, hash on the worker pool, write.
  sluice: () => {
    if (!CLI_HAS_CREATE) throw new Error('sluice create is missing from the built CLI');
    runTool(process.execPath, [CLI, 'create', FILE, '-o', outputs.sluice, '--piece-length', String(pieceLength)]);
  },
  // The same work in this process (no process start): shows what the CLI itself adds.
  'sluice (in-process)': () => createTorrentFromPath(FILE, { pieceLength }),
  mktorrent: () => runTool('mktorrent', ['-l', String(exponent), '-a', 'http://127.0.0.1:1/announce', '-o', outputs.mktorrent, FILE]),
};

const seconds = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
const hashes = { sluice: null, api: null, mktorrent: null };
const loadBefore = loadavg()[0];
for (let run = 0; run < RUNS; run++) {
  // Alternate the order every run, so a load change on a shared machine does not favour one tool.
  const order = Object.entries(contenders);
  if (run % 2 === 1) order.reverse();
  for (const [name, go] of order) {
    for (const out of Object.values(outputs)) rmSync(out, { force: true });
    warmPageCache();
    const start = performance.now();
    const result = await go();
    seconds[name].push((performance.now() - start) / 1000);
    if (name === 'sluice (in-process)') hashes.api = Buffer.from(result.infoHash).toString('hex');
    if (name === 'sluice') hashes.sluice = infoHash(outputs.sluice);
    if (name === 'mktorrent') hashes.mktorrent = infoHash(outputs.mktorrent);
  }
}

const rate = (name) => MIB / median(seconds[name]);
const best = (name) => MIB / Math.min(...seconds[name]);
console.log(`\ncreate: 1 GiB file, piece length ${pieceLength / 1024} KiB (2^${exponent}), ${RUNS} runs each, ${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
console.log('tool                  median MiB/s   best MiB/s');
for (const name of Object.keys(contenders)) {
  console.log(`${name.padEnd(22)}${rate(name).toFixed(0).padStart(13)}${best(name).toFixed(0).padStart(13)}`);
}
console.log(`Sluice/mktorrent (median): ${(rate('sluice') / rate('mktorrent')).toFixed(2)}x   in-process/mktorrent: ${(rate('sluice (in-process)') / rate('mktorrent')).toFixed(2)}x`);
const same = hashes.sluice === hashes.mktorrent && hashes.api === hashes.mktorrent;
console.log(`info hash: ${hashes.mktorrent} (${same ? 'same from all three' : `DIFFERENT: cli ${hashes.sluice}, in-process ${hashes.api}`})`);
if (!same) process.exitCode = 1;
