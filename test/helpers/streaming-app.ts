import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { staticFiles } from '../../sidecar/src/http/static-files.js';
import { requireTool } from './tools.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `vite build` of the app (with its Service Worker and precache manifest) into `outDir`. */
export async function buildApp(outDir: string): Promise<void> {
  await build({ root: repoRoot, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
}

export interface Site {
  readonly origin: string;
  close(): Promise<void>;
}

/** The built app in `outDir`, served on 127.0.0.1 the way `sluice serve` serves it. */
export async function serveApp(outDir: string): Promise<Site> {
  const serve = staticFiles(outDir);
  const server: Server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * A 20 s 640x360 H.264 MP4 of about 5 MB made by Debian's ffmpeg (noise keeps it from compressing
 * to nothing), with its moov first (`faststart`) or after the media data.
 */
export function makeMp4(dir: string, name: string, faststart: boolean): { path: string; bytes: Buffer } {
  requireTool('ffmpeg');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '20',
    '-vf', 'noise=alls=30:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '4M',
    '-pix_fmt', 'yuv420p', ...(faststart ? ['-movflags', '+faststart'] : []), path,
  ]);
  return { path, bytes: readFileSync(path) };
}

/** Whether the MP4's moov box comes before its mdat (an MP4 without faststart has it after). */
export function moovFirst(bytes: Buffer): boolean {
  return bytes.indexOf('moov') < bytes.indexOf('mdat');
}
