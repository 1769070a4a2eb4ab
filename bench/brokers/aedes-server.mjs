// Aedes on one TCP port of 127.0.0.1, with its default settings, for the
// side-by-side benchmark. Usage: node aedes-server.mjs PORT
// Plain JavaScript so that no TypeScript loader runs inside the measured
// broker process.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`aedes listening on 127.0.0.1:${port}\n`);
});

function stop() {
  server.close();
  aedes.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
