import { MemoryDispatchQueue } from '../../src/queue/memory-dispatch-queue.js';
import { dispatchQueueContract } from './dispatch-queue-contract.js';

dispatchQueueContract('MemoryDispatchQueue', () => ({
  create: (opts) => new MemoryDispatchQueue(opts?.circuitBreaker ? { circuitBreaker: opts.circuitBreaker } : {}),
  cleanup: async () => undefined,
}));
