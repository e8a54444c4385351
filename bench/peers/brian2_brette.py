"""The Brette et al. 2007 COBA/CUBA networks in Brian2, built from the connectivity and
initial state memsnn exported (bench/nets/brette.lua export=1), so both run the identical
network.

    /usr/bin/python3 bench/peers/brian2_brette.py DIR MODEL TARGET T [delay_s] [we] [wi]

TARGET: cpp_standalone | cython | numpy. Prints one JSON line; writes DIR/<tag>_spikes_*.npy.

Alignment with memsnn (docs/performance.md): Brian2 stamps a spike with the start of the
step in which v crossed threshold and counts the refractory period from there; memsnn
stamps it with the step's end and counts from there. Both hold v for the same number of
steps when Brian2's refractory period is one step longer (5.1 ms for 5 ms).
"""
import json
import os
import sys
import time

import numpy as np


def main():
    d, model, target, T = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-4
    we = float(sys.argv[6]) if len(sys.argv) > 6 else 6e-9
    wi = float(sys.argv[7]) if len(sys.argv) > 7 else 67e-9
    t_import = time.time()
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, set_device,
                        device, prefs, ms, mV, nS, pA, pF, second, volt)
    tag = 'brian2_' + target
    workdir = os.path.join(d, tag + '_build')
    if target == 'cpp_standalone':
        set_device('cpp_standalone', directory=workdir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        prefs.codegen.target = target
    defaultclock.dt = 0.1 * ms

    v0 = np.load(os.path.join(d, 'v0.npy'))
    ge0 = np.load(os.path.join(d, 'ge0.npy'))
    gi0 = np.load(os.path.join(d, 'gi0.npy'))
    n = len(v0)
    dt_s = 1e-4
    refractory = (5e-3 + dt_s) * second
    if model == 'coba':
        eqs = '''dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v))/C : volt (unless refractory)
                 dge/dt = -ge/taue : siemens
                 dgi/dt = -gi/taui : siemens'''
        ns = dict(gl=10 * nS, El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, C=200 * pF, taue=5 * ms, taui=10 * ms)
        P = NeuronGroup(n, eqs, threshold='v > -50*mV', reset='v = -60*mV', refractory=refractory,
                        method='exponential_euler', namespace=ns)
        P.v = v0 * volt
        P.ge = ge0 * nS / 1e-9
        P.gi = gi0 * nS / 1e-9
        on_e, on_i = 'ge += %r*nS' % (we / 1e-9), 'gi += %r*nS' % (wi / 1e-9)
    else:
        # Voltage form of lif_curr_exp: ge, gi are the synaptic currents divided by g_L.
        eqs = '''dv/dt = (ge - gi - (v - El))/taum : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt'''
        ns = dict(El=-49 * mV, taum=20 * ms, taue=5 * ms, taui=10 * ms)
        P = NeuronGroup(n, eqs, threshold='v > -50*mV', reset='v = -60*mV', refractory=refractory,
                        method='exact', namespace=ns)
        P.v = v0 * volt
        on_e, on_i = 'ge += 1.62*mV', 'gi += 9*mV'
    Se = Synapses(P, P, on_pre=on_e, delay=delay * second)
    Si = Synapses(P, P, on_pre=on_i, delay=delay * second)
    Se.connect(i=np.load(os.path.join(d, 'exc_pre.npy')), j=np.load(os.path.join(d, 'exc_post.npy')))
    Si.connect(i=np.load(os.path.join(d, 'inh_pre.npy')), j=np.load(os.path.join(d, 'inh_post.npy')))
    mon = SpikeMonitor(P)
    net = Network(P, Se, Si, mon)
    t0 = time.time()
    net.run(T * second)
    loop = time.time() - t0
    build = 0.0
    if target == 'cpp_standalone':
        t1 = time.time()
        device.build(directory=workdir, compile=True, run=True, debug=False)
        build = time.time() - t1
        with open(os.path.join(workdir, 'results', 'last_run_info.txt')) as f:
            loop = float(f.read().split()[0])  # the binary's own timing of the run loop
    ids = np.asarray(mon.i[:], dtype=np.int32)
    times = np.asarray(mon.t[:] / second, dtype=np.float64) + dt_s  # step end, as memsnn
    np.save(os.path.join(d, tag + '_spikes_ids.npy'), ids)
    np.save(os.path.join(d, tag + '_spikes_times.npy'), times)
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if target == 'cpp_standalone':
        rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    print(json.dumps({'sim': tag, 'model': model, 'T': T, 'n': n,
                      'synapses': int(len(Se) + len(Si)) if target != 'cpp_standalone' else None,
                      'loop_wall_s': loop, 'compile_s': build, 'spikes': int(len(ids)),
                      'peak_rss': rss, 'setup_s': t0 - t_import}))


if __name__ == '__main__':
    main()
