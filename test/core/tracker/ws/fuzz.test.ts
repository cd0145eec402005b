import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../../../src/core/tracker/ws/client-messages.js';
import { WsTrackerError } from '../../../../src/core/tracker/ws/errors.js';
import { parseTrackerMessage } from '../../../../src/core/tracker/ws/tracker-messages.js';

/** Either a value or a WsTrackerError; anything else thrown fails the property. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WsTrackerError);
    expect((error as WsTrackerError).message).not.toContain('\n');
  }
}

const id = fc.oneof(fc.string({ minLength: 20, maxLength: 20 }), fc.string({ unit: 'binary', minLength: 18, maxLength: 22 }), fc.jsonValue());
const messageLike = fc.record(
  {
    action: fc.oneof(fc.constantFrom('announce', 'scrape'), fc.jsonValue()),
    info_hash: fc.oneof(id, fc.array(id, { maxLength: 3 })),
    peer_id: id,
    to_peer_id: id,
    offer_id: id,
    event: fc.oneof(fc.constantFrom('started', 'stopped', 'completed', 'paused'), fc.jsonValue()),
    offers: fc.oneof(fc.array(fc.record({ offer_id: id, offer: fc.oneof(fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.oneof(fc.string(), fc.jsonValue()) }), fc.jsonValue()) }), { maxLength: 12 }), fc.jsonValue()),
    offer: fc.oneof(fc.record({ type: fc.constant('offer'), sdp: fc.string() }), fc.jsonValue()),
    answer: fc.oneof(fc.record({ type: fc.constant('answer'), sdp: fc.string() }), fc.jsonValue()),
    'failure reason': fc.jsonValue(),
    files: fc.oneof(fc.dictionary(fc.string({ unit: 'binary', minLength: 19, maxLength: 21 }), fc.jsonValue(), { maxKeys: 4 }), fc.jsonValue()),
    left: fc.jsonValue(),
    numwant: fc.jsonValue(),
    interval: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('WebSocket-tracker codec fuzz', () => {
  it('random strings give a message or a typed error, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        onlyTypedErrors(() => parseClientMessage(text));
        onlyTypedErrors(() => parseTrackerMessage(text));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes give a message or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyTypedErrors(() => parseClientMessage(bytes));
        onlyTypedErrors(() => parseTrackerMessage(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('random JSON and near-valid messages give a message or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), messageLike), (value) => {
        const text = JSON.stringify(value) ?? 'null';
        onlyTypedErrors(() => parseClientMessage(text));
        onlyTypedErrors(() => parseTrackerMessage(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('deep nesting is a typed error, not a stack overflow', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    onlyTypedErrors(() => parseClientMessage(deep));
  });
});
