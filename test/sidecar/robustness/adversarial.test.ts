import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../src/core/wire/index.js';
import { sluiceLong } from '../../helpers/cli.js';
import type { TestTorrent } from '../../helpers/engine.js';
import { fullBitfield, RawSeeder, type RawSeederOptions } from '../../helpers/raw-peer.js';
import { sameBytes, singleFileTorrent, startDownloader, until, type Downloader } from './harness.js';

// 17 pieces of 64 KiB (4 blocks each), the last one short: a bitfield with 7 spare bits.
const LENGTH = 16 * 65536 + 12345;
const PIECE = 65536;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function seeder(t: TestTorrent, options: Omit<RawSeederOptions, 'metainfo' | 'space'> = {}): Promise<RawSeeder> {
  const s = await RawSeeder.start({ metainfo: t.metainfo, space: t.space, ...options });
  cleanups.push(() => s.close());
  return s;
}

async function downloader(t: TestTorrent, peers: readonly string[]): Promise<Downloader> {
  const d = await startDownloader(t, peers);
  cleanups.push(() => d.close());
  return d;
}

/** Why the engine dropped `address` (its peer-disconnected alert), or undefined before it did. */
function disconnectReason(d: Downloader, address: string): string | null | undefined {
  for (const a of d.alerts) if (a.type === 'peer-disconnected' && a.address === address) return a.reason;
  return undefined;
}

describe('a peer that never unchokes but allows pieces fast (BEP 6)', () => {
  it('gets every piece it allowed while choked, and nothing else', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const allowed = [0, 3, 16];
    const s = await seeder(t, {
      fast: true,
      unchoke: false,
      afterAvailability: (c) => {
        for (const index of allowed) c.send({ type: 'allowed-fast', index });
      },
    });
    const d = await downloader(t, [s.address]);
    await until(() => allowed.every((i) => d.torrent.hasPiece(i)), 'the allowed pieces');
    expect([...new Set(s.requests.map((r) => r.index))].sort((a, b) => a - b)).toEqual(allowed);
    expect(d.torrent.peers()[0]?.flags.peerChoking).toBe(true);
    expect(d.torrent.status().verifiedBytes).toBe(PIECE * 2 + (LENGTH - 16 * PIECE));
  });
});

