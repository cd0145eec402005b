import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { channelModeSetting, defaultTrackers, EngineClient, iceServersSetting, startServiceWorker } from '../browser/client/index.js';
import { App } from './app.js';
import './app.css';

// One client per page, made before React so a StrictMode double render never starts two.
const iceServers = iceServersSetting(localStorage);
const client = new EngineClient({
  trackers: defaultTrackers(location, localStorage),
  channelMode: channelModeSetting(localStorage),
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
