import json, glob, collections, os, sys
lo = int(sys.argv[1]) if len(sys.argv) > 1 else 0
rows = []
for f in sorted(glob.glob(os.environ.get('INDEP_RUN_DIR', '/tmp/indep/run') + '/s*/result.json')):
    try: r = json.load(open(f))
    except Exception: continue
    if r.get('num', 0) < lo or r.get('history_error') or 'outcome' not in r: continue
    rows.append(r)
def judge(v, o):
    if v == 'safe': return 'agree' if o == 'ok' else 'FALSE-SAFE'
    if v == 'unsafe': return 'agree' if o == 'failed' else 'unsafe-but-ok'
    if v == 'inconclusive': return 'inconclusive-but-' + o
    return v
for mode in ['live', 'offline']:
    c = collections.Counter(); bad = collections.defaultdict(list)
    for r in rows:
        sc = r.get('slatecheck', {}).get(mode)
        if not sc: continue
        j = judge(sc['verdict'], r['outcome']); c[j] += 1; c['n'] += 1
        if j != 'agree': bad[j].append((r['num'], r['action'][:30], sc.get('rules')))
    n = c['n'] or 1
    print(f"{mode}: n={c['n']} agree={c['agree']} ({100*c['agree']/n:.1f}%) " + ' '.join(f'{k}={v}' for k, v in c.items() if k not in ('n','agree')))
    for k, v in bad.items():
        if k in ('FALSE-SAFE', 'unsafe-but-ok'): print('  ', k, v)
