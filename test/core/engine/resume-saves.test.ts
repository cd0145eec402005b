import { describe, expect, it } from 'vitest';
import type { ResumeStore } from '../../../src/core/engine/context.js';
import { decodeResume, type ResumeData } from '../../../src/core/resume/index.js';
import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { makeTorrent, seededStorage, SimNet } from '../../helpers/engine.js';

/** Keeps every save with the session time it started at; each save takes `takesMs` of session time. */
function recordingResume(clock: { now(): number }, takesMs: number): ResumeStore & { saves: { at: number; data: ResumeData }[] } {
  const saves: { at: number; data: ResumeData }[] = [];
  return {
    saves,
    load: async () => null,
    async save(_key, bytes) {
      const at = clock.now();
      saves.push({ at, data: decodeResume(bytes) });
      while (clock.now() < at + takesMs) await new Promise((r) => setImmediate(r));
    },
    remove: async () => {},
  };
}

/** Downloads 64 pieces of 16 KiB at 128 KiB/s (one piece every 125 ms for eight seconds) with a resume store whose saves take `takesMs`. */
async function download(takesMs: number) {
  const t = await makeTorrent([{ path: ['a.bin'], length: 64 * 16384 }], { name: 'a.bin', pieceLength: 16384 });
  const net = new SimNet();
  await net.session('seeder', { storage: seededStorage(t) }).addTorrent({ torrent: t.bytes });
  const resume = recordingResume(net.clock, takesMs);
  const leecher = net.session('leecher', { storage: memoryStorage, resume, settings: { downloadRateLimit: 128 * 1024 } });
  const verifiedAt = new Map<number, number>();
  leecher.on((a) => {
    if (a.type === 'piece-verified') verifiedAt.set(a.piece, net.now);
  });
  const torrent = await leecher.addTorrent({ torrent: t.bytes }, { peers: ['seeder:1'] });
  await net.run(() => torrent.status().state === 'seeding', { stepMs: 20 });
  const lastVerified = Math.max(...verifiedAt.values());
  expect(lastVerified - Math.min(...verifiedAt.values())).toBeGreaterThan(5000);
  /** How long after its verification each piece first appeared in saved resume data. */
  const delays = [...verifiedAt].map(([piece, at]) => {
    const saved = resume.saves.find((s) => Bitfield.fromWire(s.data.have, t.metainfo.pieceCount).get(piece));
    expect(saved, `piece ${piece}`).toBeDefined();
    return saved!.at - at;
  });
  const starts = resume.saves.filter((s) => s.at < lastVerified).map((s) => s.at);
  const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
  return { delays, gaps, saves: resume.saves };
}

describe('resume data while downloading', () => {
  it('holds every verified piece within a second of its verification (session clock), saving at most once a second', async () => {
    const { delays, gaps, saves } = await download(0);
    // One 20 ms step of slack: the tick that saves comes after the one that verified.
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000 + 20);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(saves.every((s) => s.data.location === 'memory')).toBe(true);
  });

  it('saves no more often than keeps saving under a tenth of the time, and never queues saves behind a slow one', async () => {
    const { delays, gaps } = await download(400);
    // Each save takes 400 ms: the next starts 4 s after it ended.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(400 + 4000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400 + 4000 + 400 + 20);
  });
});
