// Entry of a feed-reading worker thread: loads the TypeScript sources through tsx, as bin/bridge.js does.
import { register } from 'tsx/esm/api';

register();
await import('./read-feed-thread-worker.ts');
