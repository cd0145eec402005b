// bittorrent-tracker's server (the reference WebTorrent tracker) in its own process, as the control.
// Prints {"port": N} once listening on 127.0.0.1; runs until killed.
import { Server } from 'bittorrent-tracker';

const server = new Server({ http: true, udp: false, ws: true, stats: false });
server.on('warning', () => {});
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.http.address().port })}\n`));
