#!/usr/bin/env node
// The CLI is compiled by `tsc -b sidecar` into build/sidecar/ and bundled into build/sluice/ (both run by
// `npm install`'s prepare step and `npm run build:sidecar`). The bundle starts in a fraction of the CPU
// time; it is used only while it is newer than the last compile, so editing and running `tsc -b sidecar`
// alone never runs stale code.
import { statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const mtime = (path) => statSync(new URL(path, root), { throwIfNoEntry: false })?.mtimeMs ?? null;
const bundled = mtime('build/sluice/sluice.mjs');
const compiled = mtime('build/.tsbuildinfo/sidecar.tsbuildinfo');
const entry = bundled !== null && (compiled === null || bundled >= compiled)
  ? '../../build/sluice/sluice.mjs'
  : '../../build/sidecar/src/main.js';

import(entry).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('build/sidecar')) {
    process.stderr.write('sluice: not built yet; run `npm install` (or `npm run build:sidecar`) in the repository first\n');
    process.exit(2);
  }
  throw err;
});
