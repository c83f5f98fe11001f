import { chownSync, existsSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { getpwnam } from '../config/passwd.js';

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

/** carbon's `pwd.getpwnam(USER)`. */
export function lookupAccount(name: string, configPath: string): Account {
  const entry = getpwnam(name);
  if (entry === undefined) throw new ConfigError(configPath, null, `USER = ${name}: no such user`);
  return { name, uid: entry.uid, gid: entry.gid };
}

/**
 * carbon's USER (util.dropprivs, twistd --uid/--gid): once the listeners are bound — ports below
 * 1024 need root — the whole process, writer threads included, takes the account's groups, gid
 * and uid, so Whisper files are created as that user. Directories the daemon made as root for its
 * logs are handed to the account first, as carbon hands it LOG_DIR. Not root: nothing to drop when
 * the process runs as that user already, else an error (carbon fails the same way).
 */
export function dropPrivileges(account: Account, ownDirs: readonly string[]): void {
  if (process.getuid?.() === account.uid) return;
  for (const dir of ownDirs) if (existsSync(dir)) chownSync(dir, account.uid, account.gid);
  const p = process as NodeJS.Process & { initgroups(user: string, extraGroup: number): void };
  p.initgroups(account.name, account.gid);
  process.setgid!(account.gid);
  process.setuid!(account.uid);
}

/** Fails at start, before anything listens, when the process cannot become `account`. */
export function checkCanBecome(account: Account, configPath: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) throw new ConfigError(configPath, null, `USER = ${account.name}: this platform cannot switch users`);
  if (uid !== 0 && uid !== account.uid) {
    throw new ConfigError(configPath, null, `USER = ${account.name}: only root can switch to another user (running as uid ${uid})`);
  }
}
