"""summary.md and the gnuplot plots of a comparison folder (scripts/compare/
compare.py calls write()). Tables are per guest lock flavour and workload,
figures summed over the VMs of a run, throughput normalized to the free
policy at 1x overcommit of the same lock flavour and workload; the seeds'
figures are beside them (docs/results.md discusses both)."""
import os
import shutil
import subprocess

KERNEL_LOCK_HEAVY = ['files', 'mmap', 'sendfile', 'fork']

# The papers' figures (/work/shared/LHP-FACTS.md, docs/results.md).
SEEDS = [
    ('Uhlig et al. 2004', 'probability that a preemption hits a kernel lock holder (Apache, 4 vCPUs)',
     '39.2%', 'lhp_prob, cs_prob: sendfile, free, 2x'),
    ('Uhlig et al. 2004', 'share of execution time in lock waits longer than 1 ms (more than 2 vCPUs)',
     'about 20%', 'long_wait_frac: kernel-lock-heavy, free, 2x'),
    ('Uhlig et al. 2004', 'Apache throughput with their remedies', '+28%', 'throughput gang / free, sendfile, 2x'),
    ('eCS (Kim et al. 2015)', 'critical-section preemptions avoided by their co-scheduling', '85-100% fewer',
     'lhp gang vs free, kernel-lock-heavy, 2x'),
    ('eCS (Kim et al. 2015)', 'throughput when overcommitted', 'up to 2.5x', 'throughput gang / free, 2x'),
    ('Raghavendra et al. 2013', 'PV ticket locks, overcommitted', 'large gains',
     'throughput pv / tas, free, 2x, kernel-lock-heavy'),
]


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def aggregate(rows):
    """Sum of a run's VMs (or several workloads) for one table cell."""
    s = dict(throughput=0.0, n=0, preemptions=0, cs=0, lhp=0, long_waits=0, long_ms=0.0, run_ms=0.0,
             steal_ms=0.0, spins=0)
    for r in rows:
        t = num(r.get('throughput'))
        if t is not None:
            s['throughput'] += t
            s['n'] += 1
        for k, col in (('preemptions', 'preemptions'), ('cs', 'cs_preempts'), ('lhp', 'lhp'),
                       ('long_waits', 'long_waits'), ('long_ms', 'long_wait_ms'), ('run_ms', 'run_ms'),
                       ('steal_ms', 'steal_ms'), ('spins', 'spins')):
            v = num(r.get(col))
            if v is not None:
                s[k] += v
    tot = s['run_ms'] + s['steal_ms']
    s['lhp_prob'] = s['lhp'] / s['preemptions'] if s['preemptions'] else 0.0
    s['cs_prob'] = s['cs'] / s['preemptions'] if s['preemptions'] else 0.0
    s['long_frac'] = s['long_ms'] / tot if tot else 0.0
    s['steal_frac'] = s['steal_ms'] / tot if tot else 0.0
    s['tput'] = s['throughput'] / s['n'] if s['n'] else None   # per VM
    return s


def pct(x):
    return f'{100 * x:.1f}%'


