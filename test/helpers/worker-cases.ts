import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The page relays between the Node test and the worker: `storageTests.call('list')` gives the case
 * names, `storageTests.call('run', name)` runs one and answers `{ ok, error? }`. A classic inline
 * script, so nothing but the worker bundle is fetched.
 */
const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script>
const worker = new Worker('/worker.js');
const waiting = new Map();
let next = 0;
let markReady;
const ready = new Promise((resolve) => (markReady = resolve));
worker.onmessage = (event) => {
  if (event.data.ready) return markReady();
  waiting.get(event.data.id)(event.data.result);
  waiting.delete(event.data.id);
};
worker.onerror = (event) => { globalThis.workerError = event.message || 'the worker failed to load'; };
globalThis.storageTests = {
  async call(kind, name) {
    await ready;
    const id = ++next;
    return new Promise((resolve) => { waiting.set(id, resolve); worker.postMessage({ id, kind, name }); });
  },
};
</script></body></html>`;

export interface WorkerCasesServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Bundles `entry` (a worker script registering vitest-style cases) for the browser, with 'vitest'
 * resolved to test/browser/worker/mini-vitest.ts, and serves it with the relay page on 127.0.0.1
 * (a secure context, as OPFS requires).
 */
export async function serveWorkerCases(entry: string): Promise<WorkerCasesServer> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-worker-cases-'));
  const bundle = await rolldown({
    input: resolve(repoRoot, entry),
    platform: 'browser',
    resolve: {
      alias: { vitest: resolve(repoRoot, 'test/browser/worker/mini-vitest.ts') },
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    logLevel: 'warn',
  });
  await bundle.write({ file: join(out, 'worker.js'), format: 'iife' });
  await bundle.close();
  const script = readFileSync(join(out, 'worker.js'));
  rmSync(out, { recursive: true, force: true });
  const server: Server = createServer((req, res) => {
    const body = req.url === '/worker.js' ? script : req.url === '/' ? PAGE_HTML : null;
    if (body === null) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': req.url === '/' ? 'text/html; charset=utf-8' : 'text/javascript' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export type CaseResult = { ok: true } | { ok: false; error: string };
export type CallWorker = {
  (kind: 'list'): Promise<string[]>;
  (kind: 'run', name: string): Promise<CaseResult>;
};

/** One vitest test per case the worker registered; a failing case fails with the worker's message and stack. */
export function itEachWorkerCase(names: readonly string[], call: CallWorker, timeout = 60_000): void {
  for (const name of names) {
    it(name, async () => {
      await runWorkerCase(call, name);
    }, timeout);
  }
}

export async function runWorkerCase(call: CallWorker, name: string): Promise<void> {
  const result = await call('run', name);
  if (!result.ok) throw new Error(`in the browser worker: ${result.error}`);
  expect(result).toEqual({ ok: true });
}
