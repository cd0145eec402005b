import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBencode } from '../../../src/core/bencode/encode.js';
import { decodeResume, encodeResume, MAX_RESUME_PEERS, type ResumeData } from '../../../src/core/resume/resume-data.js';
import { ResumeError } from '../../../src/core/resume/errors.js';
import { fromUtf8 } from '../../../src/core/util/bytes.js';

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));

const resumeArb: fc.Arbitrary<ResumeData> = fc
  .record({
    infoHash: fc.oneof(hex(40), hex(64)),
    pieceCount: fc.integer({ min: 0, max: 300 }),
    location: fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom('/home/user/Downloads', 'opfs:sluice', 'idb:sluice-data')),
    bits: fc.array(fc.boolean(), { maxLength: 300 }),
    files: fc.array(fc.option(fc.record({ size: fc.maxSafeNat(), mtime: fc.maxSafeInteger() }), { nil: null }), { maxLength: 20 }),
    peers: fc.array(
      fc.oneof(
        fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
        fc.tuple(fc.ipV6(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `[${h}]:${p}`),
        fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
      ),
      { maxLength: 10 },
    ),
    sequential: fc.boolean(),
    savedAt: fc.maxSafeNat(),
    priorities: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 20, maxLength: 20 }),
  })
  .map((r) => {
    const have = new Uint8Array(Math.ceil(r.pieceCount / 8));
    for (let i = 0; i < r.pieceCount; i++) if (r.bits[i]) have[i >> 3]! |= 0x80 >> (i & 7);
    return {
      version: 2,
      infoHash: r.infoHash,
      pieceCount: r.pieceCount,
      location: r.location,
      have,
      files: r.files,
      peers: r.peers,
      filePriorities: r.priorities.slice(0, r.files.length),
      sequential: r.sequential,
      savedAt: r.savedAt,
    };
  });

const sample: ResumeData = {
  version: 2,
  infoHash: 'aa'.repeat(20),
  pieceCount: 10,
  location: '/data/downloads',
  have: new Uint8Array([0b1010_0000, 0b0100_0000]),
  files: [{ size: 100, mtime: 1_700_000_000_123 }, null],
  peers: ['127.0.0.1:6881', '[::1]:51413'],
  filePriorities: [4, 0],
  sequential: true,
  savedAt: 1_700_000_001_000,
};

function errorOf(fn: () => unknown): ResumeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResumeError);
    return error as ResumeError;
  }
  throw new Error('expected a ResumeError');
}

/** The sample with one top-level key replaced (undefined removes it), encoded. */
function withField(key: string, value: unknown): Uint8Array {
  const base: Record<string, unknown> = {
    version: 2, 'info-hash': sample.infoHash, 'piece-count': 10, location: '/data/downloads', have: sample.have,
    files: [{ size: 100, mtime: 1_700_000_000_123 }, {}], peers: ['127.0.0.1:6881'], 'file-priorities': [4, 0],
    sequential: 1, 'saved-at': 5,
  };
  base[key] = value;
  return encodeBencode(base as Parameters<typeof encodeBencode>[0]);
}

describe('resume data encoding', () => {
  it('has a fixed, readable bencoding', () => {
    expect(fromUtf8(encodeResume({ ...sample, have: new Uint8Array([0x41, 0x42]) }))).toBe(
      'd15:file-prioritiesli4ei0ee5:filesld5:mtimei1700000000123e4:sizei100eedee4:have2:AB' +
        '9:info-hash40:' + 'aa'.repeat(20) + '8:location15:/data/downloads' + '5:peersl14:127.0.0.1:688111:[::1]:51413e11:piece-counti10e' +
        '8:saved-ati1700000001000e10:sequentiali1e7:versioni2ee',
    );
  });

  it('decodes what it encodes', () => {
    fc.assert(fc.property(resumeArb, (r) => {
      expect(decodeResume(encodeResume(r))).toEqual(r);
    }));
  });

  it('turns random bytes into a typed error and nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeResume(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ResumeError);
        expect((error as ResumeError).message).not.toContain('\n');
      }
    }), { numRuns: 2000 });
  });

  it('turns damaged resume data into a typed error and nothing else', () => {
    fc.assert(fc.property(resumeArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (r, edits) => {
      const bytes = encodeResume(r);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      try {
        decodeResume(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ResumeError);
      }
    }));
  });

  it('names the problem', () => {
    expect(errorOf(() => decodeResume(new Uint8Array([0x64]))).message).toBe(
      'resume data is not valid bencode: input ends inside a dictionary at offset 1',
    );
    expect(errorOf(() => decodeResume(encodeBencode([1]))).message).toBe('resume data is not a dictionary');
    expect(errorOf(() => decodeResume(withField('version', 3)))).toMatchObject({
      code: 'resume/unsupported-version',
      message: 'resume data has format version 3; this build reads only 2',
    });
    // Version 1 did not record where the data was: it cannot vouch for any folder.
    expect(errorOf(() => decodeResume(withField('version', 1))).code).toBe('resume/unsupported-version');
    expect(errorOf(() => decodeResume(withField('location', undefined))).message).toBe("resume data has no 'location'");
    expect(errorOf(() => decodeResume(withField('location', ''))).message).toBe("resume data has an empty 'location'");
    expect(errorOf(() => decodeResume(withField('location', 'x'.repeat(4097)))).message).toBe("resume data has a 'location' longer than 4096 bytes");
    expect(errorOf(() => decodeResume(withField('info-hash', 'AA'.repeat(20)))).code).toBe('resume/bad-data');
    expect(errorOf(() => decodeResume(withField('piece-count', undefined))).message).toBe("resume data has no 'piece-count'");
    expect(errorOf(() => decodeResume(withField('have', new Uint8Array([0xff, 0xff])))).message).toBe(
      "resume data has a bad 'have' bitfield: bitfield for 10 pieces has spare bits set in its last byte",
    );
    expect(errorOf(() => decodeResume(withField('have', new Uint8Array([0xff])))).code).toBe('resume/bad-data');
    expect(errorOf(() => decodeResume(withField('file-priorities', [4]))).message).toBe(
      'resume data has 1 file priorities for 2 files',
    );
    expect(errorOf(() => decodeResume(withField('file-priorities', [4, 8]))).code).toBe('resume/bad-data');
    expect(errorOf(() => decodeResume(withField('files', [{ size: -1, mtime: 0 }, {}]))).message).toBe(
      "resume data has file 0 without a non-negative 'size'",
    );
    expect(errorOf(() => decodeResume(withField('peers', ['127.0.0.1:0']))).message).toBe(
      'resume data has peer 0 that is not "host:port"',
    );
    expect(errorOf(() => decodeResume(withField('peers', ['bad host:1']))).code).toBe('resume/bad-data');
    const tooMany = Array.from({ length: MAX_RESUME_PEERS + 1 }, (_, i) => `10.0.0.1:${i + 1}`);
    expect(errorOf(() => decodeResume(withField('peers', tooMany))).message).toBe(`resume data has more than ${MAX_RESUME_PEERS} 'peers'`);
    expect(errorOf(() => decodeResume(withField('sequential', 2))).code).toBe('resume/bad-data');
  });

  it('ignores keys it does not know', () => {
    expect(decodeResume(withField('zz-future', 'x')).pieceCount).toBe(10);
  });
});
