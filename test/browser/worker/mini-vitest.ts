/**
 * What a contract suite imports from 'vitest', for running it inside a browser worker: the bundle
 * for the worker (test/browser/worker/bundle.ts) resolves 'vitest' to this file. `describe` and `it`
 * only record cases by their full name; the Node test asks for the list and runs each case by name,
 * so every case is one vitest test there. `expect` is vitest's own (@vitest/expect on chai), so
 * matchers behave exactly as they do in Node.
 */
import { ASYMMETRIC_MATCHERS_OBJECT, chai, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState, type ExpectStatic } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, expect);

const registered = new Map<string, () => Promise<void> | void>();
const path: string[] = [];

export function describe(name: string, body: () => void): void {
  path.push(name);
  try {
    body();
  } finally {
    path.pop();
  }
}

export function it(name: string, fn: () => Promise<void> | void): void {
  const full = [...path, name].join(' > ');
  if (registered.has(full)) throw new Error(`two cases are named "${full}"`);
  registered.set(full, fn);
}

export const test = it;

export function caseNames(): string[] {
  return [...registered.keys()];
}

/** Runs one case; the answer crosses postMessage, so an error is its message and stack as text. */
export async function runCase(name: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const fn = registered.get(name);
  if (fn === undefined) return { ok: false, error: `no case named "${name}"` };
  try {
    await fn();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}
