// Public surface of the Whisper library (no daemon imports).
export * from './errors.js';
export * from './format.js';
export { parseRetentionDef, parseCarbonRetentionDef, getUnitString, validateArchiveList, UNIT_MULTIPLIERS } from './retention.js';
export { aggregate, setSummationMode, getSummationMode, type SummationMode } from './aggregate.js';
export { cpythonSetOrder } from './set-order.js';
export { pyFloatRepr, pyValueStr, pyMod, floorDiv, alignDown } from './pymath.js';
export {
  create,
  info,
  update,
  updateMany,
  fetch,
  setAggregationMethod,
  setXFilesFactor,
  merge,
  diff,
  exists,
  type PointInput,
  type WriteOptions,
  type ArchiveDiff,
} from './api.js';
export { type FetchResult, parseGranularity } from './fetch.js';
export { fill, fillArchives } from './fill.js';
export { checkAggregationSettings, fileSizeFor, type CreateOptions } from './create.js';
export { parseHeader, parseMetadata, checkLayout } from './header.js';
export { WhisperStore, lockingSupported, type WhisperStoreOptions } from './store.js';
