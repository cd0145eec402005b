/** The public WebTorrent trackers new torrents announce to unless settings say otherwise. */
export const DEFAULT_TRACKERS: readonly string[] = ['wss://tracker.openwebtorrent.com', 'wss://tracker.webtorrent.dev', 'wss://tracker.btorrent.xyz'];

/** Where settings keep the person's own list of trackers (a JSON array of URLs). */
const TRACKERS_KEY = 'sluice:trackers';

/**
 * The trackers for new torrents: the person's list if they set one, otherwise the public ones plus
 * the serving origin's `/announce` (the tracker `sluice serve` runs next to the app).
 */
export function defaultTrackers(location: { readonly protocol: string; readonly host: string }, storage: Pick<Storage, 'getItem'> | null): string[] {
  const saved = storage?.getItem(TRACKERS_KEY);
  if (saved) {
    try {
      const list: unknown = JSON.parse(saved);
      if (Array.isArray(list) && list.every((u) => typeof u === 'string')) return list as string[];
    } catch {
      // an unreadable setting falls back to the defaults
    }
  }
  const own = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/announce`;
  return [...DEFAULT_TRACKERS, own];
}

/** Where settings keep ICE servers (a JSON array of RTCIceServer); absent means the engine's default (public STUN). */
const ICE_SERVERS_KEY = 'sluice:ice-servers';

export function iceServersSetting(storage: Pick<Storage, 'getItem'> | null): { urls: string | string[]; username?: string; credential?: string }[] | undefined {
  const saved = storage?.getItem(ICE_SERVERS_KEY);
  if (!saved) return undefined;
  try {
    const list: unknown = JSON.parse(saved);
    return Array.isArray(list) ? (list as { urls: string | string[] }[]) : undefined;
  } catch {
    return undefined;
  }
}

/** How data channels reach the worker, for tests and the curious: `sluice:channel-mode` = auto | transfer | relay. */
export function channelModeSetting(storage: Pick<Storage, 'getItem'> | null): 'auto' | 'transfer' | 'relay' {
  const saved = storage?.getItem('sluice:channel-mode');
  return saved === 'transfer' || saved === 'relay' ? saved : 'auto';
}

/** The STUN servers the engine uses when `sluice:ice-servers` is not set. */
export { DEFAULT_ICE_SERVERS } from '../../core/ports/rtc.js';

/** Saves the trackers of new torrents; null goes back to the defaults. */
export function saveTrackersSetting(storage: Pick<Storage, 'setItem' | 'removeItem'>, trackers: readonly string[] | null): void {
  if (trackers === null) storage.removeItem(TRACKERS_KEY);
  else storage.setItem(TRACKERS_KEY, JSON.stringify(trackers));
}

/** Saves the ICE (STUN/TURN) servers the next engine start uses; null goes back to the defaults. */
export function saveIceServersSetting(storage: Pick<Storage, 'setItem' | 'removeItem'>, servers: readonly { urls: string | readonly string[]; username?: string; credential?: string }[] | null): void {
  if (servers === null) storage.removeItem(ICE_SERVERS_KEY);
  else storage.setItem(ICE_SERVERS_KEY, JSON.stringify(servers));
}
