// A page that Playwright does not instrument, for bench/bridge.mjs. A Playwright page has the DevTools
// Network domain on in the page and its workers, and Chromium then sends every WebSocket frame to the
// client, base64 in JSON: for the bridge that is every byte of the torrent, 1.4x over, encoded in the
// worker's thread and parsed by the bench (a 32 MiB run carried 45 MB of webSocketFrameReceived events).
// A user's browser does none of that, and a data channel's messages are never reported, so the WebRTC
// path never paid it. This page lives in a browser context made over CDP, which Playwright (launched, not
// persistent) does not know and so detaches from; it is driven with Runtime.evaluate over a non-flattened
// session, as chromium.mjs's heap sampler reaches workers.

/**
 * A new page (about:blank) in `browser`, outside Playwright; `init` runs before each document. By default
 * in the browser's own profile (Playwright's launch makes a fresh one on disk), as a user's app runs:
 * an incognito context keeps OPFS in memory behind a synchronous IPC per write, 1.6–3.3 ms/MiB in the
 * profile against 88–98 ms/MiB incognito here (64 MiB of 1 MiB sync-handle writes, load 14), which capped
 * every path near 10 MiB/s. `origin`'s data is cleared before the page opens, and its camera and microphone
 * allowed (Chromium gathers host ICE candidates only then).
 */
export async function openQuietPage(browser, init, { origin, incognito = false }) {
  const cdp = await browser.newBrowserCDPSession();
  const waiting = new Map();
  const exceptions = [];
  let nextId = 0;
  let sessionId = null;
  /** The page's workers, attached inside the page's session (they are not top-level targets). */
  const workers = new Map();
  const onMessage = (message) => {
    if (message.id !== undefined) {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    } else if (message.method === 'Target.attachedToTarget' && message.params.targetInfo.type === 'worker') {
      workers.set(message.params.sessionId, message.params.targetInfo.url);
    } else if (message.method === 'Target.detachedFromTarget') {
      workers.delete(message.params.sessionId);
    } else if (message.method === 'Target.receivedMessageFromTarget') {
      onMessage(JSON.parse(message.params.message));
    } else if (message.method === 'Runtime.exceptionThrown') {
      const d = message.params.exceptionDetails;
      exceptions.push(d.exception?.description?.split('\n')[0] ?? d.text);
    }
  };
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId === sessionId) onMessage(JSON.parse(event.message));
  });
  /** A command to the page, or with `worker` (a session id) to one of its workers (ids are shared, so unique). */
  const send = async (method, params = {}, worker = null) => {
    const id = ++nextId;
    const answered = new Promise((resolve) => waiting.set(id, resolve));
    let message = JSON.stringify({ id, method, params });
    if (worker) message = JSON.stringify({ id: ++nextId, method: 'Target.sendMessageToTarget', params: { sessionId: worker, message } });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message });
    const reply = await answered;
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  };
  const { browserContextId } = incognito ? await cdp.send('Target.createBrowserContext', { disposeOnDetach: true }) : {};
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', ...(browserContextId ? { browserContextId } : {}) });
  ({ sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false }));
  await cdp.send('Browser.grantPermissions', { origin, permissions: ['videoCapture', 'audioCapture'], ...(browserContextId ? { browserContextId } : {}) });
  // What an earlier page of this origin left (IndexedDB, OPFS, its service worker): a run that starts
  // with the torrent already stored measures nothing. Cleared here, through the page's session (from the
  // browser's session Chromium answers "Internal error"), while no page of the origin is open to write
  // its state back.
  if (!browserContextId) await send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
  await send('Runtime.enable');
  await send('Page.enable');
  await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await send('Page.addScriptToEvaluateOnNewDocument', { source: init });
  return {
    /** Page errors seen so far (uncaught exceptions of the page). */
    errors: exceptions,
    async goto(url) {
      await send('Page.navigate', { url });
    },
    /** The value of `expression` (JSON-serialisable), evaluated in the page; promises awaited. */
    async evaluate(expression) {
      const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    },
    /** Polls `expression` every `everyMs` until it is truthy (or `timeoutMs` passes); its value. */
    async waitFor(expression, { timeoutMs, everyMs = 200 }) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const value = await this.evaluate(expression).catch(() => null);
        if (value) return value;
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
    /** The value of `expression` in the page's first worker (the app's engine), waiting up to `timeoutMs` for one to start. */
    async workerEvaluate(expression, { timeoutMs = 60_000 } = {}) {
      const until = Date.now() + timeoutMs;
      while (workers.size === 0) {
        if (Date.now() > until) throw new Error(`no worker started within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [id] = workers.keys();
      const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, id);
      if (r.exceptionDetails) throw new Error(`in the worker: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    },
    /** `method` sent to every worker of the page (e.g. Profiler.start); their results by URL. */
    async workerCommand(method, params = {}) {
      const out = [];
      for (const [id, url] of workers) out.push({ url, result: await send(method, params, id) });
      return out;
    },
    /** V8 heap used now (bytes): the page's and its workers', and the array-buffer backing stores V8 reports for all. */
    async heapUsage() {
      const usage = (worker) => send('Runtime.getHeapUsage', {}, worker).catch(() => ({ usedSize: 0 }));
      const page = await usage(null);
      let worker = 0;
      let buffers = page.backingStorageSize ?? 0;
      for (const id of workers.keys()) {
        const w = await usage(id);
        worker += w.usedSize;
        buffers += w.backingStorageSize ?? 0;
      }
      return { page: page.usedSize, worker, buffers, workers: workers.size };
    },
    /** Samples heapUsage every `everyMs` until stopped; the peaks (sampleHeap's shape). */
    sampleHeap(everyMs = 500) {
      const peak = { page: 0, worker: 0, total: 0, buffers: 0, samples: 0 };
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          const h = await this.heapUsage().catch(() => null);
          if (h) {
            peak.page = Math.max(peak.page, h.page);
            peak.worker = Math.max(peak.worker, h.worker);
            peak.total = Math.max(peak.total, h.page + h.worker);
            peak.buffers = Math.max(peak.buffers, h.buffers);
            peak.samples++;
          }
          await new Promise((resolve) => setTimeout(resolve, everyMs));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
          return peak;
        },
      };
    },
    async close() {
      if (browserContextId) await cdp.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
      else {
        await cdp.send('Target.closeTarget', { targetId }).catch(() => {});
      }
      await cdp.detach().catch(() => {});
    },
  };
}
