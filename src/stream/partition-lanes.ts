import type { Producer } from '@platformatic/kafka';

type Message = Parameters<Producer<Buffer, Buffer, Buffer, Buffer>['send']>[0]['messages'][number];

/** Produce requests in flight at once over all partitions: the idempotent producer's limit per connection. */
const MAX_IN_FLIGHT = 5;

/**
 * Sends messages partition by partition, each partition's in the order given, with up to
 * MAX_IN_FLIGHT produce requests in flight at once but never two for the same partition:
 * the client's idempotent producer numbers a partition's next batch from the answers it has
 * had, so a second request to a partition in flight would reuse sequence numbers. One request
 * per partition in flight is what keeps each partition a prefix of what was sent to it (the
 * broker refuses a batch that does not follow the last one it wrote), on which the stream's
 * resume after a crash relies. After a failed request nothing more is sent; push() and
 * flush() throw its error.
 */
export class PartitionLanes {
  private readonly queues: Message[][];
  private readonly busy: boolean[];
  private inFlight = 0;
  private queued = 0;
  private flushing = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  /**
   * `batch`: messages a partition gathers before its request goes (a flush sends what there is);
   * `beforeSend` runs before each request and stops everything by throwing
   */
  constructor(
    private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>,
    partitions: number,
    private readonly batch: number,
    private readonly beforeSend: () => void,
    private readonly onSent: (messages: number) => void,
  ) {
    this.queues = Array.from({ length: partitions }, () => []);
    this.busy = new Array<boolean>(partitions).fill(false);
  }

  /** Queues a message; when too many wait already, resolves once requests have taken some. */
  async push(partition: number, message: Message): Promise<void> {
    if (this.failure) throw this.failure;
    this.queues[partition].push(message);
    this.queued++;
    if (this.queues[partition].length >= this.batch) this.pump();
    while (this.queued >= this.batch * this.queues.length * 2 && !this.failure) await this.nextAnswer();
    if (this.failure) throw this.failure;
  }

  /** Sends everything queued and resolves when every request has its answer. */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      for (;;) {
        this.pump();
        if (this.inFlight === 0 && (this.queued === 0 || this.failure)) break;
        await this.nextAnswer();
      }
    } finally {
      this.flushing = false;
    }
    if (this.failure) throw this.failure;
  }

  private nextAnswer(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private pump(): void {
    if (this.failure) return;
    for (let p = 0; p < this.queues.length && this.inFlight < MAX_IN_FLIGHT; p++) {
      const queue = this.queues[p];
      if (this.busy[p] || queue.length === 0 || (queue.length < this.batch && !this.flushing)) continue;
      try {
        this.beforeSend();
      } catch (err) {
        this.failure = err as Error;
        return;
      }
      const messages = queue.splice(0, this.batch);
      this.queued -= messages.length;
      this.busy[p] = true;
      this.inFlight++;
      this.producer.send({ messages }).then(
        () => this.answered(p, () => this.onSent(messages.length)),
        (err: Error) => this.answered(p, () => (this.failure ??= err)),
      );
    }
  }

  private answered(partition: number, then: () => void): void {
    this.busy[partition] = false;
    this.inFlight--;
    then();
    this.pump();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
