import type { TrackerClient } from '../../../src/core/ports/tracker.js';
import { HttpTrackerClient } from '../tracker/http-tracker-client.js';
import { UdpTrackerClient } from '../tracker/udp-tracker-client.js';

/** The tracker clients the sidecar speaks, by URL scheme; null for schemes it cannot (yet) use. */
export function nodeTrackerClient(url: string): TrackerClient | null {
  try {
    const scheme = new URL(url).protocol;
    if (scheme === 'http:' || scheme === 'https:') return new HttpTrackerClient(url);
    if (scheme === 'udp:') return new UdpTrackerClient(url);
  } catch {
    return null;
  }
  return null;
}
