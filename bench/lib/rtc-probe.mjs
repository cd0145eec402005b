// Preloaded into a benchmarked Node process (`node --import <this file> ...`): watches the messages
// that arrive on WebRTC data channels and writes to stderr, with the wall-clock time (ms since the epoch):
//   probe {"event":"first-message","at":T}   the first message on any channel (the connection is usable)
//   probe {"event":"first-payload","at":T}   received bytes passed 64 KiB (past handshake, bitfield,
//                                            extended handshake and metadata: piece data is flowing)
// node-datachannel's native prototypes are read-only, so the hook sits one layer up, in whichever of
// the two JavaScript layers the process loads. Sluice publishes each received message's length on the
// diagnostics channel 'sluice:webrtc:received' (sidecar/src/webrtc/datachannel-transport.ts), which
// reaches this probe whether the CLI runs bundled or not; webrtc-polyfill's RTCDataChannel (webtorrent's)
// is imported here by the same URL its users import it by, so it is the same module instance. Costs a
// counter per received message.
import { subscribe } from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAYLOAD_MARK = 64 * 1024;
let received = 0;
let sawFirst = false;
let sawPayload = false;

const report = (event) => writeSync(2, `probe ${JSON.stringify({ event, at: performance.timeOrigin + performance.now() })}\n`);
function count(bytes) {
  if (sawPayload) return;
  if (!sawFirst) {
    sawFirst = true;
    report('first-message');
  }
  received += bytes;
  if (received >= PAYLOAD_MARK) {
    sawPayload = true;
    report('first-payload');
  }
}

const url = (path) => pathToFileURL(join(ROOT, path)).href;
const argv = process.argv.join(' ');
if (argv.includes('sluice')) {
  subscribe('sluice:webrtc:received', (length) => count(length));
} else {
  const { default: RTCDataChannel } = await import(url('node_modules/webrtc-polyfill/lib/RTCDataChannel.js'));
  const dispatch = EventTarget.prototype.dispatchEvent;
  RTCDataChannel.prototype.dispatchEvent = function (event) {
    if (event.type === 'message') {
      const d = event.data;
      count(typeof d === 'string' ? d.length : (d?.byteLength ?? d?.size ?? 0));
    }
    return dispatch.call(this, event);
  };
}
