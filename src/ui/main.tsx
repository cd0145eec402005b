import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { channelModeSetting, defaultTrackers, EngineClient, iceServersSetting } from '../browser/client/index.js';
import { App } from './app.js';
import { applyTheme, savedTheme } from './theme.js';
import './app.css';

// The chosen theme before the first paint, so a dark page never flashes light.
applyTheme(savedTheme());

// One client per page, made before React so a StrictMode double render never starts two.
const iceServers = iceServersSetting(localStorage);
const client = new EngineClient({
  trackers: defaultTrackers(location, localStorage),
  channelMode: channelModeSetting(localStorage),
  ...(iceServers ? { iceServers } : {}),
});

// For tests and the devtools console: the same client the page uses.
(globalThis as { sluiceEngine?: EngineClient }).sluiceEngine = client;

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
