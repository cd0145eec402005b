import { describe, expect, it } from 'vitest';
import { RequestPipeline } from '../../../src/core/pipeline/request-pipeline.js';

const BLOCK = 16_384;

/** A pipeline with requests for blocks 0..n-1 of piece 0 sent, in order. */
function sent(n: number): RequestPipeline {
  const p = new RequestPipeline({ initialDepth: 64 });
  p.onUnchoked(0);
  for (let i = 0; i < n; i++) p.onRequestSent(0, i * BLOCK, 0);
  return p;
}

describe('RequestPipeline.cancelVerdict: is the peer known to honour CANCEL', () => {
  it('is unknown until a cancelled request is answered one way or another', () => {
    const p = sent(4);
    expect(p.cancelVerdict).toBe('unknown');
    p.onCancelled(0, 3 * BLOCK);
    p.onBlockReceived(0, 0, BLOCK, 10);
    expect(p.cancelVerdict).toBe('unknown');
  });

  it('honours: a REJECT answers a CANCEL (fast extension), even if other cancelled blocks were already on the wire', () => {
    const p = sent(6);
    p.onCancelled(0, 2 * BLOCK);
    p.onCancelled(0, 3 * BLOCK);
    p.onBlockReceived(0, 2 * BLOCK, BLOCK, 10);
    expect(p.cancelVerdict).toBe('ignores');
    p.onRejected(0, 3 * BLOCK, 11);
    expect(p.cancelVerdict).toBe('honours');
  });

  it('a REJECT answering a CANCEL leaves a request for the same block sent since outstanding (it was asked for again)', () => {
    const p = sent(4);
    p.onCancelled(0, 2 * BLOCK);
    p.onRequestSent(0, 2 * BLOCK, 5);
    // The answer to the CANCEL: not a rejection of the request that is queued there now.
    expect(p.onRejected(0, 2 * BLOCK, 10)).toBe(false);
    expect(p.outstanding).toBe(4);
    expect(p.cancelVerdict).toBe('honours');
    // A second REJECT is for that request.
    expect(p.onRejected(0, 2 * BLOCK, 11)).toBe(true);
    expect(p.outstanding).toBe(3);
  });

  it('honours: a block requested after a cancelled one came, and the cancelled one never did', () => {
    const p = sent(6);
    p.onCancelled(0, 1 * BLOCK);
    p.onBlockReceived(0, 0, BLOCK, 10);
    expect(p.cancelVerdict).toBe('unknown');
    p.onBlockReceived(0, 2 * BLOCK, BLOCK, 20);
    expect(p.cancelVerdict).toBe('honours');
  });

  it('ignores: cancelled blocks keep coming and no REJECT answers them; a skip taken back when the block comes late', () => {
    const p = sent(6);
    p.onCancelled(0, 1 * BLOCK);
    p.onCancelled(0, 2 * BLOCK);
    // Out of order: block 3 first makes 1 and 2 look skipped...
    p.onBlockReceived(0, 3 * BLOCK, BLOCK, 10);
    expect(p.cancelVerdict).toBe('honours');
    // ...until they come after all.
    p.onBlockReceived(0, 1 * BLOCK, BLOCK, 11);
    p.onBlockReceived(0, 2 * BLOCK, BLOCK, 12);
    expect(p.cancelVerdict).toBe('ignores');
  });

  it('timed-out and choke-dropped requests are not taken as cancelled', () => {
    const p = new RequestPipeline({ initialDepth: 8, initialRequestTimeoutMs: 1000 });
    p.onUnchoked(0);
    for (let i = 0; i < 4; i++) p.onRequestSent(0, i * BLOCK, 0);
    expect(p.poll(5000).timedOut).toHaveLength(4);
    p.onBlockReceived(0, 0, BLOCK, 5001);
    p.onRequestSent(1, 0, 5002);
    p.onChoked(5003, false);
    p.onBlockReceived(1, 0, BLOCK, 5004);
    expect(p.cancelVerdict).toBe('unknown');
  });
});
