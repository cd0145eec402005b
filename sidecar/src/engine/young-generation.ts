import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Keeps V8's young generation at the size it starts with instead of letting it double, step by
 * step, up to two 16 MiB semi-spaces. A download allocates short-lived objects for every 16 KiB
 * block (messages, events, requests), so over a few seconds V8 grows the young generation to its
 * ceiling (32 MiB of semi-spaces, mostly RSS) for nothing, since almost all of it dies young either
 * way. Held at its 1 MiB start (2 MiB committed once both halves are touched),
 * it is scavenged more often (about 50 scavenges per GiB instead of 20, ~2 ms each) for the same
 * CPU within the bench's noise, and peak RSS of a 1 GiB download drops by 15-25 MiB.
 *
 * `--semi-space-growth-factor` is read each time V8 considers growing the young generation, so it
 * works when set at run time (Node documents run-time flags as use-with-care; this one only sizes
 * a heap space). It is process-wide, hence applied once and only when the session is asked to.
 */
export function keepYoungGenerationSmall(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}
