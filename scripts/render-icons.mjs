#!/usr/bin/env node
// Renders public/icon.svg and public/icon-maskable.svg into the PNG sizes the web app manifest lists,
// with Debian's Chromium. Run it after changing an icon; the PNGs are committed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const pub = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const jobs = [
  ['icon.svg', 192, 'icon-192.png'],
  ['icon.svg', 512, 'icon-512.png'],
  ['icon-maskable.svg', 192, 'icon-maskable-192.png'],
  ['icon-maskable.svg', 512, 'icon-maskable-512.png'],
  ['icon-maskable.svg', 180, 'apple-touch-icon.png'],
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  const page = await browser.newPage();
  for (const [svg, size, out] of jobs) {
    await page.setViewportSize({ width: size, height: size });
    const data = Buffer.from(readFileSync(join(pub, svg))).toString('base64');
    await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img src="data:image/svg+xml;base64,${data}" width="${size}" height="${size}">`);
    await page.screenshot({ path: join(pub, out), omitBackground: true });
    console.log(`${out} (${size}x${size})`);
  }
} finally {
  await browser.close();
}
