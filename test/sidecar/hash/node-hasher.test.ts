import { nodeHasher } from '../../../sidecar/src/hash/node-hasher.js';
import { hasherContract } from '../../contracts/hasher.contract.js';

hasherContract('Node crypto', () => nodeHasher);
