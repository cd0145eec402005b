import type { Alert } from '../api/types.js';
import type { SluiceError } from '../errors.js';
import { pieceSize } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import { PiecePicker } from '../picker/piece-picker.js';
import type { Clock } from '../ports/environment.js';
import type { Hasher } from '../ports/hasher.js';
import type { HttpFetch } from '../ports/http.js';
import type { StorageFactory, TorrentStorage } from '../ports/storage.js';
import type { Bitfield } from '../util/bitfield.js';
import { isWebSeedUrl, WebSeedPeer } from '../webseed/index.js';
import { AvailabilityLedger } from './availability-ledger.js';
import type { ResumeStore } from './context.js';
import { checkTorrentData, loadResumeData } from './data-check.js';
import type { PeerLink } from './peer-link.js';
import type { PiecePriorities } from './piece-priorities.js';
import { PieceVerifier } from './piece-verifier.js';
import { asSluiceError } from './torrent-error.js';

/** What opening the metadata needs: the ports, the priorities to settle, and a way to report. */
export interface MetainfoOpenDeps {
  readonly infoHashHex: string;
  readonly resume: ResumeStore | null;
  readonly storage: StorageFactory;
  readonly hasher: Hasher;
  readonly http: HttpFetch | null;
  readonly clock: Clock;
  random(): number;
  readonly priorities: Pick<PiecePriorities, 'choose' | 'adoptResume' | 'wanted' | 'applyTo'>;
  /** The store is open (before the check, so closing the torrent meanwhile closes it). */
  opened(storage: TorrentStorage, verifier: PieceVerifier): void;
  /** The torrent was removed: stop checking. */
  cancelled(): boolean;
  emit(alert: Alert): void;
}

/** A torrent ready to swarm: what it has, and the units built on that. */
export interface OpenedTorrent {
  readonly have: Bitfield;
  readonly verifiedBytes: number;
  readonly picker: PiecePicker;
  readonly availability: AvailabilityLedger<PeerLink>;
  readonly webSeeds: WebSeedPeer[];
  /** Peers remembered in resume data. */
  readonly resumePeers: readonly string[];
}

/**
 * Opens a torrent whose metadata is known: settles the file priorities (asked, given, or saved), opens
 * the store with the wanted files, checks existing data (trusting usable resume data, docs/engine/storage.md),
 * and builds the picker and availability ledger on what is verified. Returns the error to fail with, or
 * null when the torrent was removed meanwhile.
 */
export async function openMetainfo(deps: MetainfoOpenDeps, meta: Metainfo): Promise<OpenedTorrent | SluiceError | null> {
  try {
    deps.priorities.choose(meta);
  } catch (err) {
    return asSluiceError(err);
  }
  const resume = await loadResumeData(deps.resume, deps.infoHashHex);
  if (resume) deps.priorities.adoptResume(meta, resume);
  let storage: TorrentStorage;
  try {
    storage = await deps.storage.open(meta, { id: deps.infoHashHex, wanted: deps.priorities.wanted(meta) });
  } catch (err) {
    return asSluiceError(err);
  }
  const verifier = new PieceVerifier(meta, deps.hasher);
  deps.opened(storage, verifier);
  let lastPercent = -1;
  const have = await checkTorrentData({
    meta,
    storage,
    verifier,
    resume,
    infoHashHex: deps.infoHashHex,
    cancelled: () => deps.cancelled(),
    // Checking a large torrent takes a while: say how far it is, at most once per percent.
    progress: (done, total) => {
      const percent = Math.floor((done * 100) / total);
      if (percent === lastPercent) return;
      lastPercent = percent;
      deps.emit({ type: 'check-progress', infoHash: deps.infoHashHex, checkedBytes: done, totalBytes: total });
    },
  });
  if (deps.cancelled() || !have) return null;
  let verifiedBytes = 0;
  for (let i = have.nextSet(0); i !== -1; i = have.nextSet(i + 1)) verifiedBytes += pieceSize(meta, i);
  const picker = new PiecePicker({ pieceCount: meta.pieceCount, pieceLength: (i) => pieceSize(meta, i), random: deps.random, have });
  const availability = new AvailabilityLedger<PeerLink>(picker);
  deps.priorities.applyTo(picker);
  const { http, clock } = deps;
  const webSeeds = http ? [...new Set(meta.urlList)].filter(isWebSeedUrl).map((url) => new WebSeedPeer(url, meta, http, { clock })) : [];
  return { have, verifiedBytes, picker, availability, webSeeds, resumePeers: resume?.peers ?? [] };
}
