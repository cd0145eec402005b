import { afterEach, describe, expect, it } from 'vitest';
import { startDht, type DhtDiscovery } from '../../../sidecar/src/dht/dht-discovery.js';
import { fromHex } from '../../../src/core/util/hex.js';
import { sluice } from '../../helpers/cli.js';
import { content } from '../../helpers/engine.js';
import { Swarm } from './swarm.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Three DHT nodes on 127.0.0.1 that know each other and nobody else. */
async function localDht(): Promise<DhtDiscovery[]> {
  const nodes: DhtDiscovery[] = [];
  for (let i = 0; i < 3; i++) {
    const node = await startDht({ port: 0, host: '127.0.0.1', bootstrap: nodes.map((n) => `127.0.0.1:${n.port}`) });
    cleanups.push(() => node.close());
    nodes.push(node);
  }
  return nodes;
}

/** Resolves once a lookup through `node` returns `address` for `infoHash`. */
async function findable(node: DhtDiscovery, infoHash: Uint8Array, address: string): Promise<void> {
  let found = false;
  const onPeer = (a: string) => {
    if (a === address) found = true;
  };
  while (!found) {
    node.lookup(infoHash, onPeer);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('peers found through a DHT of local nodes (no --peer, no tracker)', () => {
  it('sluice seed announces into it and sluice download finds the seeder from a bare info hash', async () => {
    const nodes = await localDht();
    const bootstrap = nodes.flatMap((n) => ['--dht-bootstrap', `127.0.0.1:${n.port}`]);
    const swarm = new Swarm(content(98, 600_000));
    cleanups.push(() => swarm.close());
    const { line } = await swarm.seed([swarm.dataPath, ...bootstrap]);
    // The seeder's announce_peer landed: a lookup from a node that is neither side returns it.
    await findable(nodes[0]!, fromHex(line.infoHash)!, `127.0.0.1:${line.port}`);
    await swarm.download([line.infoHash, ...bootstrap]);
  });

  it('--dht-bootstrap takes IPv4 HOST:PORT and needs the DHT on', () => {
    const noDht = sluice(['download', '0123456789abcdef0123456789abcdef01234567', '--no-dht', '--dht-bootstrap', '127.0.0.1:6881']);
    expect(noDht).toMatchObject({ status: 2, stdout: '', stderr: 'sluice: --dht-bootstrap needs the DHT; drop --no-dht\n' });
    const v6 = sluice(['seed', 'whatever', '--dht-bootstrap', '[::1]:6881']);
    expect(v6).toMatchObject({ status: 2, stdout: '', stderr: "sluice: --dht-bootstrap '[::1]:6881' is not HOST:PORT (an IPv4 address or a host name)\n" });
    const bad = sluice(['download', '0123456789abcdef0123456789abcdef01234567', '--dht-bootstrap', 'nowhere']);
    expect(bad).toMatchObject({ status: 2, stdout: '', stderr: "sluice: --dht-bootstrap 'nowhere' is not HOST:PORT (an IPv4 address or a host name)\n" });
  });
});
