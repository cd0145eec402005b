import { commandSpec, shortUsage } from '../command-specs.js';
import { access, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { toHex } from '../../../../src/core/util/hex.js';
import { createTorrentFromPath } from '../../create/index.js';
import { flagValue, flagValues, hasFlag, parseArgs, UsageError } from '../args.js';
import { ProgressBar } from '../progress.js';
import { describeFsError, InputError } from '../read-input.js';
import type { CliIo } from '../run.js';

const SPEC = commandSpec('create');
const CREATE_USAGE = shortUsage(SPEC);

const MIN_PIECE = 16 * 1024;
const MAX_PIECE = 16 * 1024 * 1024;

/** Accepts bytes or a K/M suffix (`262144`, `256K`, `1M`); must be a power of two from 16 KiB to 16 MiB. */
export function parsePieceLength(text: string): number {
  const m = /^(\d+)([kKmM]i?[bB]?)?$/.exec(text);
  if (!m) throw new UsageError(`--piece-length must be a number of bytes such as 262144 or 256K, got '${text}'`);
  const unit = (m[2] ?? '').toLowerCase().startsWith('k') ? 1024 : (m[2] ?? '').toLowerCase().startsWith('m') ? 1024 * 1024 : 1;
  const n = Number(m[1]) * unit;
  if (n < MIN_PIECE || n > MAX_PIECE || (n & (n - 1)) !== 0) {
    throw new UsageError(`--piece-length must be a power of two from 16K to 16M, got ${n}`);
  }
  return n;
}

function checkUrl(flag: string, text: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag} '${text}' is not a URL`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new UsageError(`--${flag} '${text}' must use ${schemes.map((s) => s.replace(':', '')).join(', ')}`);
  }
  return text;
}

export async function createCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError(`missing the file or folder to share (usage: ${CREATE_USAGE})`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (usage: ${CREATE_USAGE})`);

  // Each --announce is a tier; a comma-separated value puts several trackers in one tier (as mktorrent does).
  const announce = flagValues(args, 'announce').map((tier) =>
    tier.split(',').map((u) => checkUrl('announce', u.trim(), ['http:', 'https:', 'udp:', 'ws:', 'wss:'])),
  );
  const urlList = flagValues(args, 'webseed').map((u) => checkUrl('webseed', u, ['http:', 'https:']));
  const pieceText = flagValue(args, 'piece-length');
  const pieceLength = pieceText === undefined ? undefined : parsePieceLength(pieceText);
  const source = resolve(io.cwd, target);
  const output = resolve(io.cwd, flagValue(args, 'output') ?? `${basename(source)}.torrent`);

  if (!hasFlag(args, 'force')) {
    const exists = await access(output).then(
      () => true,
      () => false,
    );
    if (exists) throw new UsageError(`'${output}' already exists (use --force to overwrite it)`);
  }

  const bar = new ProgressBar(io.stderr, 'Hashing');
  const comment = flagValue(args, 'comment');
  const created = await createTorrentFromPath(source, {
    announce,
    urlList,
    private: hasFlag(args, 'private'),
    hybrid: hasFlag(args, 'hybrid'),
    creationDate: Math.floor(Date.now() / 1000),
    ...(pieceLength !== undefined ? { pieceLength } : {}),
    ...(comment !== undefined ? { comment } : {}),
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.finish();

  try {
    await writeFile(output, created.torrent);
  } catch (err) {
    throw new InputError(`cannot write '${output}': ${describeFsError(err)}`);
  }
  const infoHash = toHex(created.infoHash);
  const infoHashV2 = created.infoHashV2 ? toHex(created.infoHashV2) : null;
  if (hasFlag(args, 'json')) {
    io.stdout.write(`${JSON.stringify({ torrent: output, infoHash, infoHashV2, magnet: created.magnet })}\n`);
  } else {
    let out = `Wrote ${output}\nInfo hash:    ${infoHash}\n`;
    if (infoHashV2) out += `Info hash v2: ${infoHashV2}\n`;
    out += `Magnet:       ${created.magnet}\n`;
    io.stdout.write(out);
  }
  return 0;
}
