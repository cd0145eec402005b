// A webtorrent 3 client in Node that peers as a browser does: WebRTC only (no DHT/LSD/uTP/PEX/UPnP/
// NAT-PMP/web seeds), no STUN, ICE bound to 127.0.0.1 (a host with only `lo` gathers no candidate
// otherwise), and every TCP connection turned away. Shared by wt-webrtc.mjs and wt-browser-seed.mjs;
// the same settings as test/helpers/webtorrent.ts. A client error is one {"error":…} line and exit 1.
import WebTorrent from 'webtorrent';

export const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

export async function webrtcOnlyClient() {
  const client = new WebTorrent({
    dht: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false, utPex: false,
    tracker: { rtcConfig: { iceServers: [], bindAddress: '127.0.0.1' } },
  });
  client.on('error', (err) => {
    emit({ error: String(err?.message ?? err) });
    process.exit(1);
  });
  if (!client.listening) await new Promise((resolve) => client.once('listening', resolve));
  const tcpServer = client._connPool?.tcpServer;
  if (tcpServer) {
    tcpServer.removeAllListeners('connection');
    tcpServer.on('connection', (conn) => conn.destroy());
  }
  return client;
}
