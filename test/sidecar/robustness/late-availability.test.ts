import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import type { WireMessage } from '../../../src/core/wire/index.js';
import { encodeMessage } from '../../../src/core/wire/index.js';
import { sluiceLong } from '../../helpers/cli.js';
import type { TestTorrent } from '../../helpers/engine.js';
import { RawLeecher, type RawLeecherOptions } from '../../helpers/raw-leecher.js';
import { fullBitfield, RawSeeder, type RawConnection, type RawSeederOptions } from '../../helpers/raw-peer.js';
import { sameBytes, singleFileTorrent, startDownloader, until, type Downloader } from './harness.js';

// Issue 12: real clients send BITFIELD after other messages (after HAVE NONE, HAVE ALL, HAVEs or
// allowed-fast). Sluice dropped them ("peer sent bitfield after other messages") after ~1.8 MiB, and
// such a client never came back. A late availability message is now the peer's availability from then
// on, as in libtorrent; each transfer below must complete on its one connection, verified.

// 40 pieces of 64 KiB (4 blocks each), the last one short: 2.5 MiB, a bitfield with spare bits.
const PIECE = 65536;
const LENGTH = 39 * PIECE + 12345;
const COUNT = 40;

const bitfieldOf = (indices: readonly number[]) => Bitfield.fromIndices(COUNT, indices).toWire();
const evens = Array.from({ length: COUNT / 2 }, (_, i) => 2 * i);
const odds = evens.map((i) => i + 1);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a raw leecher whose BITFIELD comes late downloads everything from `sluice seed`', () => {
  let t: TestTorrent;
  let port: number;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    t = await singleFileTorrent(LENGTH, PIECE);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-late-bitfield-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'data.bin'), t.files[0]!);
    writeFileSync(join(dir, 'data.torrent'), t.bytes);
    const run = sluiceLong(['seed', join(dir, 'data.torrent'), '--data', join(dir, 'data'), '--state', join(dir, 'state'),
      '--no-dht', '--no-lsd', '--no-webrtc', '--json', '--port', '0']);
    port = (JSON.parse(await run.firstLine) as { port: number }).port;
    stop = async () => {
      run.child.kill('SIGINT');
      await run.exited;
      rmSync(dir, { recursive: true, force: true });
    };
  }, 60_000);
  afterAll(async () => stop?.());

  const cases: { name: string; opening: RawLeecherOptions['opening']; later?: RawLeecherOptions['later']; fast?: boolean }[] = [
    {
      name: 'HAVE NONE (the bitfield names the pieces it got meanwhile)',
      opening: [{ type: 'have-none' }],
      later: { afterPieces: 6, send: (have) => [{ type: 'bitfield', bits: bitfieldOf(have) }] },
    },
    {
      // A client that corrects itself: it is no seed after all, and interested.
      name: 'HAVE ALL and INTERESTED',
      opening: [{ type: 'have-all' }, { type: 'interested' }, { type: 'bitfield', bits: bitfieldOf([]) }],
    },
    {
      name: 'HAVEs, without the fast extension',
      opening: [],
      fast: false,
      later: { afterPieces: 6, send: (have) => [...have.slice(0, 3).map((index): WireMessage => ({ type: 'have', index })), { type: 'bitfield', bits: bitfieldOf(have) }] },
    },
    {
      name: 'allowed-fast',
      opening: [{ type: 'allowed-fast', index: 3 }, { type: 'allowed-fast', index: 7 }, { type: 'bitfield', bits: bitfieldOf([]) }],
    },
  ];

  for (const c of cases) {
    it(`after ${c.name}`, async () => {
      const leecher = new RawLeecher('127.0.0.1', port, {
        metainfo: t.metainfo,
        opening: c.opening,
        ...(c.later ? { later: c.later } : {}),
        ...(c.fast === false ? { fast: false } : {}),
      });
      cleanups.push(() => leecher.close());
      const space = await leecher.done;
      expect(sameBytes(space.subarray(0, LENGTH), t.files[0]!)).toBe(true);
      expect(leecher.receivedBytes).toBe(LENGTH);
      expect(leecher.closedByRemote).toBe(false);
    }, 60_000);
  }
});

