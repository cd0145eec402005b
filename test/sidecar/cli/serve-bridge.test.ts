import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeControl } from '../../../src/core/bridge/frames.js';
import { BRIDGE_PROTOCOL } from '../../../src/core/bridge/control.js';
import { checkBridgeRequest, ownOrigins, redactToken } from '../../../sidecar/src/bridge/access.js';
import { sluice, sluiceLong } from '../../helpers/cli.js';

/** What a WebSocket upgrade to `url` gets: 'open', or the HTTP status it was refused with. */
function upgrade(url: string, origin?: string): Promise<{ outcome: number | 'open'; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ outcome: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ outcome: res.statusCode ?? 0, ws });
      res.resume();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Says hello over an open bridge and resolves with the sidecar's hello. */
function hello(ws: WebSocket): Promise<{ type: string; protocol?: number }> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data));
      resolve(frame.kind === 'control' ? frame.message : { type: 'data' });
    });
    ws.send(encodeControl({ type: 'hello', protocol: BRIDGE_PROTOCOL, peerId: 'ab'.repeat(20), agent: 'test' }));
  });
}

function startServe(extra: string[]) {
  const app = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>Sluice</title>');
  const state = mkdtempSync(join(tmpdir(), 'sluice-state-'));
  return sluiceLong(['serve', '--port', '0', '--app', app, '--state', state, '--no-dht', '--json', ...extra]);
}

describe('sluice serve: who may use the bridge', () => {
  const servers: ReturnType<typeof startServe>[] = [];
  afterAll(() => servers.forEach((s) => s.child.kill('SIGTERM')));

  it('off loopback (0.0.0.0) it makes a token and prints the URL carrying it; no token or a wrong one is 401, a foreign Origin 403, the token works', async () => {
    const server = startServe(['--host', '0.0.0.0']);
    servers.push(server);
    const info = JSON.parse(await server.firstLine) as { url: string; bridge: string; open: string; token: string };
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(info.open).toBe(`${info.url}#bridge-token=${info.token}`);
    // The URL names an address of this machine other than loopback (the test namespace's own).
    expect(new URL(info.url).hostname).not.toMatch(/^127\./);
    const bridge = info.bridge;
    const origin = new URL(info.url).origin;

    expect((await upgrade(bridge)).outcome).toBe(401);
    expect((await upgrade(`${bridge}?token=wrong-token-123`)).outcome).toBe(401);
    expect((await upgrade(`${bridge}?token=${info.token}`, 'http://evil.example')).outcome).toBe(403);
    // A page at another name that resolves here (DNS rebinding) is foreign too.
    expect((await upgrade(`${bridge}?token=${info.token}`, `http://evil.example:${new URL(info.url).port}`)).outcome).toBe(403);
    // The probe a page makes says the same, without upgrading.
    const probe = await fetch(bridge.replace('ws:', 'http:'));
    expect(probe.status).toBe(401);

    const fromPage = await upgrade(`${bridge}?token=${info.token}`, origin);
    expect(fromPage.outcome).toBe('open');
    expect(await hello(fromPage.ws)).toMatchObject({ type: 'hello', protocol: BRIDGE_PROTOCOL });
    fromPage.ws.close();
    const fromScript = await upgrade(`${bridge}?token=${encodeURIComponent(info.token)}`);
    expect(fromScript.outcome).toBe('open');
    fromScript.ws.close();
    expect(await (await fetch(`${bridge.replace('ws:', 'http:')}?token=${info.token}`)).json()).toMatchObject({ sluice: 'bridge', protocol: BRIDGE_PROTOCOL });
  });

  it('on loopback it needs no token, still refuses a foreign Origin, and takes --token and --allow-origin', async () => {
    const plain = startServe([]);
    servers.push(plain);
    const info = JSON.parse(await plain.firstLine) as { url: string; bridge: string; token: string | null; open: string };
    expect(info.token).toBeNull();
    expect(info.open).toBe(info.url);
    const open = await upgrade(info.bridge, new URL(info.url).origin.replace('127.0.0.1', 'localhost'));
    expect(open.outcome).toBe('open');
    open.ws.close();
    expect((await upgrade(info.bridge, 'https://app.example')).outcome).toBe(403);

    const withToken = startServe(['--token', 'a-chosen-token', '--allow-origin', 'https://app.example']);
    servers.push(withToken);
    const second = JSON.parse(await withToken.firstLine) as { bridge: string };
    expect((await upgrade(second.bridge, 'https://app.example')).outcome).toBe(401);
    const allowed = await upgrade(`${second.bridge}?token=a-chosen-token`, 'https://app.example');
    expect(allowed.outcome).toBe('open');
    allowed.ws.close();
  });

  it('takes one bare --token, or named ones: two bare, a bare among named, a name or a secret twice are each one line and exit 2 before anything listens', () => {
    const state = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    const refused = (...tokens: string[]) => {
      const r = sluice(['serve', '--port', '0', '--state', state, '--no-dht', ...tokens.flatMap((t) => (t.startsWith('--') ? [t] : ['--token', t]))]);
      return [r.status, r.stdout, r.stderr];
    };
    expect(refused('first-token', 'second-token')).toEqual([2, '', "sluice: option '--token' given twice (to serve several people apart, name each: --token NAME=SECRET)\n"]);
    expect(refused('ann=ann-secret', 'bare-secret')).toEqual([
      2,
      '',
      "sluice: --token 'bare-secret' has no name: with several tokens, each is NAME=SECRET (NAME: 1 to 32 of A-Z a-z 0-9 _ -; SECRET: 8 to 200 printable characters)\n",
    ]);
    expect(refused('ann=ann-secret', 'Ann=other-secret')).toEqual([2, '', "sluice: --token name 'Ann' given twice\n"]);
    expect(refused('ann=same-secret', 'bo=same-secret')).toEqual([2, '', "sluice: --token 'bo' has the same secret as another token\n"]);
    expect(refused('ann=ann-secret', 'ann=bob-secret', '--no-bridge')).toEqual([2, '', "sluice: --token name 'ann' given twice\n"]);
    expect(refused('ann=short')).toEqual([2, '', "sluice: --token 'ann': its secret must be 8 to 200 printable characters without spaces\n"]);
  });

  it('a bridge that breaks the protocol is closed with a policy error, and the server goes on', async () => {
    const server = startServe([]);
    servers.push(server);
    const info = JSON.parse(await server.firstLine) as { bridge: string };
    const { ws } = await upgrade(info.bridge);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.from([7, 7, 7]));
    expect(await closed).toBe(1008);
    const again = await upgrade(info.bridge);
    expect(await hello(again.ws)).toMatchObject({ type: 'hello' });
    again.ws.close();
  });
});

