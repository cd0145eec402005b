// Which local address ICE binds to when the user named none. Unbound, libjuice (node-datachannel 0.33.4)
// gathers host candidates only from addresses that are neither loopback nor link-local (measured in network
// namespaces: only `lo` -> no candidate at all; only 169.254.5.5/16 -> none; 10.99.0.1/24 or fd12::5/64 ->
// one each). A machine without such an address (an offline box, a container with only `lo`, two laptops on
// a cable with self-assigned addresses) would then offer no candidate and reach no WebRTC peer, whatever
// its STUN servers do. Bound to an address, libjuice offers exactly that address.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

const isLinkLocal = (info: NetworkInterfaceInfo): boolean =>
  info.family === 'IPv4' ? info.address.startsWith('169.254.') : /^fe[89ab][0-9a-f]:/i.test(info.address);

/**
 * undefined when some address libjuice gathers on its own exists (it then gathers them all); else a
 * self-assigned IPv4 address (the peers are on that link), else loopback (the peers, if any, are on this
 * machine); undefined when there is nothing at all.
 */
export function defaultIceBindAddress(interfaces: InterfaceTable = networkInterfaces()): string | undefined {
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  if (all.some((info) => !info.internal && !isLinkLocal(info))) return undefined;
  const selfAssigned = all.find((info) => !info.internal && info.family === 'IPv4' && isLinkLocal(info));
  if (selfAssigned) return selfAssigned.address;
  const loopback = all.filter((info) => info.internal);
  return (loopback.find((info) => info.address === '127.0.0.1') ?? loopback.find((info) => info.family === 'IPv4') ?? loopback[0])?.address;
}
