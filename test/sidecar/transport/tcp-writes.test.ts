import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/core/ports/transport.js';
import { tcpPair as pair } from './tcp-pair.js';

/** Everything the far side receives until it closes, and how many drains the near side saw. */
function receiveAll(t: Transport): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    t.attach({ data: (c) => chunks.push(Buffer.from(c)), drain: () => {}, close: () => resolve(Buffer.concat(chunks)) });
  });
}

/** 9 to 17 bytes, like HAVE, REQUEST and CANCEL: the writes that are staged and sent together. */
function smallMessages(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(9 + (i % 9))));
}

describe('tcp writes', () => {
  it('small and large writes in one tick arrive in the order written, and close sends the staged ones first', async () => {
    const { dialed, accepted } = await pair();
    const got = receiveAll(accepted);
    const sent: Uint8Array[] = [];
    for (let round = 0; round < 20; round++) {
      for (const m of smallMessages(30)) sent.push(m);
      sent.push(new Uint8Array(randomBytes(round % 2 ? 16 * 1024 + 13 : 257)));
    }
    dialed.attach({ data: () => {}, drain: () => {}, close: () => {} });
    for (const m of sent) dialed.write(m);
    // In a later tick, with the socket's queue empty again: a few small writes, then close at once.
    await new Promise((r) => setTimeout(r, 50));
    const last = smallMessages(5);
    sent.push(...last);
    for (const m of last) dialed.write(m);
    dialed.close();
    expect((await got).equals(Buffer.concat(sent))).toBe(true);
  });

  it('pushes back on small writes alone past the high-water mark, then drains and delivers every byte in order', async () => {
    const { dialed, accepted } = await pair();
    let drains = 0;
    dialed.attach({ data: () => {}, drain: () => drains++, close: () => {} });
    const sent: Uint8Array[] = [];
    let accepted_ = true;
    // All in one tick: nothing leaves before it ends, so the socket's queue grows until it says stop.
    while (accepted_ && sent.length < 100_000) {
      const m = smallMessages(1)[0]!;
      sent.push(m);
      accepted_ = dialed.write(m);
    }
    expect(accepted_).toBe(false);
    // About 16 KiB of 9-17 byte messages: the stop comes at the socket's mark, not after everything.
    expect(sent.length).toBeLessThan(3000);
    const got = receiveAll(accepted);
    for (let i = 0; i < 200 && drains === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(drains).toBeGreaterThan(0);
    dialed.close();
    expect((await got).equals(Buffer.concat(sent))).toBe(true);
  });
});
