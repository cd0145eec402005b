import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bridgeSetting, channelModeSetting, defaultTrackers, EngineClient, iceServersSetting, keepBridgeToken, startServiceWorker } from '../browser/client/index.js';
import { App } from './app.js';
import { applyTheme, savedTheme } from './theme.js';
import './app.css';

// The chosen theme before the first paint, so a dark page never flashes light.
applyTheme(savedTheme());

// Opened at the URL `sluice serve` printed: keep its bridge token, and take it out of the address.
const withoutToken = keepBridgeToken(location.hash, localStorage);
if (withoutToken !== null) history.replaceState(null, '', `${location.pathname}${location.search}${withoutToken}`);

// One client per page, made before React so a StrictMode double render never starts two.
const iceServers = iceServersSetting(localStorage);
const client = new EngineClient({
  trackers: defaultTrackers(location, localStorage),
  channelMode: channelModeSetting(localStorage),
  bridge: bridgeSetting(localStorage),
  ...(iceServers ? { iceServers } : {}),
});

// The Service Worker: app shell offline, `/stream/...` from this engine, share targets.
const serviceWorker = startServiceWorker(client);

// For tests and the devtools console: the same client the page uses.
(globalThis as { sluiceEngine?: EngineClient }).sluiceEngine = client;

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <App client={client} serviceWorker={serviceWorker} />
    </StrictMode>,
  );
}
