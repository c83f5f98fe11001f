#!/usr/bin/python3
"""Runs Whisper operations through the reference python3-whisper module.

Input (stdin): JSON {"dir": DIR, "ops": [op, ...]}. Each op is a dict with
"op" and arguments; paths are relative to DIR. Output (stdout): JSON list with
one result per op: {"ok": value} or {"error": "<ExceptionType>: <message>"},
and for ops that write, "sha256" of the written file afterwards. Floats are
returned as 16 hex digits of their IEEE-754 bytes so NaN/-0.0 survive JSON.
"""
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import struct
import sys
import time

import whisper


def hexf(v):
    return None if v is None else struct.pack('!d', v).hex()


def unhexf(h):
    return struct.unpack('!d', bytes.fromhex(h))[0]


def sha(path):
    with open(path, 'rb') as fh:
        return hashlib.sha256(fh.read()).hexdigest()


_fill_module = None


def fill_module():
    global _fill_module
    if _fill_module is None:
        loader = importlib.machinery.SourceFileLoader('whisper_fill', '/usr/bin/whisper-fill')
        spec = importlib.util.spec_from_loader('whisper_fill', loader)
        _fill_module = importlib.util.module_from_spec(spec)
        loader.exec_module(_fill_module)
    return _fill_module


def run(base, op):
    kind = op['op']
    p = lambda key: os.path.join(base, op[key])
    if kind == 'create':
        whisper.create(p('path'), [tuple(a) for a in op['archives']], op.get('xff'), op.get('method'),
                       op.get('sparse', False))
        return None, p('path')
    if kind == 'update':
        whisper.update(p('path'), unhexf(op['value']), op['ts'], now=op['now'])
        return None, p('path')
    if kind == 'update_many':
        whisper.update_many(p('path'), [(t, unhexf(v)) for t, v in op['points']], now=op['now'])
        return None, p('path')
    if kind == 'fetch':
        r = whisper.fetch(p('path'), op['from'], op['until'], now=op['now'],
                          archiveToSelect=op.get('archiveToSelect'))
        if r is None:
            return None, None
        (a, b, step), values = r
        return {'timeInfo': [a, b, step], 'values': [hexf(v) for v in values]}, None
    if kind == 'info':
        return whisper.info(p('path')), None
    if kind == 'set_aggregation_method':
        return whisper.setAggregationMethod(p('path'), op['method'], op.get('xff')), p('path')
    if kind == 'set_xff':
        return hexf(whisper.setXFilesFactor(p('path'), op['xff'])), p('path')
    if kind == 'merge':
        whisper.merge(p('from'), p('to'), op.get('timeFrom'), op.get('timeTo'), now=op['now'])
        return None, p('to')
    if kind == 'diff':
        res = whisper.diff(p('from'), p('to'), op.get('ignoreEmpty', False), op.get('until'), now=op['now'])
        return [[n, [[t, hexf(a), hexf(b)] for t, a, b in d], total] for n, d, total in res], None
    if kind == 'fill':
        module = fill_module()
        saved = time.time
        time.time = lambda: op['now']
        try:
            module.fill_archives(p('src'), p('dst'), op['now'])
        finally:
            time.time = saved
        return None, p('dst')
    raise ValueError('unknown op %r' % kind)


def main():
    request = json.load(sys.stdin)
    base = request['dir']
    out = []
    for op in request['ops']:
        try:
            value, written = run(base, op)
            res = {'ok': value}
        except Exception as e:  # the TypeScript side compares the error too
            res = {'error': '%s: %s' % (type(e).__name__, e)}
            written = None
            for key in ('path', 'to', 'dst'):
                if key in op and os.path.exists(os.path.join(base, op[key])):
                    written = os.path.join(base, op[key])
                    break
        if written is not None and os.path.exists(written):
            res['sha256'] = sha(written)
        out.append(res)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
