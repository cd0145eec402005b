import { unlink } from 'node:fs/promises';
import { errnoCode, readFully, syncHandle, writeFully, type OpenFile, type StorageFileHandle } from './file-io.js';

const MAGIC = new TextEncoder().encode('SLPARTS1');
const HEADER = 16;
const SLOT_HEADER = 8;
const FREE = 0;

/** The byte range of a piece that a part file holds for it (the slices of unwanted files). */
export interface PartRange {
  readonly pieceOffset: number;
  readonly length: number;
}

/**
 * Where bytes of unwanted files go, so a piece shared with a wanted file stays whole and verifiable
 * without creating the unwanted file (libtorrent's `.parts` idea, our own format):
 *
 *   header  "SLPARTS1" | u32 piece length | u32 piece count        (16 bytes, big-endian)
 *   slot k  u32 piece index + 1 (0: free) | u32 0 | piece-length bytes, at 16 + k * (8 + piece length)
 *
 * A slot's data is written before its header, so a crash leaves a free slot, never a labelled slot
 * with missing bytes. Slots are reused; the file is deleted when its last slot is freed. A part file
 * that does not match the torrent is discarded: it only ever holds bytes a recheck will ask for again.
 */
export class PartFile {
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private slotCount = 0;
  private handle: StorageFileHandle | null = null;
  private opening: Promise<StorageFileHandle> | null = null;

  private constructor(
    private readonly path: string,
    private readonly pieceLength: number,
    private readonly pieceCount: number,
    private readonly openFile: OpenFile,
  ) {}

  static async load(path: string, pieceLength: number, pieceCount: number, openFile: OpenFile): Promise<PartFile> {
    const part = new PartFile(path, pieceLength, pieceCount, openFile);
    let handle: StorageFileHandle;
    try {
      handle = await openFile(path, 'r+');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return part;
      throw error;
    }
    part.handle = handle;
    const header = new Uint8Array(HEADER);
    const view = new DataView(header.buffer);
    const whole = await readFully(handle, header, 0, HEADER, 0);
    if (!whole || !MAGIC.every((b, i) => header[i] === b) || view.getUint32(8) !== pieceLength || view.getUint32(12) !== pieceCount) {
      await part.remove();
      return part;
    }
    const slotHeader = new Uint8Array(SLOT_HEADER);
    const slotView = new DataView(slotHeader.buffer);
    // A valid file never has more slots than pieces; anything beyond is garbage and gets reused.
    for (let k = 0; k < pieceCount && (await readFully(handle, slotHeader, 0, SLOT_HEADER, part.slotPosition(k))); k++) {
      part.slotCount = k + 1;
      const label = slotView.getUint32(0);
      const piece = label - 1;
      if (label === FREE || piece >= pieceCount || part.slotOf.has(piece)) part.freeSlots.push(k);
      else part.slotOf.set(piece, k);
    }
    if (part.slotOf.size === 0) await part.remove();
    return part;
  }

  has(piece: number): boolean {
    return this.slotOf.has(piece);
  }

  pieces(): number[] {
    return [...this.slotOf.keys()];
  }

  /** Stores `ranges` of `data` (a whole piece) in the piece's slot. */
  async write(piece: number, data: Uint8Array, ranges: readonly PartRange[]): Promise<void> {
    const handle = await this.open();
    const existing = this.slotOf.get(piece);
    const slot = existing ?? this.freeSlots.pop() ?? this.slotCount++;
    // Claimed before the first await so a concurrent write of another piece cannot take it.
    this.slotOf.set(piece, slot);
    try {
      const base = this.slotPosition(slot) + SLOT_HEADER;
      for (const r of ranges) await writeFully(handle, data, r.pieceOffset, r.length, base + r.pieceOffset);
      if (existing === undefined) await writeFully(handle, this.label(piece + 1), 0, SLOT_HEADER, this.slotPosition(slot));
    } catch (error) {
      if (existing === undefined) {
        this.slotOf.delete(piece);
        this.freeSlots.push(slot);
      }
      throw error;
    }
  }

  /**
   * Reads `length` bytes at `pieceOffset` of the piece's slot into `buffer` at `bufferOffset`; false
   * when the piece has no slot or the file ends first.
   */
  async read(piece: number, buffer: Uint8Array, bufferOffset: number, pieceOffset: number, length: number): Promise<boolean> {
    const slot = this.slotOf.get(piece);
    if (slot === undefined || this.handle === null) return false;
    return readFully(this.handle, buffer, bufferOffset, length, this.slotPosition(slot) + SLOT_HEADER + pieceOffset);
  }

  /** Forgets the piece's slot; deletes the file once no slot is in use. */
  async free(piece: number): Promise<void> {
    const slot = this.slotOf.get(piece);
    if (slot === undefined || this.handle === null) return;
    this.slotOf.delete(piece);
    if (this.slotOf.size === 0) {
      await this.remove();
      return;
    }
    await writeFully(this.handle, this.label(FREE), 0, SLOT_HEADER, this.slotPosition(slot));
    this.freeSlots.push(slot);
  }

  async sync(): Promise<void> {
    if (this.handle !== null) await syncHandle(this.handle);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /** Closes and deletes the file, forgetting every slot. */
  async remove(): Promise<void> {
    await this.close().catch(() => undefined);
    this.slotOf.clear();
    this.freeSlots.length = 0;
    this.slotCount = 0;
    try {
      await unlink(this.path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }

  private open(): Promise<StorageFileHandle> {
    if (this.handle !== null) return Promise.resolve(this.handle);
    // Shared so that two writes racing to create the file open it once.
    this.opening ??= this.create().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async create(): Promise<StorageFileHandle> {
    let handle: StorageFileHandle;
    try {
      handle = await this.openFile(this.path, 'wx+');
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      // Left behind by someone else since we looked: we hold no slot in it, so start it afresh.
      await unlink(this.path);
      handle = await this.openFile(this.path, 'wx+');
    }
    try {
      const header = new Uint8Array(HEADER);
      header.set(MAGIC);
      new DataView(header.buffer).setUint32(8, this.pieceLength);
      new DataView(header.buffer).setUint32(12, this.pieceCount);
      await writeFully(handle, header, 0, HEADER, 0);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(this.path).catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    return handle;
  }

  private slotPosition(slot: number): number {
    return HEADER + slot * (SLOT_HEADER + this.pieceLength);
  }

  private label(value: number): Uint8Array {
    const out = new Uint8Array(SLOT_HEADER);
    new DataView(out.buffer).setUint32(0, value);
    return out;
  }
}
