// fast-check generators shared by the tracker codec tests.
import fc from 'fast-check';
import type { TrackerPeer } from '../../../src/core/ports/tracker.js';
import { formatIpv4, formatIpv6 } from '../../../src/core/tracker/ip.js';

export const hash20 = fc.uint8Array({ minLength: 20, maxLength: 20 });
export const uint32 = fc.integer({ min: 0, max: 0xffffffff });
export const counter = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
export const event = fc.constantFrom(undefined, 'started' as const, 'completed' as const, 'stopped' as const);
export const port = fc.integer({ min: 1, max: 65535 });

export const peerV4: fc.Arbitrary<TrackerPeer> = fc
  .record({ address: fc.uint8Array({ minLength: 4, maxLength: 4 }), port })
  .map(({ address, port }) => ({ host: formatIpv4(address), port }));

export const peerV6: fc.Arbitrary<TrackerPeer> = fc
  .record({ address: fc.uint8Array({ minLength: 16, maxLength: 16 }), port })
  .map(({ address, port }) => ({ host: formatIpv6(address), port }));
