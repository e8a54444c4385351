"""The Brette et al. 2007 COBA/CUBA networks in NEURON, built from the connectivity and
initial state memsnn exported (bench/nets/brette.lua export=1).

    /usr/bin/python3 bench/peers/neuron_brette.py DIR MODEL METHOD T [atol] [delay_s] [we] [wi]

METHOD: fixed (NEURON's default implicit Euler, dt = 0.1 ms) | cvode (global variable step,
absolute tolerance atol in NEURON's units, mV / uS / nA). One single-compartment cell per
neuron: C = 200 pF (area 20000 um^2, 1 uF/cm^2), leak 10 nS to E_L; synapses ExpSyn
(COBA, weights in uS) or ExpCurr (CUBA, nA); threshold, reset and refractoriness by
LIFReset (bench/peers/lif_brette.mod) fed by the cell's own threshold NetCon. The .mod
files are compiled once with nrnivmodl into DIR/../nrnmech (Debian's nrnivmodl looks for
its makefile in /usr/bin; the script points it at /usr/lib/nrn and links libnrniv from
there). Prints one JSON line; writes DIR/neuron_<method>_spikes_*.npy.
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def compile_mechanisms(outdir):
    lib = os.path.join(outdir, 'x86_64', 'libnrnmech.so')
    if os.path.exists(lib):
        return lib
    os.makedirs(outdir, exist_ok=True)
    for name in ('lif_brette.mod', 'exp_curr.mod'):
        with open(os.path.join(HERE, name)) as src, open(os.path.join(outdir, name), 'w') as dst:
            dst.write(src.read())
    with open('/usr/bin/nrnivmodl') as f:
        script = f.read().replace('"${bindir}/nrnmech_makefile"', '"/usr/lib/nrn/nrnmech_makefile"')
    fixed = os.path.join(outdir, 'nrnivmodl_debian')
    with open(fixed, 'w') as f:
        f.write(script)
    os.chmod(fixed, 0o755)
    # The "special" executable fails to link on Debian; the shared library is all we need.
    subprocess.run([fixed, '-loadflags', '-L/usr/lib/nrn -Wl,-rpath,/usr/lib/nrn'], cwd=outdir,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(lib):
        raise SystemExit('neuron peer: nrnivmodl did not produce ' + lib)
    return lib


def main():
    d, model, method, T = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    atol = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-3
    delay = float(sys.argv[6]) if len(sys.argv) > 6 else 1e-4
    we = float(sys.argv[7]) if len(sys.argv) > 7 else 6e-9
    wi = float(sys.argv[8]) if len(sys.argv) > 8 else 67e-9
    lib = compile_mechanisms(os.path.join(os.path.dirname(os.path.abspath(d)), 'nrnmech'))
    t_setup = time.time()
    from neuron import h
    h.nrn_load_dll(lib)
    h.load_file('stdrun.hoc')

    v0 = np.load(os.path.join(d, 'v0.npy'))
    ge0 = np.load(os.path.join(d, 'ge0.npy'))
    gi0 = np.load(os.path.join(d, 'gi0.npy'))
    n = len(v0)
    side = (20000.0 / np.pi) ** 0.5  # um: area 20000 um^2 of a cylinder with L = diam
    cells, syn_e, syn_i, resets, detectors = [], [], [], [], []
    t_vec, id_vec = h.Vector(), h.Vector()
    for k in range(n):
        s = h.Section(name='c%d' % k)
        s.L = s.diam = side
        s.cm = 1.0
        s.insert('pas')
        s.g_pas = 5e-5
        s.e_pas = -49.0 if model == 'cuba' else -60.0
        if model == 'coba':
            e = h.ExpSyn(s(0.5)); e.tau = 5.0; e.e = 0.0
            i = h.ExpSyn(s(0.5)); i.tau = 10.0; i.e = -80.0
        else:
            e = h.ExpCurr(s(0.5)); e.tau = 5.0
            i = h.ExpCurr(s(0.5)); i.tau = 10.0
        r = h.LIFReset(s(0.5))
        r.vreset = -60.0
        r.tref = 5.0
        det = h.NetCon(s(0.5)._ref_v, r, sec=s)
        det.threshold = -50.0
        det.delay = 0.0
        det.weight[0] = 0.0
        det.record(t_vec, id_vec, k)
        cells.append(s); syn_e.append(e); syn_i.append(i); resets.append(r); detectors.append(det)
    netcons = []
    for port, syns, w in (('exc', syn_e, we), ('inh', syn_i, wi)):
        pre = np.load(os.path.join(d, port + '_pre.npy'))
        post = np.load(os.path.join(d, port + '_post.npy'))
        # Weights in NEURON units: uS for ExpSyn, nA for ExpCurr (current = g_L * voltage jump).
        weight = w * 1e6 if model == 'coba' else (0.0162 if port == 'exc' else -0.09)
        for a, b in zip(pre, post):
            nc = h.NetCon(cells[a](0.5)._ref_v, syns[b], sec=cells[a])
            nc.threshold = -50.0
            nc.delay = delay * 1e3
            nc.weight[0] = weight
            netcons.append(nc)

    cv = h.CVode()
    if method == 'cvode':
        cv.active(1)
        cv.atol(atol)
    else:
        cv.active(0)
        h.dt = 0.1
    h.finitialize(-60.0)
    for k in range(n):
        cells[k](0.5).v = v0[k] * 1e3
        if model == 'coba':
            syn_e[k].g = ge0[k] * 1e6
            syn_i[k].g = gi0[k] * 1e6
    if method == 'cvode':
        cv.re_init()
    else:
        h.fcurrent()
    h.frecord_init()
    t0 = time.time()
    h.continuerun(T * 1e3)
    loop = time.time() - t0
    ids = np.asarray(id_vec.as_numpy(), dtype=np.int32)
    times = np.asarray(t_vec.as_numpy(), dtype=np.float64) * 1e-3
    tag = 'neuron_' + method
    np.save(os.path.join(d, tag + '_spikes_ids.npy'), ids)
    np.save(os.path.join(d, tag + '_spikes_times.npy'), times)
    print(json.dumps({'sim': tag, 'model': model, 'T': T, 'n': n, 'synapses': len(netcons),
                      'loop_wall_s': loop, 'spikes': int(len(ids)), 'atol': atol if method == 'cvode' else None,
                      'peak_rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      'setup_s': t0 - t_setup}))


if __name__ == '__main__':
    main()
