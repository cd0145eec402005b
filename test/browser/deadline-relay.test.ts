import { describe, expect, it } from 'vitest';
import { relayDeadlines } from '../../src/browser/bridge/deadline-relay.js';
import { toHex } from '../../src/core/util/hex.js';
import { makeTorrent, recordingStorage, seededStorage, SimNet } from '../helpers/engine.js';

const PIECE = 16384;

describe('relayDeadlines (the bridge hears the deadlines a torrent sets)', () => {
  it('forwards every deadline a reader sets and clears, once per torrent, and nothing while the bridge is down', async () => {
    const t = await makeTorrent([{ path: ['movie.mp4'], length: 12 * PIECE }], { name: 'movie.mp4', pieceLength: PIECE });
    const infoHash = toHex(t.metainfo.infoHash!);
    const net = new SimNet();
    const seeder = net.session('seeder', { storage: seededStorage(t), settings: { uploadRateLimit: 100_000 } });
    await seeder.addTorrent({ torrent: t.bytes });
    const leecher = net.session('leecher', { storage: recordingStorage() });
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'], filePriorities: [0] });
    await net.run(() => ['seeding', 'downloading'].includes(torrent.status().state));

    const heard: string[] = [];
    let up = false;
    const listener = () => (up ? { set: (ih: string, p: number, at: number) => heard.push(`set ${ih} ${p} ${at}`), clear: (ih: string, p: number) => heard.push(`clear ${ih} ${p}`) } : null);
    relayDeadlines(torrent, listener);
    relayDeadlines(torrent, listener);

    torrent.setPieceDeadline(1, 111);
    expect(heard).toEqual([]);
    up = true;
    torrent.setPieceDeadline(2, 222);
    torrent.clearPieceDeadline(2);
    expect(heard).toEqual([`set ${infoHash} 2 222`, `clear ${infoHash} 2`]);

    // A stream's deadlines go the same way: the piece it waits for, read-ahead, then cleared as it moves on.
    heard.length = 0;
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of torrent.readStream(0, { start: 0, end: PIECE, readAhead: 1 })) chunks.push(chunk);
    })();
    await net.run(() => chunks.length === 1);
    await reading;
    expect(heard.filter((h) => h.startsWith('set')).map((h) => h.split(' ').slice(0, 3).join(' '))).toEqual([`set ${infoHash} 0`]);
    expect(heard.filter((h) => h.startsWith('clear'))).toEqual([`clear ${infoHash} 0`]);
  });
});
