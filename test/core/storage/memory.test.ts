import { memoryStorage } from '../../../src/core/storage/memory-store.js';
import { storageContract } from '../../contracts/storage.contract.js';

storageContract('memory', async () => memoryStorage, { persistent: false });
