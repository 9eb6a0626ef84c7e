import { memoryStores } from '../../src/store/memory/memory-stores.ts';
import { storageContract } from './storage-contract.ts';

storageContract('memory', async () => memoryStores());
