// The whisper tools by name, as `carbon-ts whisper <name>` and as the `whisper-<name>` aliases.
import { whisperCreate } from './create.js';
import { whisperDiff } from './diff.js';
import { whisperDump } from './dump.js';
import { whisperFetch } from './fetch.js';
import { whisperFill } from './fill.js';
import { whisperInfo } from './info.js';
import { whisperMerge } from './merge.js';
import { whisperResize } from './resize.js';
import { whisperSetAggregationMethod } from './set-aggregation-method.js';
import { whisperSetXFilesFactor } from './set-xfilesfactor.js';
import { whisperUpdate } from './update.js';
import type { WhisperTool } from './tool-io.js';

export const WHISPER_TOOLS: ReadonlyMap<string, WhisperTool> = new Map([
  ['create', whisperCreate],
  ['update', whisperUpdate],
  ['fetch', whisperFetch],
  ['info', whisperInfo],
  ['dump', whisperDump],
  ['resize', whisperResize],
  ['set-aggregation-method', whisperSetAggregationMethod],
  ['set-xfilesfactor', whisperSetXFilesFactor],
  ['merge', whisperMerge],
  ['fill', whisperFill],
  ['diff', whisperDiff],
]);

/** The tool an executable name stands for: `whisper-fetch`, `whisper-fetch.py` or `fetch`. */
export function toolForName(name: string): WhisperTool | undefined {
  const bare = name.replace(/\.(py|js)$/, '').replace(/^whisper-/, '');
  return WHISPER_TOOLS.get(bare);
}
