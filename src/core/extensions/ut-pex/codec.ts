import { decodeBencode } from '../../bencode/decode.js';
import { encodeBencode } from '../../bencode/encode.js';
import type { BencodeDictionary, BencodeNode } from '../../bencode/node.js';
import { isSluiceError } from '../../errors.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../tracker/ip.js';
import { ExtensionError } from '../errors.js';

/** Bits of `added.f` / `added6.f` (BEP 11, as libtorrent and uTorrent set them). */
export const PexFlags = {
  /** The peer prefers encrypted connections. */
  encryption: 0x01,
  /** The peer is a seed (or upload-only). */
  seed: 0x02,
  /** The peer supports uTP. */
  utp: 0x04,
  /** The peer supports ut_holepunch. */
  holepunch: 0x08,
  /** The sender reached the peer with an outgoing connection, so it is connectable. */
  reachable: 0x10,
} as const;

export interface PexAddress {
  /** Dotted quad, or RFC 5952 IPv6 text without brackets. */
  readonly host: string;
  readonly port: number;
}

export interface PexPeer extends PexAddress {
  /** PexFlags bits; 0 when the sender gave none. */
  readonly flags: number;
}

export interface PexMessage {
  /** IPv4 and IPv6 peers together (the codec splits them into added / added6). */
  readonly added: readonly PexPeer[];
  readonly dropped: readonly PexAddress[];
}

/**
 * Most entries accepted in any one incoming list (added, added6, dropped, dropped6). BEP 11 senders put at most
 * 50 in each; 200 leaves room for clients that batch more and bounds what one message can make us hold.
 */
export const MAX_INCOMING_PEX_PEERS = 200;

function bad(message: string): ExtensionError {
  return new ExtensionError('ut-pex/bad-message', message);
}

function isIpv6(host: string): boolean {
  return host.includes(':');
}

function compact(peers: readonly PexAddress[], v6: boolean): Uint8Array {
  const size = v6 ? 18 : 6;
  const out = new Uint8Array(peers.length * size);
  peers.forEach((peer, i) => {
    const address = v6 ? parseIpv6(peer.host) : parseIpv4(peer.host);
    if (address === null) throw bad(`not an ${v6 ? 'IPv6' : 'IPv4'} address: ${peer.host.slice(0, 60)}`);
    if (!Number.isInteger(peer.port) || peer.port < 1 || peer.port > 0xffff) throw bad(`peer port out of range: ${peer.port}`);
    out.set(address, i * size);
    out[i * size + size - 2] = peer.port >>> 8;
    out[i * size + size - 1] = peer.port & 0xff;
  });
  return out;
}

function flags(peers: readonly PexPeer[]): Uint8Array {
  return Uint8Array.from(peers, (peer) => peer.flags & 0xff);
}

/** The bencoded payload of a ut_pex message. Empty families are left out. */
export function encodePexMessage(message: PexMessage): Uint8Array {
  const added4 = message.added.filter((p) => !isIpv6(p.host));
  const added6 = message.added.filter((p) => isIpv6(p.host));
  const dropped4 = message.dropped.filter((p) => !isIpv6(p.host));
  const dropped6 = message.dropped.filter((p) => isIpv6(p.host));
  // `added` and `dropped` are always present: some clients (older uTorrent) expect them.
  return encodeBencode({
    added: compact(added4, false),
    'added.f': flags(added4),
    dropped: compact(dropped4, false),
    added6: added6.length > 0 ? compact(added6, true) : undefined,
    'added6.f': added6.length > 0 ? flags(added6) : undefined,
    dropped6: dropped6.length > 0 ? compact(dropped6, true) : undefined,
  });
}

function list(dict: BencodeDictionary, key: string, v6: boolean): { address: PexAddress; index: number }[] {
  const node = dict.get(key);
  if (node === undefined) return [];
  if (node.kind !== 'bytes') throw bad(`ut_pex ${key} is a bencoded ${node.kind}, not a byte string`);
  const size = v6 ? 18 : 6;
  // Like libtorrent: a ragged tail is ignored and a long list is cut at the bound; neither harms us, and
  // neither is a reason to drop a peer that also sends us data.
  const count = Math.min(Math.floor(node.value.length / size), MAX_INCOMING_PEX_PEERS);
  const out: { address: PexAddress; index: number }[] = [];
  for (let i = 0; i < count; i++) {
    const entry = node.value.subarray(i * size, (i + 1) * size);
    const port = (entry[size - 2]! << 8) | entry[size - 1]!;
    // Nobody can connect to port 0; libtorrent skips such entries too.
    if (port === 0) continue;
    const host = v6 ? formatIpv6(entry.subarray(0, 16)) : formatIpv4(entry.subarray(0, 4));
    out.push({ address: { host, port }, index: i });
  }
  return out;
}

function withFlags(dict: BencodeDictionary, key: string, entries: { address: PexAddress; index: number }[]): PexPeer[] {
  const node: BencodeNode | undefined = dict.get(key);
  // A missing or mis-sized flags string is common and harmless: the peers simply have no flags.
  const bits = node?.kind === 'bytes' ? node.value : undefined;
  return entries.map(({ address, index }) => ({ ...address, flags: bits?.[index] ?? 0 }));
}

/**
 * Reads one ut_pex payload: a bencoded dictionary whose peer lists are compact strings (6 bytes per IPv4 peer,
 * 18 per IPv6 peer). Keys we do not know are ignored; a payload that is not a dictionary, or a list that is not a
 * byte string, is an ExtensionError. A list's ragged tail is ignored, and only its first MAX_INCOMING_PEX_PEERS
 * entries are read.
 */
export function decodePexMessage(payload: Uint8Array): PexMessage {
  let root: BencodeNode;
  try {
    root = decodeBencode(payload, { maxDepth: 4, maxValues: 256 });
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    throw bad(`ut_pex message is not bencoded: ${error.message}`);
  }
  if (root.kind !== 'dictionary') throw bad(`ut_pex message is a bencoded ${root.kind}, not a dictionary`);
  const added = [
    ...withFlags(root, 'added.f', list(root, 'added', false)),
    ...withFlags(root, 'added6.f', list(root, 'added6', true)),
  ];
  const dropped = [...list(root, 'dropped', false), ...list(root, 'dropped6', true)].map((e) => e.address);
  return { added, dropped };
}
