// The few host globals that every platform Sluice runs on provides (browsers, workers, Node >= 20).
// Declared here so src/core compiles with no DOM and no Node types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
