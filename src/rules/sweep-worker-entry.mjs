// Entry of a sweep's worker thread: loads the TypeScript sources through tsx, as bin/bridge.js does.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
