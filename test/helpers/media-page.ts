import type { Page } from 'playwright-core';

/**
 * The page's <video> as a test sees it. `watchMediaEvents` (an init script) records media events,
 * which do not bubble, with a capturing listener on the document.
 */
export type MediaState = { src: string; currentTime: number; duration: number; paused: boolean; events: { type: string; at: number }[] };

export function watchMediaEvents(): void {
  // Runs in the page (the tests' tsconfig has no DOM types).
  const g = globalThis as unknown as {
    document?: { addEventListener(type: string, listener: (e: { target: { currentTime: number } }) => void, capture: boolean): void };
    mediaEvents: { type: string; at: number }[];
  };
  g.mediaEvents = [];
  for (const type of ['playing', 'seeking', 'seeked', 'error', 'volumechange'])
    g.document?.addEventListener(type, (e) => g.mediaEvents.push({ type, at: e.target.currentTime }), true);
}

/** Runs in the page (playwright's or puppeteer's `page.evaluate(mediaStateInPage)`): the <video> now. */
export function mediaStateInPage(): MediaState {
  const g = globalThis as unknown as {
    document: { querySelector(s: string): { src: string; currentTime: number; duration: number; paused: boolean } | null };
    mediaEvents?: { type: string; at: number }[];
  };
  const v = g.document.querySelector('video');
  return { src: v?.src ?? '', currentTime: v?.currentTime ?? 0, duration: v?.duration ?? NaN, paused: v?.paused ?? true, events: g.mediaEvents ?? [] };
}

export async function mediaState(page: Page): Promise<MediaState> {
  return page.evaluate(mediaStateInPage);
}

/** Polls until `check` holds for the video; the failure says what the video and the page showed. */
export async function waitForVideo(page: Page, what: string, check: (s: MediaState) => boolean, giveUpMs: number, context = ''): Promise<MediaState> {
  let last: MediaState | null = null;
  for (let waited = 0; waited < giveUpMs; waited += 250) {
    last = await mediaState(page);
    if (check(last)) return last;
    await page.waitForTimeout(250);
  }
  const shown = await page.locator('main').innerText().catch(() => '?');
  throw new Error(`the video never ${what}: ${JSON.stringify(last)}\npage: ${shown}\n${context}`);
}

/** Sets the video's currentTime and waits for the `seeked` that follows. */
export async function seekTo(page: Page, target: number, giveUpMs: number): Promise<MediaState> {
  const before = (await mediaState(page)).events.filter((e) => e.type === 'seeked').length;
  await page.evaluate((t) => {
    (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } } }).document.querySelector('video').currentTime = t;
  }, target);
  return waitForVideo(page, `seeked to ${target.toFixed(1)} s`, (s) => s.events.filter((e) => e.type === 'seeked').length > before, giveUpMs);
}

/** Runs in the page (`page.evaluate(fetchedHashInPage, url)`): SHA-256 of what `fetch(url)` returns. */
export async function fetchedHashInPage(url: string): Promise<string> {
  const body = await (await fetch(url)).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of what `fetch(url)` in the page returns (through the Service Worker where it controls the page). */
export async function fetchedHash(page: Page, url: string): Promise<string> {
  return page.evaluate(fetchedHashInPage, url);
}
