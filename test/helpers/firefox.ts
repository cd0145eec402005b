import puppeteer, { type Browser } from 'puppeteer-core';
import { requireTool } from './tools.js';

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi (nothing is downloaded). The prefs are
 * those ../shared/reference/interop-notes.md found necessary: loopback ICE with a camera/microphone
 * grant (a pref: BiDi has no permission override), unobfuscated host candidates, and the storage
 * prompt answered (`navigator.storage.persist()` never settles headless otherwise).
 */
export async function launchFirefox(): Promise<Browser> {
  requireTool('firefox-esr');
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      'media.peerconnection.ice.loopback': true,
      'permissions.default.camera': 1,
      'permissions.default.microphone': 1,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'dom.storageManager.prompt.testing': true,
      'dom.storageManager.prompt.testing.allow': true,
    },
  });
}
