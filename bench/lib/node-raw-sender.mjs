// The Node end of bench/browser.mjs's Node → page raw channel, in its own process as the seeders are:
// webrtc-polyfill's RTCPeerConnection (node-datachannel, as webtorrent in Node uses it) bound to
// 127.0.0.1 with no ICE servers, driven over IPC: {offer} → {sdp}, {complete, sdp} → {}, {send, total,
// messageSize, highWater, lowWater} → {started}. Exits when the parent disconnects.
import { RTCPeerConnection } from 'webrtc-polyfill';
import { rawChannel } from './raw-channel.mjs';

const side = rawChannel(RTCPeerConnection, { iceServers: [], bindAddress: '127.0.0.1' });
process.on('message', async (m) => {
  try {
    if (m.type === 'offer') process.send({ type: 'offer', sdp: await side.offer() });
    else if (m.type === 'complete') {
      await side.complete(m.sdp);
      process.send({ type: 'complete' });
    } else if (m.type === 'send') process.send({ type: 'send', ...(await side.send(m.total, m.messageSize, m.highWater, m.lowWater)) });
  } catch (err) {
    process.send({ type: 'error', message: String(err?.message ?? err) });
  }
});
process.on('disconnect', () => {
  side.close();
  setTimeout(() => process.exit(0), 200);
});
process.send({ type: 'ready' });
