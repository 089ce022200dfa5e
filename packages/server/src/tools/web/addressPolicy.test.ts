import { describe, expect, it } from 'vitest';
import { classifyAddress, createAddressAllowlist } from './addressPolicy.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict).toMatchObject({ allowed: false, range });
    expect(verdict.reason).not.toBe('');
  });

  it('judges IPv4-mapped IPv6 as the IPv4 address it wraps', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toMatchObject({ allowed: false, range: 'loopback', address: '127.0.0.1' });
    expect(classifyAddress('::ffff:7f00:1')).toMatchObject({ allowed: false, range: 'loopback', address: '127.0.0.1' });
    expect(classifyAddress('[::ffff:a9fe:a9fe]')).toMatchObject({ allowed: false, range: 'linkLocal', address: '169.254.169.254' });
    expect(classifyAddress('::ffff:8.8.8.8')).toMatchObject({ allowed: true, address: '8.8.8.8' });
  });

  it('allows public unicast addresses', () => {
    expect(classifyAddress('93.184.216.34')).toMatchObject({ allowed: true, range: 'unicast' });
    expect(classifyAddress('2606:4700:4700::1111')).toMatchObject({ allowed: true, range: 'unicast' });
    expect(classifyAddress('172.32.0.1').allowed).toBe(true);
    expect(classifyAddress('100.128.0.1').allowed).toBe(true);
  });

  it('does not read loose numeric forms itself (the URL parser normalises them first)', () => {
    expect(() => classifyAddress('2130706433')).toThrow('Not an IP address');
    expect(() => classifyAddress('0177.0.0.1')).toThrow('Not an IP address');
    expect(() => classifyAddress('0x7f.1')).toThrow('Not an IP address');
    expect(new URL('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0177.0.0.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0x7f.1/').hostname).toBe('127.0.0.1');
  });
});

describe('createAddressAllowlist', () => {
  const at = (hostname: string, port: number, address: string) => ({ hostname, port, address });

  it('matches host names, with or without a port', () => {
    const list = createAddressAllowlist(['localhost:8080', 'intranet.local']);
    expect(list.permits(at('localhost', 8080, '127.0.0.1'))).toBe(true);
    expect(list.permits(at('LOCALHOST.', 8080, '::1'))).toBe(true);
    expect(list.permits(at('localhost', 8081, '127.0.0.1'))).toBe(false);
    expect(list.permits(at('intranet.local', 443, '10.0.0.7'))).toBe(true);
    expect(list.permits(at('other.local', 443, '10.0.0.7'))).toBe(false);
  });

  it('matches addresses (any spelling) and CIDR ranges', () => {
    const list = createAddressAllowlist(['127.0.0.1', '[::1]:9000', '10.20.0.0/16', 'fd00::/8']);
    expect(list.permits(at('x', 1, '127.0.0.1'))).toBe(true);
    expect(list.permits(at('x', 1, '::ffff:127.0.0.1'))).toBe(true);
    expect(list.permits(at('x', 1, '127.0.0.2'))).toBe(false);
    expect(list.permits(at('x', 9000, '::1'))).toBe(true);
    expect(list.permits(at('x', 9001, '::1'))).toBe(false);
    expect(list.permits(at('x', 80, '10.20.3.4'))).toBe(true);
    expect(list.permits(at('x', 80, '10.21.3.4'))).toBe(false);
    expect(list.permits(at('x', 80, 'fd00::5'))).toBe(true);
  });

  it('rejects entries it cannot read', () => {
    expect(() => createAddressAllowlist(['10.0.0.0/33'])).toThrow('is not a valid CIDR range');
    expect(() => createAddressAllowlist(['host:99999'])).toThrow('has an invalid port');
    expect(() => createAddressAllowlist(['http://x/'])).toThrow();
  });
});
