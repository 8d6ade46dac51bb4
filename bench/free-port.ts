import * as net from 'node:net';

/** A loopback port free right now (the OS picks it): the bench's own dev server, and the tests' servers, never join one that other work uses. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
