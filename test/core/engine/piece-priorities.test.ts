import { describe, expect, it } from 'vitest';
import type { Priority } from '../../../src/core/api/types.js';
import { SluiceError } from '../../../src/core/errors.js';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PeerInterest } from '../../../src/core/engine/peer-interest.js';
import { PiecePriorities, type PieceDeadlineChange, type PiecePrioritiesOptions } from '../../../src/core/engine/piece-priorities.js';
import { pieceSize } from '../../../src/core/metainfo/layout.js';
import type { Metainfo } from '../../../src/core/metainfo/model.js';
import { PiecePicker } from '../../../src/core/picker/piece-picker.js';
import { Bitfield } from '../../../src/core/util/bitfield.js';
import { makeTorrent } from '../../helpers/engine.js';
import { ScriptedLink } from './scripted-link.js';

const PIECE = 16 * 1024;

/** Two files of two pieces each (a.bin: pieces 0-1, b.bin: 2-3); piece 0 verified; a real picker and interest; the test plays the peers. */
async function setup(options: Partial<PiecePrioritiesOptions> = {}) {
  const t = await makeTorrent([{ path: ['a.bin'], length: 2 * PIECE }, { path: ['b.bin'], length: 2 * PIECE }], { pieceLength: PIECE });
  const meta: Metainfo = t.metainfo;
  const have = Bitfield.fromIndices(meta.pieceCount, [0]);
  let picker: PiecePicker | null = null;
  const links = new Map<string, PeerLink>();
  const filled: string[] = [];
  const wantedCalls: [number, boolean][] = [];
  let changes = 0;
  const interest = new PeerInterest({ picker: () => picker, have: () => have, fill: () => {} });
  const priorities = new PiecePriorities(
    {
      picker: () => picker,
      have: () => have,
      meta: () => meta,
      storage: () => ({ setFileWanted: async (i, w) => void wantedCalls.push([i, w]) }),
      links,
      interest,
      fill: (link) => filled.push(link.address),
      changed: () => changes++,
    },
    { sequential: false, ...options },
  );
  const openPicker = () => {
    picker = new PiecePicker({ pieceCount: meta.pieceCount, pieceLength: (i) => pieceSize(meta, i), random: () => 0.5, have });
    priorities.applyTo(picker);
    return picker;
  };
  const peer = (address: string, pieces: number[]) => {
    const s = new ScriptedLink({ address, pieceCount: meta.pieceCount, pieceSize: (i) => pieceSize(meta, i) });
    s.feed({ type: 'bitfield', bits: Bitfield.fromIndices(meta.pieceCount, pieces).toWire() });
    s.sent();
    links.set(address, s.link);
    return s;
  };
  const fileIndex = (name: string) => meta.files.findIndex((f) => f.path.join('/').endsWith(name));
  return { meta, have, priorities, openPicker, peer, filled, wantedCalls, changes: () => changes, fileIndex };
}

