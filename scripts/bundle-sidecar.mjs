// Bundles the compiled sidecar (build/sidecar/src, from `tsc -b sidecar`) into build/sluice/: one module
// per CLI command plus shared chunks, instead of ~240 files. Why: a `sluice` process resolved, read and
// compiled every file at start, about 0.15 CPU-seconds measured on this 2-vCPU machine before the first
// byte moved (a third of a 64 MiB download's CPU). sidecar/bin/sluice.js runs the bundle only while it is
// newer than the last `tsc -b sidecar`, so a stale bundle is never run.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'sluice');

const bundle = await rolldown({
  input: join(root, 'build', 'sidecar', 'src', 'main.js'),
  platform: 'node',
  // Native code and what loads it stay where npm put them.
  external: [/^node:/, /^node-datachannel(\/|$)/, /^ws(\/|$)/],
  logLevel: 'warn',
});
rmSync(out, { recursive: true, force: true });
await bundle.write({ dir: out, format: 'esm', entryFileNames: 'sluice.mjs', chunkFileNames: '[name]-[hash].mjs', sourcemap: false });
await bundle.close();
