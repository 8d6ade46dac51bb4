import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

/**
 * Which addresses an html: source from workflow input may reach: public ones, plus
 * whatever the worker allows (WRAPPED_ETL_FETCH_ALLOW: IPs or CIDRs, e.g. the tests'
 * 127.0.0.1). Checked on the address actually connected, for every redirect too.
 */
const INTERNAL_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const INTERNAL_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
];

const internal = new net.BlockList();
for (const [a, p] of INTERNAL_V4) internal.addSubnet(a, p, 'ipv4');
for (const [a, p] of INTERNAL_V6) internal.addSubnet(a, p, 'ipv6');

/** An IPv4 address embedded as ::ffff:a.b.c.d or ::ffff:xxxx:xxxx, else undefined. */
function mappedV4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export class AddressPolicy {
  private readonly allowed = new net.BlockList();

  /** `allow`: IPs or CIDRs (comma or space separated) the worker lets sources reach even though they are internal. */
  constructor(allow = '') {
    for (const entry of allow.split(/[\s,]+/).filter(Boolean)) {
      const [address, bits] = entry.split('/');
      const type = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (!net.isIP(address)) throw new Error(`WRAPPED_ETL_FETCH_ALLOW: "${entry}" is not an IP address or CIDR`);
      if (bits === undefined) this.allowed.addAddress(address, type);
      else this.allowed.addSubnet(address, Number(bits), type);
    }
  }

  static fromEnv(): AddressPolicy {
    return new AddressPolicy(process.env.WRAPPED_ETL_FETCH_ALLOW ?? '');
  }

  permits(address: string): boolean {
    const v4 = net.isIP(address) === 6 ? mappedV4(address) : address;
    const [a, type] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
    return !internal.check(a, type) || this.allowed.check(a, type);
  }

  /** Throws BlockedAddressError unless `address` may be reached. */
  check(host: string, address: string): void {
    if (!this.permits(address)) throw new BlockedAddressError(host, address);
  }

  /** dns.lookup that refuses hosts resolving to any address this policy does not permit. */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !this.permits(a.address));
      if (bad || list.length === 0) return callback(new BlockedAddressError(hostname, bad?.address ?? '(none)'), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };

  /** http and https agents whose every connection (redirects included) is checked by this policy. */
  agents(): { http: http.Agent; https: https.Agent } {
    const guard = (options: { host?: string | null; hostname?: string | null }) => {
      const host = String(options.hostname ?? options.host ?? '').replace(/^\[|\]$/g, '');
      if (net.isIP(host)) this.check(host, host);
    };
    const lookup = this.lookup;
    class GuardedHttp extends http.Agent {
      override createConnection(
        options: net.NetConnectOpts & { host?: string; hostname?: string },
        cb?: (err: Error | null, s: net.Socket) => void,
      ): net.Socket {
        guard(options);
        return net.createConnection({ ...options, lookup } as net.NetConnectOpts, cb as () => void);
      }
    }
    class GuardedHttps extends https.Agent {
      override createConnection(
        options: net.NetConnectOpts & { host?: string; hostname?: string },
        cb?: (err: Error | null, s: net.Socket) => void,
      ): net.Socket {
        guard(options);
        // https.Agent's own createConnection does the TLS; the lookup option reaches its net.connect
        return (https.Agent.prototype as unknown as { createConnection: (o: object, c?: unknown) => net.Socket }).createConnection.call(
          this,
          { ...options, lookup },
          cb,
        );
      }
    }
    return { http: new GuardedHttp({ keepAlive: false }), https: new GuardedHttps({ keepAlive: false }) };
  }
}

export class BlockedAddressError extends Error {
  readonly code = 'ERR_ADDRESS_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} is ${address === host ? '' : `at ${address}, `}a loopback, private, link-local or metadata address, which this worker does not fetch for workflow input (a worker allows such addresses with WRAPPED_ETL_FETCH_ALLOW)`,
    );
    this.name = 'BlockedAddressError';
  }
}
