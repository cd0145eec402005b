/**
 * `fetch`, with the browser's word for a request that never got an HTTP answer explained. Chromium says
 * "Failed to fetch" and Firefox "NetworkError when attempting to fetch resource." alike for a server
 * that is down and for one that does not let this site read its answers (CORS), and the page cannot
 * tell which: both are named, since a web seed or a .torrent on another site is most often the second.
 */
export async function explainedFetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err instanceof TypeError) throw new TypeError(`${err.message.replace(/\.$/, '')} (the server is not answering, or does not allow other sites to fetch from it: CORS)`);
    throw err;
  }
}
