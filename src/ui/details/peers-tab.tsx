import type { PeerStatus } from '../../browser/client/index.js';
import { formatPercent, formatRate } from '../format.js';

/** Who the torrent is connected to: address (or "WebRTC" when the browser does not say), client, rates, progress. */
export function PeersTab({ peers }: { readonly peers: readonly PeerStatus[] }) {
  if (peers.length === 0) return <p className="muted">No peers connected yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Client</th>
            <th scope="col" className="num">
              ↓
              <span className="visually-hidden"> Download rate</span>
            </th>
            <th scope="col" className="num">
              ↑
              <span className="visually-hidden"> Upload rate</span>
            </th>
            <th scope="col" className="num">
              Has
            </th>
          </tr>
        </thead>
        <tbody>
          {peers.map((p, i) => (
            <tr key={`${p.address}-${i}`} data-peer-transport={p.transport}>
              <td className="peer-address">
                {p.transport === 'webrtc' ? <span className="tag">WebRTC</span> : null} {peerAddress(p)}
              </td>
              <td>{p.client || 'unknown'}</td>
              <td className="num">{formatRate(p.downloadRate)}</td>
              <td className="num">{formatRate(p.uploadRate)}</td>
              <td className="num">{formatPercent(p.progress)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A WebRTC peer's "address" is often only an id of the connection: shown when it looks like host:port. */
function peerAddress(peer: PeerStatus): string {
  if (peer.transport !== 'webrtc') return peer.address;
  return /^[\d.]+:\d+$|^\[[0-9a-f:]+\]:\d+$/i.test(peer.address) ? peer.address : '';
}
