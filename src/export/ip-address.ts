import { SeededRandom } from '../simulation/seeded-random';
import { deviceClass } from '../simulation/devices';
import type { Location } from '../domain/location';

/** The IPv4 documentation networks of RFC 5737 (each a /24): addresses that look real and route nowhere. */
const IPV4_DOCUMENTATION_NETS = ['192.0.2', '198.51.100', '203.0.113'] as const;
/** The IPv6 documentation prefix of RFC 3849 (2001:db8::/32). */
const IPV6_DOCUMENTATION_PREFIX = '2001:db8';

/** Share of IPv6 addresses: mobile networks hand them out more often than home broadband. */
const IPV6_SHARE = { mobile: 0.6, fixed: 0.25 } as const;

/**
 * The address a user streams from: one per (run seed, user, city, mobile or fixed network),
 * from its own seeded stream, so the same listener at home on the laptop keeps one address,
 * their phone another, and a trip abroad brings new ones; stable across runs and shardings.
 */
export class IpAddresses {
  private readonly known = new Map<string, string>();

  constructor(private readonly seed: number) {}

  of(userId: number, location: Pick<Location, 'country' | 'city'>, device: string): string {
    const network = deviceClass(device) === 'mobile' ? 'mobile' : 'fixed';
    const key = `${userId}\u0000${location.country}\u0000${location.city}\u0000${network}`;
    let address = this.known.get(key);
    if (address === undefined) {
      const rng = new SeededRandom(this.seed, 'ip-addr', userId, location.country, location.city, network);
      address = rng.chance(IPV6_SHARE[network])
        ? // groups from 1: never a zero group, so the text is already in RFC 5952's canonical form
          [IPV6_DOCUMENTATION_PREFIX, ...Array.from({ length: 6 }, () => rng.int(1, 0xffff).toString(16))].join(':')
        : `${rng.pick(IPV4_DOCUMENTATION_NETS)}.${rng.int(1, 254)}`;
      this.known.set(key, address);
    }
    return address;
  }
}
