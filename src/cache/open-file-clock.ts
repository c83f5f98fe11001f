/**
 * Which Whisper files the writer keeps open when it may hold at most `capacity` of them.
 *
 * Series are written in the same order every interval, so with more series than `capacity` a
 * least-recently-used policy (or CLOCK, its approximation) closes every file just before its next
 * write and keeps none open when it matters: measured on 20,000 existing series with room for
 * 15,900, every update paid an open and a close. Here files stay open once admitted; when the set
 * is full a new file is admitted only in place of one not written for `idleMs` (a series that
 * stopped reporting), looked for one slot per miss by a hand going round the set. A file not
 * admitted is written and closed again, as carbon does with every file. With N series written
 * cyclically and room for B, B of them stay open: B / N of the writes skip the open and the close.
 */
export class OpenFileClock {
  /** path → Date.now() of its last write. */
  private lastWrite = new Map<string, number>();
  /** The held files, in admission order; the hand looks at ring[hand] for an idle one. */
  private ring: string[] = [];
  private hand = 0;

  /** `capacity`: most files held; `close` is called for each held file the clock lets go. */
  constructor(
    private readonly capacity: number,
    private readonly close: (path: string) => void,
    private readonly idleMs = OPEN_FILE_IDLE_MS,
  ) {}

  get size(): number {
    return this.lastWrite.size;
  }

  has(path: string): boolean {
    return this.lastWrite.has(path);
  }

  /**
   * Records a write to `path`. Returns true when the file is held open (it was, or it took a free
   * or idle slot), false when the caller must close it (the set is full of files in use).
   */
  touch(path: string, now = Date.now()): boolean {
    if (this.lastWrite.has(path)) {
      this.lastWrite.set(path, now);
      return true;
    }
    if (this.ring.length < this.capacity) {
      this.ring.push(path);
      this.lastWrite.set(path, now);
      return true;
    }
    const candidate = this.ring[this.hand];
    const idle = now - (this.lastWrite.get(candidate) ?? 0) >= this.idleMs;
    if (idle) {
      this.lastWrite.delete(candidate);
      this.close(candidate);
      this.ring[this.hand] = path;
      this.lastWrite.set(path, now);
    }
    this.hand = (this.hand + 1) % this.ring.length;
    return idle;
  }

  /** Forgets `path` (renamed or removed by other means) without closing it. */
  forget(path: string): void {
    if (!this.lastWrite.delete(path)) return;
    const i = this.ring.indexOf(path);
    const last = this.ring.pop()!;
    if (i < this.ring.length) this.ring[i] = last;
    if (this.hand >= this.ring.length) this.hand = 0;
  }

  clear(): void {
    this.lastWrite.clear();
    this.ring = [];
    this.hand = 0;
  }
}

/** A held file not written for this long gives its place to a new one (a series that stopped). */
export const OPEN_FILE_IDLE_MS = 10 * 60_000;
