// Types of pattern.js, which the pages load as it is and firefox.test.ts imports in Node.
export function pattern(seed: number, length: number): Uint8Array;
export function sha256(bytes: Uint8Array): Promise<string>;
