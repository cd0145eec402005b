import { describe, expect, it } from 'vitest';
import { fileIndexOfNumber, parseStreamPath, streamPath } from '../../../src/core/stream/stream-path.js';

const IH = 'c9e15763f722f23e98a29decdfae341b98d53056';

describe('stream paths', () => {
  it('parses /stream/<infohash>/<n>/<name>, with or without the name', () => {
    expect(parseStreamPath(`/stream/${IH.toUpperCase()}/3/Big%20Buck%20Bunny.mp4`)).toEqual({ infoHash: IH, fileNumber: 3, name: 'Big Buck Bunny.mp4' });
    expect(parseStreamPath(`/stream/${IH}/1`)).toEqual({ infoHash: IH, fileNumber: 1, name: '' });
    // A malformed escape only spoils the cosmetic name.
    expect(parseStreamPath(`/stream/${IH}/2/%E0%A4%A`)).toEqual({ infoHash: IH, fileNumber: 2, name: '%E0%A4%A' });
  });

  it('refuses what is not a stream path: no number 0, no short hash, no other prefix', () => {
    for (const path of [`/stream/${IH}/0/a`, `/stream/${IH}/01/a`, `/stream/${IH.slice(1)}/1/a`, `/streams/${IH}/1/a`, `/stream/${IH}/x/a`, `/stream/${IH}/1234567890/a`]) {
      expect(parseStreamPath(path), path).toBeNull();
    }
  });

  it('formats the path with the last part of the file path, escaped, and parses back', () => {
    const path = streamPath(IH.toUpperCase(), 2, 'Season 1/Episode #1?.mkv');
    expect(path).toBe(`/stream/${IH}/2/Episode%20%231%3F.mkv`);
    expect(parseStreamPath(path)).toEqual({ infoHash: IH, fileNumber: 2, name: 'Episode #1?.mkv' });
  });

  it('numbers files from 1 without padding files, as sluice info does', () => {
    const files = [{ padding: false }, { padding: true }, { padding: false }, { padding: true }, { padding: false }];
    expect([1, 2, 3].map((n) => fileIndexOfNumber({ files } as never, n))).toEqual([0, 2, 4]);
    expect(fileIndexOfNumber({ files } as never, 4)).toBeNull();
    expect(fileIndexOfNumber({ files } as never, 0)).toBeNull();
  });
});
