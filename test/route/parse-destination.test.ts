import { describe, expect, it } from 'vitest';
import { DestinationParseError } from '../../src/pipeline/route/errors.js';
import { parseDestination, parseDestinations } from '../../src/pipeline/route/parse-destination.js';

// Expected values are what carbon/util.py parseDestination returns for the same text.
describe('parseDestination (carbon util.parseDestination)', () => {
  it('parses host:port[:instance]', () => {
    expect(parseDestination('127.0.0.1:2004')).toEqual({ host: '127.0.0.1', port: 2004, instance: null, key: '127.0.0.1:2004:None' });
    expect(parseDestination(' 10.0.0.1:2104:a ')).toMatchObject({ host: '10.0.0.1', port: 2104, instance: 'a', key: '10.0.0.1:2104:a' });
  });
  it('parses [v6]:port[:instance]', () => {
    expect(parseDestination('[::1]:2004:b')).toMatchObject({ host: '::1', port: 2004, instance: 'b' });
    expect(parseDestination('[fe80::1%eth0]:2004')).toMatchObject({ host: 'fe80::1%eth0', port: 2004, instance: null });
  });
  it('keeps carbon quirks: instance after the first colon, empty instance, Python int()', () => {
    expect(parseDestination('h:2004:a:b')).toMatchObject({ host: 'h', instance: 'a:b' });
    expect(parseDestination('h:2004:')).toMatchObject({ host: 'h', port: 2004, instance: '' });
    expect(parseDestination('h: 2_004')).toMatchObject({ port: 2004 });
    // no colon: Python slices s[:-1] / s[0:], so "2004" is host "200", port 2004
    expect(parseDestination('2004')).toMatchObject({ host: '200', port: 2004, instance: null });
  });
  it('rejects a port that is not an integer, naming the entry', () => {
    expect(() => parseDestination('localhost')).toThrow(DestinationParseError);
    expect(() => parseDestination('h:abc')).toThrow(/invalid destination "h:abc": port "abc" is not an integer/);
    expect(() => parseDestinations(['a:1', ''])).toThrow(DestinationParseError);
  });
});
