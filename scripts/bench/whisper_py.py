#!/usr/bin/python3
"""python3-whisper side of `npm run bench:whisper` (see whisper.mjs).

Usage: whisper_py.py DIR FILES ROUNDS POINTS_PER_CALL T0 NOW
Creates FILES sparse files with schema 10s:1d,1m:30d,10m:5y in DIR (not timed),
then makes one untimed warm-up pass and times ROUNDS passes of one
whisper.update_many call per file, each call writing POINTS_PER_CALL
consecutive 10 s points. Prints one JSON object.
"""
import json
import os
import sys
import time

import whisper


def main():
    directory, files, rounds, per_call, t0, now = sys.argv[1], *map(int, sys.argv[2:7])
    schema = [whisper.parseRetentionDef(d) for d in ('10s:1d', '1m:30d', '10m:5y')]
    paths = [os.path.join(directory, 'm%05d.wsp' % i) for i in range(files)]
    for p in paths:
        whisper.create(p, list(schema), 0.5, 'average', sparse=True)
    batches = []
    for r in range(rounds + 1):
        base = t0 + r * per_call * 10
        batches.append([(base + j * 10, float(r * per_call + j)) for j in range(per_call)])
    for p in paths:  # warm-up pass, not timed (the page cache and the files' first blocks)
        whisper.update_many(p, batches[0], now=now)
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    for points in batches[1:]:
        for p in paths:
            whisper.update_many(p, points, now=now)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    print(json.dumps({'calls': files * rounds, 'points': files * rounds * per_call, 'wall': wall, 'cpu': cpu}))


if __name__ == '__main__':
    main()
