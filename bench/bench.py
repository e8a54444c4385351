"""memsnn benchmarks against Brian2 and NEURON on the identical network (make bench).

    /usr/bin/python3 bench/bench.py [--build build] [--out build/bench] [--quick]
                                    [--only coba,cuba,exact,scaling,precision,threads]

memsnn builds each network and exports its connectivity and initial state; the peer
scripts in bench/peers/ read them, so every simulator runs the same network. Each
timing is repeated (--reps) with the simulators interleaved, and the median is reported;
memsnn's figures are printed as ratios to each peer's from the same run. Statistics
(rates, ISI CV) are computed here, the same way for every simulator, from the spike files.
Results: OUT/results.json and OUT/report.md (the tables of docs/performance.md), with
CSVs and PNGs of the scaling and work-precision runs (bench/plot_bench.lua draws them).
bench/README.md describes each benchmark.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = '/usr/bin/python3'  # Debian's brian2 and neuron import only into the system Python


def run_json(cmd, cwd=None, timeout=None):
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    wall = time.time() - t0
    lines = [l for l in p.stdout.splitlines() if l.startswith('{')]
    if p.returncode != 0 or not lines:
        raise RuntimeError('failed: %s\n%s\n%s' % (' '.join(cmd), p.stdout[-2000:], p.stderr[-2000:]))
    r = json.loads(lines[-1])
    r['process_wall_s'] = wall
    return r


def spike_stats(d, tag, n, ne, T):
    ids = np.load(os.path.join(d, (tag + '_' if tag else '') + 'spikes_ids.npy'))
    t = np.load(os.path.join(d, (tag + '_' if tag else '') + 'spikes_times.npy'))
    rate_e = np.sum(ids < ne) / (ne * T)
    rate_i = np.sum(ids >= ne) / ((n - ne) * T)
    # Synaptic events: every spike of a neuron reaches each of its out-going synapses.
    events = None
    if os.path.exists(os.path.join(d, 'exc_pre.npy')):
        out_deg = np.zeros(n, dtype=np.int64)
        for port in ('exc', 'inh'):
            out_deg += np.bincount(np.load(os.path.join(d, port + '_pre.npy')), minlength=n)
        events = int(out_deg[ids].sum())
    order = np.lexsort((t, ids))
    ids, t = ids[order], t[order]
    cvs = []
    start = 0
    for k in range(1, len(ids) + 1):
        if k == len(ids) or ids[k] != ids[start]:
            if k - start >= 3:
                isi = np.diff(t[start:k])
                if isi.mean() > 0:
                    cvs.append(isi.std() / isi.mean())
            start = k
    return {'rate_e': float(rate_e), 'rate_i': float(rate_i), 'cv_isi': float(np.mean(cvs)) if cvs else float('nan'),
            'syn_events': events}


class Bench:
    def __init__(self, args):
        self.a = args
        self.memsnn = os.path.join(os.path.abspath(args.build), 'scripting', 'memsnn')
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.results = {'machine': os.uname().nodename, 'date': time.strftime('%Y-%m-%d %H:%M'),
                        'cpu': self.cpu(), 'runs': []}

    @staticmethod
    def cpu():
        try:
            for line in open('/proc/cpuinfo'):
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
        except OSError:
            pass
        return '?'

    def memsnn_net(self, d, model, method, T, *keys):
        cmd = [self.memsnn, 'run', os.path.join(ROOT, 'bench', 'nets', 'brette.lua'), '--out', d, '--quiet',
               '--', model, method, str(T)] + list(keys)
        return run_json(cmd)

    def log(self, msg):
        print(msg, flush=True)

    # ---- COBA / CUBA against Brian2 and NEURON ------------------------------------------------
    def brette(self, model, T, peers):
        d = os.path.join(self.out, '%s_%gs' % (model, T))
        os.makedirs(d, exist_ok=True)
        self.memsnn_net(d, model, 'fixed', T, 'export=1')
        n, ne = 4000, 3200
        rows = {}
        for rep in range(self.a.reps):
            for sim in ['memsnn'] + peers:
                if sim == 'memsnn':
                    r = self.memsnn_net(d, model, 'fixed', T)
                    tag = ''
                elif sim.startswith('brian2_'):
                    r = run_json([PY, os.path.join(ROOT, 'bench', 'peers', 'brian2_brette.py'), d, model,
                                  sim[len('brian2_'):], str(T)], cwd=d)
                    tag = sim
                else:
                    r = run_json([PY, os.path.join(ROOT, 'bench', 'peers', 'neuron_brette.py'), d, model,
                                  sim[len('neuron_'):], str(T)], cwd=d)
                    tag = sim
                r.update(spike_stats(d, tag, n, ne, T))
                r['sim'] = sim
                rows.setdefault(sim, []).append(r)
                self.log('  %s %s T=%g rep %d: loop %.3f s, %d spikes' % (model, sim, T, rep + 1, r['loop_wall_s'], r['spikes']))
        summary = {}
        for sim, rs in rows.items():
            s = dict(rs[-1])
            s['loop_wall_s'] = statistics.median(x['loop_wall_s'] for x in rs)
            s['process_wall_s'] = statistics.median(x['process_wall_s'] for x in rs)
            s['loop_min_s'] = min(x['loop_wall_s'] for x in rs)
            summary[sim] = s
        self.results['runs'].append({'kind': 'brette', 'model': model, 'T': T, 'summary': summary})
        return summary

    # ---- exact spike times: memsnn cvode/exact against NEURON CVODE ----------------------------
    def exact(self, T, atol):
        d = os.path.join(self.out, 'coba_exact')
        os.makedirs(d, exist_ok=True)
        self.memsnn_net(d, 'coba', 'fixed', T, 'export=1', 'spikes=0')
        out = {}
        for rep in range(self.a.reps):
            runs = [('memsnn_exact', lambda: self.memsnn_net(d, 'coba', 'exact', T)),
                    ('memsnn_cvode', lambda: self.memsnn_net(d, 'coba', 'cvode', T, 'rtol=%g' % atol, 'atol=%g' % atol)),
                    ('neuron_cvode', lambda: run_json([PY, os.path.join(ROOT, 'bench', 'peers', 'neuron_brette.py'),
                                                       d, 'coba', 'cvode', str(T), str(atol)], cwd=d))]
            for sim, fn in runs:
                r = fn()
                tag = '' if sim.startswith('memsnn') else sim
                r.update(spike_stats(d, tag, 4000, 3200, T))
                out.setdefault(sim, []).append(r)
                self.log('  exact %s T=%g rep %d: loop %.3f s, %d spikes' % (sim, T, rep + 1, r['loop_wall_s'], r['spikes']))
        summary = {sim: dict(rs[-1], loop_wall_s=statistics.median(x['loop_wall_s'] for x in rs)) for sim, rs in out.items()}
        self.results['runs'].append({'kind': 'exact', 'T': T, 'atol': atol, 'summary': summary})
        return summary

    # ---- scaling: fixed in-degree COBA from 4k to 256k neurons ---------------------------------
    def scaling(self, sizes, T):
        rows = []
        for n in sizes:
            d = os.path.join(self.out, 'scaling_%d' % n)
            os.makedirs(d, exist_ok=True)
            r = self.memsnn_net(d, 'coba', 'fixed', T, 'n=%d' % n, 'k=64', 'spikes=0')
            r['ns_per_event'] = 1e9 * r['loop_wall_s'] / max(r['events'], 1)
            r['rss_per_synapse'] = r['peak_rss'] / r['synapses']
            rows.append(r)
            self.log('  scaling n=%d: loop %.3f s, %d events, %.1f ns/event, rss %.0f MB' %
                     (n, r['loop_wall_s'], r['events'], r['ns_per_event'], r['peak_rss'] / 2**20))
        csv_path = os.path.join(self.out, 'scaling.csv')
        with open(csv_path, 'w', newline='') as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(['neurons', 'synapses', 'loop_s', 'ns_per_event', 'peak_rss_mb'])
            for r in rows:
                w.writerow([r['n'], r['synapses'], '%.6g' % r['loop_wall_s'], '%.6g' % r['ns_per_event'],
                            '%.6g' % (r['peak_rss'] / 2**20)])
        self.results['runs'].append({'kind': 'scaling', 'T': T, 'rows': rows, 'csv': csv_path})
        return rows

    # ---- threads: 1 against 2 on the same network ------------------------------------------------
    def threads(self, quick):
        d = os.path.join(self.out, 'threads')
        os.makedirs(d, exist_ok=True)
        cases = [('COBA fixed, %g s' % (0.5 if quick else 2.0), 'fixed', 0.5 if quick else 2.0),
                 ('COBA exact, %g s' % (0.02 if quick else 0.1), 'exact', 0.02 if quick else 0.1)]
        rows = []
        for name, method, T in cases:
            t = {1: [], 2: []}
            spikes = {}
            for rep in range(self.a.reps):
                for nt in (1, 2):
                    r = self.memsnn_net(d, 'coba', method, T, 'threads=%d' % nt, 'spikes=0')
                    t[nt].append(r['loop_wall_s'])
                    spikes[nt] = r['spikes']
            row = {'name': name, 't1': statistics.median(t[1]), 't2': statistics.median(t[2]),
                   'spikes1': spikes[1], 'spikes2': spikes[2]}
            self.log('  threads %s: %.3f s / %.3f s' % (name, row['t1'], row['t2']))
            rows.append(row)
        self.results['runs'].append({'kind': 'threads', 'rows': rows})
        return rows

    # ---- work-precision: one neuron with synaptic input, the three methods ---------------------
    def precision(self, quick):
        cmd = [self.memsnn, 'run', os.path.join(ROOT, 'bench', 'precision.lua'), '--out', self.out, '--quiet', '--']
        if quick:
            cmd.append('quick=1')
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith('{')]
        if p.returncode != 0 or not rows:
            raise RuntimeError('failed: %s\n%s\n%s' % (' '.join(cmd), p.stdout[-2000:], p.stderr[-2000:]))
        for r in rows:
            self.log('  precision %s %s %s: loop %.3f s, median error %s s, max %s s, missing %d, extra %d' %
                     (r['model'], r['method'], r['setting'], r['loop_wall_s'], r['median_err_s'], r['max_err_s'],
                      r['missing'], r['extra']))
        csv_path = os.path.join(self.out, 'precision.csv')
        cols = ['model', 'method', 'setting', 'tol', 'dt', 'n', 'loop_wall_s', 'median_err_s', 'max_err_s',
                'missing', 'extra', 'check']
        with open(csv_path, 'w', newline='') as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            for r in rows:
                w.writerow(['' if r[c] is None else int(r[c]) if c == 'check' else r[c] for c in cols])
        self.results['runs'].append({'kind': 'precision', 'rows': rows, 'csv': csv_path,
                                     'process_wall_s': time.time() - t0})
        return rows

    # ---- PNGs of the scaling and precision tables (bench/plot_bench.lua) -----------------------
    def plots(self):
        keys = ['%s=%s' % (run['kind'], run['csv']) for run in self.results['runs'] if run['kind'] in ('scaling', 'precision')]
        if not keys:
            return
        cmd = [self.memsnn, 'run', os.path.join(ROOT, 'bench', 'plot_bench.lua'), '--out', self.out, '--quiet', '--'] + keys
        try:
            pngs = run_json(cmd)
        except RuntimeError as e:
            self.log('plots failed (the tables are still written): %s' % e)
            return
        for run in self.results['runs']:
            if run['kind'] in ('scaling', 'precision'):
                run['pngs'] = [os.path.relpath(p, self.out) for p in pngs.get(run['kind'], [])]
                self.log('  wrote ' + ', '.join(os.path.join(self.out, p) for p in run['pngs']))

    def report(self):
        lines = ['# Benchmark results', '', 'Machine: %s, %s. Date: %s.' % (self.results['machine'], self.results['cpu'],
                                                                           self.results['date']), '']
        for run in self.results['runs']:
            if run['kind'] == 'brette':
                s = run['summary']
                lines += ['## %s, %g s simulated (4000 neurons, identical network in every simulator)' %
                          (run['model'].upper(), run['T']), '',
                          '| simulator | loop s | loop s per sim. s | process s | spikes | synaptic events per s of loop | E rate Hz | I rate Hz | CV ISI | peak RSS MB | memsnn loop time / this loop time |',
                          '|---|---|---|---|---|---|---|---|---|---|---|']
                ref = s['memsnn']['loop_wall_s']
                for sim, r in s.items():
                    ev = r.get('syn_events')
                    lines.append('| %s | %.3f | %.4f | %.2f | %d | %s | %.2f | %.2f | %.3f | %.0f | %s |' % (
                        sim, r['loop_wall_s'], r['loop_wall_s'] / run['T'], r['process_wall_s'], r['spikes'],
                        '%.3g' % (ev / r['loop_wall_s']) if ev else '-', r['rate_e'], r['rate_i'],
                        r['cv_isi'], r['peak_rss'] / 2**20, '1' if sim == 'memsnn' else '%.3f' % (ref / r['loop_wall_s'])))
                lines.append('')
            elif run['kind'] == 'exact':
                s = run['summary']
                lines += ['## COBA with exact (off-grid) spike times, %g s simulated; CVODE tolerances %g' % (run['T'], run['atol']), '',
                          'memsnn exact: quadrature-based, spike times to ~1e-12 s, no tolerance to set. memsnn cvode and '
                          'NEURON CVODE (global variable step) at rtol = atol = %g.' % run['atol'], '',
                          '| simulator | loop s per sim. s | spikes | E rate Hz | I rate Hz | NEURON CVODE time / this time |',
                          '|---|---|---|---|---|---|']
                ref = s['neuron_cvode']['loop_wall_s']
                for sim, r in s.items():
                    lines.append('| %s | %.3f | %d | %.2f | %.2f | %.1f |' % (sim, r['loop_wall_s'] / run['T'], r['spikes'], r['rate_e'],
                                                                           r['rate_i'], ref / r['loop_wall_s']))
                lines.append('')
            elif run['kind'] == 'threads':
                lines += ['## Threads: the same network on 1 and 2 threads (results bitwise identical)', '',
                          '| run | 1 thread s | 2 threads s | speed-up | spikes (1 / 2 threads) |', '|---|---|---|---|---|']
                for r in run['rows']:
                    lines.append('| %s | %.3f | %.3f | %.2f | %d / %d |' % (r['name'], r['t1'], r['t2'], r['t1'] / r['t2'],
                                                                          r['spikes1'], r['spikes2']))
                lines.append('')
            elif run['kind'] == 'scaling':
                lines += ['## Scaling: COBA, fixed in-degree (64 E + 16 I), %g s simulated, method fixed' % run['T'], '',
                          '| neurons | synapses | loop s | synaptic events | ns per event | peak RSS MB | bytes per synapse: synapse arrays | whole process |',
                          '|---|---|---|---|---|---|---|---|']
                for r in run['rows']:
                    lines.append('| %d | %d | %.3f | %d | %.2f | %.0f | %.1f | %.1f |' % (
                        r['n'], r['synapses'], r['loop_wall_s'], r['events'], r['ns_per_event'], r['peak_rss'] / 2**20,
                        r.get('bytes_per_synapse', float('nan')), r['rss_per_synapse']))
                lines.append('')
                lines += ['Data: %s. Pictures: %s.' % (os.path.relpath(run['csv'], self.out),
                                                    ', '.join(run.get('pngs', [])) or 'none (plotting failed)'), '']
                lines += ['![%s](%s)' % (p, p) for p in run.get('pngs', [])] + ([''] if run.get('pngs') else [])
            elif run['kind'] == 'precision':
                rows = run['rows']
                r0 = rows[0]
                lines += ['## Work-precision, single neuron with synaptic input', '',
                          '%d independent copies of one neuron (default parameters), each driven by %d Poisson inputs '
                          '(4:1 excitatory:inhibitory) at %g Hz through fixed weights%s, %g s simulated '
                          '(bench/precision.lua). Reference: method exact. Spikes are matched per neuron in order '
                          '(within %g ms); errors are absolute, over the matched spikes; missing/extra count unmatched '
                          'reference/run spikes. Wall time: the loop (net:run), median of 3 when under 1 s.' % (
                              r0['n'], r0['inputs'], r0['rate'],
                              ' (pooled: one source per type and neuron at the summed rate)' if r0.get('pooled') else '',
                              r0['T'], r0['match_s'] * 1e3), '',
                          '| model | method | setting | loop wall s | spikes | median error s | max error s | missing / extra |',
                          '|---|---|---|---|---|---|---|---|']

                def err(x):
                    return '-' if x is None else '0' if x == 0 else '%.2g' % x
                for r in rows:
                    setting = r['setting'] + (' (check of the reference, %d copies)' % r['n'] if r['check'] else '')
                    lines.append('| %s | %s | %s | %.3f | %d | %s | %s | %d / %d |' % (
                        r['model'], r['method'], setting, r['loop_wall_s'], r['spikes'], err(r['median_err_s']),
                        err(r['max_err_s']), r['missing'], r['extra']))
                lines.append('')
                lines += ['Data: %s. Pictures: %s.' % (os.path.relpath(run['csv'], self.out),
                                                    ', '.join(run.get('pngs', [])) or 'none (plotting failed)'), '']
                lines += ['![%s](%s)' % (p, p) for p in run.get('pngs', [])] + ([''] if run.get('pngs') else [])
        text = '\n'.join(lines)
        with open(os.path.join(self.out, 'report.md'), 'w') as f:
            f.write(text + '\n')
        with open(os.path.join(self.out, 'results.json'), 'w') as f:
            json.dump(self.results, f, indent=1)
        print(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--out', default=None)
    ap.add_argument('--quick', action='store_true', help='short runs, fewer peers (a smoke test of the harness)')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--only', default='coba,cuba,exact,scaling,precision,threads')
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(a.build, 'bench')
    if a.quick:
        a.reps = 1
    b = Bench(a)
    only = a.only.split(',')
    durations = [0.2] if a.quick else [1.0, 10.0]
    peers = ['brian2_cpp_standalone', 'brian2_cython', 'neuron_fixed']
    for model in ('coba', 'cuba'):
        if model not in only:
            continue
        for T in durations:
            b.log('%s %g s' % (model, T))
            # NEURON's fixed step and Brian2's runtime mode are slow: 1 s runs only.
            b.brette(model, T, peers if T <= 1 else ['brian2_cpp_standalone'])
    if 'exact' in only:
        b.log('exact spike times')
        b.exact(0.01 if a.quick else 0.05, 1e-3)
    if 'scaling' in only:
        b.log('scaling')
        b.scaling([4000, 16000] if a.quick else [4000, 16000, 64000, 256000], 0.2 if a.quick else 1.0)
    if 'precision' in only:
        b.log('work-precision, single neuron with synaptic input')
        b.precision(a.quick)
    if 'threads' in only:
        b.log('threads')
        b.threads(a.quick)
    b.plots()
    b.report()


if __name__ == '__main__':
    main()
