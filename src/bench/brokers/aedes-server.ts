/**
 * Aedes on one TCP port of 127.0.0.1, with its default settings, for the
 * side-by-side benchmark: `node aedes-server.js PORT`. It runs in a
 * process of its own, as the other brokers do; Aedes is a development
 * dependency, so an installed midge finds it only where it was added.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`aedes listening on 127.0.0.1:${port}\n`);
});

function stop(): void {
  server.close();
  aedes.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
