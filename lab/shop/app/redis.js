// The least of a Redis client the shop needs: one command per connection, over RESP.
const net = require('node:net');

const HOST = process.env.REDIS_HOST || 'redis';
const PORT = Number(process.env.REDIS_PORT || 6379);

/** Sends one command on a new connection and resolves to the server's reply line. */
function command(...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, HOST);
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis: no reply within 2 s')));
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply.trim());
      }
    });
    socket.on('error', reject);
  });
}

module.exports = { command };
