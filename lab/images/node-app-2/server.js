// The lab's Node.js app, version 2: version 1 (a visit counter and /healthz)
// plus an admin listener that reports the kernel it runs on. It is what
// `tenet diff` is shown against in the lab: one new program, one new port.
import { execFile } from 'node:child_process';
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

const admin = createServer((req, res) => {
  execFile('uname', ['-r'], (error, stdout) => {
    res.writeHead(error ? 500 : 200, { 'content-type': 'text/plain' }).end(error ? 'unknown\n' : stdout);
  });
});

server.listen(port, () => console.log(`listening on ${port}`));
admin.listen(9090, '0.0.0.0', () => console.log('admin listening on 9090'));
process.on('SIGTERM', () => {
  admin.close();
  server.close(() => process.exit(0));
});
