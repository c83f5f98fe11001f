import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { C_RELAY_CARBON_CH, C_RELAY_FNV1A_CH, C_RELAY_JUMP_FNV1A_CH, createRouter } from '../../src/pipeline/route/create-router.js';
import { makeDestination } from '../../src/pipeline/route/parse-destination.js';
import type { Destination } from '../../src/pipeline/route/destination.js';

// Compares carbon-ts's carbon-c-relay rings with `carbon-c-relay -t` (test mode: prints where each
// name read from stdin goes) on random clusters and names.
const C_RELAY = '/usr/bin/carbon-c-relay';
const dir = mkdtempSync(join(tmpdir(), 'ring-c-relay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seed = 0x5eed1234;
function rand(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}
const PIECES = ['servers', 'web', 'db', 'cpu', 'load', 'été', '中文', 'x-y', 'a_b', 'count', 'p99', 'ü', 'Ω'];
function randomName(): string {
  const parts: string[] = [];
  const n = 1 + rand(6);
  for (let i = 0; i < n; i++) parts.push(PIECES[rand(PIECES.length)] + (rand(3) === 0 ? String(rand(1000)) : ''));
  return parts.join('.');
}

/** Runs carbon-c-relay -t on one cluster; returns for each name the `ip:port` list it prints. */
function cRelayRoutes(type: string, replication: number, servers: string[], names: string[]): Map<string, string[]> {
  const conf = join(dir, `c-${rand(1e9)}.conf`);
  writeFileSync(conf, `cluster c ${type} replication ${replication}\n  ${servers.join('\n  ')};\nmatch * send to c;\n`);
  const res = spawnSync(C_RELAY, ['-t', '-f', conf], { input: names.join('\n') + '\n', encoding: 'utf8', timeout: 20_000 });
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of res.stdout.split('\n')) {
    const m = /^ {4}\* -> (.*)$/.exec(line);
    if (m) {
      current = [];
      out.set(m[1], current);
    } else if (current && /^ {8}\S+$/.test(line)) {
      current.push(line.trim());
    }
  }
  return out;
}

describe.skipIf(!existsSync(C_RELAY))('carbon-c-relay rings against carbon-c-relay -t', () => {
  for (const [type, method] of [
    ['carbon_ch', C_RELAY_CARBON_CH],
    ['fnv1a_ch', C_RELAY_FNV1A_CH],
    ['jump_fnv1a_ch', C_RELAY_JUMP_FNV1A_CH],
  ] as const) {
    for (let shape = 0; shape < 4; shape++) {
      it(`${type}, random cluster #${shape}`, () => {
        const count = 2 + rand(11);
        const destinations: Destination[] = [];
        const servers: string[] = [];
        for (let i = 0; i < count; i++) {
          // some clusters put several servers on one host, told apart by port only
          const host = shape % 2 === 1 && rand(2) === 0 ? '10.9.9.9' : `10.${shape}.${rand(4)}.${i + 1}`;
          const port = 2003 + i;
          // instances: none, short names, or numbers (jump orders numeric instances numerically)
          const kind = rand(3);
          const instance = kind === 0 ? null : kind === 1 ? `i${rand(1000)}-${i}` : String(rand(50) * 10 + i);
          destinations.push(makeDestination(host, port, instance));
          servers.push(`${host}:${port}${instance === null ? '' : '=' + instance}`);
        }
        const replication = 1 + rand(Math.min(3, count));
        const names = Array.from({ length: 400 }, randomName);
        const expected = cRelayRoutes(type, replication, servers, names);
        expect(expected.size).toBeGreaterThan(100);
        const router = createRouter({
          RELAY_METHOD: 'consistent-hashing',
          DESTINATIONS: destinations,
          REPLICATION_FACTOR: replication,
          DIVERSE_REPLICAS: true,
          ROUTER_HASH_TYPE: method,
          TAG_RELAY_NORMALIZED: false,
        });
        const mismatches: string[] = [];
        for (const [name, want] of expected) {
          const got = router.getDestinations(name).map((d) => `${d.host}:${d.port}`);
          if (got.join() !== want.join()) mismatches.push(`${name}: got ${got} want ${want}`);
        }
        expect(mismatches.slice(0, 5)).toEqual([]);
      });
    }
  }
});
