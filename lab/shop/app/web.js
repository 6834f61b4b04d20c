// The shop's front end: a page, and /api/ passed on to the API. And a flaw:
// /debug/connect?to=HOST:PORT, left in from development, opens a connection
// wherever it is told (server-side request forgery: the attack tests' way in).
const http = require('node:http');
const net = require('node:net');

const API = new URL(process.env.API_URL || 'http://api:3000');

function debugConnect(to, res) {
  const [host, port] = to.split(':');
  const socket = net.connect(Number(port), host);
  const answer = (text) => {
    socket.destroy();
    if (!res.headersSent) res.end(text);
  };
  socket.setTimeout(3000, () => answer('timeout'));
  socket.on('connect', () => answer('connected'));
  socket.on('error', (error) => answer(`error: ${error.code}`));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://web');
  if (url.pathname === '/debug/connect') {
    debugConnect(url.searchParams.get('to') || '', res);
    return;
  }
  if (!req.url.startsWith('/api/')) {
    res.setHeader('content-type', 'text/html');
    res.end('<h1>shop</h1>');
    return;
  }
  const upstream = http.get({ host: API.hostname, port: API.port, path: req.url.slice(4), agent: false }, (answer) => {
    res.statusCode = answer.statusCode;
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    res.statusCode = 502;
    res.end(error.message);
  });
});
server.listen(Number(process.env.PORT || 8080));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
