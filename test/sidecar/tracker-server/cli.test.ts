import { describe, expect, it } from 'vitest';
import { sluice, sluiceLong } from '../../helpers/cli.js';

describe('sluice tracker', () => {
  it('prints its URLs as JSON, serves /stats, and stops on SIGTERM', async () => {
    const run = sluiceLong(['tracker', '--port', '0', '--host', '127.0.0.1', '--json']);
    const info = JSON.parse(await run.firstLine) as { port: number; ws: string; http: string; udp: string; stats: string; metrics: string };
    expect(info.ws).toBe(`ws://127.0.0.1:${info.port}`);
    expect(info.http).toBe(`http://127.0.0.1:${info.port}/announce`);
    expect(info.udp).toBe(`udp://127.0.0.1:${info.port}`);
    const stats = (await (await fetch(info.stats)).json()) as { torrents: number; wsConnections: number };
    expect(stats).toMatchObject({ torrents: 0, wsConnections: 0 });
    expect(await (await fetch(info.metrics)).text()).toContain('# TYPE sluice_tracker_announces_total counter');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses a bad port with one line and status 2', () => {
    const r = sluice(['tracker', '--port', '70000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('sluice: --port must be between 0 and 65535, got 70000\n');
  });
});