describe('PiecePriorities', () => {
  it('asks filePrioritiesFor once when the metadata is known, and fills missing priorities with the default', async () => {
    let asked = 0;
    const { meta, priorities } = await setup({
      filePrioritiesFor: (m) => {
        asked++;
        return m.files.map((_, i) => (i === 0 ? 7 : 0) as Priority);
      },
    });
    priorities.choose(meta);
    priorities.choose(meta);
    expect(asked).toBe(1);
    expect(priorities.filePriorities).toEqual(meta.files.map((_, i) => (i === 0 ? 7 : 0)));

    const plain = await setup({ filePriorities: [1] });
    plain.priorities.choose(plain.meta);
    expect(plain.priorities.filePriorities).toEqual(plain.meta.files.map((_, i) => (i === 0 ? 1 : 4)));
  });

  it('rethrows what filePrioritiesFor throws as a SluiceError', async () => {
    const { meta, priorities } = await setup({
      filePrioritiesFor: () => {
        throw new SluiceError('cli/bad-select', 'no file matches');
      },
    });
    expect(() => priorities.choose(meta)).toThrow(expect.objectContaining({ code: 'cli/bad-select' }));
  });

  it('adopts saved priorities (clamped) and sequential only when the person chose none', async () => {
    const { meta, priorities } = await setup();
    priorities.choose(meta);
    priorities.adoptResume(meta, { filePriorities: meta.files.map(() => 9), sequential: true });
    expect(priorities.filePriorities).toEqual(meta.files.map(() => 7));
    expect(priorities.sequential).toBe(true);

    const chosen = await setup({ filePriorities: [2, 2] });
    chosen.priorities.choose(chosen.meta);
    chosen.priorities.adoptResume(chosen.meta, { filePriorities: [7, 7], sequential: true });
    expect(chosen.priorities.filePriorities).toEqual([2, 2]);
    expect(chosen.priorities.sequential).toBe(false);
  });

  it('maps a file priority onto its pieces, tells storage and resume, and updates interest', async () => {
    const { meta, priorities, openPicker, peer, wantedCalls, changes, fileIndex } = await setup();
    priorities.choose(meta);
    const picker = openPicker();
    const s = peer('10.0.0.1:1', [3]);
    const b = fileIndex('b.bin');
    priorities.setFilePriority(b, 0);
    expect([0, 1, 2, 3].map((i) => picker.priority(i))).toEqual([4, 4, 0, 0]);
    expect(wantedCalls).toEqual([[b, false]]);
    expect(changes()).toBe(1);
    expect(priorities.wanted(meta)[b]).toBe(false);
    priorities.setFilePriority(b, 6);
    expect(picker.priority(3)).toBe(6);
    expect(s.sentSummary()).toEqual(['interested']);
    expect(() => priorities.setFilePriority(9, 1)).toThrow(expect.objectContaining({ code: 'torrent/bad-file' }));
  });

  it('sets a deadline on a missing piece (raising priority 0), gets interested in peers that have it, and tells listeners', async () => {
    const { meta, priorities, openPicker, peer, filled, fileIndex } = await setup();
    priorities.choose(meta);
    priorities.setFilePriority(fileIndex('b.bin'), 0);
    const picker = openPicker();
    const s = peer('10.0.0.1:1', [2]);
    const heard: PieceDeadlineChange[] = [];
    const stop = priorities.onPieceDeadline((c) => heard.push(c));

    priorities.setPieceDeadline(2, 500);
    priorities.setPieceDeadline(3, 600);
    expect(picker.priority(2)).toBe(1);
    expect(picker.deadlineOf(2)).toBe(500);
    expect(s.sentSummary()).toEqual(['interested']);
    // Each peer is filled once, after every deadline set in this task: not once per deadline.
    expect(filled).toEqual([]);
    await Promise.resolve();
    expect(filled).toEqual(['10.0.0.1:1']);
    priorities.clearPieceDeadline(3);
    // A verified piece needs no deadline: nothing is set or told.
    priorities.setPieceDeadline(0, 100);
    expect(picker.deadlineOf(0)).toBeUndefined();
    priorities.clearPieceDeadline(2);
    expect(picker.deadlineOf(2)).toBeUndefined();
    expect(heard).toEqual([
      { type: 'set', piece: 2, deadline: 500 },
      { type: 'set', piece: 3, deadline: 600 },
      { type: 'cleared', piece: 3 },
      { type: 'cleared', piece: 2 },
    ]);

    stop();
    priorities.setPieceDeadline(3, 900);
    expect(heard).toHaveLength(4);
  });

  it('keeps a deadline set before the picker exists (metadata or check pending) and applies it to the picker when it comes', async () => {
    const { meta, priorities, openPicker } = await setup();
    priorities.choose(meta);
    const heard: PieceDeadlineChange[] = [];
    priorities.onPieceDeadline((c) => heard.push(c));
    // A stream opened during the check: its playhead (piece 3), a piece it dropped again (2), and one
    // the check finds verified (0).
    priorities.setPieceDeadline(3, 10);
    priorities.setPieceDeadline(2, 20);
    priorities.setPieceDeadline(0, 30);
    priorities.clearPieceDeadline(2);
    expect(heard).toEqual([]);
    const picker = openPicker();
    expect(picker.deadlineOf(3)).toBe(10);
    expect(picker.deadlineOf(2)).toBeUndefined();
    expect(picker.deadlineOf(0)).toBeUndefined();
    expect(heard).toEqual([{ type: 'set', piece: 3, deadline: 10 }]);
    // Its blocks are what a peer is asked for first.
    expect(picker.pick({ id: 'p', has: 'all' }, 1, 0)).toEqual([{ piece: 3, begin: 0, length: PIECE }]);
  });
});
