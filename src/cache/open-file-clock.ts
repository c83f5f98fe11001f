/**
 * Which open Whisper files to close when the writer holds too many: the CLOCK approximation of
 * least-recently-written. A write to a file already held only sets its "used" mark (an in-place Map
 * update: the hot path of a cache writing the same series every interval, where deleting and
 * re-inserting a Map entry per write would churn the table); a new file joins the ring, and when
 * the ring is full the hand passes over marked files, clearing their marks, to the first unmarked
 * one, which is closed.
 */
export class OpenFileClock {
  /** path → 1 when written since the hand last passed it, else 0. */
  private marks = new Map<string, 0 | 1>();
  /** The files in ring order; slots [hand, hand + size) modulo capacity are in use. */
  private ring: string[];
  private hand = 0;

  /** `capacity`: most files held; `close` is called for each file the clock lets go. */
  constructor(
    private readonly capacity: number,
    private readonly close: (path: string) => void,
  ) {
    this.ring = new Array<string>(capacity);
  }

  get size(): number {
    return this.marks.size;
  }

  /** Records a write to `path`, closing another file first if the ring is full. */
  touch(path: string): void {
    const mark = this.marks.get(path);
    if (mark !== undefined) {
      if (mark === 0) this.marks.set(path, 1);
      return;
    }
    if (this.marks.size >= this.capacity) this.evictOne();
    this.ring[(this.hand + this.marks.size) % this.capacity] = path;
    this.marks.set(path, 0);
  }

  /** Forgets `path` (renamed or removed by other means). Rare: the ring is rebuilt without it. */
  forget(path: string): void {
    if (this.marks.delete(path)) this.compact();
  }

  clear(): void {
    this.marks.clear();
    this.ring = new Array<string>(this.capacity);
    this.hand = 0;
  }

  private evictOne(): void {
    for (;;) {
      const path = this.ring[this.hand];
      const mark = this.marks.get(path);
      if (mark === 1) {
        this.marks.set(path, 0);
        this.hand = (this.hand + 1) % this.capacity;
        continue;
      }
      if (mark === 0) {
        this.marks.delete(path);
        this.hand = (this.hand + 1) % this.capacity;
        this.close(path);
        return;
      }
      // Not reachable while forget() compacts; rebuilding the ring is the safe answer anyway.
      this.compact();
    }
  }

  /** Rewrites the ring as the held files in their current order, starting at slot 0. */
  private compact(): void {
    const held: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < this.capacity && held.length < this.marks.size; i++) {
      const path = this.ring[(this.hand + i) % this.capacity];
      if (path !== undefined && this.marks.has(path) && !seen.has(path)) {
        held.push(path);
        seen.add(path);
      }
    }
    this.ring = new Array<string>(this.capacity);
    for (let i = 0; i < held.length; i++) this.ring[i] = held[i];
    this.hand = 0;
  }
}
