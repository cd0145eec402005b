import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { ResumeSaver } from '../../../src/core/engine/resume-saver.js';
import { decodeResume, type ResumeData } from '../../../src/core/resume/index.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { deferred } from '../../../src/core/util/deferred.js';

/** A saver on a hand-moved clock, whose store's saves complete when the test says so. */
function setup() {
  let now = 0;
  const have = new Bitfield(8);
  const pending: { data: ResumeData; done: () => void }[] = [];
  const alerts: Alert[] = [];
  let wakes = 0;
  let priorities = [4, 4];
  const saver = new ResumeSaver({
    infoHashHex: 'ef'.repeat(20),
    store: {
      load: async () => null,
      save: (_key, bytes) => {
        const d = deferred<void>();
        pending.push({ data: decodeResume(bytes), done: () => d.resolve() });
        return d.promise;
      },
      remove: async () => {},
    },
    now: () => now,
    source: () => ({
      pieceCount: 8,
      storage: { location: '/data', fileStates: async () => [{ size: 1, mtime: 2 }, null], flush: async () => {} },
      have,
      peers: () => ['10.0.0.1:1'],
      filePriorities: () => priorities,
      sequential: () => false,
    }),
    emit: (alert) => alerts.push(alert),
    wake: () => wakes++,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { saver, have, pending, alerts, settle, wakes: () => wakes, at: (t: number) => (now = t), setPriorities: (p: number[]) => (priorities = p) };
}

describe('ResumeSaver', () => {
  it('saves nothing until something changed, then what is true when the save runs', async () => {
    const h = setup();
    expect(h.saver.tick(0)).toBeNull();
    await h.settle();
    expect(h.pending).toEqual([]);
    h.have.set(3);
    h.setPriorities([4, 0]);
    h.saver.markDirty();
    h.saver.tick(0);
    await h.settle();
    expect(h.pending).toHaveLength(1);
    const saved = h.pending[0]!.data;
    expect([...Bitfield.fromWire(saved.have, 8).indices()]).toEqual([3]);
    expect([saved.location, saved.filePriorities, saved.peers]).toEqual(['/data', [4, 0], ['10.0.0.1:1']]);
    h.pending[0]!.done();
    await h.settle();
    expect(h.alerts).toEqual([{ type: 'resume-data-saved', infoHash: 'ef'.repeat(20) }]);
  });

  it('saves changes at most once a second, and no more often than ten times the last save took', async () => {
    const h = setup();
    h.saver.markDirty();
    h.saver.tick(0);
    await h.settle();
    // This save takes 400 ms; a change meanwhile waits, and the torrent is woken to come back for it.
    h.saver.markDirty();
    h.at(400);
    h.pending[0]!.done();
    await h.settle();
    expect(h.wakes()).toBe(1);
    expect(h.saver.tick(1000)).toBe(400 + 4000);
    await h.settle();
    expect(h.pending).toHaveLength(1);
    expect(h.saver.tick(4400)).toBeNull();
    await h.settle();
    expect(h.pending).toHaveLength(2);
  });

  it('saves one at a time in call order, so an older snapshot never lands after a newer one', async () => {
    const h = setup();
    const first = h.saver.save();
    h.have.set(1);
    const second = h.saver.save();
    await h.settle();
    expect(h.pending).toHaveLength(1);
    h.pending[0]!.done();
    await first;
    await h.settle();
    expect(h.pending).toHaveLength(2);
    expect([...Bitfield.fromWire(h.pending[1]!.data.have, 8).indices()]).toEqual([1]);
    h.pending[1]!.done();
    await second;
  });
});