describe('the engine downloads everything from a raw seeder whose availability comes late', () => {
  async function seeder(t: TestTorrent, options: Omit<RawSeederOptions, 'metainfo' | 'space'>): Promise<RawSeeder> {
    const s = await RawSeeder.start({ metainfo: t.metainfo, space: t.space, ...options });
    cleanups.push(() => s.close());
    return s;
  }

  async function downloader(t: TestTorrent, s: RawSeeder): Promise<Downloader> {
    const d = await startDownloader(t, [s.address]);
    cleanups.push(() => d.close());
    return d;
  }

  async function completes(t: TestTorrent, s: RawSeeder, d: Downloader): Promise<void> {
    // A dropped seeder fails the test at once, with the engine's reason, rather than at the timeout.
    const finished = d.waitFor('torrent-finished', undefined, 60_000).then(() => true);
    if (!(await Promise.race([finished, s.waitForEnded(1).then(() => false)])) && !d.alerts.some((a) => a.type === 'torrent-finished')) {
      await until(() => d.alerts.some((a) => a.type === 'peer-disconnected'), 'the disconnect alert');
      const reason = d.alerts.find((a) => a.type === 'peer-disconnected');
      throw new Error(`the engine dropped the seeder before finishing: ${JSON.stringify(reason)}`);
    }
    await finished;
    expect(sameBytes(d.file(), t.files[0]!)).toBe(true);
    // One connection, kept to the end: the engine closes it only once both sides are seeds.
    expect(s.connections).toBe(1);
    const finishedAt = d.alerts.findIndex((a) => a.type === 'torrent-finished');
    expect(d.alerts.slice(0, finishedAt).filter((a) => a.type === 'peer-disconnected' || a.type === 'piece-failed')).toEqual([]);
  }

  const simple: { name: string; options: Omit<RawSeederOptions, 'metainfo' | 'space'> }[] = [
    {
      name: 'HAVE NONE',
      options: { fast: true, availability: () => encodeMessage({ type: 'have-none' }), afterAvailability: (c) => c.send({ type: 'bitfield', bits: fullBitfield(COUNT) }) },
    },
    {
      name: 'HAVEs, without the fast extension',
      options: {
        availability: () => undefined,
        afterAvailability: (c) => {
          c.send({ type: 'have', index: 0 });
          c.send({ type: 'have', index: 5 });
          c.send({ type: 'bitfield', bits: fullBitfield(COUNT) });
        },
      },
    },
    {
      name: 'allowed-fast',
      options: {
        fast: true,
        availability: () => undefined,
        afterAvailability: (c) => {
          c.send({ type: 'allowed-fast', index: 2 });
          c.send({ type: 'allowed-fast', index: 9 });
          c.send({ type: 'bitfield', bits: fullBitfield(COUNT) });
        },
      },
    },
  ];

  for (const c of simple) {
    it(`a BITFIELD after ${c.name}`, async () => {
      const t = await singleFileTorrent(LENGTH, PIECE);
      const s = await seeder(t, c.options);
      const d = await downloader(t, s);
      await completes(t, s, d);
    }, 90_000);
  }

  it('a partial BITFIELD after HAVE ALL is all the peer has: only those pieces are asked for until HAVEs bring the rest', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    let connection: RawConnection | undefined;
    const s = await seeder(t, {
      fast: true,
      availability: () => encodeMessage({ type: 'have-all' }),
      afterAvailability: (c) => {
        connection = c;
        c.send({ type: 'bitfield', bits: bitfieldOf(evens) });
      },
    });
    const d = await downloader(t, s);
    // The late bitfield was sent before the unchoke that allows any request, so every request follows it.
    await until(() => evens.every((i) => d.torrent.hasPiece(i)), 'the even pieces', 60_000);
    expect(s.requests.every((r) => r.index % 2 === 0)).toBe(true);
    expect(d.torrent.peers()[0]?.flags.seed).toBe(false);
    for (const index of odds) connection!.send({ type: 'have', index });
    await completes(t, s, d);
  }, 90_000);

  it('a late HAVE NONE ends interest; a later HAVE ALL brings it back and the download completes', async () => {
    const t = await singleFileTorrent(LENGTH, PIECE);
    let connection: RawConnection | undefined;
    const s = await seeder(t, {
      fast: true,
      availability: () => encodeMessage({ type: 'bitfield', bits: fullBitfield(COUNT) }),
      afterAvailability: (c) => {
        connection = c;
        c.send({ type: 'have-none' });
      },
    });
    const d = await downloader(t, s);
    await until(() => d.torrent.peers()[0]?.flags.peerChoking === false, 'the unchoke');
    expect(d.torrent.peers()[0]?.flags).toMatchObject({ amInterested: false, seed: false });
    expect(s.requests).toEqual([]);
    connection!.send({ type: 'have-all' });
    await completes(t, s, d);
  }, 90_000);
});
