import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireTool } from './tools.js';

/**
 * Debian's Chromium, headless, with the switches docs/browser-webrtc.md explains: no outside
 * traffic (background networking, component updates, sync), and loopback allowed in peer connections.
 * Never add a `--disable-features`: Chromium keeps only the last one, and Playwright passes its own.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
] as const;

export async function launchChromium(): Promise<Browser> {
  requireTool('chromium');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
}

/**
 * A page at `url` whose origin may use the camera and microphone. Chromium enumerates network
 * interfaces for ICE only for such an origin; without it, a loopback-only host gathers no candidate.
 * Page errors and console errors are collected so a test can report them.
 */
export async function openWebRtcPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext();
  await context.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(url);
  return { context, page, pageErrors };
}
