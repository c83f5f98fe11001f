// The Whisper library calls the tools make, in one place (src/whisper mirrors the Python module's API).
export {
  AGGREGATION_METHODS,
  create,
  diff,
  fetch,
  info,
  merge,
  parseRetentionDef,
  setAggregationMethod,
  setXFilesFactor,
  update,
  updateMany,
  type ArchiveDiff,
  type ArchiveInfo,
  type ArchiveSpec,
  type FetchResult,
  type WhisperInfo,
} from '../../whisper/index.js';
