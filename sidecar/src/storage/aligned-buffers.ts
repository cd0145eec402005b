/**
 * Page-aligned memory for piece buffers, so the store can write them with O_DIRECT (direct I/O needs
 * the buffer address, the file offset and the length aligned to the device's block size).
 *
 * JavaScript cannot see addresses; WebAssembly memory is the one allocation guaranteed page-aligned.
 * Each WebAssembly.Memory reserves a large stretch of address space (V8 keeps guard regions), so only
 * a bounded number are made; past that, and for small or odd-sized buffers, ordinary memory is given
 * and the store writes those buffers through the page cache as before.
 */
/** The one piece of the WebAssembly global used here (the sidecar's TypeScript libs do not declare it). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

export const DIRECT_IO_ALIGNMENT = 4096;
const WASM_PAGE = 65536;
/** Buffers smaller than this gain little from direct I/O and would cost a whole WebAssembly page each. */
const MIN_ALIGNED_LENGTH = 64 * 1024;
/** Piece buffers are capped at 64 MiB held at once; 64 memories cover 1 MiB pieces with room to spare. */
const MAX_MEMORIES = 64;

const aligned = new WeakSet<ArrayBufferLike>();
let memories = 0;

export function alignedPieceBuffer(length: number): Uint8Array {
  if (length < MIN_ALIGNED_LENGTH || length % DIRECT_IO_ALIGNMENT !== 0 || memories >= MAX_MEMORIES || typeof WebAssembly !== 'object') {
    return new Uint8Array(length);
  }
  const pages = Math.ceil(length / WASM_PAGE);
  let buffer: ArrayBuffer;
  try {
    buffer = new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
  } catch {
    // Out of address space for another memory: ordinary memory works too.
    return new Uint8Array(length);
  }
  memories++;
  aligned.add(buffer);
  return new Uint8Array(buffer, 0, length);
}

/** Whether byte `offset` of `view` sits at a page-aligned address (known only for alignedPieceBuffer memory). */
export function isAlignedAt(view: Uint8Array, offset: number): boolean {
  return aligned.has(view.buffer) && (view.byteOffset + offset) % DIRECT_IO_ALIGNMENT === 0;
}
