// A page that Playwright does not instrument, for bench/bridge.mjs. A Playwright page has the DevTools
// Network domain on in the page and its workers, and Chromium then sends every WebSocket frame to the
// client, base64 in JSON: for the bridge that is every byte of the torrent, 1.4x over, encoded in the
// worker's thread and parsed by the bench (a 32 MiB run carried 45 MB of webSocketFrameReceived events).
// A user's browser does none of that, and a data channel's messages are never reported, so the WebRTC
// path never paid it. This page lives in a browser context made over CDP, which Playwright (launched, not
// persistent) does not know and so detaches from; it is driven with Runtime.evaluate over a non-flattened
// session, as chromium.mjs's heap sampler reaches workers.

/** A new context and page (about:blank) in `browser`, outside Playwright; `init` runs before each document. */
export async function openQuietPage(browser, init) {
  const cdp = await browser.newBrowserCDPSession();
  const waiting = new Map();
  const exceptions = [];
  let nextId = 0;
  let sessionId = null;
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message);
    if (message.id !== undefined) {
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    } else if (message.method === 'Runtime.exceptionThrown') {
      const d = message.params.exceptionDetails;
      exceptions.push(d.exception?.description?.split('\n')[0] ?? d.text);
    }
  });
  const send = async (method, params = {}) => {
    const id = ++nextId;
    const answered = new Promise((resolve) => waiting.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    const reply = await answered;
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result;
  };
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  ({ sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false }));
  await send('Runtime.enable');
  await send('Page.enable');
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
    async close() {
      await cdp.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
      await cdp.detach().catch(() => {});
    },
  };
}
