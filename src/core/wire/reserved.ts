/** Feature bits of the handshake's 8 reserved bytes that Sluice reads or sets. */
export interface ReservedFlags {
  /** BEP 10 extension protocol: reserved[5] & 0x10. */
  readonly extended?: boolean;
  /** BEP 6 fast extension: reserved[7] & 0x04. */
  readonly fast?: boolean;
  /** BEP 5 DHT (the peer may send `port`): reserved[7] & 0x01. */
  readonly dht?: boolean;
}

export function createReserved(flags: ReservedFlags): Uint8Array {
  const reserved = new Uint8Array(8);
  if (flags.extended) reserved[5] = 0x10;
  reserved[7] = (flags.fast ? 0x04 : 0) | (flags.dht ? 0x01 : 0);
  return reserved;
}

export function supportsExtended(reserved: Uint8Array): boolean {
  return ((reserved[5] ?? 0) & 0x10) !== 0;
}

export function supportsFast(reserved: Uint8Array): boolean {
  return ((reserved[7] ?? 0) & 0x04) !== 0;
}

export function supportsDht(reserved: Uint8Array): boolean {
  return ((reserved[7] ?? 0) & 0x01) !== 0;
}
