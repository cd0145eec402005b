/** The one piece of the WebAssembly global used here (the sidecar's TypeScript libs do not declare it). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };

/** What a thread hashing v1 pieces gets; `next` and `pieces` are shared between all of them. */
export interface ChunkJob {
  /** The files, laid end to end in this order (v1 piece space, no padding). */
  readonly paths: readonly string[];
  readonly lengths: readonly number[];
  readonly pieceLength: number;
  /** Whole pieces per claim (one read each). */
  readonly chunkPieces: number;
  /** Next chunk to claim, advanced with Atomics.add; setting it past the end stops every thread. */
  readonly next: Int32Array;
  /** 20 bytes per piece. */
  readonly pieces: Uint8Array;
}

export interface ChunkDeps {
  openSync(path: string, flags: 'r'): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  sha1(data: Uint8Array): Uint8Array;
  /** Makes the error to throw: code 'short-read' (a file got shorter) or 'read-failed'. */
  fail(code: 'short-read' | 'read-failed', message: string): Error;
}

/**
 * Claims chunks of whole pieces until none are left (so a thread on a busier core simply takes
 * fewer), reads each with blocking reads into one reused buffer — across file boundaries, as in
 * BEP 3 — and writes each piece's SHA-1 into `job.pieces`; `onChunk` gets the bytes after each chunk.
 *
 * The hash workers run this function's source text (see piece-worker-source.ts), so it must use
 * nothing but its arguments and JavaScript built-ins.
 */
export function hashClaimedChunks(job: ChunkJob, deps: ChunkDeps, onChunk: (bytes: number) => void): void {
  const { paths, lengths, pieceLength, chunkPieces, next, pieces } = job;
  const starts: number[] = [0];
  for (let i = 0; i < lengths.length; i++) starts.push(starts[i]! + lengths[i]!);
  const total = starts[lengths.length]!;
  const pieceCount = Math.ceil(total / pieceLength);
  const bufferLength = Math.min(chunkPieces * pieceLength, total);
  // WebAssembly memory is page-aligned; malloc's large blocks start 16 bytes into a page, and the
  // kernel's copy from the page cache into such a buffer costs ~1.7x the system time (measured:
  // 0.25 s against 0.15 s per GiB here).
  const buffer =
    typeof WebAssembly === 'object'
      ? new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(bufferLength / 65536) }).buffer, 0, bufferLength)
      : new Uint8Array(bufferLength);
  let fd = -1;
  let fdIndex = -1;
  const closeCurrent = () => {
    const open = fd;
    fd = -1;
    fdIndex = -1;
    if (open >= 0) deps.closeSync(open);
  };
  const fdFor = (index: number): number => {
    if (fdIndex === index) return fd;
    closeCurrent();
    try {
      fd = deps.openSync(paths[index]!, 'r');
    } catch (error) {
      throw deps.fail('read-failed', `cannot open '${paths[index]}': ${(error as { code?: string }).code ?? String(error)}`);
    }
    fdIndex = index;
    return fd;
  };
  // The non-empty file holding byte `at` of piece space.
  const fileAt = (at: number): number => {
    let lo = 0;
    let hi = lengths.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    while (lengths[lo] === 0 || starts[lo]! + lengths[lo]! <= at) lo++;
    return lo;
  };
  const fill = (start: number, length: number) => {
    let index = fileAt(start);
    let filled = 0;
    while (filled < length) {
      const offset = start + filled - starts[index]!;
      const want = Math.min(lengths[index]! - offset, length - filled);
      if (want > 0) {
        const handle = fdFor(index);
        let got = 0;
        while (got < want) {
          let n: number;
          try {
            n = deps.readSync(handle, buffer, filled + got, want - got, offset + got);
          } catch (error) {
            throw deps.fail('read-failed', `cannot read '${paths[index]}': ${(error as { code?: string }).code ?? String(error)}`);
          }
          if (n === 0) throw deps.fail('short-read', `'${paths[index]}' got shorter while it was being hashed`);
          got += n;
        }
        filled += want;
      }
      index++;
    }
  };
  try {
    for (;;) {
      const first = Atomics.add(next, 0, 1) * chunkPieces;
      if (first >= pieceCount) break;
      const end = Math.min(first + chunkPieces, pieceCount);
      const start = first * pieceLength;
      const length = Math.min(end * pieceLength, total) - start;
      fill(start, length);
      for (let p = first; p < end; p++) {
        const from = (p - first) * pieceLength;
        pieces.set(deps.sha1(buffer.subarray(from, Math.min(from + pieceLength, length))), p * 20);
      }
      onChunk(length);
    }
  } finally {
    closeCurrent();
  }
}