def write(out, rows, runs, matrix):
    good = [r for r in rows if r.get('status') == 'ok']
    locks = [x for x in matrix.locks]
    policies = matrix.policies
    ocs = matrix.overcommit
    works = matrix.workloads
    cell = {}
    for r in good:
        cell.setdefault((r['locks'], r['workload'], r['policy'], int(r['overcommit'])), []).append(r)
    L = ['# lhv policy comparison', '']
    okn = sum(1 for r in runs if r['status'] == 'ok')
    L.append(f'{len(runs)} runs: {okn} ok, {sum(1 for r in runs if r["status"] in ("failed", "timeout"))} failed, '
             f'{sum(1 for r in runs if r["status"] == "unavailable")} unavailable, '
             f'{sum(1 for r in runs if r["status"] == "pending")} not run yet.')
    any_row = good[0] if good else (rows[0] if rows else {})
    if any_row:
        L.append(f'lhv {any_row.get("lhv_commit", "?")}, emulator {any_row.get("emulator", "?")}, '
                 f'backend {any_row.get("backend") or "?"}, {any_row.get("pcpus")} pCPUs, VMs of '
                 f'{any_row.get("vcpus")} vCPUs and {any_row.get("mem_mb")} MiB, kernel {any_row.get("kernel")}, '
                 f'{any_row.get("secs")} guest seconds per workload.')
    walls = [r.get('wall_s') for r in runs if r.get('wall_s')]
    if walls:
        L.append(f'Emulator wall time: {sum(walls) / 60:.1f} min over {len(walls)} runs '
                 f'({min(walls) / 60:.1f}-{max(walls) / 60:.1f} min each).')
    L += ['', 'Columns: throughput is operations per guest second per VM (mean over the VMs), and in brackets '
          'relative to `free` at 1x; preempt = involuntary preemptions; CS = those in a guest kernel critical '
          'section; LHP = CS preemptions a sibling vCPU ran through; P(LHP) = LHP / preempt; long = extended '
          'waits (spins or PV halts over 1 ms); long% = their time / vCPU time wanted (run + steal); '
          'steal% = steal / (run + steal). Counts are summed over the VMs of a run '
          '(docs/experiments.md defines every figure).', '']
    for lock in locks:
        for w in works + (['kernel-lock-heavy'] if set(KERNEL_LOCK_HEAVY) <= set(works) else []):
            group = KERNEL_LOCK_HEAVY if w == 'kernel-lock-heavy' else [w]
            base_rows = [r for g in group for r in cell.get((lock, g, 'free', 1), [])]
            base = aggregate(base_rows)['tput'] if base_rows else None
            L.append(f'## locks={lock}, {w}' + (f' ({", ".join(group)} together)' if len(group) > 1 else ''))
            L.append('')
            L.append('| policy | overcommit | throughput | preempt | CS | LHP | P(LHP) | P(CS) | long | long% | steal% |')
            L.append('|---|---|---|---|---|---|---|---|---|---|---|')
            for p in policies:
                for o in ocs:
                    rs = [r for g in group for r in cell.get((lock, g, p, o), [])]
                    if not rs:
                        L.append(f'| {p} | {o}x | (no result) | | | | | | | | |')
                        continue
                    s = aggregate(rs)
                    if len(group) > 1:
                        tp = '(mixed units)'
                        if base:
                            norm = sum((aggregate(cell.get((lock, g, p, o), []))['tput'] or 0) /
                                       (aggregate(cell.get((lock, g, 'free', 1), []))['tput'] or 1)
                                       for g in group) / len(group)
                            tp = f'[{norm:.2f}] (mean of ratios)'
                    else:
                        tp = f'{s["tput"]:.1f}' if s['tput'] is not None else '-'
                        if base and s['tput'] is not None:
                            tp += f' [{s["tput"] / base:.2f}]'
                    L.append(f'| {p} | {o}x | {tp} | {int(s["preemptions"])} | {int(s["cs"])} | {int(s["lhp"])} | '
                             f'{pct(s["lhp_prob"])} | {pct(s["cs_prob"])} | {int(s["long_waits"])} | '
                             f'{pct(s["long_frac"])} | {pct(s["steal_frac"])} |')
            L.append('')
    # The seeds beside the measurement.
    L += ['## The papers\' figures beside these', '',
          '| source | what | paper | here (from this folder) |', '|---|---|---|---|']
    for src, what, fig, where in SEEDS:
        L.append(f'| {src} | {what} | {fig} | {seed_value(where, cell, locks)} |')
    L.append('')
    bad = [r for r in runs if r['status'] not in ('ok',)]
    if bad:
        L += ['## Runs that did not succeed', '']
        for r in bad:
            L.append(f'- `{r["id"]}` {r["status"]}: ' + '; '.join(r.get('problems', [])[:4]))
        L.append('')
    pngs = plots(out, cell, locks, policies, ocs, works)
    if pngs:
        L += ['## Plots', ''] + [f'![{p}]({p})' for p in pngs] + ['']
    L += ['Per run: `runs/<id>/trace.json` (open in https://ui.perfetto.dev), `runs/<id>/hist.txt` (where vCPUs '
          'were preempted and spun), `runs/<id>/serial.log`.', '']
    with open(os.path.join(out, 'summary.md'), 'w') as f:
        f.write('\n'.join(L))