describe('bridge access rules', () => {
  const access = { tokens: ['tok-123456'], allowOrigins: ['https://app.example'], ownOrigins: ownOrigins('127.0.0.1', 8787, false) };
  it('checks the token before the origin, and knows the server by where it listens', () => {
    expect(checkBridgeRequest('/bridge', undefined, access)).toMatchObject({ ok: false, status: 401 });
    expect(checkBridgeRequest('/bridge?token=tok-123456', 'http://localhost:8787', access)).toEqual({ ok: true, session: 0 });
    expect(checkBridgeRequest('/bridge?token=tok-123456', 'http://127.0.0.1:8788', access)).toMatchObject({ ok: false, status: 403 });
    expect(checkBridgeRequest('/bridge?token=tok-123456', 'https://app.example', access)).toEqual({ ok: true, session: 0 });
    expect(checkBridgeRequest('/bridge?token=tok-1234567', 'https://app.example', access)).toMatchObject({ ok: false, status: 401 });
  });
  it('names the session of the token given, and needs none where there is none', () => {
    const two = { ...access, tokens: ['ann-secret-1', 'bo-secret-22'] };
    expect(checkBridgeRequest('/bridge?token=bo-secret-22', undefined, two)).toEqual({ ok: true, session: 1 });
    expect(checkBridgeRequest('/stream/x?sidecar&token=ann-secret-1', undefined, two)).toEqual({ ok: true, session: 0 });
    expect(checkBridgeRequest('/bridge?token=ann-secret-', undefined, two)).toEqual({ ok: false, status: 401, reason: 'wrong bridge token' });
    expect(checkBridgeRequest('/bridge', undefined, { ...access, tokens: [] })).toEqual({ ok: true, session: 0 });
  });
  it('hides the token in logged request targets', () => {
    expect(redactToken('/bridge?token=s3cret&x=1')).toBe('/bridge?token=…&x=1');
  });
});
