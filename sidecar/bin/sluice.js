#!/usr/bin/env node
// The CLI is compiled by `tsc -b sidecar` (run by npm install's prepare step) into build/.
import('../../build/sidecar/src/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('build/sidecar')) {
    process.stderr.write('sluice: not built yet; run `npm install` (or `npm run build:sidecar`) in the repository first\n');
    process.exit(2);
  }
  throw err;
});
