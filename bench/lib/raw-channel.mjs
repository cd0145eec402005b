// One side of a raw WebRTC data channel for bench/browser.mjs, written against the standard
// RTCPeerConnection API so the same code runs in a Chromium page and in Node (with webrtc-polyfill,
// the node-datachannel binding webtorrent's Node build uses). The bench relays offer and answer; the
// offering side sends, the answering side counts. Times are wall-clock ms since the epoch, so a page
// and a Node process can be compared.

const now = () => performance.timeOrigin + performance.now();

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
}

/** `config` is the RTCPeerConnection configuration (no ICE servers: loopback only). */
export function rawChannel(RTCPeerConnectionImpl, config) {
  let pc = null;
  let channel = null;
  let counted = { bytes: 0, messages: 0, firstAt: 0, lastAt: 0 };
  let waiter = null;

  return {
    async offer() {
      pc = new RTCPeerConnectionImpl(config);
      channel = pc.createDataChannel('raw');
      channel.binaryType = 'arraybuffer';
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription.sdp;
    },

    async answer(sdp) {
      pc = new RTCPeerConnectionImpl(config);
      counted = { bytes: 0, messages: 0, firstAt: 0, lastAt: 0 };
      pc.ondatachannel = (event) => {
        event.channel.binaryType = 'arraybuffer';
        event.channel.onmessage = (m) => {
          const at = now();
          if (counted.messages === 0) counted.firstAt = at;
          counted.messages++;
          counted.bytes += m.data.byteLength;
          counted.lastAt = at;
          if (waiter && counted.bytes >= waiter.total) waiter.resolve();
        };
      };
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      return pc.localDescription.sdp;
    },

    async complete(sdp) {
      await pc.setRemoteDescription({ type: 'answer', sdp });
      if (channel.readyState !== 'open') await new Promise((resolve) => (channel.onopen = resolve));
    },

    /** Sends `total` bytes in `messageSize` messages; above `highWater` buffered, waits until it is down to `lowWater`. */
    async send(total, messageSize, highWater, lowWater = highWater / 4) {
      const message = new Uint8Array(messageSize).fill(0x5a);
      channel.bufferedAmountLowThreshold = lowWater;
      const started = now();
      for (let sent = 0; sent < total; sent += messageSize) {
        if (channel.bufferedAmount > highWater) await new Promise((resolve) => (channel.onbufferedamountlow = resolve));
        channel.send(sent + messageSize <= total ? message : message.subarray(0, total - sent));
      }
      return { started };
    },

    /** Resolves once `total` bytes arrived: when the first and last did, and how many messages. */
    async received(total) {
      if (counted.bytes < total) await new Promise((resolve) => (waiter = { total, resolve }));
      waiter = null;
      return { ...counted };
    },

    close() {
      pc?.close();
      pc = null;
    },
  };
}
