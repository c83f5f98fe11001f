import type { WhisperBackend } from '../../src/cache/whisper-backend-types.js';
import type { ArchiveSpec } from '../../src/cache/writer-protocol.js';

export interface FakeFile {
  archives: ArchiveSpec[];
  xFilesFactor?: number;
  aggregationMethod: string;
  points: Map<number, number>;
  updates: number;
}

/** An in-memory WhisperBackend recording what the writer does; `failing` paths throw like a corrupt file. */
export class FakeBackend implements WhisperBackend {
  files = new Map<string, FakeFile>();
  failing = new Set<string>();
  calls: string[] = [];

  updateMany(path: string, timestamps: Float64Array, values: Float64Array, count: number): void {
    this.calls.push(`update ${path} ${count}`);
    if (this.failing.has(path)) throw new Error(`Unable to read header of ${path}: corrupt`);
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    for (let i = 0; i < count; i++) f.points.set(timestamps[i], values[i]);
    f.updates++;
  }
  create(path: string, archives: ArchiveSpec[], xFilesFactor: number | undefined, aggregationMethod: string | undefined): void {
    this.calls.push(`create ${path}`);
    if (this.files.has(path)) throw new Error(`File ${path} already exists!`);
    this.files.set(path, { archives, xFilesFactor, aggregationMethod: aggregationMethod ?? 'average', points: new Map(), updates: 0 });
  }
  createWithPoints(
    path: string,
    archives: ArchiveSpec[],
    xFilesFactor: number | undefined,
    aggregationMethod: string | undefined,
    timestamps: Float64Array,
    values: Float64Array,
    count: number,
  ): boolean {
    // Recorded like the two steps it stands for: the create is tried first.
    if (this.files.has(path)) {
      this.calls.push(`create ${path}`);
      return false;
    }
    this.create(path, archives, xFilesFactor, aggregationMethod);
    this.updateMany(path, timestamps, values, count);
    return true;
  }
  exists(path: string): boolean {
    return this.files.has(path);
  }
  getAggregationMethod(path: string): string {
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`[Errno 2] No such file or directory: '${path}'`), { code: 'ENOENT' });
    return f.aggregationMethod;
  }
  setAggregationMethod(path: string, method: string): string {
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`[Errno 2] No such file or directory: '${path}'`), { code: 'ENOENT' });
    const old = f.aggregationMethod;
    f.aggregationMethod = method;
    return old;
  }
  forget(): void {}
  close(): void {
    this.calls.push('close');
  }
}
