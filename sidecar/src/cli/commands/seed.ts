import { commandSpec, shortUsage } from '../command-specs.js';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { magnetFromMetainfo } from '../../../../src/core/magnet/index.js';
import { parseMetainfo } from '../../../../src/core/metainfo/index.js';
import type { Metainfo } from '../../../../src/core/metainfo/model.js';
import { encodeResume, RESUME_VERSION, type ResumeData } from '../../../../src/core/resume/index.js';
import { Bitfield } from '../../../../src/core/util/bitfield.js';
import { toHex } from '../../../../src/core/util/hex.js';
import { createTorrentFromPath } from '../../create/index.js';
import { startNodeSession } from '../../engine/node-session.js';
import { resumeFiles } from '../../engine/resume-files.js';
import { defaultStateDir } from '../../engine/state-dir.js';
import { nodeHasher } from '../../hash/node-hasher.js';
import { fsStorage } from '../../storage/fs-store.js';
import { flagValue, flagValues, hasFlag, integerFlag, parseArgs, UsageError } from '../args.js';
import { ProgressBar } from '../progress.js';
import { describeFsError, InputError, readMetainfoFile } from '../read-input.js';
import type { CliIo } from '../run.js';
import { runUntil } from '../session-runner.js';
import { withCheckBar } from '../check-bar.js';
import { StatusReporter } from '../status-reporter.js';
import { EventLog } from '../event-log.js';
import { checkPeers, checkTrackers } from './download.js';
import { swarmOptions } from '../swarm-options.js';

const SPEC = commandSpec('seed');
const SEED_USAGE = shortUsage(SPEC);

/**
 * A torrent we just made from these very files: record every piece as had, with the files' current
 * sizes and times, so the session trusts it (as libtorrent's seed mode) instead of hashing it twice.
 */
async function trustFreshTorrent(meta: Metainfo, dataDir: string, stateDir: string): Promise<void> {
  const key = toHex(meta.infoHash ?? meta.infoHashV2!.subarray(0, 20));
  const store = await fsStorage({ directory: dataDir }).open(meta, { id: key });
  const files = await store.fileStates();
  await store.close();
  const have = Bitfield.full(meta.pieceCount);
  const resume: ResumeData = {
    version: RESUME_VERSION,
    infoHash: key,
    pieceCount: meta.pieceCount,
    location: store.location,
    have: have.toWire(),
    files,
    peers: [],
    filePriorities: meta.files.map(() => 4),
    sequential: false,
    savedAt: Date.now(),
  };
  await resumeFiles(stateDir).save(key, encodeResume(resume));
}

export async function seedCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC.options, SPEC.name);
  const [target, extra] = args.positionals;
  if (target === undefined) throw new UsageError(`missing the file, folder or .torrent to seed (usage: ${SEED_USAGE})`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (usage: ${SEED_USAGE})`);
  const trackers = checkTrackers(flagValues(args, 'tracker'));
  const peers = checkPeers(flagValues(args, 'peer'));
  const swarm = swarmOptions(args);
  const port = integerFlag(args, 'port', 0, 65535) ?? 0;
  const stateDir = resolve(io.cwd, flagValue(args, 'state') ?? defaultStateDir());
  const path = resolve(io.cwd, target);
  const info = await stat(path).catch((err: unknown) => {
    throw new InputError(`cannot read '${path}': ${describeFsError(err)}`);
  });
  const reporter = new StatusReporter(io, hasFlag(args, 'json'));
  const log = EventLog.fromArgs(args, io.cwd, reporter);

  let meta: Metainfo;
  let dataDir: string;
  if (info.isFile() && path.endsWith('.torrent')) {
    meta = await readMetainfoFile(path);
    dataDir = resolve(io.cwd, flagValue(args, 'data') ?? '.');
  } else {
    if (flagValue(args, 'data') !== undefined) throw new UsageError('--data applies to seeding a .torrent; the data of a path is the path itself');
    const bar = new ProgressBar(io.stderr, 'Hashing');
    const created = await createTorrentFromPath(path, {
      announce: trackers.map((t) => [t]),
      creationDate: Math.floor(Date.now() / 1000),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    meta = await parseMetainfo(created.torrent, nodeHasher);
    dataDir = dirname(path);
    if (basename(path) !== meta.name) throw new InputError(`unexpected torrent name '${meta.name}' for '${path}'`);
    await trustFreshTorrent(meta, dataDir, stateDir);
  }

  const node = await startNodeSession({ downloadDir: dataDir, stateDir, port, ...swarm });
  log.follow(node.session);
  let torrent;
  try {
    torrent = await withCheckBar(node.session, io.stderr, () => node.session.addTorrent({ metainfo: meta }, { trackers, peers }));
  } catch (err) {
    await node.close(500);
    log.close();
    throw err;
  }
  const magnet = magnetFromMetainfo({ ...meta, announce: [...meta.announce, ...trackers.map((t) => [t])] });
  const infoHash = torrent.infoHashHex;
  if (reporter.json) reporter.line({ infoHash, magnet, port: node.port });
  else io.stdout.write(`Seeding ${meta.name}\nInfo hash: ${infoHash}\nMagnet:    ${magnet}\nPort:      ${node.port}\n`);
  const status = torrent.status();
  if (status.state !== 'seeding' && status.state !== 'error') {
    reporter.say(`Note: only ${(status.progress * 100).toFixed(1)}% of the data in ${dataDir} matches the torrent; seeding what is there.`);
  }
  const outcome = await runUntil(node, torrent, reporter, () => false);
  log.close();
  if (outcome === 'failed') {
    reporter.clear();
    io.stderr.write(`sluice: ${torrent.status().error?.message ?? 'seeding failed'}\n`);
    return 1;
  }
  reporter.clear();
  return 0;
}
