import { describe, expect, it } from 'vitest';
import type { ResumeStore } from '../../../src/core/engine/context.js';
import { decodeResume, type ResumeData } from '../../../src/core/resume/index.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { makeTorrent, seededStorage, SimNet } from '../../helpers/engine.js';

/** Keeps every save with the session time it landed at. */
function recordingResume(clock: { now(): number }): ResumeStore & { saves: { at: number; data: ResumeData }[] } {
  const saves: { at: number; data: ResumeData }[] = [];
  return {
    saves,
    load: async () => null,
    save: async (_key, bytes) => void saves.push({ at: clock.now(), data: decodeResume(bytes) }),
    remove: async () => {},
  };
}

describe('resume data while downloading', () => {
  it('holds every verified piece within a second of its verification (session clock), and saves at most once a second', async () => {
    // 64 pieces of 16 KiB at 128 KiB/s: eight seconds of download, one piece every 125 ms.
    const t = await makeTorrent([{ path: ['a.bin'], length: 64 * 16384 }], { name: 'a.bin', pieceLength: 16384 });
    const net = new SimNet();
    await net.session('seeder', { storage: seededStorage(t) }).addTorrent({ torrent: t.bytes });
    const resume = recordingResume(net.clock);
    const leecher = net.session('leecher', { storage: memoryStorage, resume, settings: { downloadRateLimit: 128 * 1024 } });
    const verifiedAt = new Map<number, number>();
    leecher.on((a) => {
      if (a.type === 'piece-verified') verifiedAt.set(a.piece, net.now);
    });
    const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
    await net.run(() => torrent.status().state === 'seeding', { stepMs: 20 });
    const lastVerified = Math.max(...verifiedAt.values());
    expect(lastVerified - Math.min(...verifiedAt.values())).toBeGreaterThan(5000);

    for (const [piece, at] of verifiedAt) {
      const saved = resume.saves.find((s) => Bitfield.fromWire(s.data.have, t.metainfo.pieceCount).get(piece));
      expect(saved, `piece ${piece}`).toBeDefined();
      // One 20 ms step of slack: the tick that saves comes after the one that verified.
      expect(saved!.at - at, `piece ${piece}`).toBeLessThanOrEqual(1000 + 20);
    }
    const duringDownload = resume.saves.filter((s) => s.at < lastVerified);
    for (let i = 1; i < duringDownload.length; i++) expect(duringDownload[i]!.at - duringDownload[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(resume.saves.every((s) => s.data.location === 'memory')).toBe(true);
  });
});
