import { memoryTransportPair } from '../../../src/core/transport/memory.js';
import { transportContract } from '../../contracts/transport.contract.js';

transportContract('memory', async () => memoryTransportPair({ highWaterMark: 1 << 20 }));
