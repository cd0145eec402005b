// Runs every benchmark in bench/ (each bench/*.mjs but this file), one after another in its own
// process so one benchmark's heap and threads do not slow the next. `npm run bench` builds first.
// Usage: node bench/run.mjs [name-filter]
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f.includes(filter))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', cwd: join(here, '..') });
  if (r.status !== 0) {
    console.error(`${file} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
console.log(`\n${benches.length - failed}/${benches.length} benchmarks ran`);
process.exitCode = failed === 0 ? 0 : 1;
