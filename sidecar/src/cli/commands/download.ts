import { commandSpec, shortUsage } from '../command-specs.js';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { splitHostPort } from '../../../../src/core/engine/address.js';
import type { TorrentSource } from '../../../../src/core/engine/session.js';
import { startNodeSession } from '../../engine/node-session.js';
import { defaultStateDir } from '../../engine/state-dir.js';
import { flagValue, flagValues, hasFlag, integerFlag, parseArgs, UsageError } from '../args.js';
import { readMetainfoFile } from '../read-input.js';
import { swarmOptions } from '../swarm-options.js';
import type { CliIo } from '../run.js';
import { runUntil } from '../session-runner.js';
import { parseSelection, selectionPriorities } from '../file-selection.js';
import type { Priority } from '../../../../src/core/api/types.js';
import type { Metainfo } from '../../../../src/core/metainfo/model.js';
import { parseMagnet } from '../../../../src/core/magnet/index.js';
import { withCheckBar } from '../check-bar.js';
import { StatusReporter } from '../status-reporter.js';
import { EventLog } from '../event-log.js';

const SPEC = commandSpec('download');
const DOWNLOAD_USAGE = shortUsage(SPEC);

/** A .torrent path, a magnet link, or a bare info hash (40 or 64 hex digits, 32 base32 characters). */
export async function torrentSource(target: string, cwd: string): Promise<TorrentSource> {
  if (target.startsWith('magnet:')) return { magnet: target };
  if (/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[A-Za-z2-7]{32})$/.test(target)) return { infoHash: target };
  // Parsed here, so a file that is not a torrent is one line naming it, before any port or DHT is opened.
  return { metainfo: await readMetainfoFile(resolve(cwd, target)) };
}

export function checkPeers(peers: readonly string[]): string[] {
  for (const p of peers) if (!splitHostPort(p)) throw new UsageError(`--peer '${p}' is not HOST:PORT (use [v6]:PORT for IPv6)`);
  return [...peers];
}


export function checkTrackers(urls: readonly string[]): string[] {
  for (const u of urls) {
    let scheme = '';
    try {
      scheme = new URL(u).protocol;
    } catch {
      throw new UsageError(`--tracker '${u}' is not a URL`);
    }
    if (!['http:', 'https:', 'udp:', 'ws:', 'wss:'].includes(scheme)) throw new UsageError(`--tracker '${u}' must use http, https, udp, ws or wss`);
  }
  return [...urls];
}

export async function downloadCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError(`missing the torrent, magnet link or info hash (usage: ${DOWNLOAD_USAGE})`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (usage: ${DOWNLOAD_USAGE})`);
  const peers = checkPeers(flagValues(args, 'peer'));
  const trackers = checkTrackers(flagValues(args, 'tracker'));
  const swarm = swarmOptions(args);
  const port = integerFlag(args, 'port', 0, 65535) ?? 0;
  const selectText = flagValue(args, 'select');
  const selection = selectText === undefined ? null : parseSelection(selectText);
  const source = await torrentSource(target, io.cwd);
  let filePriorities: Priority[] | undefined;
  // Known files: check the selection now, and the storage never creates the files left out.
  if (selection && 'metainfo' in source) filePriorities = selectionPriorities(source.metainfo, selection);
  const out = resolve(io.cwd, flagValue(args, 'out') ?? '.');
  const stateDir = resolve(io.cwd, flagValue(args, 'state') ?? defaultStateDir());
  await mkdir(out, { recursive: true });
  const reporter = new StatusReporter(io, hasFlag(args, 'json'));
  const log = EventLog.fromArgs(args, io.cwd, reporter);

  const node = await startNodeSession({ downloadDir: out, stateDir, port, ...swarm });
  log.follow(node.session);
  let torrent;
  try {
    torrent = await withCheckBar(node.session, io.stderr, () =>
      node.session.addTorrent(source, {
        peers,
        trackers,
        sequential: hasFlag(args, 'sequential'),
        ...(filePriorities ? { filePriorities } : {}),
        // A magnet's files are known once its metadata arrives: the selection applies then, before anything is stored.
        ...(selection && !filePriorities ? { filePrioritiesFor: (meta: Metainfo) => selectionPriorities(meta, selection) } : {}),
      }),
    );
  } catch (err) {
    await node.close(500);
    log.close();
    throw err;
  }
  reporter.say(`Downloading ${torrent.name} into ${out} (port ${node.port})`);
  const magnetPeers = 'magnet' in source && parseMagnet(source.magnet).peers.length > 0;
  if (peers.length === 0 && !magnetPeers && torrent.trackers().length === 0 && !swarm.dht && !swarm.lsd) {
    reporter.warn(`no trackers, DHT, LSD or --peer to find peers with: waiting for peers to connect to port ${node.port}`);
  }
  const seed = hasFlag(args, 'seed');
  const outcome = await runUntil(node, torrent, reporter, () => !seed && torrent.status().state === 'seeding');
  // Events of the shutdown are in; none may follow the last status line.
  log.close();
  const status = torrent.status();
  if (outcome === 'failed') {
    reporter.clear();
    io.stderr.write(`sluice: ${status.error?.message ?? 'the download failed'}\n`);
    // A --select that the metadata shows to be wrong is the user's mistake, like any other bad argument.
    return status.error?.code === 'cli/usage' ? 2 : 1;
  }
  if (outcome === 'finished') {
    if (reporter.json) reporter.line({ infoHash: status.infoHash, name: status.name, state: 'done', progress: 1, downloadRate: 0, uploadRate: 0, peers: 0, downloaded: status.downloaded, uploaded: status.uploaded });
    else {
      reporter.clear();
      io.stdout.write(`Done: ${status.name} is complete in ${out}\n`);
    }
    return 0;
  }
  reporter.clear();
  if (!reporter.json) io.stdout.write(`Stopped at ${(status.progress * 100).toFixed(1)}%; run the same command again to resume.\n`);
  return 0;
}
