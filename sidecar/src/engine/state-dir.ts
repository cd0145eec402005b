import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the sidecar keeps resume data and the DHT routing table: $SLUICE_STATE_DIR, else the XDG state folder. */
export function defaultStateDir(): string {
  if (process.env.SLUICE_STATE_DIR) return process.env.SLUICE_STATE_DIR;
  const xdg = process.env.XDG_STATE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state'), 'sluice');
}
