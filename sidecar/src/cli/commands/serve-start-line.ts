import { isLoopbackHost } from '../../bridge/access.js';
import type { ServeSession } from '../../bridge/serve-engine.js';

export interface Listening {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly tracker: string;
  /** Null with --no-bridge. */
  readonly bridge: string | null;
  readonly secure: boolean;
  readonly json: boolean;
}

/** The URL a person opens: the token rides in the fragment, so the app keeps it and it never reaches a server log or a Referer. */
function openUrl(url: string, token: string | null): string {
  return token ? `${url}#bridge-token=${encodeURIComponent(token)}` : url;
}

/**
 * What `sluice serve` prints once it is up (text, or one JSON object with --json). With one session
 * (no token, or one bare --token) it is the line it always was; with named tokens each gets its own
 * URL, since each token reaches only its own session. JSON's top-level token, open, out and peerPort
 * are the first session's (the one that takes command-line torrents), and `sessions` lists each.
 */
export function startLine(at: Listening, sessions: readonly ServeSession[]): string {
  const first = sessions[0];
  const named = first !== undefined && first.name !== null;
  const offLoopback = !isLoopbackHost(at.host);
  const each = sessions.map((s) => ({ name: s.name, token: s.token, open: openUrl(at.url, s.token), out: s.out, peerPort: s.node.port }));
  if (at.json) {
    const { url, port, host, tracker, bridge } = at;
    const open = openUrl(url, first?.token ?? null);
    const engine = first ? { token: first.token, out: first.out, peerPort: first.node.port, ...(named ? { sessions: each } : {}) } : {};
    return `${JSON.stringify({ url, port, host, tracker, bridge, open, ...engine })}\n`;
  }
  const also = `Tracker: ${at.tracker} (also ${at.url}announce)\n`;
  const insecure = offLoopback && !at.secure ? 'Off loopback, plain http is no secure context: browsers give the page no service worker and no OPFS (serve HTTPS with --cert FILE --key FILE)\n' : '';
  if (!named) {
    return (
      `Sluice is running at ${openUrl(at.url, first?.token ?? null)}\n${also}` +
      (first ? `Bridge: ${at.bridge}${first.token ? ' (the URL above carries its token)' : ''}; downloads for browsers go to ${first.out}\n` : '') +
      insecure +
      '(press Ctrl-C to stop)\n'
    );
  }
  return (
    `Sluice is running at ${at.url}\n` +
    `Each token has its own URL, torrents and folder; give each person only theirs:\n` +
    each.map((s) => `  ${s.name}: ${s.open}\n`).join('') +
    also +
    `Bridge: ${at.bridge} (each URL above carries its token); downloads for browsers go to ${each.map((s) => s.out).join(', ')}\n` +
    insecure +
    '(press Ctrl-C to stop)\n'
  );
}
