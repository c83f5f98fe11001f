import type { ToolIO } from './tool-io.js';

const FLUSH_AT = 1 << 16;

/** Collects a tool's stdout lines and hands them to the sink in large chunks (dumps can be millions of lines). */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly io: ToolIO) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.io.stdout(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
