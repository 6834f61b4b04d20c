// The shop's API: counts visits in Redis and answers with the count.
const http = require('node:http');
const { command } = require('./redis.js');

const server = http.createServer((req, res) => {
  command('INCR', 'visits').then(
    (reply) => res.end(JSON.stringify({ path: req.url, visits: Number(reply.slice(1)) })),
    (error) => {
      res.statusCode = 502;
      res.end(JSON.stringify({ error: error.message }));
    },
  );
});
server.listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
