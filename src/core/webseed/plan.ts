import { pieceSize, spaceSlices, type PieceLayout } from '../metainfo/layout.js';
import { WebSeedError } from './errors.js';
import { webSeedFileUrl, type WebSeedNaming } from './url.js';

/** What the web seed needs of a torrent: a `Metainfo` fits as is. */
export type WebSeedLayout = PieceLayout & WebSeedNaming;

/** One HTTP request: bytes `first..last` (inclusive, as in the Range header) of one file. */
export interface RangeRequest {
  readonly url: string;
  readonly fileIndex: number;
  readonly first: number;
  readonly last: number;
  /** `last - first + 1`. */
  readonly length: number;
  /** The file's length in the torrent; a Content-Range naming another total means a different file. */
  readonly fileLength: number;
  /** Where these bytes go in the plan's buffer. */
  readonly bufferOffset: number;
}

/**
 * How to fill `length` bytes of piece space: the requests, in order. Bytes no request covers are
 * padding files (BEP 47) or v2 alignment gaps: zeros, never fetched. A zero-filled buffer of `length`
 * bytes with every request's body copied in at its `bufferOffset` is the range.
 */
export interface RangePlan {
  readonly spaceOffset: number;
  readonly length: number;
  readonly requests: readonly RangeRequest[];
}

export function rangeHeader(request: RangeRequest): string {
  return `bytes=${request.first}-${request.last}`;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Maps pieces and piece-space ranges to the HTTP range requests of one web seed (BEP 19). Pure. */
export class WebSeedPlanner {
  private readonly urls: (string | undefined)[];

  constructor(
    readonly baseUrl: string,
    readonly layout: WebSeedLayout,
  ) {
    this.urls = new Array<string | undefined>(layout.files.length);
    // Validate now, so a bad URL fails where the web seed is added rather than at its first request.
    if (layout.files.length > 0) this.fileUrl(0);
  }

  /** The URL of file `fileIndex` on this web seed. */
  fileUrl(fileIndex: number): string {
    let url = this.urls[fileIndex];
    if (url === undefined) {
      url = webSeedFileUrl(this.baseUrl, this.layout, fileIndex);
      this.urls[fileIndex] = url;
    }
    return url;
  }

  /** The bytes of piece `index` (its `pieceSize`: in v2 a piece that ends a file stops there). */
  piece(index: number): RangePlan {
    if (!Number.isInteger(index) || index < 0 || index >= this.layout.pieceCount) {
      throw new WebSeedError('webseed/bad-request', `piece ${index} is outside 0..${this.layout.pieceCount - 1}`);
    }
    return this.range(index * this.layout.pieceLength, pieceSize(this.layout, index));
  }

  /** `length` bytes of piece space from `spaceOffset`. */
  range(spaceOffset: number, length: number): RangePlan {
    if (!isCount(spaceOffset) || !isCount(length) || spaceOffset + length > this.layout.pieceSpaceLength) {
      throw new WebSeedError(
        'webseed/bad-request',
        `range of ${length} bytes at ${spaceOffset} is outside the torrent's ${this.layout.pieceSpaceLength} bytes`,
      );
    }
    const requests: RangeRequest[] = [];
    for (const slice of spaceSlices(this.layout, spaceOffset, length)) {
      const file = this.layout.files[slice.fileIndex]!;
      if (file.padding) continue;
      requests.push({
        url: this.fileUrl(slice.fileIndex),
        fileIndex: slice.fileIndex,
        first: slice.fileOffset,
        last: slice.fileOffset + slice.length - 1,
        length: slice.length,
        fileLength: file.length,
        bufferOffset: slice.spaceOffset - spaceOffset,
      });
    }
    return { spaceOffset, length, requests };
  }
}
