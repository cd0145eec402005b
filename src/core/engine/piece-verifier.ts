import { BLOCK_SIZE, log2, merkleRoot, nextPowerOfTwo, reduceLayer, padLayer, zeroSubtreeRoot } from '../merkle/merkle.js';
import { filePieces, type PieceLayout } from '../metainfo/layout.js';
import type { Metainfo } from '../metainfo/model.js';
import type { Hasher } from '../ports/hasher.js';
import { bytesEqual } from '../util/bytes.js';
import { toHex } from '../util/hex.js';

export type VerifyInfo = PieceLayout & Pick<Metainfo, 'pieceHashes' | 'pieceLayers'>;

/**
 * Checks one piece's bytes against the torrent. v1 and hybrid torrents use the SHA-1 piece hash
 * (it covers exactly the same bytes, padding included). v2-only torrents rebuild the piece's BEP 52
 * subtree from 16 KiB leaves and compare it with the file's piece layer, or with the file's
 * `pieces root` when the file fits in one piece.
 */
export class PieceVerifier {
  private readonly fileOfPiece: Int32Array | null;
  private zeroPieceRoot: Promise<Uint8Array> | null = null;

  constructor(
    private readonly info: VerifyInfo,
    private readonly hasher: Hasher,
  ) {
    if (info.pieceHashes) {
      this.fileOfPiece = null;
    } else {
      this.fileOfPiece = new Int32Array(info.pieceCount).fill(-1);
      info.files.forEach((f, index) => {
        if (f.padding || f.length === 0) return;
        const { start, end } = filePieces(info, index);
        for (let p = start; p < end; p++) this.fileOfPiece![p] = index;
      });
    }
  }

  async verify(index: number, data: Uint8Array): Promise<boolean> {
    const v1 = this.info.pieceHashes;
    if (v1) {
      const expected = v1.subarray(index * 20, index * 20 + 20);
      return expected.length === 20 && bytesEqual(await this.hasher.digest('sha1', data), expected);
    }
    return this.verifyV2(index, data);
  }

  private async verifyV2(index: number, data: Uint8Array): Promise<boolean> {
    const fileIndex = this.fileOfPiece?.[index] ?? -1;
    const file = this.info.files[fileIndex];
    if (!file?.piecesRoot) return false;
    const leaves = await this.hasher.digestBlocks('sha256', data, BLOCK_SIZE);
    const zeroLeaf = new Uint8Array(32);
    const { start } = filePieces(this.info, fileIndex);
    if (file.length <= this.info.pieceLength) {
      return bytesEqual(await merkleRoot(this.hasher, leaves, zeroLeaf), file.piecesRoot);
    }
    const layer = this.info.pieceLayers.get(toHex(file.piecesRoot));
    const expected = layer?.subarray((index - start) * 32, (index - start) * 32 + 32);
    if (!expected || expected.length !== 32) return false;
    // Every piece of a multi-piece file is a full subtree; the last piece's missing leaves are zero.
    const perPiece = this.info.pieceLength / BLOCK_SIZE;
    const root = await reduceLayer(this.hasher, padLayer(leaves, perPiece, zeroLeaf), log2(nextPowerOfTwo(perPiece)));
    return bytesEqual(root, expected);
  }

  /** The hash of a piece-sized subtree of zero leaves (what pads a piece layer); cached. */
  zeroPiece(): Promise<Uint8Array> {
    this.zeroPieceRoot ??= zeroSubtreeRoot(this.hasher, log2(this.info.pieceLength / BLOCK_SIZE));
    return this.zeroPieceRoot;
  }
}
