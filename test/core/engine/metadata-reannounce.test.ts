import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/util/hex.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../../helpers/engine.js';

describe('a magnet that got its metadata tells the peers already connected', () => {
  it('a peer that only knows us fetches the metadata from us once we have it (the extended handshake is sent again with metadata_size)', async () => {
    const t = await makeTorrent([{ path: ['a.bin'], length: 64 * 1024 }], { name: 'a.bin', pieceLength: 16 * 1024 });
    const infoHash = toHex(t.metainfo.infoHash!);
    const net = new SimNet();
    // "middle" connects to "first" before "first" knows the seeder, so before it has the metadata.
    const seeder = net.session('seeder', { storage: seededStorage(t) });
    await seeder.addTorrent({ torrent: t.bytes });
    const first = net.session('first', { storage: recordingStorage() });
    const middle = net.session('middle', { storage: recordingStorage() });
    const b = await middle.addTorrent({ infoHash }, { peers: ['first:1'] });
    const a = await first.addTorrent({ infoHash });
    await net.run(() => a.peers().length === 1 && b.peers().length === 1);
    expect(a.metainfo).toBeNull();
    a.addPeers(['seeder:1'], 'manual');
    await net.run(() => a.metainfo !== null);
    // "middle" knows no one but "first": the metadata can only come from there.
    await net.run(() => b.metainfo !== null, { maxSteps: 20_000 });
    expect(b.metainfo!.infoBytes).toEqual(t.metainfo.infoBytes);

  });
});
