// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per source
// file, so "where does the time go" has an answer without opening DevTools.
// Usage: node bench/lib/cpuprofile-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

const [path, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(path, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
// timeDeltas[i] is the time before sample i; attribute it to that sample's node.
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const fnTotals = new Map();
const fileTotals = new Map();
for (const [id, us] of selfUs) {
  const { callFrame } = byId.get(id);
  const file = callFrame.url ? callFrame.url.replace(/^.*\/(build|node_modules)\//, '$1/').replace(/^file:\/\//, '') : '(native)';
  const fn = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
  fnTotals.set(fn, (fnTotals.get(fn) ?? 0) + us);
  fileTotals.set(file, (fileTotals.get(file) ?? 0) + us);
}
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`main thread profile: ${(total / 1e6).toFixed(2)} s sampled`);
show('self time by function', fnTotals);
show('self time by file', fileTotals);

// With a third argument, the call paths (up to 4 frames) that lead to functions with that name.
const focus = process.argv[4];
if (focus) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const paths = new Map();
  for (const [id, us] of selfUs) {
    if (byId.get(id).callFrame.functionName !== focus) continue;
    const chain = [];
    for (let p = parent.get(id); p !== undefined && chain.length < 4; p = parent.get(p)) chain.push(byId.get(p).callFrame.functionName || '(anonymous)');
    const key = chain.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  show(`callers of ${focus}`, paths);
}
