import { defineConfig } from 'vitest/config';

/**
 * WebRTC suites drive native stacks (node-datachannel, Chromium) whose set-up is timing-sensitive;
 * on two cores, running them beside each other or beside the rest starves them. They run after
 * everything else, one file at a time.
 */
const REAL_TIME_PEERS = ['test/interop/webrtc-*.test.ts', 'test/interop/hybrid-bridge.test.ts', 'test/sidecar/webrtc/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/sidecar/tracker-server/webtorrent.test.ts'];

const shared = {
  environment: 'node',
  // Every `sluice` a test starts inherits this: no LSD multicast leaves loopback (test/sidecar/lsd runs it in a namespace).
  env: { SLUICE_LSD: '0' },
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // expect.poll waits 1 s by default: too short for a page on two cores busy with the whole suite
  // (it failed a fresh-clone run once). Waiting longer only changes how long a failure takes to show.
  expect: { poll: { timeout: 15_000 } },
} as const;

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...REAL_TIME_PEERS],
          // Interop tests start real peers; two cores are all there is.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'webrtc',
          include: REAL_TIME_PEERS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
