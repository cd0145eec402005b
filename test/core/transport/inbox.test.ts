import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { TransportInbox } from '../../../src/core/transport/inbox.js';

function recorder() {
  const events: string[] = [];
  return {
    events,
    handlers: {
      data: (c: Uint8Array) => events.push(`data ${[...c].join(',')}`),
      drain: () => events.push('drain'),
      close: (e?: SluiceError) => events.push(`close ${e?.code ?? 'ok'}`),
    },
  };
}

describe('TransportInbox', () => {
  it('keeps data and the close that come before attach, then tells them in order, once', () => {
    const reused = new Uint8Array([1, 2]);
    const inbox = new TransportInbox((c) => c.slice());
    inbox.data(reused);
    reused[0] = 9; // the transport reuses its buffer: the kept copy must not change
    inbox.closed(new SluiceError('transport/reset', 'reset'));
    const r = recorder();
    inbox.attach(r.handlers);
    inbox.data(new Uint8Array([3]));
    inbox.drain();
    inbox.closed(undefined);
    expect(r.events).toEqual(['data 1,2', 'close transport/reset']);
    expect(inbox.closeTold).toBe(true);
  });

  it('delivers straight through once attached', () => {
    const inbox = new TransportInbox();
    const r = recorder();
    inbox.attach(r.handlers);
    inbox.data(new Uint8Array([7]));
    inbox.drain();
    inbox.closed(undefined);
    expect(r.events).toEqual(['data 7', 'drain', 'close ok']);
  });
});
