// The shop's worker: takes the jobs the API leaves, twice a second.
const { command } = require('./redis.js');

const timer = setInterval(() => {
  command('INCR', 'jobs').catch((error) => console.error(error.message));
}, 500);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
