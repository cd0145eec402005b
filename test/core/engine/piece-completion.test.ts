import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { SluiceError } from '../../../src/core/errors.js';
import { PeerBook } from '../../../src/core/engine/peer-book.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PieceBuffers } from '../../../src/core/engine/piece-buffers.js';
import { PieceCompletion } from '../../../src/core/engine/piece-completion.js';
import { PieceVerifier } from '../../../src/core/engine/piece-verifier.js';
import { SmartBan } from '../../../src/core/engine/smart-ban.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import type { TorrentStorage } from '../../../src/core/ports/storage.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { makeTorrent, pieceOf, type TestTorrent } from '../../helpers/engine.js';
import { ScriptedLink } from './scripted-link.js';

const BLOCK = 16 * 1024;

/** Four pieces of two blocks; a real picker, verifier, memory store, peer book and smart ban; the test plays the peers. */
async function harness(options: { failWrites?: SluiceError } = {}) {
  const t: TestTorrent = await makeTorrent([{ path: ['a.bin'], length: 4 * 2 * BLOCK }], { name: 'a.bin', pieceLength: 2 * BLOCK });
  const meta = t.metainfo;
  const have = new Bitfield(meta.pieceCount);
  const picker = new PiecePicker({ pieceCount: meta.pieceCount, pieceLength: (i) => pieceSize(meta, i), random: () => 0.5, have });
  // Some peer has every piece, so the picker gives pieces out (it only picks what someone has).
  picker.peerBitfield(Bitfield.fromIndices(meta.pieceCount, [0, 1, 2, 3]));
  const store = await memoryStorage.open(meta, { id: 'test', wanted: meta.files.map(() => true) });
  const storage: Pick<TorrentStorage, 'writePiece'> = options.failWrites
    ? { writePiece: () => Promise.reject(options.failWrites) }
    : store;
  const links = new Map<string, PeerLink>();
  const buffers = new PieceBuffers(1 << 20);
  const book = new PeerBook();
  const smartBan = new SmartBan(nodeHasher);
  const alerts: Alert[] = [];
  const stored: number[] = [];
  const verified: number[] = [];
  const failures: SluiceError[] = [];
  let removed = false;
  const completion = new PieceCompletion({
    infoHashHex: 'ab'.repeat(20),
    picker: () => picker,
    verifier: () => new PieceVerifier(meta, nodeHasher),
    storage: () => storage,
    have: () => have,
    removed: () => removed,
    links,
    buffers,
    smartBan,
    book,
    webSeed: () => undefined,
    emit: (alert) => alerts.push(alert),
    storageFailed: (error) => failures.push(error),
    stored: (index) => stored.push(index),
    verified: (index) => verified.push(index),
  });
  const peer = (address: string, pieces: number[] = []) => {
    const s = new ScriptedLink({ address, pieceCount: meta.pieceCount, pieceSize: (i) => pieceSize(meta, i) });
    s.feed({ type: 'bitfield', bits: Bitfield.fromIndices(meta.pieceCount, pieces).toWire() });
    s.sent();
    links.set(address, s.link);
    return s;
  };
  /**
   * Piece `index` arrives, block b from senders[b % senders.length], through the picker and smart ban as the
   * block fetcher takes it; blocks from `liar` are flipped. Then the piece is finished.
   */
  const deliver = async (index: number, senders: string[], liar?: string) => {
    const good = pieceOf(t, index);
    for (let b = 0; b * BLOCK < good.length; b++) {
      const sender = senders[b % senders.length]!;
      const [request] = picker.pick({ id: sender, has: Bitfield.fromIndices(meta.pieceCount, [index]) }, 1, 0);
      expect(request).toMatchObject({ piece: index });
      const block = good.slice(request!.begin, request!.begin + request!.length);
      if (sender === liar) block[0] = block[0]! ^ 0xff;
      const result = picker.blockReceived(sender, index, request!.begin, block.length);
      expect(result.status).toBe('accepted');
      buffers.put(index, good.length, request!.begin, block);
      smartBan.blockAccepted(index, request!.begin, sender);
    }
    await completion.finish(index);
  };
  const types = () => alerts.map((a) => a.type);
  return { t, store, have, book, alerts, types, stored, verified, failures, completion, peer, deliver, remove: () => (removed = true) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('PieceCompletion', () => {
  it('stores a verified piece, then announces HAVE to the peers that lack it and wakes the readers waiting for it', async () => {
    const h = await harness();
    const lacking = h.peer('10.0.0.1:1', [0]);
    const holding = h.peer('10.0.0.2:1', [2]);
    let read = false;
    const waiting = h.completion.waitFor(2).then(() => (read = true));
    await h.deliver(2, ['10.0.0.2:1']);
    await waiting;
    expect(read).toBe(true);
    expect(h.have.get(2)).toBe(true);
    expect(await h.store.read(2, 0, 2 * BLOCK)).toEqual(pieceOf(h.t, 2));
    expect(lacking.sentSummary()).toEqual(['have 2']);
    expect(holding.sentSummary()).toEqual([]);
    expect(h.stored).toEqual([2]);
    expect(h.verified).toEqual([2]);
    expect(h.types()).toEqual(['piece-verified']);
    // Already verified: a reader asking now does not wait.
    await h.completion.waitFor(2);
  });

  it('never hands a failed piece on: not stored, not announced, readers keep waiting, and it is asked for again', async () => {
    const h = await harness();
    const other = h.peer('10.0.0.1:1');
    h.peer('10.0.0.9:1', [1]);
    let woken = false;
    void h.completion.waitFor(1).then(() => (woken = true));
    await h.deliver(1, ['10.0.0.9:1'], '10.0.0.9:1');
    await settle();
    expect(woken).toBe(false);
    expect(h.have.get(1)).toBe(false);
    await expect(h.store.read(1, 0, 2 * BLOCK)).rejects.toMatchObject({ code: 'storage/missing' });
    expect(other.sentSummary()).toEqual([]);
    expect(h.alerts).toEqual([{ type: 'piece-failed', infoHash: 'ab'.repeat(20), piece: 1, peers: ['10.0.0.9:1'] }]);
    expect(h.stored).toEqual([]);
    // The picker gives the piece out again, and a good copy wakes the reader.
    await h.deliver(1, ['10.0.0.1:1']);
    await settle();
    expect(woken).toBe(true);
  });

  it('bans a sole sender at its second failed piece, and closes its connection', async () => {
    const h = await harness();
    const liar = h.peer('10.0.0.9:1', [0, 1, 2, 3]);
    await h.deliver(0, ['10.0.0.9:1'], '10.0.0.9:1');
    expect(h.book.isBanned('10.0.0.9:1')).toBe(false);
    await h.deliver(1, ['10.0.0.9:1'], '10.0.0.9:1');
    expect(h.book.isBanned('10.0.0.9:1')).toBe(true);
    expect(h.alerts.at(-1)).toEqual({ type: 'peer-banned', infoHash: 'ab'.repeat(20), address: '10.0.0.9:1', reason: 'sent data that failed the hash check' });
    expect(liar.link.closed).toBe(true);
    expect(liar.closedWith?.code).toBe('peer/banned');
  });

  it('smart ban: when a shared piece fails and later passes, only the peer whose block differed is banned', async () => {
    const h = await harness();
    const honest = h.peer('10.0.0.1:1', [3]);
    const liar = h.peer('10.0.0.9:1', [3]);
    await h.deliver(3, ['10.0.0.1:1', '10.0.0.9:1'], '10.0.0.9:1');
    expect(h.book.isBanned('10.0.0.9:1')).toBe(false);
    await h.deliver(3, ['10.0.0.1:1']);
    expect(h.have.get(3)).toBe(true);
    expect(h.book.isBanned('10.0.0.9:1')).toBe(true);
    expect(h.book.isBanned('10.0.0.1:1')).toBe(false);
    expect(liar.link.closed).toBe(true);
    expect(honest.link.closed).toBe(false);
    expect(h.types()).toEqual(['piece-failed', 'peer-banned', 'piece-verified']);
  });

  it('a write that fails for good stops the torrent: the piece is not set, announced or handed to readers', async () => {
    const h = await harness({ failWrites: new SluiceError('storage/disk-full', 'the disk is full') });
    const other = h.peer('10.0.0.1:1');
    let woken = false;
    void h.completion.waitFor(0).then(() => (woken = true));
    await h.deliver(0, ['10.0.0.1:1']);
    await settle();
    expect(h.failures.map((e) => e.code)).toEqual(['storage/disk-full']);
    expect(h.have.get(0)).toBe(false);
    expect(other.sentSummary()).toEqual([]);
    expect(woken).toBe(false);
    expect(h.types()).toEqual([]);
  });

  it('readers waiting when the torrent goes hear torrent/removed, and so does a reader asking afterwards', async () => {
    const h = await harness();
    const waiting = h.completion.waitFor(0);
    h.remove();
    h.completion.rejectWaiters();
    await expect(waiting).rejects.toMatchObject({ code: 'torrent/removed' });
    await expect(h.completion.waitFor(1)).rejects.toMatchObject({ code: 'torrent/removed' });
  });
});
