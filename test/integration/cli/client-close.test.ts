import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const CONNECTION = path.resolve(__dirname, '../../../dist/cli/temporal/client-connection.js');

/**
 * A process that closes its client connection while a call waits for its next retry: an HTTP/2
 * server on 127.0.0.1 answers every call UNAVAILABLE (retryable), the connection is closed 60 ms
 * after the call starts, then the process waits for the call and exits.
 */
const SCRIPT = `
const http2 = require('node:http2');
const server = http2.createServer();
server.on('stream', (stream) =>
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'unavailable (test)' }, { endStream: true }),
);
server.listen(0, '127.0.0.1', async () => {
  const connection = await require(${JSON.stringify(CONNECTION)}).connectionTo('127.0.0.1:' + server.address().port, { lazy: true });
  const call = connection.workflowService.getSystemInfo({}).then(
    () => console.log('answered'),
    (e) => console.log('rejected: ' + e.code + ' ' + e.details),
  );
  await new Promise((r) => setTimeout(r, 60));
  await connection.close();
  await call;
  // the SDK's retries back off up to 5 s: a retry left behind would fire within that
  setTimeout(() => { server.close(); console.log('exited cleanly'); }, 1500);
});
`;

describe('closing a client connection while a call is pending', () => {
  it('ends the call with CANCELLED instead of a retry that throws "Channel has been shut down" from a timer', () => {
    const child = spawnSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toContain('Channel has been shut down');
    expect(child.stdout).toBe('rejected: 1 the client connection was closed\nexited cleanly\n');
    expect(child.status).toBe(0);
  });
});
