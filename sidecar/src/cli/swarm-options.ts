import type { RtcIceServer } from '../../../src/core/ports/rtc.js';
import type { NodeSessionOptions } from '../engine/node-session.js';
import { flagValue, flagValues, hasFlag, integerFlag, type ParsedArgs, UsageError } from './args.js';
import { SWARM_OPTIONS } from './command-specs.js';
import { splitHostPort } from '../../../src/core/engine/address.js';

/** The options `download` and `seed` share (the table lives with the other commands' options). */
export const SWARM_FLAGS = SWARM_OPTIONS;

const POLICIES = ['prefer-plaintext', 'prefer-encrypted', 'require'] as const;

/**
 * By default one process joins both swarms: TCP (HTTP/UDP trackers, DHT, PEX) and WebRTC (WebSocket
 * trackers), so pieces from either side reach both.
 */
export function swarmOptions(args: ParsedArgs): Pick<NodeSessionOptions, 'dht' | 'lsd' | 'webrtc' | 'tcp' | 'settings'> {
  const noTcp = hasFlag(args, 'no-tcp');
  const noWebrtc = hasFlag(args, 'no-webrtc');
  if (noTcp && noWebrtc) throw new UsageError('--no-tcp and --no-webrtc together leave no way to reach peers');
  const stun = flagValues(args, 'stun');
  if (stun.length > 0 && hasFlag(args, 'no-stun')) throw new UsageError('--stun and --no-stun contradict each other');
  for (const url of stun) if (!/^stuns?:[^\s]+$/.test(url)) throw new UsageError(`--stun '${url}' is not a stun: URL`);
  const bootstrap = checkDhtBootstrap(flagValues(args, 'dht-bootstrap'), hasFlag(args, 'no-dht') || noTcp);
  const iceServers: RtcIceServer[] | undefined = hasFlag(args, 'no-stun') ? [] : stun.length > 0 ? stun.map((urls) => ({ urls })) : undefined;
  const host = flagValue(args, 'webrtc-host');
  const encryption = flagValue(args, 'encryption') ?? 'prefer-plaintext';
  if (!(POLICIES as readonly string[]).includes(encryption)) {
    throw new UsageError(`--encryption must be one of ${POLICIES.join(', ')}, got '${encryption}'`);
  }
  const downloadRateLimit = rateFlag(args, 'download-limit');
  const uploadRateLimit = rateFlag(args, 'upload-limit');
  const maxPeers = integerFlag(args, 'max-peers', 1, 10_000);
  return {
    settings: {
      encryption: encryption as (typeof POLICIES)[number],
      ...(downloadRateLimit !== undefined ? { downloadRateLimit } : {}),
      ...(uploadRateLimit !== undefined ? { uploadRateLimit } : {}),
      ...(maxPeers !== undefined ? { maxConnectionsPerTorrent: maxPeers } : {}),
    },
    tcp: !noTcp,
    dht: noTcp ? false : dhtOption(hasFlag(args, 'no-dht'), bootstrap),
    // SLUICE_LSD=0 is --no-lsd for every run in an environment (the test suite sets it: its peers stay on loopback).
    lsd: !noTcp && !hasFlag(args, 'no-lsd') && process.env['SLUICE_LSD'] !== '0',
    webrtc: noWebrtc ? false : { ...(iceServers ? { iceServers } : {}), ...(host ? { bindAddress: host } : {}) },
  };
}

/** DHT nodes to start from instead of the public routers (a private or test DHT). */
export function checkDhtBootstrap(nodes: readonly string[], noDht: boolean): string[] {
  for (const n of nodes) {
    const parsed = splitHostPort(n);
    // The DHT node speaks UDP over IPv4, and bittorrent-dht reads a bootstrap node as plain host:port.
    if (!parsed || n.startsWith('[')) throw new UsageError(`--dht-bootstrap '${n}' is not HOST:PORT (an IPv4 address or a host name)`);
  }
  if (nodes.length > 0 && noDht) throw new UsageError('--dht-bootstrap needs the DHT; drop --no-dht');
  return [...nodes];
}

/** What startNodeSession takes for `dht`: off, the public routers, or the given bootstrap nodes. */
export function dhtOption(noDht: boolean, bootstrap: readonly string[]): boolean | { bootstrap: readonly string[] } {
  if (noDht) return false;
  return bootstrap.length > 0 ? { bootstrap } : true;
}

const RATE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * A rate in bytes per second: `500K`, `2M`, `1.5m`, or plain bytes (K = 1024, as qBittorrent's KiB/s);
 * `0` means unlimited. Undefined when the flag is absent.
 */
export function rateFlag(args: ParsedArgs, name: string): number | undefined {
  const text = flagValue(args, name);
  if (text === undefined) return undefined;
  const m = /^(\d{1,12}(?:\.\d{1,6})?)([kKmMgG]?)(?:i?B(?:\/s)?)?$/.exec(text);
  if (!m) throw new UsageError(`--${name} must be a rate such as 500K or 2M (bytes per second, 0 for no limit), got '${text}'`);
  return Math.round(Number(m[1]) * RATE_UNITS[m[2]!.toLowerCase()]!);
}
