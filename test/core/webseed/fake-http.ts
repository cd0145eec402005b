// An in-memory HTTP server behind the HttpFetch port, for web seed tests on a fake clock: serves
// files with Range, or whatever reply a test scripts, and records every request and body cancel.
import type { HttpBodyReader, HttpFetch, HttpResponse } from '../../../src/core/ports/http.js';

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly chunks?: readonly Uint8Array[];
  /** After these many chunks, `read` never settles (and ignores the abort signal). */
  readonly stallAfter?: number;
  /** No readable stream: only `arrayBuffer()`. */
  readonly bodyless?: boolean;
}

/** A script's answer: a reply, a network failure, or a fetch that never answers (signal ignored). */
export type Script = (url: string, range: { first: number; last: number } | null) => Reply | Error | 'hang' | undefined;

export interface Call {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

const never = new Promise<never>(() => {});

export class FakeHttp {
  readonly files = new Map<string, Uint8Array>();
  readonly calls: Call[] = [];
  cancels = 0;
  chunksRead = 0;
  script: Script = () => undefined;
  private pending: (() => void)[] = [];
  /** When set, every fetch waits until `release()`, which opens the gate for good. */
  gate = false;

  release(): void {
    this.gate = false;
    const waiting = this.pending;
    this.pending = [];
    for (const go of waiting) go();
  }

  readonly fetch: HttpFetch = async (url, init) => {
    this.calls.push({ url, headers: init.headers });
    if (this.gate) await new Promise<void>((resolve) => this.pending.push(resolve));
    const m = /^bytes=(\d+)-(\d+)$/.exec(init.headers.range ?? '');
    const range = m ? { first: Number(m[1]), last: Number(m[2]) } : null;
    const scripted = this.script(url, range);
    if (scripted === 'hang') return never;
    if (scripted instanceof Error) throw scripted;
    return this.respond(scripted ?? this.serve(url, range));
  };

  /** A well-behaved server: 206 with the bytes asked for, in 5000-byte chunks. */
  serve(url: string, range: { first: number; last: number } | null): Reply {
    const file = this.files.get(url);
    if (!file) return { status: 404, chunks: [new TextEncoder().encode('not found')] };
    if (!range) return { status: 200, headers: { 'content-length': String(file.length) }, chunks: chunked(file) };
    const body = file.subarray(range.first, range.last + 1);
    return {
      status: 206,
      headers: { 'content-range': `bytes ${range.first}-${range.last}/${file.length}`, 'content-length': String(body.length) },
      chunks: chunked(body),
    };
  }

  private respond(reply: Reply): HttpResponse {
    const headers = new Map(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const chunks = reply.chunks ?? [];
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    let next = 0;
    const reader: HttpBodyReader = {
      read: () => {
        if (reply.stallAfter !== undefined && next >= reply.stallAfter) return never;
        const value = chunks[next++];
        if (value) this.chunksRead++;
        return Promise.resolve(value ? { done: false, value } : { done: true });
      },
      cancel: async () => {
        this.cancels++;
      },
    };
    return {
      status: reply.status,
      headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
      body: reply.bodyless ? null : { getReader: () => reader },
      arrayBuffer: async () => all.buffer,
    };
  }
}

export function chunked(bytes: Uint8Array, size = 5000): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** Lets promise callbacks run (the fake server answers in microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
