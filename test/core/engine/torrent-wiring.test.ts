import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import type { ResumeStore, TorrentContext } from '../../../src/core/engine/context.js';
import { DEFAULT_SETTINGS } from '../../../src/core/engine/session.js';
import { TokenBucket } from '../../../src/core/engine/token-bucket.js';
import { wireTorrent, type TorrentHoldings } from '../../../src/core/engine/torrent-wiring.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import type { AnnounceRequest, TrackerClient } from '../../../src/core/ports/tracker.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { toHex } from '../../../src/core/util/hex.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { makeTorrent } from '../../helpers/engine.js';

/** A context of real parts, with a tracker that records what it is told and a resume store that records removals. */
function context() {
  const announces: AnnounceRequest[] = [];
  const removed: string[] = [];
  const alerts: Alert[] = [];
  let now = 1000;
  const tracker: TrackerClient = {
    protocol: 'http',
    url: 'http://tracker.test/announce',
    announce: async (request) => {
      announces.push(request);
      return { interval: 1800, peers: [] };
    },
    scrape: async () => [],
    close: async () => {},
  };
  const resume: ResumeStore = { load: async () => null, save: async () => {}, remove: async (key) => void removed.push(key) };
  const ctx: TorrentContext = {
    clock: { now: () => now },
    random: { bytes: (n) => new Uint8Array(n).fill(7), float: () => 0.5 },
    hasher: nodeHasher,
    storage: memoryStorage,
    peerId: new Uint8Array(20).fill(1),
    resume,
    http: null,
    discovery: [],
    pieceBuffer: null,
    settings: () => DEFAULT_SETTINGS,
    dial: () => null,
    tracker: (url) => (url === tracker.url ? tracker : null),
    connectionBudget: () => 4,
    downloadBucket: new TokenBucket(0, 0),
    uploadBucket: new TokenBucket(0, 0),
    emit: (alert) => void alerts.push(alert),
    wake: () => {},
  };
  return { ctx, announces, removed, alerts, advance: (ms: number) => (now += ms) };
}

function holdings(meta: Metainfo | null): TorrentHoldings {
  return { meta, storage: null, picker: null, availability: null, have: null, verifier: null, metadata: null, verifiedBytes: 0, uploaded: 0 };
}

const noHooks = { metadataReceived: () => {}, finished: () => {}, addPeers: () => {}, adopt: () => {} };

async function wired(meta: Metainfo | null) {
  const t = await makeTorrent([{ path: ['a.bin'], length: 5 * 16384 }], { name: 'a.bin', pieceLength: 16384 });
  const c = context();
  const infoHash = t.metainfo.infoHash!;
  const held = holdings(meta === null ? null : t.metainfo);
  const id = { infoHash, infoHashHex: toHex(infoHash), infoHashV2: null };
  const options = { trackers: [[c.ctx.tracker('http://tracker.test/announce')!.url]], peers: ['10.0.0.9:6881'], paused: false, sequential: false };
  const units = wireTorrent(c.ctx, id, held, noHooks, options);
  return { t, c, held, units, id };
}

describe('wireTorrent', () => {
  it('fetches metadata only for a magnet, and hands the peers and trackers it was given to the book and the announcer', async () => {
    const magnet = await wired(null);
    expect(magnet.held.metadata).not.toBeNull();
    expect(magnet.units.life.state).toBe('metadata');
    expect(magnet.units.book.addresses()).toContain('10.0.0.9:6881');
    expect(magnet.units.announcer.status().map((s) => s.url)).toEqual(['http://tracker.test/announce']);

    const full = await wired({} as Metainfo);
    expect(full.held.metadata).toBeNull();
    expect(full.units.life.state).toBe('checking');
  });

  it('announces the figures read from the holdings: a magnet is "not a seed", a torrent reports what is left and the uploads', async () => {
    const magnet = await wired(null);
    magnet.c.advance(1);
    magnet.units.announcer.tick(magnet.c.ctx.clock.now());
    await Promise.resolve();
    expect(magnet.c.announces.at(-1)).toMatchObject({ event: 'started', left: 16 * 1024 * 1024, uploaded: 0, downloaded: 0 });

    const { c, held, units, t } = await wired({} as Metainfo);
    held.uploaded = 300;
    units.life.checked(false);
    units.announcer.tick(c.ctx.clock.now());
    await Promise.resolve();
    expect(c.announces.at(-1)).toMatchObject({ event: 'started', left: t.metainfo.length, uploaded: 300 });
  });

  it('closing through the lifecycle releases the storage held, and with deleteData deletes it and the resume data', async () => {
    const { c, held, units, t, id } = await wired({} as Metainfo);
    const storage = await memoryStorage.open(t.metainfo, { id: id.infoHashHex });
    await storage.writePiece(0, new Uint8Array(16384));
    held.storage = storage;
    let deleted = false;
    storage.deleteData = async () => {
      deleted = true;
    };
    units.life.checked(false);
    units.announcer.tick(c.ctx.clock.now());
    await Promise.resolve();
    await units.life.close({ deleteData: true });
    expect(held.storage).toBeNull();
    expect(deleted).toBe(true);
    expect(c.removed).toEqual([id.infoHashHex]);
    expect(c.announces.at(-1)?.event).toBe('stopped');
    await expect(units.completion.waitFor(1)).rejects.toBeDefined();
  });
});
