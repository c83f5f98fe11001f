import { execFileSync } from 'node:child_process';

/** An account of the passwd database. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Python's `pwd.getpwnam(name)`, through getent so that NSS (LDAP, ...) accounts count too;
 * undefined for an unknown name.
 */
export function getpwnam(name: string): PasswdEntry | undefined {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined; // getent exits 2 for an unknown name
  }
  const f = line.split(':');
  if (f.length < 6 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) return undefined;
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}
