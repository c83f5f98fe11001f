import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The pidfile of a running daemon, with carbon's start/stop/status semantics (spec carbon.md §1.3). */
export class PidFile {
  constructor(readonly path: string) {}

  /** The pid recorded in the file, or null when there is none; 'invalid' when it cannot be parsed. */
  read(): number | null | 'invalid' {
    if (!existsSync(this.path)) return null;
    const text = readFileSync(this.path, 'utf8').trim();
    const pid = Number(text);
    return /^\d+$/.test(text) && pid > 0 ? pid : 'invalid';
  }

  /** The pid of a live process named in the file, or null. */
  runningPid(): number | null {
    const pid = this.read();
    if (typeof pid !== 'number') return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
    }
  }

  write(pid = process.pid): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, `${pid}\n`);
  }

  remove(): void {
    try {
      // Only remove our own file: a second instance started by mistake must not delete the first's.
      if (this.read() === process.pid) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }

  removeStale(): void {
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
