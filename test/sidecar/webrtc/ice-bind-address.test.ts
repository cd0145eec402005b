import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultIceBindAddress } from '../../../sidecar/src/webrtc/ice-bind-address.js';

// Interface tables in the shape os.networkInterfaces() returns, for the machines the choice is about.
// (The namespaces of test/interop/webrtc-defaults-netns.test.ts prove the choices connect.)
function address(address: string, internal = false): NetworkInterfaceInfo {
  const v4 = address.includes('.');
  const base = { address, internal, mac: '00:00:00:00:00:00', cidr: null, netmask: v4 ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::' };
  return v4 ? { ...base, family: 'IPv4' } : { ...base, family: 'IPv6', scopeid: 0 };
}
const lo = [address('127.0.0.1', true), address('::1', true)];

describe('the address ICE binds to by default', () => {
  it('binds nothing while some interface has an address libjuice gathers on its own', () => {
    expect(defaultIceBindAddress({ lo, eth0: [address('192.0.2.2'), address('fd00::2'), address('fe80::fc:ff:fe00:1')] })).toBeUndefined();
    expect(defaultIceBindAddress({ lo, v0: [address('10.99.0.1')] })).toBeUndefined();
    expect(defaultIceBindAddress({ lo, v0: [address('fd12::5'), address('fe80::1')] })).toBeUndefined();
  });

  it('binds a self-assigned IPv4 address when that is all there is besides loopback', () => {
    expect(defaultIceBindAddress({ lo, v0: [address('169.254.5.5'), address('fe80::dc1b:7dff:fe25:3b26')] })).toBe('169.254.5.5');
  });

  it('binds loopback on a machine with nothing else (IPv6 link-local addresses alone need a scope and are left out)', () => {
    expect(defaultIceBindAddress({ lo })).toBe('127.0.0.1');
    expect(defaultIceBindAddress({ lo, v1: [address('fe80::3414:7aff:fe7b:7928')] })).toBe('127.0.0.1');
    expect(defaultIceBindAddress({ lo: [address('::1', true)] })).toBe('::1');
    expect(defaultIceBindAddress({ lo: [address('127.0.0.2', true), address('::1', true)] })).toBe('127.0.0.2');
  });

  it('binds nothing when there is no address at all (gathering then fails with its own error)', () => {
    expect(defaultIceBindAddress({})).toBeUndefined();
  });
});
