import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionSettings } from '../../../src/core/api/types.js';
import type { TorrentListStore, TorrentRecord } from '../../../src/core/persist/torrent-list.js';

/** What marks a file as ours; another format version is foreign (reported and left alone). */
const FORMAT = 'sluice-torrent-record';
const VERSION = 1;
/** A 16 MiB info dictionary in base64 with its piece layers fits; anything larger is not one of ours. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const SUFFIX = '.json';

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Written as temp file + rename, so a crash leaves the old file or the new one, never half of one. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function bytesOf(text: string): Uint8Array {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** The record in a file's text, or why it is not one (one line). */
function parseRecord(text: string, infoHash: string): TorrentRecord | string {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null || v.format !== FORMAT) return `not a ${FORMAT} file`;
  if (v.version !== VERSION) return `${FORMAT} version ${String(v.version)}, not ${VERSION}`;
  if (v.infoHash !== infoHash) return `its info hash is not the one its name says`;
  if (typeof v.addedAt !== 'number' || !Number.isFinite(v.addedAt)) return 'no addedAt';
  if (typeof v.magnet !== 'string' || !v.magnet.startsWith('magnet:?')) return 'no magnet';
  if (v.info !== null && (typeof v.info !== 'string' || !BASE64.test(v.info))) return 'its info is not base64';
  const layers = v.pieceLayers;
  if (!Array.isArray(layers) || !layers.every((l) => Array.isArray(l) && l.length === 2 && typeof l[0] === 'string' && HEX64.test(l[0]) && typeof l[1] === 'string' && BASE64.test(l[1]))) {
    return 'its piece layers are malformed';
  }
  if (!isStrings(v.trackers) || !isStrings(v.urlList)) return 'its trackers or web seeds are malformed';
  if (typeof v.paused !== 'boolean') return 'no paused flag';
  const limits = v.rateLimits as { download?: unknown; upload?: unknown } | undefined;
  if (limits !== undefined && (typeof limits !== 'object' || limits === null || !isRate(limits.download) || !isRate(limits.upload))) return 'its rate limits are malformed';
  return {
    infoHash,
    addedAt: v.addedAt,
    magnet: v.magnet,
    info: v.info === null ? null : bytesOf(v.info as string),
    pieceLayers: (layers as [string, string][]).map(([root, layer]) => [root, bytesOf(layer)] as const),
    trackers: v.trackers,
    urlList: v.urlList,
    paused: v.paused,
    ...(limits ? { rateLimits: { download: limits.download as number, upload: limits.upload as number } } : {}),
  };
}

function textOf(record: TorrentRecord): string {
  const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    infoHash: record.infoHash,
    addedAt: record.addedAt,
    magnet: record.magnet,
    info: record.info ? base64(record.info) : null,
    pieceLayers: record.pieceLayers.map(([root, layer]) => [root, base64(layer)]),
    trackers: record.trackers,
    urlList: record.urlList,
    paused: record.paused,
    ...(record.rateLimits ? { rateLimits: record.rateLimits } : {}),
  });
}

/**
 * `sluice serve`'s torrent list under its state folder: `<state>/torrents/<infohash>.json` (one file
 * a torrent, the info dictionary in base64) and `<state>/settings.json`, each replaced atomically.
 * A file that is corrupt or not ours is reported through `warn` in one line and skipped: the other
 * torrents come back, and serve starts.
 */
export function torrentListFiles(stateDir: string, warn: (line: string) => void): TorrentListStore {
  const dir = join(stateDir, 'torrents');
  const settingsPath = join(stateDir, 'settings.json');
  const pathOf = (infoHash: string) => {
    if (!HEX40.test(infoHash)) throw new RangeError(`'${infoHash}' is not a lower-case hex info hash`);
    return join(dir, `${infoHash}${SUFFIX}`);
  };
  return {
    async torrents() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const records: TorrentRecord[] = [];
      for (const name of names) {
        if (!name.endsWith(SUFFIX)) continue;
        const infoHash = name.slice(0, -SUFFIX.length);
        const path = join(dir, name);
        if (!HEX40.test(infoHash)) {
          warn(`ignoring ${path}: its name is not an info hash`);
          continue;
        }
        try {
          if ((await stat(path)).size > MAX_RECORD_BYTES) {
            warn(`ignoring ${path}: larger than ${MAX_RECORD_BYTES} bytes`);
            continue;
          }
          const parsed = parseRecord(await readFile(path, 'utf8'), infoHash);
          if (typeof parsed === 'string') warn(`ignoring ${path}: ${parsed}`);
          else records.push(parsed);
        } catch (err) {
          warn(`ignoring ${path}: ${(err as Error).message}`);
        }
      }
      return records.sort((a, b) => a.addedAt - b.addedAt);
    },
    async putTorrent(record) {
      const path = pathOf(record.infoHash);
      await mkdir(dir, { recursive: true });
      await writeAtomically(path, textOf(record));
    },
    async removeTorrent(infoHash, withResume) {
      await rm(pathOf(infoHash), { force: true });
      // The resume file's name as resumeFiles (resume-files.ts) writes it.
      if (withResume) await rm(join(stateDir, 'resume', `${infoHash}.resume`), { force: true });
    },
    async settings() {
      let text: string;
      try {
        text = await readFile(settingsPath, 'utf8');
      } catch {
        return {};
      }
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Partial<SessionSettings>;
      } catch {
        // reported below
      }
      warn(`ignoring ${settingsPath}: not a JSON object`);
      return {};
    },
    async saveSettings(settings) {
      await mkdir(stateDir, { recursive: true });
      await writeAtomically(settingsPath, JSON.stringify(settings));
    },
  };
}
