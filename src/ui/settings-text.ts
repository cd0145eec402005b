/** The settings dialog's text fields, both ways: one tracker a line, one ICE server a line. */

export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

const TRACKER_URL = /^(wss?|https?|udp):\/\/[^\s/]+/i;
const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/i;

export function trackersText(trackers: readonly string[]): string {
  return trackers.join('\n');
}

/** One URL a line (blank lines ignored); a line that is not a tracker URL is an error naming it. */
export function parseTrackers(text: string): { readonly trackers: string[] } | { readonly error: string } {
  const trackers = lines(text);
  const bad = trackers.find((url) => !TRACKER_URL.test(url));
  if (bad) return { error: `“${bad}” is not a tracker address (wss://, ws://, https://, http:// or udp://).` };
  return { trackers: [...new Set(trackers)] };
}

/** `stun:host:port`, or `turn:host:port username credential`, a line. */
export function iceText(servers: readonly IceServer[]): string {
  return servers
    .flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls).map((url) => [url, s.username, s.credential].filter((x) => x !== undefined).join(' ')))
    .join('\n');
}

export function parseIce(text: string): { readonly servers: IceServer[] } | { readonly error: string } {
  const servers: IceServer[] = [];
  for (const line of lines(text)) {
    const [url, username, credential, ...rest] = line.split(/\s+/);
    if (!url || !ICE_URL.test(url) || rest.length > 0) return { error: `“${line}” is not a STUN/TURN server (stun:host:port, or turn:host:port username password).` };
    if (/^turns?:/i.test(url) && (username === undefined || credential === undefined)) return { error: `The TURN server ${url} needs a username and a password after it.` };
    servers.push({ urls: url, ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) });
  }
  return { servers };
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
