// The shop's front end: a page, and /api/ passed on to the API.
const http = require('node:http');

const API = new URL(process.env.API_URL || 'http://api:3000');

const server = http.createServer((req, res) => {
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
