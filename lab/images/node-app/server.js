// The lab's Node.js app: a small HTTP API that keeps a visit counter in memory
// and answers /healthz. It is what the lab's Node.js image runs.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
let visits = 0;

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  visits += 1;
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ visits }) + '\n');
});

server.listen(port, () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
