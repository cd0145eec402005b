import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

/**
 * Builds the app's Service Worker (src/browser/sw/sw.ts) as its own classic script at /sw.js, the
 * root scope, with Workbox's precache manifest injected at build time: every file of the built app
 * with a revision (none for Vite's content-hashed assets, the MD5 of the bytes for the rest). In dev
 * the same SW is served with an empty manifest, so streaming works and nothing is precached.
 */

const SW_ENTRY = 'src/browser/sw/sw.ts';
const SW_FILE = 'sw.js';
/** The injection point workbox-build uses too. */
const INJECTION_POINT = 'self.__WB_MANIFEST';
/** Larger files (a source map, a big fixture) are not part of the shell; Workbox's own default is 2 MiB. */
const MAX_PRECACHED_BYTES = 5 * 1024 * 1024;
/** Vite writes content-hashed names under assets/: the hash is the revision. */
const HASHED_ASSET = /^\/assets\/.+-[\w-]{8,}\.\w+$/;

export interface PrecacheEntry {
  readonly url: string;
  readonly revision: string | null;
}

export function serviceWorkerPlugin(): Plugin {
  let root = process.cwd();
  let outDir = 'dist';
  let devBuild: Promise<string> | null = null;
  return {
    name: 'sluice-service-worker',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.watcher.on('change', (file) => {
        if (file.startsWith(join(root, 'src'))) devBuild = null;
      });
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== `/${SW_FILE}`) return next();
        devBuild ??= bundleServiceWorker(root, [], 'development');
        devBuild.then(
          (code) => {
            res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
            res.setHeader('Cache-Control', 'no-cache');
            res.end(code);
          },
          (err: unknown) => {
            devBuild = null;
            next(err);
          },
        );
      });
    },
    async writeBundle() {
      const manifest = precacheManifest(outDir);
      writeFileSync(join(outDir, SW_FILE), await bundleServiceWorker(root, manifest, 'production'));
    },
  };
}

/** Every file under `dir` worth precaching, as `/path` URLs with revisions. */
export function precacheManifest(dir: string): PrecacheEntry[] {
  const entries: PrecacheEntry[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.size <= MAX_PRECACHED_BYTES && !name.endsWith('.map') && relative(dir, path) !== SW_FILE) {
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        entries.push({ url, revision: HASHED_ASSET.test(url) ? null : createHash('md5').update(readFileSync(path)).digest('hex') });
      }
    }
  };
  walk(dir);
  return entries;
}

async function bundleServiceWorker(root: string, manifest: readonly PrecacheEntry[], mode: 'development' | 'production'): Promise<string> {
  const bundle = await rolldown({
    input: resolve(root, SW_ENTRY),
    platform: 'browser',
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    // Workbox logs its decisions unless told it is in production.
    transform: { define: { 'process.env.NODE_ENV': JSON.stringify('production') } },
    logLevel: 'warn',
  });
  try {
    const { output } = await bundle.generate({ format: 'iife', minify: mode === 'production' });
    const code = output[0].code;
    if (!code.includes(INJECTION_POINT)) throw new Error(`${SW_ENTRY} must use ${INJECTION_POINT} once`);
    return code.replace(INJECTION_POINT, JSON.stringify(manifest));
  } finally {
    await bundle.close();
  }
}
