import { describe, expect, it } from 'vitest';
import { sluice } from '../../helpers/cli.js';

const HASH = '0123456789abcdef0123456789abcdef01234567';

describe('sluice download and seed: mistakes give one line and status 2', () => {
  const cases: [string, string[], string][] = [
    ['a peer that is not HOST:PORT', ['download', HASH, '--peer', 'localhost'], "sluice: --peer 'localhost' is not HOST:PORT (use [v6]:PORT for IPv6)"],
    ['a tracker with an unknown scheme', ['download', HASH, '--tracker', 'ftp://x/'], "sluice: --tracker 'ftp://x/' must use http, https, udp, ws or wss"],
    ['no swarm at all', ['download', HASH, '--no-tcp', '--no-webrtc'], 'sluice: --no-tcp and --no-webrtc together leave no way to reach peers'],
    ['an unknown encryption policy', ['download', HASH, '--encryption', 'maybe'], "sluice: --encryption must be one of prefer-plaintext, prefer-encrypted, require, got 'maybe'"],
    ['a STUN server that is not a stun: URL', ['seed', '.', '--stun', 'http://x'], "sluice: --stun 'http://x' is not a stun: URL"],
    ['a string that is not an info hash, file or magnet', ['download', 'nope-not-here'], "sluice: cannot read '"],
  ];
  for (const [what, args, line] of cases) {
    it(what, () => {
      const r = sluice([...args, '--state', '/tmp/sluice-never-used']);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(line)).toBe(true);
    });
  }
});
