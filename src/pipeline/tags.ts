import { createHash } from 'node:crypto';

/**
 * Graphite 1.1 tagged series, parsed and normalised exactly as carbon's `TaggedSeries`
 * (carbon/util.py): `name;tag=value;...` or the OpenMetrics-like `name{tag="value",...}`.
 */

/** A tagged-series name that carbon's TaggedSeries.parse rejects; the message is carbon's. */
export class TagParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TagParseError';
  }
}

export interface ParsedSeries {
  /** The text before the first `;` (or `{`), unchanged. */
  metric: string;
  /** Tag → value, including `name` (the metric with leading `~` stripped). Insertion-ordered like Python's dict. */
  tags: Map<string, string>;
}

const PROHIBITED_TAG_CHARS = ';!^=';

function validateTagAndValue(tag: string, value: string): void {
  if (tag.length === 0) throw new TagParseError('Tag may not be empty');
  if (value.length === 0) throw new TagParseError(`Value for tag "${tag}" may not be empty`);
  for (const ch of PROHIBITED_TAG_CHARS) {
    if (tag.includes(ch)) throw new TagParseError(`Character "${ch}" is not allowed in tag "${tag}"`);
  }
  if (value.includes(';')) throw new TagParseError(`Character ";" is not allowed in value "${value}" of tag ${tag}`);
  if (value[0] === '~') throw new TagParseError(`Tag values are not allowed to start with "~" in tag "${tag}"`);
}

function sanitizeNameAsTagValue(name: string): string {
  let i = 0;
  while (i < name.length && name.charCodeAt(i) === 0x7e /* ~ */) i++;
  const sanitized = name.slice(i);
  if (sanitized.length === 0) {
    throw new TagParseError(`Cannot use metric name ${name} as tag value, results in emptry string`);
  }
  return sanitized;
}

// carbon: re.match(r'([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)', rawtags) — anchored at the start
// by re.match. `(:?,|$)` is carbon's typo for `(?:,|$)`, so an optional `:` before the comma is accepted.
const OPENMETRICS_SEGMENT = /^([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)/;

function parseOpenMetrics(path: string): ParsedSeries {
  // Python: (metric, rawtags) = path[0:-1].split('{', 2) — a third part fails the unpacking.
  const parts = path.slice(0, -1).split('{');
  if (parts.length !== 2) {
    throw new TagParseError(`Cannot parse path ${path}: too many values to unpack (expected 2)`);
  }
  const metric = parts[0];
  let rawtags = parts[1];
  if (!metric) throw new TagParseError(`Cannot parse path ${path}, no metric found`);
  const tags = new Map<string, string>();
  while (rawtags.length > 0) {
    const m = OPENMETRICS_SEGMENT.exec(rawtags);
    if (!m) throw new TagParseError(`Cannot parse path ${path}, invalid segment ${rawtags}`);
    const tag = m[1];
    const value = m[2].split('\\"').join('"').split('\\\\').join('\\');
    validateTagAndValue(tag, value);
    tags.set(tag, value);
    rawtags = rawtags.slice(m[0].length);
  }
  tags.set('name', sanitizeNameAsTagValue(metric));
  return { metric, tags };
}

function parseCarbon(path: string): ParsedSeries {
  const segments = path.split(';');
  const metric = segments[0];
  if (!metric) throw new TagParseError(`Cannot parse path ${path}, no metric found`);
  const tags = new Map<string, string>();
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const eq = segment.indexOf('=');
    if (eq <= 0) throw new TagParseError(`Cannot parse path ${path}, invalid segment ${segment}`);
    const tag = segment.slice(0, eq);
    const value = segment.slice(eq + 1);
    validateTagAndValue(tag, value);
    tags.set(tag, value);
  }
  tags.set('name', sanitizeNameAsTagValue(metric));
  return { metric, tags };
}

/** carbon's TaggedSeries.parse. Throws TagParseError where carbon raises. */
export function parseSeries(path: string): ParsedSeries {
  if (path.endsWith('"}') && path.includes('{')) return parseOpenMetrics(path);
  return parseCarbon(path);
}

/** Compares by Unicode code point, as Python compares str (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (0xD800-0xDFFF) are out of code-point order against 0xE000-0xFFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** carbon's TaggedSeries.format: name + sorted `;tag=value` strings (sorted as whole strings). */
export function formatSeries(tags: Map<string, string>): string {
  const parts: string[] = [];
  for (const [tag, value] of tags) if (tag !== 'name') parts.push(`;${tag}=${value}`);
  parts.sort(compareCodePoints);
  return (tags.get('name') ?? '') + parts.join('');
}

/** The normalised series path (carbon's `TaggedSeries.parse(name).path`); throws TagParseError. */
export function normalizeSeriesStrict(name: string): string {
  return formatSeries(parseSeries(name).tags);
}

// Series repeat every interval: remember recent answers so the hot path does not re-parse.
const NORMALIZED_MEMO_LIMIT = 100_000;
let normalizedMemo = new Map<string, string>();

/**
 * What carbon's cache stage stores a name as: the normalised path, or on a parse error the name
 * unchanged (carbon logs the error and carries on). `onError` receives the reason for counting/logging.
 * Names without `;`, `{` or a leading `~` come back as they are, without parsing.
 */
export function normalizeSeries(name: string, onError?: (name: string, err: TagParseError) => void): string {
  const c0 = name.charCodeAt(0);
  if (c0 !== 0x7e && !name.includes(';') && !name.includes('{')) return name;
  const hit = normalizedMemo.get(name);
  if (hit !== undefined) return hit;
  let out: string;
  try {
    out = normalizeSeriesStrict(name);
  } catch (err) {
    if (!(err instanceof TagParseError)) throw err;
    onError?.(name, err);
    return name;
  }
  if (normalizedMemo.size >= NORMALIZED_MEMO_LIMIT) normalizedMemo = new Map();
  normalizedMemo.set(name, out);
  return out;
}

/** True when carbon stores this (normalised) name under `_tagged/`. */
export function isTaggedName(name: string): boolean {
  return name.includes(';');
}

/**
 * The Whisper file path of a (normalised) series, relative to LOCAL_DATA_DIR, as carbon's
 * WhisperDatabase.getFilesystemPath computes it (TaggedSeries.encode + '.wsp'):
 * - untagged: dots → `/`, leading `/` stripped (`a.b.c` → `a/b/c.wsp`); no other sanitising, as carbon;
 * - tagged, hashFilenames (TAG_HASH_FILENAMES, default): `_tagged/<h[0:3]>/<h[3:6]>/<h>.wsp`, h = sha256 hex;
 * - tagged, not hashed: `_tagged/<h[0:3]>/<h[3:6]>/<name with . → _DOT_>.wsp`.
 */
export function metricPathForSeries(name: string, hashFilenames = true, sep = '/'): string {
  if (name.includes(';')) {
    const h = createHash('sha256').update(name, 'utf8').digest('hex');
    const file = hashFilenames ? h : name.split('.').join('_DOT_');
    return ['_tagged', h.slice(0, 3), h.slice(3, 6), file].join(sep) + '.wsp';
  }
  let p = name.split('.').join(sep);
  let i = 0;
  while (p.startsWith(sep, i)) i += sep.length;
  if (i > 0) p = p.slice(i);
  return p + '.wsp';
}