describe('adversarial peers against the engine in its Node shell', () => {
  it('bans a peer whose blocks fail the hash check, never dials it again, and completes from a good peer', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const bad = await seeder(t, { onRequest: () => 'corrupt' });
    const good = await seeder(t);
    const d = await downloader(t, [bad.address]);

    const banned = await d.waitFor('peer-banned');
    expect(banned).toEqual({ type: 'peer-banned', infoHash: d.torrent.infoHashHex, address: bad.address, reason: 'sent data that failed the hash check' });
    // Alone behind every failure: two strikes each, banned at the second failed piece (pieces still
    // being hashed then may fail after the ban).
    const verdicts = d.alerts.filter((a) => a.type === 'piece-failed' || a.type === 'peer-banned');
    expect(verdicts.slice(0, 3).map((a) => a.type)).toEqual(['piece-failed', 'piece-failed', 'peer-banned']);
    for (const f of verdicts) if (f.type === 'piece-failed') expect(f.peers).toEqual([bad.address]);
    await bad.waitForEnded(1);
    expect(bad.ended).toEqual([{ id: 1, byRemote: true }]);
    expect(d.torrent.status().verifiedBytes).toBe(0);

    // Naming the banned peer again does not bring it back; the good peer finishes the job.
    d.torrent.addPeers([bad.address, good.address], 'manual');
    await d.waitFor('torrent-finished');
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    expect(bad.connections).toBe(1);
    expect(good.connections).toBe(1);
    expect(d.torrent.status()).toMatchObject({ state: 'seeding', progress: 1, verifiedBytes: LENGTH });
  });

  const malformed: { name: string; reason: string; options: Omit<RawSeederOptions, 'metainfo' | 'space'> }[] = [
    {
      name: 'a length prefix past the decoder bound',
      reason: 'message length 2147483647 exceeds the limit of 263168 bytes',
      options: { afterAvailability: (c) => c.sendRaw(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 7])) },
    },
    {
      name: 'a have message of length 6',
      reason: 'have message has length 6, expected 5',
      options: { afterAvailability: (c) => c.sendRaw(new Uint8Array([0, 0, 0, 6, 4, 0, 0, 0, 1, 0])) },
    },
    {
      name: 'a bitfield one byte short',
      reason: 'peer bitfield has 2 bytes, expected 3 for 17 pieces',
      options: { availability: () => encodeMessage({ type: 'bitfield', bits: fullBitfield(17).subarray(0, 2) }) },
    },
    {
      name: 'a have for a piece past the end',
      reason: 'peer announced piece 17 of a torrent with 17 pieces',
      options: { afterAvailability: (c) => c.send({ type: 'have', index: 17 }) },
    },
    {
      name: 'a block for a piece past the end',
      reason: 'peer sent 16 bytes at 0 of piece 99, outside the torrent',
      options: { onRequest: (_r, c) => (c.send({ type: 'piece', index: 99, begin: 0, block: new Uint8Array(16) }), 'ignore') },
    },
  ];

  for (const m of malformed) {
    it(`drops a peer that sends ${m.name} and keeps downloading`, async () => {
      const t = await singleFileTorrent(LENGTH, PIECE);
      const rogue = await seeder(t, m.options);
      const good = await seeder(t);
      const d = await downloader(t, [rogue.address]);
      await rogue.waitForEnded(1);
      expect(rogue.ended).toEqual([{ id: 1, byRemote: true }]);
      await until(() => disconnectReason(d, rogue.address) !== undefined, 'the disconnect alert');
      expect(disconnectReason(d, rogue.address)).toBe(m.reason);
      expect(d.alerts.some((a) => a.type === 'peer-banned')).toBe(false);
      d.torrent.addPeers([good.address], 'manual');
      await d.waitFor('torrent-finished');
      expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    });
  }

  it('keeps a peer whose bitfield has spare bits set (ignored, as libtorrent does) and completes from it', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const quirky = await seeder(t, {
      availability: () => {
        const bits = fullBitfield(17);
        bits[2] = 0xff;
        return encodeMessage({ type: 'bitfield', bits });
      },
    });
    const d = await downloader(t, [quirky.address]);
    await d.waitFor('torrent-finished');
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    expect(quirky.connections).toBe(1);
    const finishedAt = d.alerts.findIndex((a) => a.type === 'torrent-finished');
    expect(d.alerts.slice(0, finishedAt).filter((a) => a.type === 'peer-disconnected')).toEqual([]);
  });

  it('re-issues the requests a stalled peer sits on to another peer', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const staller = await seeder(t, { onRequest: () => 'ignore' });
    const good = await seeder(t);
    const d = await downloader(t, [staller.address]);
    await until(() => staller.requests.length > 0, 'requests at the stalling peer');
    const held = staller.requests.map((r) => `${r.index}:${r.begin}`);
    d.torrent.addPeers([good.address], 'manual');
    await d.waitFor('torrent-finished');
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    // Every block the staller was asked for came from the good peer instead.
    const fromGood = new Set(good.requests.map((r) => `${r.index}:${r.begin}`));
    for (const block of held) expect(fromGood.has(block), block).toBe(true);
    expect(staller.servedBytes).toBe(0);
    expect(staller.ended).toEqual([]);
  });

  it('completes from another peer when one hangs up in the middle of a piece', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    // Two blocks of a four-block piece, then the connection drops.
    const quitter = await seeder(t, { onRequest: (_r, _c, served) => (served >= 2 ? 'close' : 'serve') });
    const good = await seeder(t);
    const d = await downloader(t, [quitter.address]);
    await quitter.waitForEnded(1);
    expect(quitter.ended).toEqual([{ id: 1, byRemote: false }]);
    // Two blocks served (the torrent's last block is shorter, and may be among them), then the hang-up.
    expect(quitter.servedBytes).toBe(quitter.requests.slice(0, 2).reduce((n, r) => n + r.length, 0));
    await until(() => disconnectReason(d, quitter.address) !== undefined, 'the disconnect alert');
    // Nothing verified, unless one of the two blocks was the whole (one-block) last piece.
    const last = Math.floor(LENGTH / PIECE);
    const lastServed = quitter.requests.slice(0, 2).some((r) => r.index === last);
    expect(d.torrent.status().verifiedBytes).toBe(lastServed ? LENGTH - last * PIECE : 0);
    d.torrent.addPeers([good.address], 'manual');
    await d.waitFor('torrent-finished');
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    expect(d.alerts.filter((a) => a.type === 'piece-failed')).toEqual([]);
  });
});

describe('sluice download among misbehaving peers', () => {
  it('finishes byte-identical with exit code 0 and a final done line', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    const peers = await Promise.all([
      seeder(t, { onRequest: () => 'corrupt' }),
      seeder(t, { onRequest: () => 'ignore' }),
      seeder(t, { onRequest: (_r, _c, served) => (served >= 3 ? 'close' : 'serve') }),
      seeder(t, { afterAvailability: (c) => c.sendRaw(new Uint8Array([0x7f, 0xff, 0xff, 0xff])) }),
      seeder(t, { afterAvailability: (c) => c.sendRaw(new Uint8Array([0, 0, 0, 6, 4, 0, 0, 0, 1, 0])) }),
      // The honest one is slower, so the others get their share of requests.
      seeder(t, { bytesPerSecond: 4 * 1024 * 1024 }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-robust-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'data.torrent'), t.bytes);
    const run = sluiceLong([
      'download', join(dir, 'data.torrent'), '--out', join(dir, 'out'), '--state', join(dir, 'state'), '--no-dht', '--json',
      ...peers.flatMap((p) => ['--peer', p.address]),
    ]);
    cleanups.push(() => void run.child.kill('SIGKILL'));
    const code = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as { state: string; progress: number });
    expect(lines.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    expect(sameBytes(new Uint8Array(readFileSync(join(dir, 'out', 'data.bin'))), t.files[0]!)).toBe(true);
  });
});
