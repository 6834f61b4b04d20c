// A small suite run in worker threads, its transform cache in /tmp.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  cacheDirectory: '/tmp/jest-cache',
  workerThreads: true,
  maxWorkers: 2,
};