def seed_value(where, cell, locks):
    lock = 'tas' if 'tas' in locks else locks[0]

    def agg(ws, p, o):
        return aggregate([r for w in ws for r in cell.get((lock, w, p, o), [])])
    if where.startswith('lhp_prob'):
        s = agg(['sendfile'], 'free', 2)
        return f'P(LHP) {pct(s["lhp_prob"])}, P(CS) {pct(s["cs_prob"])} (locks={lock})' if s['preemptions'] else 'n/a'
    if where.startswith('long_wait_frac'):
        s = agg(KERNEL_LOCK_HEAVY, 'free', 2)
        return f'{pct(s["long_frac"])} (locks={lock})' if s['run_ms'] else 'n/a'
    if where.startswith('throughput gang / free, sendfile'):
        f, g = agg(['sendfile'], 'free', 2), agg(['sendfile'], 'gang', 2)
        return f'{g["tput"] / f["tput"]:.2f}x' if f['tput'] and g['tput'] else 'n/a'
    if where.startswith('lhp gang vs free'):
        f, g = agg(KERNEL_LOCK_HEAVY, 'free', 2), agg(KERNEL_LOCK_HEAVY, 'gang', 2)
        if f['lhp'] and g['n']:
            return f'LHP {int(f["lhp"])} -> {int(g["lhp"])} ({pct(1 - g["lhp"] / f["lhp"])} fewer), ' \
                   f'CS {int(f["cs"])} -> {int(g["cs"])}'
        return 'n/a'
    if where.startswith('throughput gang / free, 2x'):
        best = None
        for (lk, w, p, o), rs in cell.items():
            if lk == lock and p == 'gang' and o == 2:
                f = aggregate(cell.get((lock, w, 'free', 2), []))
                g = aggregate(rs)
                if f['tput'] and g['tput']:
                    r = g['tput'] / f['tput']
                    best = max(best or r, r)
        return f'at most {best:.2f}x' if best else 'n/a'
    if where.startswith('throughput pv / tas'):
        rs = []
        for w in KERNEL_LOCK_HEAVY:
            t, v = (aggregate(cell.get((lk, w, 'free', 2), [])) for lk in ('tas', 'pv'))
            if t['tput'] and v['tput']:
                rs.append(v['tput'] / t['tput'])
        return f'{sum(rs) / len(rs):.2f}x (mean over {len(rs)} workloads)' if rs else 'n/a (needs locks tas and pv)'
    return 'unavailable'


def plots(out, cell, locks, policies, ocs, works):
    """Clustered bar charts with gnuplot (PNG): per lock flavour, throughput
    relative to free at 1x, LHP count, extended-wait fraction; one cluster
    per workload, one bar per policy and overcommit."""
    if not shutil.which('gnuplot'):
        return []
    pdir = os.path.join(out, 'plots')
    os.makedirs(pdir, exist_ok=True)
    made = []
    configs = [(p, o) for o in ocs for p in policies]
    for lock in locks:
        metrics = [('throughput', 'throughput relative to free at 1x'), ('lhp', 'lock-holder preemptions (LHP)'),
                   ('longwait', 'extended-wait share of vCPU time (%)')]
        for key, title in metrics:
            dat = os.path.join(pdir, f'{key}-{lock}.dat')
            have = False
            with open(dat, 'w') as f:
                f.write('workload ' + ' '.join(f'{p}-{o}x' for p, o in configs) + '\n')
                for w in works:
                    base = aggregate(cell.get((lock, w, 'free', 1), []))['tput']
                    vals = []
                    for p, o in configs:
                        rs = cell.get((lock, w, p, o), [])
                        s = aggregate(rs)
                        if not rs:
                            vals.append('?')
                        elif key == 'throughput':
                            vals.append(f'{s["tput"] / base:.4f}' if base and s['tput'] is not None else '?')
                        elif key == 'lhp':
                            vals.append(f'{s["lhp"]:.0f}')
                        else:
                            vals.append(f'{100 * s["long_frac"]:.3f}')
                        have |= vals[-1] != '?'
                    f.write(w + ' ' + ' '.join(vals) + '\n')
            if not have:
                continue
            png = f'{key}-{lock}.png'
            gp = os.path.join(pdir, f'{key}-{lock}.gp')
            with open(gp, 'w') as f:
                f.write(f'''set terminal pngcairo size 900,420 noenhanced font "sans,10"
set output "{os.path.join(pdir, png)}"
set title "{title}, guest locks {lock}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top vertical
set xtics rotate by -30 nomirror
set grid ytics
set yrange [0:*]
set datafile missing "?"
plot for [i=2:{len(configs) + 1}] "{dat}" using i:xtic(1) title columnhead
''')
            r = subprocess.run(['gnuplot', gp], capture_output=True, text=True)
            if r.returncode == 0 and os.path.exists(os.path.join(pdir, png)):
                made.append(f'plots/{png}')
    return made
