import { afterEach, describe, expect, it } from 'vitest';
import { BrowserBridgeEndpoint } from '../../../src/core/bridge/browser-endpoint.js';
import type { JoinSource } from '../../../src/core/bridge/control.js';
import { SidecarBridgeEndpoint, type SidecarBridgeEvent } from '../../../src/core/bridge/sidecar-endpoint.js';
import { Session } from '../../../src/core/engine/session.js';
import type { SessionSettings } from '../../../src/core/api/types.js';
import type { Torrent } from '../../../src/core/engine/torrent.js';
import type { TransportDialer } from '../../../src/core/ports/transport.js';
import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { toHex } from '../../../src/core/util/hex.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { makeTorrent, recordingStorage, seededRandom, seededStorage, type TestTorrent } from '../../helpers/engine.js';
import { nodeScheduler, socketPair } from './bridge-pair.js';

const clock = { now: () => Date.now() };
const running: (() => void)[] = [];
afterEach(() => running.splice(0).forEach((stop) => stop()));

function ticking(...sessions: Session[]): void {
  const timer = setInterval(() => sessions.forEach((s) => s.tick()), 5);
  running.push(() => clearInterval(timer));
}

/**
 * The bridge end to end in memory: a seeder only the sidecar can reach (a "TCP" peer), the sidecar's
 * Session, and the browser's Session whose only peer is the sidecar over bridge channels.
 */
async function bridged(t: TestTorrent, sources: Map<string, JoinSource> = new Map(), browserSettings: Partial<SessionSettings> = {}, sidecarStore = recordingStorage()) {
  const seeder = new Session({ clock, random: seededRandom(1), hasher: nodeHasher, storage: seededStorage(t) });
  await seeder.addTorrent({ torrent: t.bytes });
  const dialer: TransportDialer = {
    kind: 'tcp',
    async dial() {
      const [a, b] = memoryTransportPair();
      seeder.accept(b);
      return a;
    },
  };
  const sidecar = new Session({ clock, random: seededRandom(2), hasher: nodeHasher, storage: sidecarStore, dialers: [dialer] });
  const browserStore = recordingStorage();
  const browser = new Session({ clock, random: seededRandom(3), hasher: nodeHasher, storage: browserStore, dialers: [], settings: browserSettings });
  ticking(seeder, sidecar, browser);
  const sockets = socketPair();
  const sidecarEvents: SidecarBridgeEvent[] = [];
  const sidecarEnd = new SidecarBridgeEndpoint({ session: sidecar, hasher: nodeHasher, socket: sockets.b, scheduler: nodeScheduler, remoteLabel: 'bridge:browser', agent: 'test sidecar', onEvent: (e) => sidecarEvents.push(e) });
  let changes = 0;
  const browserEnd = new BrowserBridgeEndpoint({
    session: browser,
    socket: sockets.a,
    scheduler: nodeScheduler,
    remoteLabel: 'bridge:sidecar',
    agent: 'test browser',
    now: () => Date.now(),
    sourceFor: (ih) => sources.get(ih) ?? null,
    onChange: () => changes++,
  });
  // Each side's `deliver` hands it what the other sent.
  sockets.a.deliver = (f) => browserEnd.receive(f);
  sockets.b.deliver = (f) => sidecarEnd.receive(f);
  const sync = setInterval(() => {
    browserEnd.sync();
    sidecarEnd.tick();
  }, 20);
  running.push(() => clearInterval(sync));
  browserEnd.opened();
  return { seeder, sidecar, browser, sidecarEnd, browserEnd, sidecarStore, browserStore, sockets, sidecarEvents, changes: () => changes };
}

async function expectComplete(torrent: Torrent, t: TestTorrent, store: ReturnType<typeof recordingStorage>) {
  await expect.poll(() => torrent.status().state, { timeout: 20_000 }).toBe('seeding');
  const got: Uint8Array[] = [];
  for (let i = 0; i < t.metainfo.pieceCount; i++) got.push((await store.stores[0]!.readPiece(i))!);
  expect(Buffer.compare(Buffer.concat(got), Buffer.from(t.space.subarray(0, t.metainfo.length)))).toBe(0);
}

