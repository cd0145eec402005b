import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BUILT = join(process.cwd(), 'build', 'sidecar', 'src', 'engine', 'young-generation.js');

/** New-space size after a download-like allocation pattern, in a fresh Node process (the flag is process-wide). */
function newSpaceAfterChurn(keepSmall: boolean): { before: number; after: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    ${keepSmall ? `const { keepYoungGenerationSmall } = await import(${JSON.stringify(BUILT)}); keepYoungGenerationSmall();` : ''}
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const before = size();
    // Short-lived objects per "block", with a window of them alive at once, as requests in flight are.
    const window = new Array(4096);
    for (let i = 0; i < 3_000_000; i++) window[i % 4096] = { piece: i >> 6, begin: (i & 63) * 16384, key: 'k' + i, at: [i] };
    console.log(JSON.stringify({ before, after: size() }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { before: number; after: number };
}

describe('keepYoungGenerationSmall', () => {
  it('stops the young generation from growing under a download-like allocation rate (it grows without)', () => {
    expect(existsSync(BUILT), 'run `npx tsc -b sidecar` first').toBe(true);
    const grown = newSpaceAfterChurn(false);
    // Node 20: 1 MiB at start; left alone V8 doubles it to 32 MiB, held it commits its second half only.
    expect(grown.after).toBeGreaterThanOrEqual(8 * grown.before);
    const kept = newSpaceAfterChurn(true);
    expect(kept.after).toBeLessThanOrEqual(2 * kept.before);
  });
});
