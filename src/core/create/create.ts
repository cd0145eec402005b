import { encodeBencode } from '../bencode/encode.js';
import { magnetFromMetainfo } from '../magnet/from-metainfo.js';
import type { Hasher } from '../ports/hasher.js';
import { toHex } from '../util/hex.js';
import { SLUICE_VERSION } from '../version.js';
import { batches, type Batch } from './batches.js';
import { CreateError } from './errors.js';
import { runPipeline } from './hash-pipeline.js';
import { buildInfo, buildTorrent } from './info-dict.js';
import { planLayout, type TorrentLayout } from './layout.js';
import { BLOCK_SIZE, log2, merkleRoot, padLayer, reduceLayer, zeroSubtreeRoot } from '../merkle/merkle.js';
import type { CreateOptions, CreateSource, CreateTorrent, CreateTuning, CreatedTorrent } from './types.js';

export const DEFAULT_CREATED_BY = `Sluice/${SLUICE_VERSION}`;
/** Large enough that a hasher call costs little next to its hashing, small enough to keep several in flight. */
export const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;
/** Two hashing (one per core here), one being read, one spare. */
export const DEFAULT_IN_FLIGHT = 4;

const ZERO_LEAF = new Uint8Array(32);

/** v2 state per hybrid file: its piece layer as pieces complete, then its root. */
interface V2File {
  readonly layer: Uint8Array;
  root: Uint8Array | null;
}

async function hashV2Batch(
  hasher: Hasher,
  layout: TorrentLayout,
  v2: V2File[],
  batch: Batch,
  data: Uint8Array,
): Promise<void> {
  const { fileIndex, firstFilePiece } = batch.v2File!;
  const file = layout.files[fileIndex]!;
  const blocksPerPiece = layout.pieceLength / BLOCK_SIZE;
  const leaves = await hasher.digestBlocks('sha256', data.subarray(0, batch.dataLength), BLOCK_SIZE);
  const state = v2[fileIndex]!;
  if (file.length <= layout.pieceLength) {
    // One piece: the root is the tree over its own blocks; no piece layer.
    state.root = await merkleRoot(hasher, leaves, ZERO_LEAF);
    return;
  }
  const pieces = Math.ceil(batch.dataLength / layout.pieceLength);
  const pieceHashes = await reduceLayer(hasher, padLayer(leaves, pieces * blocksPerPiece, ZERO_LEAF), log2(blocksPerPiece));
  state.layer.set(pieceHashes, firstFilePiece * 32);
}

function clampTuning(layout: TorrentLayout, tuning: CreateTuning | undefined) {
  const batchBytes = tuning?.batchBytes ?? DEFAULT_BATCH_BYTES;
  const piecesPerBatch = Math.max(1, Math.floor(batchBytes / layout.pieceLength));
  return {
    piecesPerBatch,
    inFlight: Math.max(1, Math.floor(tuning?.inFlight ?? DEFAULT_IN_FLIGHT)),
    bufferLength: Math.min(piecesPerBatch * layout.pieceLength, layout.pieceSpaceLength),
    allocate: tuning?.allocate ?? ((n: number) => new Uint8Array(n)),
  };
}

/**
 * Creates a v1 torrent, or a hybrid v1+v2 one (BEP 52) laid out as libtorrent lays it out, so both
 * info hashes equal the ones libtorrent computes for the same files and piece length.
 */
export const createTorrent: CreateTorrent = async (
  options: CreateOptions,
  source: CreateSource,
  hasher: Hasher,
  tuning?: CreateTuning,
): Promise<CreatedTorrent> => {
  const layout = planLayout(options);
  const { piecesPerBatch, inFlight, bufferLength, allocate } = clampTuning(layout, tuning);
  const pieces = new Uint8Array(layout.pieceCount * 20);
  const v2: V2File[] = layout.files.map((f) => ({
    layer: new Uint8Array(f.length > layout.pieceLength ? Math.ceil(f.length / layout.pieceLength) * 32 : 0),
    root: null,
  }));
  let hashed = 0;
  options.onProgress?.(0, layout.totalLength);

  const progress = (bytes: number) => {
    hashed += bytes;
    options.onProgress?.(hashed, layout.totalLength);
  };

  if (!layout.hybrid && tuning?.hashV1Pieces !== undefined) {
    const plan = {
      pieceLength: layout.pieceLength,
      pieceCount: layout.pieceCount,
      files: layout.files.map((f) => ({ sourceIndex: f.sourceIndex, length: f.length })),
    };
    const hashes = await tuning.hashV1Pieces(plan, progress);
    if (hashes.length !== pieces.length) {
      throw new CreateError('create/read-failed', `piece hashing gave ${hashes.length} bytes where ${pieces.length} were expected`);
    }
    pieces.set(hashes);
  } else {
    await runPipeline(batches(layout, piecesPerBatch), source, { inFlight, bufferLength, allocate }, async (batch, data) => {
      const v1 = hasher.digestBlocks('sha1', data, layout.pieceLength);
      if (layout.hybrid) await hashV2Batch(hasher, layout, v2, batch, data);
      pieces.set(await v1, batch.firstPiece * 20);
      progress(batch.dataLength);
    });
  }

  const pieceLayers = new Map<string, { root: Uint8Array; layer: Uint8Array }>();
  if (layout.hybrid) {
    const pad = await zeroSubtreeRoot(hasher, log2(layout.pieceLength / BLOCK_SIZE));
    for (const state of v2) {
      if (state.layer.length === 0) continue;
      state.root = await merkleRoot(hasher, state.layer, pad);
      pieceLayers.set(toHex(state.root), { root: state.root, layer: state.layer });
    }
  }
  const info = buildInfo(layout, options, { pieces, roots: v2.map((s) => s.root) });
  const infoBytes = encodeBencode(info);
  const torrent = encodeBencode(buildTorrent(info, options, options.createdBy ?? DEFAULT_CREATED_BY, pieceLayers));
  const infoHash = await hasher.digest('sha1', infoBytes);
  const infoHashV2 = layout.hybrid ? await hasher.digest('sha256', infoBytes) : null;
  const magnet = magnetFromMetainfo({
    infoHash,
    infoHashV2,
    name: layout.name,
    announce: options.announce ?? [],
    urlList: options.urlList ?? [],
  });
  return { torrent, infoHash, infoHashV2, magnet };
};
