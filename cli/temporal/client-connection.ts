import { InterceptingCall, Metadata, status, type Interceptor, type InterceptingListener } from '@grpc/grpc-js';

type BottomCall = ConstructorParameters<typeof InterceptingCall>[0];
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

/**
 * A Temporal client connection that can be closed while calls are pending. The SDK retries a
 * failed call (UNAVAILABLE, e.g. when the server stops) from a timer; a retry that fires after
 * the connection closed asks the closed gRPC channel for a new call, which throws "Channel has
 * been shut down" from the timer: an uncaught exception that kills the process. Here the
 * retries go through a guard that, once the connection is closed, ends the call with
 * CANCELLED instead, so the caller's promise rejects and nothing throws outside it.
 */
export async function connectionTo(address: string, opts: { lazy?: boolean; connectTimeout?: number } = {}): Promise<Connection> {
  let closed = false;
  const guard: Interceptor = (options, nextCall) => new InterceptingCall(closed ? cancelledCall() : nextCall(options));
  const options: ConnectionOptions = {
    address,
    ...(opts.connectTimeout !== undefined && { connectTimeout: opts.connectTimeout }),
    // the SDK's own retries, then the guard, then the channel
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), guard],
  };
  const connection = opts.lazy ? Connection.lazy(options) : await Connection.connect(options);
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closed = true;
    await close();
  };
  return connection;
}

/** A call that never reaches a channel: it ends with CANCELLED as soon as it starts (asynchronously, as a real call answers). */
function cancelledCall(): BottomCall {
  const nothing = () => undefined;
  return {
    start: (_metadata: Metadata, listener?: Partial<InterceptingListener>) =>
      setImmediate(() =>
        listener?.onReceiveStatus?.({ code: status.CANCELLED, details: 'the client connection was closed', metadata: new Metadata() }),
      ),
    sendMessageWithContext: nothing,
    sendMessage: nothing,
    halfClose: nothing,
    startRead: nothing,
    cancelWithStatus: nothing,
    getPeer: () => '(closed)',
    getAuthContext: () => null,
  };
}
