// Entry of a generator worker thread. Node 20 starts a worker without the
// parent's TypeScript loader hooks, so register tsx here, then load the
// worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
