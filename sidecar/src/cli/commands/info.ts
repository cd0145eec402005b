import { commandSpec, shortUsage } from '../command-specs.js';
import type { Metainfo } from '../../../../src/core/metainfo/model.js';
import { parseMagnet, type MagnetLink } from '../../../../src/core/magnet/index.js';
import { toHex } from '../../../../src/core/util/hex.js';
import { hasFlag, parseArgs, UsageError } from '../args.js';
import { formatBytes } from '../format.js';
import { readMetainfoFile } from '../read-input.js';
import type { CliIo } from '../run.js';

const SPEC = commandSpec('info');
const INFO_USAGE = shortUsage(SPEC);

export async function infoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError(`missing the torrent file or magnet link (usage: ${INFO_USAGE})`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (usage: ${INFO_USAGE})`);
  const json = hasFlag(args, 'json');

  if (target.startsWith('magnet:')) {
    const link = parseMagnet(target);
    io.stdout.write(json ? `${JSON.stringify(magnetJson(link))}\n` : magnetSummary(link));
    return 0;
  }
  const { resolve } = await import('node:path');
  const metainfo = await readMetainfoFile(resolve(io.cwd, target));
  io.stdout.write(json ? `${JSON.stringify(metainfoJson(metainfo))}\n` : metainfoSummary(metainfo));
  return 0;
}

/** The v1 hash, or for a v2-only torrent the SHA-256 truncated to 20 bytes (what v2-aware peers use on the wire). */
function v1OrTruncated(v1: Uint8Array | null, v2: Uint8Array | null): string | null {
  if (v1) return toHex(v1);
  return v2 ? toHex(v2.subarray(0, 20)) : null;
}

export function metainfoJson(m: Metainfo) {
  return {
    infoHash: v1OrTruncated(m.infoHash, m.infoHashV2),
    infoHashV2: m.infoHashV2 ? toHex(m.infoHashV2) : null,
    name: m.name,
    length: m.length,
    pieceLength: m.pieceLength,
    pieces: m.pieceCount,
    private: m.private,
    files: m.files.filter((f) => !f.padding).map((f) => ({ path: f.path.join('/'), length: f.length, offset: f.offset })),
    announce: m.announce.flat(),
    urlList: [...m.urlList],
  };
}

export function magnetJson(link: MagnetLink) {
  return {
    infoHash: v1OrTruncated(link.infoHash, link.infoHashV2),
    infoHashV2: link.infoHashV2 ? toHex(link.infoHashV2) : null,
    ...(link.name !== null ? { name: link.name } : {}),
    announce: [...link.trackers],
    urlList: [...link.webSeeds],
  };
}

function row(label: string, value: string): string {
  return `${`${label}:`.padEnd(14)}${value}\n`;
}

function metainfoSummary(m: Metainfo): string {
  const files = m.files.filter((f) => !f.padding);
  let out = row('Name', m.name);
  if (m.infoHash) out += row('Info hash', toHex(m.infoHash));
  if (m.infoHashV2) out += row('Info hash v2', toHex(m.infoHashV2));
  out += row('Version', m.version === 'hybrid' ? 'hybrid (v1 + v2)' : m.version);
  out += row('Size', `${formatBytes(m.length)} (${m.length} bytes) in ${files.length} file${files.length === 1 ? '' : 's'}`);
  out += row('Pieces', `${m.pieceCount} x ${formatBytes(m.pieceLength)}`);
  out += row('Private', m.private ? 'yes' : 'no');
  if (m.creationDate !== undefined) out += row('Created', new Date(m.creationDate * 1000).toISOString());
  if (m.createdBy !== undefined) out += row('Created by', m.createdBy);
  if (m.comment !== undefined) out += row('Comment', m.comment);
  m.announce.forEach((tier, i) => (out += row(i === 0 ? 'Trackers' : '', `tier ${i + 1}: ${tier.join(', ')}`)));
  if (m.urlList.length > 0) out += row('Web seeds', m.urlList.join(', '));
  out += 'Files:\n';
  // Numbered from 1 as `sluice download --select` takes them.
  const width = String(files.length).length;
  files.forEach((f, i) => (out += `  ${String(i + 1).padStart(width)}  ${formatBytes(f.length).padStart(10)}  ${f.path.join('/')}\n`));
  return out;
}

function magnetSummary(link: MagnetLink): string {
  let out = '';
  if (link.name !== null) out += row('Name', link.name);
  if (link.infoHash) out += row('Info hash', toHex(link.infoHash));
  if (link.infoHashV2) out += row('Info hash v2', toHex(link.infoHashV2));
  if (link.trackers.length > 0) out += row('Trackers', link.trackers.join(', '));
  if (link.webSeeds.length > 0) out += row('Web seeds', link.webSeeds.join(', '));
  if (link.peers.length > 0) out += row('Peers', link.peers.map((p) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`)).join(', '));
  out += '(a magnet link carries no file list: the metadata comes from peers)\n';
  return out;
}
