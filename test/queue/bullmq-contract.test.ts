import { BullmqDispatchQueue } from '../../src/queue/bullmq-dispatch-queue.js';
import { dispatchQueueContract } from './dispatch-queue-contract.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './support.js';

dispatchQueueContract('BullmqDispatchQueue', () => {
  const prefix = uniquePrefix();
  return {
    create: (opts) => new BullmqDispatchQueue(REDIS_URL, {
      prefix,
      encryptionKey: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
      ...(opts?.circuitBreaker ? { circuitBreaker: opts.circuitBreaker } : {}),
    }),
    cleanup: () => deletePrefix(prefix),
  };
});
