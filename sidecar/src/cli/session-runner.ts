import type { Torrent } from '../../../src/core/engine/torrent.js';
import type { NodeSession } from '../engine/node-session.js';
import type { StatusReporter } from './status-reporter.js';

/**
 * Runs a torrent until `finished()` (or forever when it returns false), reporting every second.
 * SIGINT/SIGTERM save resume data, announce `stopped` and end the run within two seconds.
 */
export async function runUntil(node: NodeSession, torrent: Torrent, reporter: StatusReporter, finished: () => boolean): Promise<'finished' | 'interrupted' | 'failed'> {
  return new Promise((resolve) => {
    let done = false;
    const end = async (how: 'finished' | 'interrupted' | 'failed') => {
      if (done) return;
      done = true;
      clearInterval(interval);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      unsubscribe();
      reporter.endEvents();
      await node.close(1500);
      resolve(how);
    };
    const onSignal = () => void end('interrupted');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const check = () => {
      const status = torrent.status();
      reporter.update(status);
      if (status.state === 'error') void end('failed');
      else if (finished()) void end('finished');
    };
    const unsubscribe = node.session.on((alert) => {
      if (alert.type === 'torrent-finished' || alert.type === 'torrent-error') check();
    });
    const interval = setInterval(check, 1000);
    check();
  });
}
