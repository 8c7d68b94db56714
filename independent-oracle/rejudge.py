"""Re-judges every stored scenario with one slatecheck binary, without running SlateDB again.

usage: python3 rejudge.py SLATECHECK_BIN [OUT.json]

Each scenario's damaged stores (`$INDEP_RUN_DIR/sNNNN/damaged/`, default /tmp/indep/run) are
checked with the arguments its run used, live and offline, three times: stating nothing;
stating what the operator of that history knows (`--writers-closed` when each database's last
writer closed with `Db::close()`, `--writers-closed=ROOT,...` naming those that did when only some did,
`--writers-closed-wal-only=ROOT,...` naming those whose last writer closed with `close_with_options`,
`--no-wal-store` when the history had no separate WAL store);
and stating only what the store's configuration says (`--no-wal-store` alone: `*_store_stated`).
Scenarios whose run collected a bundle right before the damage (`earlier.tar.gz`, from
`slatecheck collect`, as an operator who collects before maintenance has one) are also judged
stating what the operator knows and giving that bundle (`--earlier-bundle`: `*_earlier`).
The verdicts are compared with what SlateDB did (`outcome` in result.json), as tally.py does.
"""
import collections
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

RUN_DIR = os.environ.get('INDEP_RUN_DIR', '/tmp/indep/run')
MODES = ['live', 'offline', 'live_stated', 'offline_stated', 'live_store_stated', 'offline_store_stated',
         'live_earlier', 'offline_earlier']


def closed_databases(result, run):
    """The statements this history's operator can make: `--writers-closed` when the last writer
    of every database stopped with `close()` (its memtable flush), `--writers-closed=ROOT,...`
    naming those that did when only some did (and are still in the store); and
    `--writers-closed-wal-only=ROOT,...` naming those whose last writer stopped with
    `close_with_options` (a WAL flush only, or none), else nothing."""
    last = {}
    for step in result['steps']:
        m = re.match(r'\[(\w+)\] (open writer|close\(\)|close_with_options|CRASH)', step)
        if m:
            last[m.group(1)] = m.group(2)
    statements = []
    closed = sorted(db for db, end in last.items() if end == 'close()')
    present = [db for db in closed if os.path.isdir(f'{run}/damaged/main/{db}')]
    if closed and len(closed) == len(last):
        statements.append('--writers-closed')
    elif present:
        statements.append(f'--writers-closed={",".join(present)}')
    wal_only = sorted(db for db, end in last.items() if end == 'close_with_options'
                      and os.path.isdir(f'{run}/damaged/main/{db}'))
    if wal_only:
        statements.append(f'--writers-closed-wal-only={",".join(wal_only)}')
    return statements


def judge_one(binary, path):
    try:
        result = json.load(open(path))
    except (OSError, ValueError):
        return None
    if result.get('history_error') or 'outcome' not in result:
        return None
    run = f'{RUN_DIR}/s{result["num"]:04d}'
    row = {'num': result['num'], 'action': result['action'], 'outcome': result['outcome']}
    earlier = f'{run}/earlier.tar.gz'
    for mode in MODES:
        if mode.endswith('_earlier') and not os.path.isfile(earlier):
            continue
        args = result['slatecheck'][mode.split('_')[0]]['args'].split()
        # The run judged the stores before it damaged them in place of `damaged/`.
        args = [a if a.endswith('.txt') else
                a.replace(f'{run}/main', f'{run}/damaged/main').replace(f'{run}/wal', f'{run}/damaged/wal')
                for a in args]
        if mode.endswith('_stated') or mode.endswith('_earlier'):
            if not mode.endswith('_store_stated'):
                args.extend(closed_databases(result, run))
            if not result.get('sep_wal'):
                args.append('--no-wal-store')
        if mode.endswith('_earlier'):
            args.extend(['--earlier-bundle', earlier])
        done = subprocess.run([binary] + args, capture_output=True, text=True, timeout=120)
        try:
            plan = json.loads(done.stdout)['plans'][0]
            row[mode] = {'verdict': plan['verdict'], 'rules': plan.get('rules'), 'args': args}
        except (ValueError, KeyError, IndexError):
            row[mode] = {'verdict': 'error', 'rules': done.stderr[:200], 'args': args}
    return row


def judge(verdict, outcome):
    if verdict == 'safe':
        return 'agree' if outcome == 'ok' else 'FALSE-SAFE'
    if verdict == 'unsafe':
        return 'agree' if outcome == 'failed' else 'unsafe-but-ok'
    if verdict == 'inconclusive':
        return 'inconclusive-but-' + outcome
    return verdict


def main():
    binary = sys.argv[1]
    paths = sorted(glob.glob(f'{RUN_DIR}/s*/result.json'))
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        rows = [row for row in pool.map(lambda p: judge_one(binary, p), paths) if row]
    if len(sys.argv) > 2:
        json.dump(rows, open(sys.argv[2], 'w'))
    for mode in MODES:
        judged = [row for row in rows if mode in row]
        if not judged:
            continue
        counts = collections.Counter(judge(row[mode]['verdict'], row['outcome']) for row in judged)
        n = len(judged)
        rest = ' '.join(f'{k}={v}' for k, v in sorted(counts.items()) if k != 'agree')
        print(f"{mode}: n={n} strict={counts['agree']} ({100 * counts['agree'] / n:.1f}%) {rest}")


if __name__ == '__main__':
    main()
