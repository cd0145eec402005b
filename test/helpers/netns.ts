import { spawnSync } from 'node:child_process';

/**
 * A network namespace of our own whose only interface is a multicast-capable loopback: tests that
 * multicast (LSD) run their peers in it, so nothing they send leaves this machine's loopback.
 * Creating one needs root and iproute2 (`npm test` runs as root in CI); without them the test fails.
 */
export interface Netns {
  readonly name: string;
  /** The argv prefix that runs a command inside the namespace. */
  readonly prefix: readonly string[];
  remove(): void;
}

let counter = 0;

function ip(args: readonly string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`iproute2 is not installed: apt-get install iproute2 (${r.error.message})`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()} (creating a network namespace needs root)`);
}

/**
 * An offline LAN inside the namespace: a veth pair whose end `v0` has `address` (with prefix length),
 * and, with `gateway`, a default route to that address on the link, where nobody answers (packets to
 * the internet, DNS included, are then silently lost instead of refused at once).
 */
export interface NetnsLan {
  readonly address: string;
  readonly gateway?: string;
}

/**
 * `address` (IPv4) is added to the namespace's loopback as well: for peers such as Transmission that
 * refuse 127.0.0.0/8 addresses as "martian", a private address that still never leaves the namespace.
 */
export function createNetns(options: { address?: string; lan?: NetnsLan } = {}): Netns {
  const name = `sluice-test-${process.pid}-${counter++}`;
  ip(['netns', 'add', name]);
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    ip(['-n', name, 'link', 'set', 'lo', 'multicast', 'on']);
    ip(['-n', name, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
    if (options.address) ip(['-n', name, 'addr', 'add', `${options.address}/32`, 'dev', 'lo']);
    if (options.lan) {
      ip(['-n', name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
      ip(['-n', name, 'addr', 'add', options.lan.address, 'dev', 'v0']);
      ip(['-n', name, 'link', 'set', 'v0', 'up']);
      ip(['-n', name, 'link', 'set', 'v1', 'up']);
      if (options.lan.gateway) ip(['-n', name, 'route', 'add', 'default', 'via', options.lan.gateway]);
    }
  } catch (err) {
    ip(['netns', 'delete', name]);
    throw err;
  }
  return {
    name,
    prefix: ['ip', 'netns', 'exec', name],
    remove: () => ip(['netns', 'delete', name]),
  };
}
