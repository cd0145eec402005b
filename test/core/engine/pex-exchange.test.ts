import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../../src/core/engine/peer-link.js';
import { PexExchange } from '../../../src/core/engine/pex-exchange.js';
import { ScriptedLink } from './scripted-link.js';

const pieces = { pieceCount: 4, pieceSize: () => 16384 };
const pexMessage = { added: [{ host: '10.9.9.9', port: 7000, flags: 0 }], dropped: [] };

function exchange(isPrivate: boolean) {
  const links = new Map<string, PeerLink>();
  const pex = new PexExchange(links, () => isPrivate);
  const peer = (address: string, outgoing = true) => {
    const s = new ScriptedLink({ address, outgoing, ...pieces });
    links.set(address, s.link);
    pex.add(s.link);
    return s;
  };
  return { pex, peer };
}

describe('PexExchange', () => {
  it('takes the addresses a peer tells, at most as often as PEX allows', () => {
    const { pex, peer } = exchange(false);
    const s = peer('10.0.0.1:1');
    expect(pex.receive(s.link, pexMessage, 0)).toEqual(['10.9.9.9:7000']);
    expect(pex.receive(s.link, pexMessage, 1)).toEqual([]);
  });

  it('a private torrent takes no PEX addresses', () => {
    const { pex, peer } = exchange(true);
    expect(pex.receive(peer('10.0.0.1:1').link, pexMessage, 0)).toEqual([]);
  });

  it('tells a peer only of other peers with an IP address and a port it can dial', () => {
    const { pex, peer } = exchange(false);
    const s = peer('10.0.0.1:1');
    // The peer must have said it speaks ut_pex.
    s.feed({ type: 'extended', id: 0, payload: new TextEncoder().encode('d1:md6:ut_pexi9eee') });
    peer('10.0.0.2:6881');
    peer('10.0.0.3:50000', false); // dialled us, announced no listen port: not advertised
    peer('webrtc:abcd');
    s.sent();
    pex.send(s.link, 0);
    const sent = s.sent();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'extended', id: 9 });
    const payload = (sent[0] as { payload: Uint8Array }).payload;
    // added: one compact IPv4 peer, 10.0.0.2:6881.
    expect(new TextDecoder('latin1').decode(payload)).toContain('5:added6:' + String.fromCharCode(10, 0, 0, 2, 0x1a, 0xe1));
  });
});