describe('the bridge in memory: seeder → sidecar → browser', () => {
  it('a magnet with x.pe added in the browser is joined by the sidecar, which fetches it from the seeder and hands it on over the bridge', async () => {
    const t = await makeTorrent([{ path: ['film.mp4'], length: 700_001 }], { pieceLength: 32768 });
    const infoHash = toHex(t.metainfo.infoHash!);
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=film&x.pe=seeder:1`;
    const b = await bridged(t, new Map([[infoHash, { magnet }]]));
    // The browser itself cannot dial x.pe (no dialers): only the bridge can bring the bytes.
    const connected: string[] = [];
    b.browser.on((a) => void (a.type === 'peer-connected' && connected.push(a.address)));
    const downloading = await b.browser.addTorrent({ magnet });
    await expectComplete(downloading, t, b.browserStore);
    await expectComplete(b.sidecar.torrent(infoHash)!, t, b.sidecarStore);
    // Its one peer was the sidecar, over the bridge: `websocket:<the sidecar's peer id>`.
    expect(connected).toEqual([`websocket:${toHex(b.sidecar.peerId)}`]);
    expect(b.browserEnd.remoteStatus.find((s) => s.infoHash === infoHash)?.state).toBeDefined();
  });

  it('the sidecar opens the channel once its torrent has checked its data: the first join delivers, with no rejoin', async () => {
    const t = await makeTorrent([{ path: ['film.mp4'], length: 300_000 }], { pieceLength: 32768 });
    const infoHash = toHex(t.metainfo.infoHash!);
    const magnet = `magnet:?xt=urn:btih:${infoHash}&x.pe=seeder:1`;
    // The sidecar's store opens only when the test says: its torrent has the metadata and stays checking.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = recordingStorage();
    const held: typeof inner = {
      stores: inner.stores,
      open: async (layout, opts) => {
        await gate;
        return inner.open(layout, opts);
      },
    };
    const b = await bridged(t, new Map([[infoHash, { magnet }]]), {}, held);
    const downloading = await b.browser.addTorrent({ magnet });
    await expect.poll(() => b.sidecar.torrent(infoHash)?.status().state, { timeout: 10_000 }).toBe('checking');
    expect(b.sidecar.torrent(infoHash)!.metainfo).not.toBeNull();
    // A checking torrent turns peers away: a channel opened now would be closed, and the browser would ask again 5 s later.
    b.sidecarEnd.tick();
    release();
    await expectComplete(downloading, t, b.browserStore);
    expect(b.sidecarEvents.filter((e) => e.type === 'bridge-joined')).toEqual([{ type: 'bridge-joined', infoHash, channel: 1 }]);
  });

  it('the browser seeds back out: a torrent only the browser has reaches the seeder-less sidecar (joined by its info dictionary)', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 200_000 }, { path: ['b.bin'], length: 90_000 }], { pieceLength: 16384 });
    const b = await bridged(await makeTorrent([{ path: ['other'], length: 10 }]));
    // The browser holds all of it (its storage is seeded); the sidecar has never heard of it.
    const seeding = await b.browser.addTorrent({ torrent: t.bytes }, { storage: seededStorage(t) });
    await expect.poll(() => seeding.status().state, { timeout: 20_000 }).toBe('seeding');
    const infoHash = toHex(t.metainfo.infoHash!);
    await expect.poll(() => b.sidecar.torrent(infoHash)?.status().state, { timeout: 20_000 }).toBe('seeding');
  });

  it("the player's deadlines reach the sidecar's picker, relative to each side's clock", async () => {
    const t = await makeTorrent([{ path: ['x'], length: 400_000 }], { pieceLength: 16384 });
    const infoHash = toHex(t.metainfo.infoHash!);
    // The browser downloads slowly, so the channel is still open when the player asks.
    const b = await bridged(t, new Map([[infoHash, { magnet: `magnet:?xt=urn:btih:${infoHash}&x.pe=seeder:1` }]]), { downloadRateLimit: 16_384 });
    await b.browser.addTorrent({ infoHash });
    await expect.poll(() => b.sidecar.torrent(infoHash)?.metainfo !== null && b.sidecar.torrent(infoHash) !== undefined, { timeout: 10_000 }).toBe(true);
    const sidecarTorrent = b.sidecar.torrent(infoHash)!;
    const calls: [string, number, number][] = [];
    const set = sidecarTorrent.setPieceDeadline.bind(sidecarTorrent);
    const clear = sidecarTorrent.clearPieceDeadline.bind(sidecarTorrent);
    sidecarTorrent.setPieceDeadline = (piece, at) => (calls.push(['set', piece, at]), set(piece, at));
    sidecarTorrent.clearPieceDeadline = (piece) => (calls.push(['clear', piece, 0]), clear(piece));
    await expect.poll(() => b.browser.torrent(infoHash)!.peers().length, { timeout: 10_000 }).toBe(1);
    const at = Date.now() + 2000;
    b.browserEnd.setDeadline(infoHash, 20, at);
    b.browserEnd.clearDeadline(infoHash, 21);
    b.browserEnd.setDeadline(infoHash, 9999, at);
    await expect.poll(() => calls.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // 21 was never asked for, and 9999 is past the torrent's end: only 20 reaches the picker.
    expect(calls.map(([op, piece]) => [op, piece])).toEqual([['set', 20]]);
    // The deadline travelled as "in N ms" and lands on the sidecar's clock: never earlier than asked.
    expect(calls[0]![2]).toBeGreaterThanOrEqual(at - 1);

    // A reader in the sidecar (a `sluice serve` stream) waits for 20 too: the browser letting go leaves it due by the reader's deadline.
    const reader = {};
    sidecarTorrent.holdPieceDeadline(20, reader, calls[0]![2] + 60_000);
    calls.length = 0;
    b.browserEnd.clearDeadline(infoHash, 20);
    await expect.poll(() => calls.length, { timeout: 10_000 }).toBe(1);
    expect(calls[0]![0]).toBe('set');
    expect(calls[0]![2]).toBeGreaterThanOrEqual(at - 1 + 60_000);
    sidecarTorrent.releasePieceDeadline(20, reader);
    expect(calls.at(-1)).toEqual(['clear', 20, 0]);

    // The browser leaves the torrent: what it still waited for is ordinary again in the sidecar.
    calls.length = 0;
    b.browserEnd.setDeadline(infoHash, 22, at);
    await expect.poll(() => calls.map(([op, piece]) => [op, piece]), { timeout: 10_000 }).toEqual([['set', 22]]);
    await b.browser.removeTorrent(infoHash);
    await expect.poll(() => calls.map(([op, piece]) => [op, piece]), { timeout: 10_000 }).toEqual([['set', 22], ['clear', 22]]);
  });

  it('a join the sidecar refuses is reported with its reason, and not asked again at once', async () => {
    const t = await makeTorrent([{ path: ['x'], length: 100_000 }], { pieceLength: 16384 });
    const infoHash = toHex(t.metainfo.infoHash!);
    const b = await bridged(t, new Map([[infoHash, { magnet: 'magnet:?xt=urn:btih:nonsense' }]]));
    await b.browser.addTorrent({ infoHash });
    await expect.poll(() => Object.keys(b.browserEnd.refusals()), { timeout: 10_000 }).toEqual([infoHash]);
    expect(b.browserEnd.refusals()[infoHash]).toMatch(/magnet/i);
    expect(b.sidecar.torrents()).toEqual([]);
  });
});
