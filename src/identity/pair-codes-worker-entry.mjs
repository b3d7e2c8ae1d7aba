// Entry of the pair comparing worker thread: loads the TypeScript sources through tsx, as bin/bridge.js does.
import { register } from 'tsx/esm/api';

register();
await import('./pair-codes-worker.ts');
