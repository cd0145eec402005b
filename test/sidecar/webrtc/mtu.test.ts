import { afterAll, describe, expect, it } from 'vitest';
import { RtcError } from '../../../src/core/ports/rtc.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { bytesEqual } from '../../../src/core/util/bytes.js';
import { defaultIceBindAddress } from '../../../sidecar/src/webrtc/ice-bind-address.js';
import { DEFAULT_NATIVE_MTU, isLoopbackAddress, LOOPBACK_MTU, NodeRtcConnector } from '../../../sidecar/src/webrtc/node-rtc-connector.js';

const open: Transport[] = [];
const connectors: NodeRtcConnector[] = [];
const NATIVE_RACE = /Got a remote candidate without ICE transport|the WebRTC connection failed/;

afterAll(() => {
  for (const c of connectors) c.close();
  for (const t of open) t.close();
});

function connector(options: ConstructorParameters<typeof NodeRtcConnector>[0]): NodeRtcConnector {
  const c = new NodeRtcConnector(options);
  connectors.push(c);
  return c;
}

/** One offer/answer; retried once for libdatachannel's set-up race only (see transport.test.ts). */
async function pair(offerer: NodeRtcConnector, answerer: NodeRtcConnector, retry = true): Promise<[Transport, Transport]> {
  try {
    const offer = await offerer.createOffer();
    const accepted = await answerer.acceptOffer(offer.sdp);
    const both = await Promise.all([offer.complete(accepted.answerSdp), accepted.connected]);
    open.push(...both);
    return both;
  } catch (err) {
    if (!retry || !(err instanceof RtcError) || !NATIVE_RACE.test(err.message)) throw err;
    return pair(offerer, answerer, false);
  }
}

/** Collects `size` bytes arriving on `to`. */
function receive(to: Transport, size: number): Promise<Uint8Array> {
  const got = new Uint8Array(size);
  let at = 0;
  return new Promise((resolve) => {
    to.attach({
      data(chunk) {
        got.set(chunk, at);
        at += chunk.length;
        if (at === size) resolve(got);
      },
      drain() {},
      close() {},
    });
  });
}

function pattern(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * seed + (i >> 11)) & 255);
}

/** Writes `data` in 100 kB writes (back-pressure is not the point here: 3 MB fits any queue). */
function write(from: Transport, data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 100_000) from.write(data.slice(i, Math.min(data.length, i + 100_000)));
}

describe('data-channel MTU', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '128.0.0.1', '::', '::2', 'localhost', '127.0.0', '']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('uses the loopback MTU only when bound to loopback, libdatachannel’s default otherwise', () => {
    expect(connector({ iceServers: [], bindAddress: '127.0.0.1' }).mtu).toBe(LOOPBACK_MTU);
    expect(connector({ iceServers: [], bindAddress: '::1' }).mtu).toBe(LOOPBACK_MTU);
    expect(connector({ iceServers: [], bindAddress: '192.0.2.1' }).mtu).toBe(DEFAULT_NATIVE_MTU);
    // Unbound, the connector binds loopback itself on a machine with nothing else (ice-bind-address.ts).
    const chosen = defaultIceBindAddress();
    expect(connector({ iceServers: [] }).mtu).toBe(chosen !== undefined && isLoopbackAddress(chosen) ? LOOPBACK_MTU : DEFAULT_NATIVE_MTU);
    expect(connector({ iceServers: [], bindAddress: '127.0.0.1', mtu: 1400 }).mtu).toBe(1400);
  });

  it('refuses an MTU larger than libjuice can receive, or too small', () => {
    for (const mtu of [LOOPBACK_MTU + 1, 500, 1500.5]) {
      let error: unknown;
      try {
        new NodeRtcConnector({ iceServers: [], mtu });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RtcError);
      expect((error as RtcError).code).toBe('rtc/bad-config');
      expect((error as RtcError).message).toBe(`mtu must be a whole number from 576 to ${LOOPBACK_MTU}, got ${mtu}`);
    }
  });

  it('moves bytes intact between a loopback-MTU side and a default-MTU side, both ways', async () => {
    const big = connector({ iceServers: [], bindAddress: '127.0.0.1' });
    const small = connector({ iceServers: [], bindAddress: '127.0.0.1', mtu: DEFAULT_NATIVE_MTU });
    const [a, b] = await pair(big, small);
    const toB = pattern(3_000_000, 7);
    const toA = pattern(3_000_000, 13);
    const gotB = receive(b, toB.length);
    const gotA = receive(a, toA.length);
    write(a, toB);
    write(b, toA);
    expect(bytesEqual(await gotB, toB)).toBe(true);
    expect(bytesEqual(await gotA, toA)).toBe(true);
  });
});
