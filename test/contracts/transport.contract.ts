import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/core/engine/session.js';
import { pieceSize } from '../../src/core/metainfo/layout.js';
import type { Transport, TransportDialer, TransportHandlers } from '../../src/core/ports/transport.js';
import { concatBytes } from '../../src/core/util/bytes.js';
import { toHex } from '../../src/core/util/hex.js';
import { nodeHasher } from '../../sidecar/src/hash/node-hasher.js';
import { makeTorrent, pieceOf, recordingStorage, seededRandom, seededStorage } from '../helpers/engine.js';

/** Records everything a transport delivers. */
export function record(t: Transport) {
  const chunks: Uint8Array[] = [];
  let closes = 0;
  let drains = 0;
  let dataAfterClose = false;
  let onClose: () => void = () => {};
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  t.attach({
    data: (c) => {
      if (closes > 0) dataAfterClose = true;
      chunks.push(c.slice());
    },
    drain: () => drains++,
    close: () => {
      closes++;
      onClose();
    },
  });
  return {
    bytes: () => concatBytes(chunks),
    closes: () => closes,
    drains: () => drains,
    dataAfterClose: () => dataAfterClose,
    closed,
  };
}

/**
 * The lifetime rule at its harshest: every chunk `inner` delivers is copied into one scratch buffer,
 * handed on as a view of it, and the scratch is overwritten as soon as the handler returns. A consumer
 * that kept a view of a chunk would see garbage.
 */
export function reusingChunks(inner: Transport): Transport {
  let scratch = new Uint8Array(64 * 1024);
  return {
    kind: inner.kind,
    remoteAddress: inner.remoteAddress,
    outgoing: inner.outgoing,
    write: (data) => inner.write(data),
    close: (error) => inner.close(error),
    attach(handlers: TransportHandlers) {
      inner.attach({
        data: (chunk) => {
          if (chunk.length > scratch.length) scratch = new Uint8Array(chunk.length);
          scratch.set(chunk);
          handlers.data(scratch.subarray(0, chunk.length));
          scratch.fill(0xa5);
        },
        drain: () => handlers.drain(),
        close: (error) => handlers.close(error),
      });
    },
  };
}

async function until(cond: () => boolean, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The Transport contract: every implementation (memory, TCP, WebRTC, WebSocket) registers this
 * suite with a factory that returns a connected pair.
 */
export function transportContract(name: string, connectedPair: () => Promise<[Transport, Transport]>): void {
  describe(`Transport contract: ${name}`, () => {
    it('delivers bytes in order whatever the chunking, in both directions at once', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 20 }),
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 20 }),
          async (fromA, fromB) => {
            const [a, b] = await connectedPair();
            const ra = record(a);
            const rb = record(b);
            for (const c of fromA) a.write(c.slice());
            for (const c of fromB) b.write(c.slice());
            const wantAtB = concatBytes(fromA);
            const wantAtA = concatBytes(fromB);
            await until(() => rb.bytes().length >= wantAtB.length && ra.bytes().length >= wantAtA.length, 'all bytes');
            expect(rb.bytes()).toEqual(wantAtB);
            expect(ra.bytes()).toEqual(wantAtA);
            a.close();
            await Promise.all([ra.closed, rb.closed]);
          },
        ),
        { numRuns: 15 },
      );
    });

    it('pushes back past its high-water mark and signals drain once the far side has read', async () => {
      const [a, b] = await connectedPair();
      const ra = record(a);
      const big = new Uint8Array(256 * 1024).fill(7);
      let writes = 0;
      let accepted = true;
      // Write until the transport says stop; the far side is not attached yet, so nothing is read.
      while (accepted && writes < 1024) {
        accepted = a.write(big.slice());
        writes++;
      }
      expect(accepted).toBe(false);
      const rb = record(b);
      await until(() => ra.drains() > 0, 'drain');
      await until(() => rb.bytes().length === writes * big.length, 'all queued bytes');
      a.close();
      await Promise.all([ra.closed, rb.closed]);
    });

    it('closes both sides exactly once, after the bytes already sent, and delivers nothing after', async () => {
      const [a, b] = await connectedPair();
      const ra = record(a);
      const rb = record(b);
      a.write(new Uint8Array([1, 2, 3]));
      a.close();
      a.close();
      await Promise.all([ra.closed, rb.closed]);
      await new Promise((r) => setTimeout(r, 20));
      expect(rb.bytes()).toEqual(new Uint8Array([1, 2, 3]));
      expect(ra.closes()).toBe(1);
      expect(rb.closes()).toBe(1);
      expect(a.write(new Uint8Array([4]))).toBe(false);
      expect(ra.dataAfterClose() || rb.dataAfterClose()).toBe(false);
    });

    it('a chunk is valid only during data(): a magnet download whose every chunk is overwritten once handled is byte-identical', async () => {
      const t = await makeTorrent([{ path: ['a.bin'], length: 300_001 }], { pieceLength: 32768 });
      const clock = { now: () => Date.now() };
      const seeder = new Session({ clock, random: seededRandom(1), hasher: nodeHasher, storage: seededStorage(t) });
      const dialer: TransportDialer = {
        kind: 'tcp',
        async dial() {
          const [a, b] = await connectedPair();
          seeder.accept(reusingChunks(b));
          return reusingChunks(a);
        },
      };
      const store = recordingStorage();
      const leecher = new Session({ clock, random: seededRandom(2), hasher: nodeHasher, storage: store, dialers: [dialer] });
      const failures: string[] = [];
      leecher.on((alert) => {
        if (alert.type === 'piece-failed' || alert.type === 'peer-banned') failures.push(alert.type);
      });
      await seeder.addTorrent({ torrent: t.bytes });
      const magnet = `magnet:?xt=urn:btih:${toHex(t.metainfo.infoHash!)}&dn=test`;
      const downloading = await leecher.addTorrent({ magnet }, { peers: ['seeder:1'] });
      await until(
        () => {
          seeder.tick();
          leecher.tick();
          return downloading.status().state === 'seeding';
        },
        'the download',
        4000,
      );
      expect(downloading.metainfo?.infoBytes).toEqual(t.metainfo.infoBytes);
      // A corrupted block would be caught by the piece hash and fetched again: the download would still end
      // byte-identical, so a failed piece is the symptom to look for.
      expect(failures).toEqual([]);
      for (let i = 0; i < t.metainfo.pieceCount; i++) {
        const got = await store.stores[0]!.readPiece(i);
        expect(got?.length, `piece ${i}`).toBe(pieceSize(t.metainfo, i));
        expect(Buffer.from(got!).equals(Buffer.from(pieceOf(t, i))), `piece ${i} bytes`).toBe(true);
      }
      await Promise.all([leecher.close(), seeder.close()]);
    });

    it('reports which side dialled', async () => {
      const [a, b] = await connectedPair();
      expect([a.outgoing, b.outgoing]).toEqual([true, false]);
      const ra = record(a);
      const rb = record(b);
      b.close();
      await Promise.all([ra.closed, rb.closed]);
    });
  });
}
