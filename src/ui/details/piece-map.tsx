import { useEffect, useRef, useState } from 'react';
import type { TorrentDetails } from '../../browser/client/index.js';

/** Height of the strip in CSS pixels. */
const HEIGHT = 24;

/**
 * The verified pieces as a strip: each device pixel column covers a run of pieces and is as strong as
 * the share of them verified. Colours come from the theme (--piece-have, --piece-missing).
 */
export function PieceMap({ pieces }: { readonly pieces: TorrentDetails['pieces'] | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const el = canvas.current;
    if (!el || width === 0) return;
    const scale = devicePixelRatio || 1;
    el.width = Math.round(width * scale);
    el.height = Math.round(HEIGHT * scale);
    draw(el, pieces);
  }, [pieces, width]);
  const have = pieces ? countBits(pieces.have) : 0;
  const label = !pieces || pieces.count === 0 ? 'Piece map: no metadata yet' : `Piece map: ${have} of ${pieces.count} pieces verified`;
  return (
    <figure className="piece-map">
      <canvas ref={canvas} role="img" aria-label={label} style={{ height: HEIGHT }} data-pieces-have={have} data-pieces-count={pieces?.count ?? 0} />
      <figcaption className="muted num">{label.replace('Piece map: ', '')}</figcaption>
    </figure>
  );
}

function draw(canvas: HTMLCanvasElement, pieces: TorrentDetails['pieces'] | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(canvas);
  // Read as used colours (app.css gives them to the canvas): a custom property's text may be light-dark(…).
  const missing = style.backgroundColor;
  const haveColour = style.color;
  ctx.fillStyle = missing;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!pieces || pieces.count === 0) return;
  ctx.fillStyle = haveColour;
  const columns = canvas.width;
  const perColumn = pieces.count / columns;
  if (perColumn <= 1) {
    // Fewer pieces than columns: each piece is a block.
    const w = columns / pieces.count;
    for (let i = 0; i < pieces.count; i++) if (bit(pieces.have, i)) ctx.fillRect(Math.floor(i * w), 0, Math.ceil(w), canvas.height);
    return;
  }
  for (let x = 0; x < columns; x++) {
    const from = Math.floor(x * perColumn);
    const to = Math.min(pieces.count, Math.floor((x + 1) * perColumn));
    let have = 0;
    for (let i = from; i < to; i++) if (bit(pieces.have, i)) have++;
    if (have === 0) continue;
    ctx.globalAlpha = to > from ? have / (to - from) : 0;
    ctx.fillRect(x, 0, 1, canvas.height);
  }
  ctx.globalAlpha = 1;
}

function bit(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
}

function countBits(bits: Uint8Array): number {
  let n = 0;
  for (const byte of bits) for (let b = byte; b; b &= b - 1) n++;
  return n;
}
