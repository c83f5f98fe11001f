/**
 * Memory that frames are encoded into, so a busy destination does not allocate (and the GC collect)
 * one buffer per frame. Frames are cut from a large slab one after another; once the socket has
 * taken every byte written so far (`writableLength === 0` after a flush), nothing refers to the
 * slab any more and it is reused from the start. Otherwise it is left to the pending writes and a
 * new slab is begun.
 */
export class FrameSlab {
  private buf: Buffer;
  private off = 0;

  constructor(private readonly size = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** A buffer with at least `n` writable bytes from the returned offset. */
  reserve(n: number): { buf: Buffer; off: number } {
    if (this.off + n > this.buf.length) {
      if (n > this.size / 4) return { buf: Buffer.allocUnsafe(n), off: 0 };
      this.buf = Buffer.allocUnsafeSlow(this.size);
      this.off = 0;
    }
    return { buf: this.buf, off: this.off };
  }

  /** The frame written at [off, end) of a reserved buffer; later frames go after it. */
  commit(buf: Buffer, off: number, end: number): Buffer {
    if (buf === this.buf) this.off = (end + 7) & ~7;
    return buf.subarray(off, end);
  }

  /** Every frame cut so far has been written out: start over at the beginning. */
  recycle(): void {
    this.off = 0;
  }

  /** Frames cut so far are still queued in the socket: leave this slab to them. */
  abandon(): void {
    if (this.off > 0) {
      this.buf = Buffer.allocUnsafeSlow(this.size);
      this.off = 0;
    }
  }
}
