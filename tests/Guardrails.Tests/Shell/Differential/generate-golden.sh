#!/bin/bash
# Regenerates golden.jsonl from corpus.txt by asking the real bash (through the shared shell-oracle sandbox)
# which programs each corpus entry starts, with which argv.  Needs what the oracle needs: root (or user
# namespaces), unshare, chroot, strace, python3.  CI never runs this: the tests read the committed golden.jsonl.
#
#   tests/Guardrails.Tests/Shell/Differential/generate-golden.sh [-j JOBS] [-u]
#
# -u (update) keeps the existing golden.jsonl line of every entry whose command is unchanged and runs the oracle only
# for new or edited entries; without it every entry is run again (do that when the host's programs changed).
# Environment: SHELLORACLE overrides the oracle's path; JOBS (or -j) sets how many oracle runs go in parallel
# (default 2; each run takes one to two seconds).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JOBS=${JOBS:-2} UPDATE=
while [ $# -gt 0 ]; do case $1 in -j) JOBS=$2; shift 2;; -u) UPDATE=1; shift;; *) echo "usage: $0 [-j JOBS] [-u]" >&2; exit 2;; esac; done
ROOT=$(git -C "$HERE" rev-parse --show-toplevel)
ORACLE=${SHELLORACLE:-$ROOT/../shared/tools/shell-oracle/shelloracle.sh}
[ -x "$ORACLE" ] || { echo "shell oracle not found at $ORACLE (set SHELLORACLE)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# 1. Split the corpus into one file per entry (same rules as DifferentialTests.cs: entries separated by a line
#    "%%"; leading "#:" comment and "#@" directive lines dropped; surrounding blank lines trimmed).
python3 - "$HERE/corpus.txt" "$WORK" "${UPDATE:+$HERE/golden.jsonl}" <<'PY'
import json, sys, os
corpus, work, previous = sys.argv[1], sys.argv[2], sys.argv[3]
known = {}
if previous and os.path.exists(previous):
    for line in open(previous, encoding='utf-8'):
        if line.strip():
            known[json.loads(line)['command']] = line.rstrip('\n')
text = open(corpus, encoding='utf-8', newline='').read().replace('\r\n', '\n')
entries, current = [], []
for line in text.split('\n') + ['%%']:
    if line == '%%':
        entries.append(current); current = []
    else:
        current.append(line)
n = 0
for lines in entries:
    i = 0
    while i < len(lines) and (lines[i].startswith('#:') or lines[i].startswith('#@')):
        i += 1
    body = lines[i:]
    while body and body[0].strip() == '': body = body[1:]
    while body and body[-1].strip() == '': body = body[:-1]
    if not body:
        continue
    command = '\n'.join(body)
    if command in known:   # -u: reuse the previous answer; the oracle is not run for this entry
        with open(os.path.join(work, 'keep_%05d' % n), 'w', encoding='utf-8', newline='') as f:
            f.write(known[command])
    with open(os.path.join(work, 'cmd_%05d' % n), 'w', encoding='utf-8', newline='') as f:
        f.write(command)
    n += 1
print(n, file=sys.stderr)
PY
COUNT=$(find "$WORK" -name 'cmd_*' | wc -l)
echo "corpus: $COUNT entries; running the oracle with $JOBS parallel jobs" >&2

# 2. Run the oracle over every entry (the command goes in on stdin, so no quoting is involved).
export ORACLE
find "$WORK" -name 'cmd_*' -print0 | sort -z | xargs -0 -r -P "$JOBS" -n 1 sh -c '
  [ -e "$(dirname "$1")/keep_${1##*cmd_}" ] && exit 0
  out=$(dirname "$1")/out_${1##*cmd_}
  "$ORACLE" -- - < "$1" > "$out.tmp" 2> "$out.err" && mv "$out.tmp" "$out.json"
' sh

# 3. Merge: one line per entry, execs deduplicated (argv, how) and sorted for a deterministic file.
python3 - "$WORK" "$COUNT" "$HERE/golden.jsonl" <<'PY'
import json, os, sys
work, count, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines, problems = [], []
for i in range(count):
    command = open(os.path.join(work, 'cmd_%05d' % i), encoding='utf-8', newline='').read()
    keep = os.path.join(work, 'keep_%05d' % i)
    if os.path.exists(keep):
        lines.append(open(keep, encoding='utf-8').read())
        continue
    path = os.path.join(work, 'out_%05d.json' % i)
    if not os.path.exists(path):
        problems.append('entry %d: the oracle failed: %s' % (i, open(os.path.join(work, 'out_%05d.err' % i), errors='replace').read()[-300:]))
        continue
    result = json.load(open(path, encoding='utf-8'))
    if result.get('command') != command:
        problems.append('entry %d: the oracle saw a different command' % i)
    if result.get('timed_out'):
        problems.append('entry %d: the oracle timed out: %r' % (i, command))
    execs = sorted({(tuple(e['argv']), e['how']) for e in result.get('execs', [])})
    lines.append(json.dumps({'command': command, 'syntax_ok': bool(result.get('syntax_ok')),
                             'execs': [{'argv': list(a), 'how': h} for a, h in execs]},
                            ensure_ascii=False, separators=(', ', ': ')))
if problems:
    print('\n'.join(problems), file=sys.stderr)
    sys.exit(1)
with open(target + '.tmp', 'w', encoding='utf-8', newline='\n') as f:
    f.write('\n'.join(lines) + '\n')
os.replace(target + '.tmp', target)
print('wrote %s: %d entries, %d with syntax errors, %d with execs' % (
    target, len(lines), sum(1 for l in lines if '"syntax_ok": false' in l),
    sum(1 for l in lines if '"execs": []' not in l)), file=sys.stderr)
PY
