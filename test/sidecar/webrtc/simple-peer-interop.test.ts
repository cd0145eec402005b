import Peer from '@thaunknown/simple-peer/lite.js';
import { RTCPeerConnection } from 'webrtc-polyfill';
import { afterAll, describe, expect, it } from 'vitest';
import { RtcError } from '../../../src/core/ports/rtc.js';
import type { Transport } from '../../../src/core/ports/transport.js';
import { bytesEqual, concatBytes } from '../../../src/core/util/bytes.js';
import { NodeRtcConnector } from '../../../sidecar/src/webrtc/node-rtc-connector.js';
import { record } from '../../contracts/transport.contract.js';

// simple-peer is what webtorrent (and so every WebTorrent peer in Node) uses, with trickle off, on
// node-datachannel through webrtc-polyfill. Its non-trickle path never sees the end of gathering on
// that polyfill and waits `iceCompleteTimeout` (5 s by default) before signalling; the SDP it then
// sends is the same, so the test shortens that wait to keep the file fast.
const loopbackConfig = { iceServers: [], bindAddress: '127.0.0.1' };
const sluice = new NodeRtcConnector(loopbackConfig);
const NATIVE_RACE = /Got a remote candidate without ICE transport|the WebRTC connection failed/;
const peers: Peer[] = [];
// webrtc-polyfill calls node-datachannel's process-wide cleanup() whenever its own last connection
// closes, which tears down every other node-datachannel connection in the process, ours included.
// One idle polyfill connection held for the whole file keeps that from firing between tests.
const keeper = new RTCPeerConnection(loopbackConfig);
afterAll(() => {
  sluice.close();
  for (const p of peers) p.destroy();
  keeper.close();
});

function simplePeer(initiator: boolean): { peer: Peer; sdp: Promise<string>; received: () => Uint8Array } {
  const peer = new Peer({ initiator, trickle: false, config: loopbackConfig, iceCompleteTimeout: 250 });
  peers.push(peer);
  const chunks: Uint8Array[] = [];
  peer.on('data', (c: Uint8Array) => chunks.push(new Uint8Array(c)));
  const sdp = new Promise<string>((resolve) =>
    peer.on('signal', (s: { type: string; sdp?: string }) => {
      if ((s.type === 'offer' || s.type === 'answer') && s.sdp) resolve(s.sdp);
    }),
  );
  peer.on('error', () => {});
  return { peer, sdp, received: () => concatBytes(chunks) };
}

function pattern(length: number, seed: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => (i * seed + (i >> 8)) & 0xff);
}

/** Bounds a wait on simple-peer, whose events are not ours to guarantee, and says what was missing. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** Both directions at once, then we close. */
async function exchange(transport: Transport, side: ReturnType<typeof simplePeer>): Promise<void> {
  const ours = record(transport);
  // A BitTorrent handshake-sized write, then a large one we must cut into messages; simple-peer
  // sends each of its writes as one message.
  const toThem = concatBytes([pattern(68, 3), pattern(700_000, 7)]);
  const toUs = [pattern(68, 5), pattern(16 * 1024 + 13, 11), pattern(60_000, 13)];
  transport.write(toThem.slice());
  for (const c of toUs) side.peer.write(c.slice());
  await waitFor(() => side.received().length === toThem.length && ours.bytes().length === concatBytes(toUs).length, 'both directions');
  expect(bytesEqual(side.received(), toThem)).toBe(true);
  expect(bytesEqual(ours.bytes(), concatBytes(toUs))).toBe(true);
  transport.close();
  await within(ours.closed, 'close on our side');
  expect(ours.closes()).toBe(1);
  // Whether simple-peer notices is not asserted: about 1 run in 6 it reports neither 'close' nor
  // 'error' for our close (see docs/webrtc.md, unresolved). It is destroyed in afterAll.
}

describe('WebRTC interop with simple-peer (as webtorrent uses it), non-trickle', () => {
  it('we offer, simple-peer answers', async () => {
    // As offerer we meet libdatachannel 0.24.5's set-up race (docs/webrtc.md): simple-peer's ICE checks
    // reach us during its 250 ms wait, before its answer. Under the test run's CPU load it hits up to
    // half of these set-ups, so this one set-up is retried for that race alone, at most three times.
    for (let attempt = 1; ; attempt++) {
      const offer = await sluice.createOffer();
      const them = simplePeer(false);
      them.peer.signal({ type: 'offer', sdp: offer.sdp });
      const answerSdp = await within(them.sdp, 'answer from simple-peer');
      expect(answerSdp).toMatch(/^a=candidate:/m);
      let transport: Transport;
      try {
        transport = await offer.complete(answerSdp);
      } catch (err) {
        if (attempt < 3 && err instanceof RtcError && NATIVE_RACE.test(err.message)) continue;
        throw err;
      }
      expect(transport.outgoing).toBe(true);
      await exchange(transport, them);
      return;
    }
  });

  it('simple-peer offers, we answer', async () => {
    const them = simplePeer(true);
    const accepted = await sluice.acceptOffer(await within(them.sdp, 'offer from simple-peer'));
    them.peer.signal({ type: 'answer', sdp: accepted.answerSdp });
    const transport = await within(accepted.connected, 'open data channel');
    expect(transport.outgoing).toBe(false);
    await exchange(transport, them);
  });

  it('sees simple-peer going away as a close', async () => {
    const them = simplePeer(true);
    const accepted = await sluice.acceptOffer(await within(them.sdp, 'offer from simple-peer'));
    them.peer.signal({ type: 'answer', sdp: accepted.answerSdp });
    const ours = record(await accepted.connected);
    them.peer.destroy();
    await within(ours.closed, 'close on our side');
    expect(ours.closes()).toBe(1);
  });
});
