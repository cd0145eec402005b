import type { Session } from '../../../src/core/engine/session.js';
import { ProgressBar } from './progress.js';

/**
 * Runs `add` (adding a torrent, which hashes any data already on disk) with a "Checking" bar on
 * stderr, so a large existing download or seed does not sit silent while it is verified.
 */
export async function withCheckBar<T>(session: Session, stderr: ConstructorParameters<typeof ProgressBar>[0], add: () => Promise<T>): Promise<T> {
  const bar = new ProgressBar(stderr, 'Checking');
  const unsubscribe = session.on((alert) => {
    if (alert.type === 'check-progress') bar.update(alert.checkedBytes, alert.totalBytes, alert.checkedBytes === alert.totalBytes);
  });
  try {
    return await add();
  } finally {
    unsubscribe();
    bar.finish();
  }
}
