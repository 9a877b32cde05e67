// Running from TypeScript sources (tsx, vitest), a worker thread starts without the loader
// that the main thread has on Node 20: register it here, then load the real entry.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./message-worker.ts');
export default run;
