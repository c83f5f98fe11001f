// whisper-info [--json] path [field]
import { statSync } from 'node:fs';
import { info as readInfo, type WhisperInfo } from './engine.js';
import { helpAndExit, parseOptions, type ParserSpec } from './optparse.js';
import { exitOnWhisperException, uncaught } from './py-errors.js';
import { floatRepr, pyStrRepr } from './pyformat.js';
import { ToolExit, UncaughtPythonError, runToolBody, type WhisperTool } from './tool-io.js';

const SPEC: ParserSpec = {
  prog: 'whisper-info',
  usage: '%prog [options] path [field]',
  optionsHelp: '  -h, --help  show this help message and exit\n  --json      Output results in JSON form\n',
  options: [{ long: '--json', dest: 'json', kind: 'flag' }],
};

const FIELDS = ['aggregationMethod', 'maxRetention', 'xFilesFactor', 'archives', 'fileSize'] as const;
const ARCHIVE_FIELDS = ['offset', 'secondsPerPoint', 'points', 'retention', 'size'] as const;

/** Python str() of the info dict's archives list: [{'offset': 40, ...}, ...]. */
function archivesRepr(header: WhisperInfo): string {
  const items = header.archives.map((a) => '{' + ARCHIVE_FIELDS.map((k) => `${pyStrRepr(k)}: ${a[k]}`).join(', ') + '}');
  return '[' + items.join(', ') + ']';
}

/** json.dumps(info, indent=2, separators=(',', ': ')) with the tool's key order. */
function infoJson(header: WhisperInfo, fileSize: number): string {
  const archives = header.archives.map(
    (a) => '    {\n' + ARCHIVE_FIELDS.map((k) => `      "${k}": ${a[k]}`).join(',\n') + '\n    }',
  );
  return (
    '{\n' +
    `  "aggregationMethod": ${JSON.stringify(header.aggregationMethod)},\n` +
    `  "maxRetention": ${header.maxRetention},\n` +
    `  "xFilesFactor": ${floatRepr(header.xFilesFactor)},\n` +
    `  "archives": ${archives.length === 0 ? '[]' : '[\n' + archives.join(',\n') + '\n  ]'},\n` +
    `  "fileSize": ${fileSize}\n` +
    '}\n'
  );
}

export const whisperInfo: WhisperTool = (argv, io) =>
  runToolBody('whisper-info', io, async () => {
    const { values, args } = parseOptions(SPEC, argv, io);
    if (args.length < 1) helpAndExit(SPEC, io);
    const path = args[0];
    const field = args.length > 1 ? args[1] : undefined;
    let header: WhisperInfo | null = null;
    try {
      header = readInfo(path);
    } catch (err) {
      exitOnWhisperException(err, path);
    }
    // `info['fileSize'] = os.stat(path).st_size`: the stat runs before the assignment into None.
    let fileSize: number;
    try {
      fileSize = statSync(path).size;
    } catch (err) {
      throw uncaught(err, path);
    }
    if (header === null) throw new UncaughtPythonError('TypeError', "'NoneType' object does not support item assignment");
    if (field) {
      const text: Record<(typeof FIELDS)[number], string> = {
        aggregationMethod: header.aggregationMethod,
        maxRetention: String(header.maxRetention),
        xFilesFactor: floatRepr(header.xFilesFactor),
        archives: archivesRepr(header),
        fileSize: String(fileSize),
      };
      if (!(FIELDS as readonly string[]).includes(field)) {
        io.stdout(`Unknown field "${field}". Valid fields are ${FIELDS.join(',')}\n`);
        throw new ToolExit(1);
      }
      io.stdout(text[field as (typeof FIELDS)[number]] + '\n');
      return 0;
    }
    if (values.json === true) {
      io.stdout(infoJson(header, fileSize));
      return 0;
    }
    let out = `aggregationMethod: ${header.aggregationMethod}\nmaxRetention: ${header.maxRetention}\n`;
    out += `xFilesFactor: ${floatRepr(header.xFilesFactor)}\nfileSize: ${fileSize}\n\n`;
    header.archives.forEach((a, i) => {
      out += `Archive ${i}\n` + ARCHIVE_FIELDS.map((k) => `${k}: ${a[k]}\n`).join('') + '\n';
    });
    io.stdout(out);
    return 0;
  });
