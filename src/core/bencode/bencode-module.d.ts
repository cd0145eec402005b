// The `bencode` package ships no types; this is the part of its API Sluice uses.
declare module 'bencode' {
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array, start?: number, end?: number, encoding?: string): unknown;
    byteLength(value: unknown): number;
  };
  export default bencode;
}
