/**
 * Every failure Sluice reports is a typed value: a stable machine `code` (e.g. `metainfo/path-traversal`)
 * and a one-line human `message`. Callers switch on `code`; people read `message`.
 */
export class SluiceError<Code extends string = string> extends Error {
  override readonly name: string = 'SluiceError';
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

export function isSluiceError(value: unknown): value is SluiceError {
  return value instanceof SluiceError;
}
