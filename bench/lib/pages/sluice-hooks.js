// Init script of bench/browser.mjs's Sluice run, evaluated in the app's page before its own scripts:
// the settings the tests use (only the bench's tracker, no ICE servers, so nothing leaves 127.0.0.1),
// and a log of the page's stable hooks: each change of a torrent element's data-state or data-progress,
// with its wall-clock time (ms since the epoch), in window.sluiceBenchLog.
globalThis.installSluiceBenchHooks = ({ trackers }) => {
  localStorage.setItem('sluice:trackers', JSON.stringify(trackers));
  localStorage.setItem('sluice:ice-servers', '[]');
  const log = [];
  window.sluiceBenchLog = log;
  const now = () => performance.timeOrigin + performance.now();
  const record = (el) => {
    if (!(el instanceof Element) || !el.hasAttribute('data-infohash')) return;
    const entry = { at: now(), infoHash: el.getAttribute('data-infohash'), state: el.getAttribute('data-state'), progress: Number(el.getAttribute('data-progress')) };
    const last = log.findLast((e) => e.infoHash === entry.infoHash);
    if (!last || last.state !== entry.state || last.progress !== entry.progress) log.push(entry);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes') record(m.target);
      for (const node of m.addedNodes) {
        record(node);
        if (node instanceof Element) node.querySelectorAll('[data-infohash]').forEach(record);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-progress'] });
};
