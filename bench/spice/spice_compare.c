/* bench/spice/spice_compare.c: memsnn against ngspice on the same circuit.
 *
 * One layer: n_in input rows (spike_source) read n dendritic neurons through RRAM
 * differential pairs (device synapses, read pulses of v_read for t_read after the delay);
 * each neuron has B branches, each fed by n_in / B of the inputs. The same layer is run
 * with dendrites and as the point-neuron control (same ports, all on the soma node).
 * memsnn (method cvode, one thread) records spikes and the energy ledger; the program then
 * writes the SAME circuit as an ngspice netlist (rows as PWL voltage sources, every device
 * of every synapse, the nmda_dendrite and mott_soma equations as behavioural sources with
 * their states as capacitor integrators, the same parasitic capacitance), runs
 * `ngspice -b`, reads its raw file, finds the spikes (the soma's insulator-metal flip) and
 * integrates the energy of each class from ngspice's node voltages, and compares.
 * How it is built and run: bench/spice/README.md (bench/spice/run). */
#include "spice_compare.h"

/* ---- configuration ----------------------------------------------------------------------- */



static void cfg_default(cfg *c)
{
    memset(c, 0, sizeof *c);
    c->n_in = 32;
    c->n = 20;
    c->branches = 4;
    c->T = 50e-6;
    c->v_read = 3.0;
    c->t_read = 1e-6;
    c->delay = 1e-6;
    c->rate = 250e3;
    c->r_branch = 100e3;
    c->c_par = -1;
    c->refr = 2e-6;
    c->g_min = 2e-6;
    c->g_max = 20e-6;
    c->w_lo = -0.2;
    c->w_hi = 1.0;
    c->vg = 1;
    c->seed = 1;
    c->rtol = 1e-8;
    c->atol = 1e-8;
    c->rtol_tight = 1e-11;
    c->sp_reltol = 1e-6;
    c->sp_abstol = 1e-15;
    c->sp_vntol = 1e-9;
    c->sp_chgtol = 1e-20;
    c->sp_tmax = 10e-9;
    c->sp_trtol = 7;
    c->sp_reltol_tight = 1e-8;
    c->sp_tmax_tight = 2e-9;
    c->sp_method = "gear";
    c->edge = 1e-9;
    c->gain = 1e6;
    c->reps = 3;
    c->variants = 3;
    c->trace = -1;
    c->out = "build/spice";
    c->ngspice = "ngspice";
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "spice_compare: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: spice_compare [key=value ...]\n"
            "  n_in n branches T r_branch c_par v_read t_read delay rate refr g_min g_max w_lo w_hi mode=vg|node seed\n"
            "  rtol atol rtol_tight                         memsnn CVODE tolerances\n"
            "  integrator=bdf|rosenbrock                    memsnn's integrator at rtol (the tight run is BDF)\n"
            "  sp_reltol sp_abstol sp_vntol sp_chgtol sp_tmax sp_trtol sp_method sp_reltol_tight sp_tmax_tight edge gain\n"
            "  reps sp_reps variants=both|dendritic|point memsnn_only=1 trace=J out=DIR ngspice=PATH\n"
            "  p:NAME=VALUE  parameter of the neuron circuit (p:soma.V_th=0.5; p:d.X sets X of every dendrite)\n");
    exit(2);
}

static void cfg_parse(cfg *c, int argc, char **argv)
{
    for (int a = 1; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq) usage();
        *eq = 0;
        const char *k = argv[a], *v = eq + 1;
        double x = atof(v);
#define D(name) else if (strcmp(k, #name) == 0) c->name = x
#define I(name) else if (strcmp(k, #name) == 0) c->name = (int)x
        if (strncmp(k, "p:", 2) == 0) {
            if (c->n_ovr == MAX_OVR) die("too many p: overrides");
            c->ovr_name[c->n_ovr] = k + 2;
            c->ovr_val[c->n_ovr++] = x;
        }
        I(n_in); I(n); I(branches); D(T); D(r_branch); D(c_par); D(v_read); D(t_read); D(delay); D(rate); D(refr);
        D(g_min); D(g_max); D(w_lo); D(w_hi); D(rtol); D(atol); D(rtol_tight);
        D(sp_reltol); D(sp_abstol); D(sp_vntol); D(sp_chgtol); D(sp_tmax); D(sp_trtol);
        D(sp_reltol_tight); D(sp_tmax_tight); D(edge); D(gain); I(reps); I(sp_reps); I(memsnn_only); I(trace);
        else if (strcmp(k, "seed") == 0) c->seed = strtoull(v, NULL, 10);
        else if (strcmp(k, "mode") == 0 && (strcmp(v, "vg") == 0 || strcmp(v, "node") == 0)) c->vg = v[0] == 'v';
        else if (strcmp(k, "sp_method") == 0) c->sp_method = v;
        else if (strcmp(k, "integrator") == 0 && strcmp(v, "bdf") == 0) c->integrator = MS_ODE_BDF;
        else if (strcmp(k, "integrator") == 0 && strcmp(v, "rosenbrock") == 0) c->integrator = MS_ODE_ROSENBROCK;
        else if (strcmp(k, "out") == 0) c->out = v;
        else if (strcmp(k, "ngspice") == 0) c->ngspice = v;
        else if (strcmp(k, "variants") == 0 && strcmp(v, "dendritic") == 0) c->variants = 1;
        else if (strcmp(k, "variants") == 0 && strcmp(v, "point") == 0) c->variants = 2;
        else if (strcmp(k, "variants") == 0 && strcmp(v, "both") == 0) c->variants = 3;
        else usage();
#undef D
#undef I
    }
    if (c->n_in < 1 || c->n < 1 || c->branches < 1 || c->n_in % c->branches)
        die("n_in = %d must be a positive multiple of branches = %d", c->n_in, c->branches);
    if (c->reps < 1) c->reps = 1;
}

/* ---- the layer: inputs, wiring, conductances ---------------------------------------------- */


double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* CPU time (user + system) of the finished children so far. */
double child_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec + ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec;
}

/* Inputs: a Poisson process of `rate` with dead time `refr` after each spike (so one row's
 * pulses never overlap), the last pulse ending at least 2 us before T. Wiring: a random
 * permutation of the inputs per neuron, cut into B branches. Conductances: a signed weight
 * w uniform in [w_lo, w_hi] becomes G+ = g_min + max(w, 0)(g_max - g_min),
 * G- = g_min + max(-w, 0)(g_max - g_min). All streams are memsnn's (seed, index, USER). */
static void layer_build(const cfg *c, layer *L)
{
    L->n_in = c->n_in;
    L->n = c->n;
    L->B = c->branches;
    size_t cap = 1024, nt = 0;
    L->off = malloc((c->n_in + 1) * sizeof *L->off);
    L->times = malloc(cap * sizeof *L->times);
    for (int i = 0; i < c->n_in; i++) {
        ms_rng r;
        ms_rng_init(&r, c->seed, (uint64_t)i, MS_RNG_USER);
        L->off[i] = nt;
        double t = 0.2e-6 * ms_rng_uniform(&r);
        for (;;) {
            t += ms_rng_exponential(&r, c->rate);
            if (t + c->delay + c->t_read > c->T - 2e-6) break;
            if (nt == cap) L->times = realloc(L->times, (cap *= 2) * sizeof *L->times);
            L->times[nt++] = t;
            t += c->refr;
        }
    }
    L->off[c->n_in] = nt;
    size_t nw = (size_t)c->n * c->n_in;
    L->branch = malloc(nw * sizeof *L->branch);
    L->gp = malloc(nw * sizeof *L->gp);
    L->gn = malloc(nw * sizeof *L->gn);
    int per = c->n_in / c->branches;
    int perm[c->n_in];
    for (int j = 0; j < c->n; j++) {
        ms_rng r;
        ms_rng_init(&r, c->seed, 100000u + (uint64_t)j, MS_RNG_USER);
        for (int i = 0; i < c->n_in; i++) perm[i] = i;
        for (int i = c->n_in - 1; i > 0; i--) {
            int k = (int)(ms_rng_uniform(&r) * (i + 1));
            if (k > i) k = i;
            int t = perm[i];
            perm[i] = perm[k];
            perm[k] = t;
        }
        for (int k = 0; k < c->n_in; k++) L->branch[(size_t)j * c->n_in + perm[k]] = k / per;
        for (int i = 0; i < c->n_in; i++) {
            double w = c->w_lo + (c->w_hi - c->w_lo) * ms_rng_uniform(&r);
            L->gp[(size_t)j * c->n_in + i] = c->g_min + fmax(w, 0) * (c->g_max - c->g_min);
            L->gn[(size_t)j * c->n_in + i] = c->g_min + fmax(-w, 0) * (c->g_max - c->g_min);
        }
    }
}

/* ---- memsnn ------------------------------------------------------------------------------- */

const char *const e_name[N_E] = { "synapse_read", "dendrite", "soma", "load", "source", "li_metric" };
const int e_class[N_E] = { MS_E_SYNAPSE_READ, MS_E_DENDRITE, MS_E_SOMA, MS_E_LOAD, MS_E_SOURCE, MS_E_METRIC_LI };



typedef struct mrun {
    spikes sp;
    double E[N_E];
    double loop_s, loop_cpu_s;
    nparams P;
    ms_net_stats stats;
    size_t n_tr;      /* trace of neuron cfg.trace (trace run only): t, v_soma, soma.s       */
    double *tr_t, *tr_v, *tr_s;
} mrun;

static void spikes_from_list(spikes *s, int n, const size_t *ids, const double *t, size_t ns)
{
    s->n = n;
    s->off = calloc(n + 1, sizeof *s->off);
    s->t = malloc((ns ? ns : 1) * sizeof *s->t);
    s->slope = NULL;
    for (size_t k = 0; k < ns; k++) s->off[ids[k] + 1]++;
    for (int j = 0; j < n; j++) s->off[j + 1] += s->off[j];
    size_t fill[n];
    for (int j = 0; j < n; j++) fill[j] = s->off[j];
    for (size_t k = 0; k < ns; k++) s->t[fill[ids[k]]++] = t[k];   /* ids sorted by time */
}

void spikes_free(spikes *s)
{
    free(s->off);
    free(s->t);
    free(s->slope);
}

#define CHK(call)                                                                            \
    do {                                                                                     \
        if ((call) != MS_OK) die("%s: %s", #call, ms_net_errmsg(net));                      \
    } while (0)

static double get1(ms_net *net, int pop, const char *name)
{
    size_t n = ms_net_pop_size(net, pop);
    double v[n];
    if (ms_net_get_param(net, pop, name, v) != MS_OK) die("parameter %s: %s", name, ms_net_errmsg(net));
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0]) die("parameter %s differs between units (variation is not supported here)", name);
    return v[0];
}

static void run_memsnn(const cfg *c, const layer *L, const ms_registry *reg, int dendrites, int integrator,
                       double rtol, double atol, int trace, mrun *out)
{
    out->n_tr = 0;
    out->tr_t = out->tr_v = out->tr_s = NULL;
    ms_net_opts o;
    ms_net_opts_default(&o);
    o.method = MS_METHOD_CVODE;
    o.rtol = rtol;
    o.atol = atol;
    o.integrator = integrator;
    o.threads = 1;
    o.seed = c->seed;
    ms_net *net;
    ms_error err;
    if (ms_net_create(reg, &o, &net, &err) != MS_OK) die("ms_net_create: %s", err.msg);
    int src, pop;
    CHK(ms_net_add_population(net, "spike_source", (size_t)c->n_in, "in", -1, &src));
    CHK(ms_net_set_spike_times(net, src, L->off, L->times));
    CHK(ms_net_finish_population(net, src));

    ms_dendritic_opts dopt;
    ms_dendritic_opts_default(&dopt);
    dopt.branches = c->branches;
    dopt.dendrites = dendrites;
    dopt.r_branch_ohm = c->r_branch;
    ms_circuit *ckt;
    ms_model *model;
    char msg[512];
    if (ms_circuit_dendritic(&dopt, &ckt, msg, sizeof msg) ||
        (c->c_par >= 0 && ms_circuit_set_c_par(ckt, c->c_par, msg, sizeof msg)) ||
        ms_circuit_compile(ckt, &model, msg, sizeof msg))
        die("circuit: %s", msg);
    ms_circuit_free(ckt);
    CHK(ms_net_add_population_model(net, model, ms_circuit_model_free, (size_t)c->n, "layer", -1, &pop));
    for (int k = 0; k < c->n_ovr; k++) {
        const char *nm = c->ovr_name[k];
        if (strncmp(nm, "d.", 2) == 0) {
            if (!dendrites) continue;
            for (int b = 1; b <= c->branches; b++) {
                char full[64];
                snprintf(full, sizeof full, "d%d.%s", b, nm + 2);
                CHK(ms_net_set_param(net, pop, full, &c->ovr_val[k], 1));
            }
        } else if (strncmp(nm, "r.", 2) == 0) {
            if (!dendrites) continue;
            for (int b = 1; b <= c->branches; b++) {
                char full[64];
                snprintf(full, sizeof full, "r%d.%s", b, nm + 2);
                CHK(ms_net_set_param(net, pop, full, &c->ovr_val[k], 1));
            }
        } else {
            CHK(ms_net_set_param(net, pop, nm, &c->ovr_val[k], 1));
        }
    }
    CHK(ms_net_finish_population(net, pop));

    ms_device_syn_opts so = { .v_read = c->v_read, .t_read = c->t_read, .virtual_ground = c->vg, .e_driver = 0 };
    size_t nmax = (size_t)c->n * c->n_in;
    size_t *pre = malloc(nmax * sizeof *pre), *post = malloc(nmax * sizeof *post);
    double *gp = malloc(nmax * sizeof *gp), *gn = malloc(nmax * sizeof *gn);
    for (int b = 0; b < c->branches; b++) {
        size_t m = 0;
        for (int j = 0; j < c->n; j++)
            for (int i = 0; i < c->n_in; i++)
                if (L->branch[(size_t)j * c->n_in + i] == b) {
                    pre[m] = (size_t)i;
                    post[m] = (size_t)j;
                    m++;
                }
        char port[16];
        snprintf(port, sizeof port, "b%d", b + 1);
        ms_connect_spec cs = { .pre = src, .post = pop,
                               .rule = { .kind = MS_RULE_FROM_LIST, .pre = pre, .post = post, .n_list = m },
                               .weight = { .kind = MS_VALUE_CONSTANT, .constant = 0.0 },
                               .delay = { .kind = MS_VALUE_CONSTANT, .constant = c->delay },
                               .port = port, .synapse = "static" };
        int proj;
        CHK(ms_net_connect(net, &cs, &proj));
        size_t ns = ms_net_proj_size(net, proj);
        if (ns != m) die("projection %d holds %zu synapses, expected %zu", proj, ns, m);
        /* storage order: by presynaptic unit, then creation order */
        CHK(ms_net_proj_synapses(net, proj, pre, post, NULL, NULL));
        for (size_t k = 0; k < ns; k++) {
            size_t w = post[k] * c->n_in + pre[k];
            gp[k] = L->gp[w];
            gn[k] = L->gn[w];
        }
        CHK(ms_net_proj_set_devices(net, proj, &so, gp, gn, NULL, NULL, NULL));
    }
    free(pre);
    free(post);
    free(gp);
    free(gn);
    CHK(ms_net_record_spikes(net, pop));
    int rec_v = -1, rec_s = -1;
    if (trace >= 0) {
        size_t id = (size_t)trace;
        CHK(ms_net_record_state(net, pop, "v_soma", &id, 1, 1e-9, &rec_v));
        CHK(ms_net_record_state(net, pop, "soma.s", &id, 1, 1e-9, &rec_s));
    }

    double t0 = now_s(), c0 = cpu_s();
    CHK(ms_net_run(net, c->T));
    out->loop_s = now_s() - t0;
    out->loop_cpu_s = cpu_s() - c0;

    const size_t *ids;
    const double *ts;
    size_t ns;
    CHK(ms_net_spikes(net, pop, &ids, &ts, &ns));
    spikes_from_list(&out->sp, c->n, ids, ts, ns);
    ms_pop_energy pe;
    CHK(ms_net_pop_energy(net, pop, &pe));
    for (int k = 0; k < N_E; k++) out->E[k] = pe.by_class[e_class[k]];
    ms_net_get_stats(net, &out->stats);
    if (trace >= 0) {
        const double *tt, *vv;
        const size_t *tid;
        size_t nsm, nid;
        CHK(ms_net_trace(net, rec_v, &tt, &vv, &nsm, &tid, &nid));
        out->n_tr = nsm;
        out->tr_t = malloc(nsm * sizeof(double));
        out->tr_v = malloc(nsm * sizeof(double));
        out->tr_s = malloc(nsm * sizeof(double));
        memcpy(out->tr_t, tt, nsm * sizeof(double));
        memcpy(out->tr_v, vv, nsm * sizeof(double));
        CHK(ms_net_trace(net, rec_s, &tt, &vv, &nsm, &tid, &nid));
        memcpy(out->tr_s, vv, nsm * sizeof(double));
    }

    nparams *P = &out->P;
    P->s_vth = get1(net, pop, "soma.V_th");
    P->s_vhold = get1(net, pop, "soma.V_hold");
    P->s_ron = get1(net, pop, "soma.R_on");
    P->s_roff = get1(net, pop, "soma.R_off");
    P->s_c = get1(net, pop, "soma.C");
    P->s_taus = get1(net, pop, "soma.tau_s");
    /* C_par exists only when the circuit has a parasitic capacitance (> 0); without it the
     * nodes that have no capacitance are algebraic (solved at every evaluation). */
    P->c_par = 0;
    const ms_model *pm = ms_net_pop_model(net, pop);
    for (size_t k = 0; k < pm->n_params; k++)
        if (strcmp(pm->params[k].name, "C_par") == 0) P->c_par = get1(net, pop, "C_par");
    P->v_app = get1(net, pop, "V_applied");
    if (dendrites) {
        const char *dn[6] = { "G_on", "G_off", "V_th", "dV", "tau_on", "tau_off" };
        double *dst[6] = { &P->d_gon, &P->d_goff, &P->d_vth, &P->d_dv, &P->d_tauon, &P->d_tauoff };
        for (int q = 0; q < 6; q++) {
            char full[64];
            snprintf(full, sizeof full, "d1.%s", dn[q]);
            *dst[q] = get1(net, pop, full);
            for (int b = 2; b <= c->branches; b++) {
                snprintf(full, sizeof full, "d%d.%s", b, dn[q]);
                if (get1(net, pop, full) != *dst[q]) die("dendrites with different %s are not supported here", dn[q]);
            }
        }
        char full[64];
        snprintf(full, sizeof full, "r1.R");
        P->r_branch = dopt.r_branch_ohm > 0 ? get1(net, pop, full) : 0;
        for (int b = 2; b <= c->branches && P->r_branch > 0; b++) {
            snprintf(full, sizeof full, "r%d.R", b);
            if (get1(net, pop, full) != P->r_branch) die("branch leaks differ between branches");
        }
    }
    ms_net_destroy(net);
}

/* ---- comparison and report ------------------------------------------------------------------ */

static void say(const char *fmt, ...);

typedef struct cmp {
    int count_equal;        /* neurons with identical spike counts                            */
    size_t n_a, n_b;        /* total spikes                                                   */
    double max_dt, mean_dt; /* over matched pairs (in order, per neuron)                      */
    int min_count, max_count;
} cmp;

static cmp compare_spikes(const spikes *a, const spikes *b)
{
    cmp r = { 0 };
    r.min_count = 1 << 30;
    size_t m = 0;
    double sum = 0;
    for (int j = 0; j < a->n; j++) {
        size_t na = a->off[j + 1] - a->off[j], nb = b->off[j + 1] - b->off[j];
        r.n_a += na;
        r.n_b += nb;
        if (na == nb) r.count_equal++;
        if ((int)na < r.min_count) r.min_count = (int)na;
        if ((int)na > r.max_count) r.max_count = (int)na;
        size_t mm = na < nb ? na : nb;
        for (size_t k = 0; k < mm; k++) {
            double d = fabs(a->t[a->off[j] + k] - b->t[b->off[j] + k]);
            if (d > r.max_dt) r.max_dt = d;
            sum += d;
            m++;
        }
    }
    r.mean_dt = m ? sum / m : 0;
    return r;
}

/* The k largest spike-time differences between a and b (matched in order), with the third
 * run's time of the same spike for context. */
static void worst_spikes(const spikes *a, const spikes *b, const spikes *c3, int k, void (*out)(const char *, ...))
{
    int bj[k], bi[k];
    double bd[k];
    for (int q = 0; q < k; q++) bd[q] = -1, bj[q] = bi[q] = -1;
    for (int j = 0; j < a->n; j++) {
        size_t na = a->off[j + 1] - a->off[j], nb = b->off[j + 1] - b->off[j];
        size_t mm = na < nb ? na : nb;
        for (size_t i = 0; i < mm; i++) {
            double d = fabs(a->t[a->off[j] + i] - b->t[b->off[j] + i]);
            int q = k - 1;
            if (d <= bd[q]) continue;
            while (q > 0 && d > bd[q - 1]) {
                bd[q] = bd[q - 1], bj[q] = bj[q - 1], bi[q] = bi[q - 1];
                q--;
            }
            bd[q] = d, bj[q] = j, bi[q] = (int)i;
        }
    }
    for (int q = 0; q < k && bj[q] >= 0; q++) {
        int j = bj[q], i = bi[q];
        double t3 = c3 && c3->off[j] + i < c3->off[j + 1] ? c3->t[c3->off[j] + i] : NAN;
        double sl = b->slope ? b->slope[b->off[j] + i] : NAN;
        out("  neuron %d spike %d: memsnn %.6f us, ngspice %.6f us (%+.3f ns), tight %.6f us; soma approaches V_th at "
            "%.3g V/us, so the difference is %.2g V of soma voltage\n",
            j, i + 1, a->t[a->off[j] + i] * 1e6, b->t[b->off[j] + i] * 1e6,
            (b->t[b->off[j] + i] - a->t[a->off[j] + i]) * 1e9, t3 * 1e6, sl * 1e-6, sl * bd[q]);
    }
}

/* trace=J: memsnn's soma voltage and s of neuron J every 1 ns beside ngspice's (linear
 * interpolation between its time points), in OUT/trace_<variant>.csv. */
static void write_trace(const cfg *c, const layer *L, const ms_registry *reg, int dendrites, const raw *R,
                        const char *vn)
{
    mrun T;
    run_memsnn(c, L, reg, dendrites, c->integrator, c->rtol, c->atol, c->trace, &T);
    char path[1024];
    snprintf(path, sizeof path, "%s/trace_%s.csv", c->out, vn);
    FILE *f = fopen(path, "w");
    if (!f) die("cannot write %s", path);
    int it = raw_col(R, "time"), iv = raw_col(R, "v(s%d)", c->trace);
    int zero = !(T.P.s_taus > 0), ix = raw_col(R, zero ? "v(m%d)" : "v(x%d)", c->trace);
    double m_on = SW_RM / (SW_RM + SW_RON), m_off = SW_RM / (SW_RM + SW_ROFF);
    fprintf(f, "t,v_memsnn,v_ngspice,s_memsnn,s_ngspice\n");
    size_t k = 1;
    for (size_t q = 0; q < T.n_tr; q++) {
        double t = T.tr_t[q];
        while (k + 1 < R->np && R->d[k * R->nv + it] < t) k++;
        const double *a = R->d + (k - 1) * R->nv, *b = R->d + k * R->nv;
        double u = b[it] > a[it] ? (t - a[it]) / (b[it] - a[it]) : 1.0;
        double x = a[ix] + u * (b[ix] - a[ix]);
        fprintf(f, "%.12g,%.12g,%.12g,%.12g,%.12g\n", t, T.tr_v[q], a[iv] + u * (b[iv] - a[iv]), T.tr_s[q],
                zero ? (x - m_off) / (m_on - m_off) : x - 1.0);
    }
    fclose(f);
    free(T.tr_t);
    free(T.tr_v);
    free(T.tr_s);
    spikes_free(&T.sp);
    say("trace of neuron %d: %s\n", c->trace, path);
}

static double median(double *x, int n)
{
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && x[k] < x[k - 1]; k--) {
            double t = x[k];
            x[k] = x[k - 1];
            x[k - 1] = t;
        }
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static FILE *report;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (report) {
        va_start(ap, fmt);
        vfprintf(report, fmt, ap);
        va_end(ap);
    }
    fflush(stdout);
}

static int run_variant(const cfg *c, const layer *L, const ms_registry *reg, int dendrites)
{
    const char *vn = dendrites ? "dendritic" : "point";
    /* memsnn: timing repetitions, then a run at a tight tolerance */
    mrun mr[c->reps];
    double loops[c->reps], loops_cpu[c->reps];
    for (int r = 0; r < c->reps; r++) {
        run_memsnn(c, L, reg, dendrites, c->integrator, c->rtol, c->atol, -1, &mr[r]);
        loops[r] = mr[r].loop_s;
        loops_cpu[r] = mr[r].loop_cpu_s;
        if (r) spikes_free(&mr[r].sp);
    }
    mrun *M = &mr[0];
    double m_loop = median(loops, c->reps), m_loop_cpu = median(loops_cpu, c->reps);
    mrun MT;
    /* memsnn's own tight reference is always BDF, whatever the run under test uses */
    run_memsnn(c, L, reg, dendrites, MS_ODE_BDF, c->rtol_tight, c->rtol_tight, -1, &MT);
    cmp mm = compare_spikes(&M->sp, &MT.sp);

    say("\n### %s layer (%s synapses)\n\n", dendrites ? "Dendritic" : "Point-neuron control",
        c->vg ? "virtual-ground" : "node-mode");
    say("memsnn: %zu spikes, %d..%d per neuron, loop %.4f s wall, %.4f s CPU (medians of %d), "
        "%llu CVODE steps, %llu rhs, %llu reinits\n",
        mm.n_a, mm.min_count, mm.max_count, m_loop, m_loop_cpu, c->reps, (unsigned long long)M->stats.ode_steps,
        (unsigned long long)M->stats.ode_rhs, (unsigned long long)M->stats.ode_reinits);
    {
        int spiking = 0;
        for (int j = 0; j < c->n; j++) spiking += M->sp.off[j + 1] > M->sp.off[j];
        say("  (%d of %d neurons spike)\n", spiking, c->n);
    }
    say("memsnn rtol=atol=%g vs rtol=atol=%g: counts equal in %d/%d neurons, max |dt| %.3g s\n", c->rtol,
        c->rtol_tight, mm.count_equal, c->n, mm.max_dt);
    {
        const nparams *P = &M->P;
        say("circuit: soma V_th %g V, V_hold %g V, R_on %g, R_off %g ohm, C %g F, tau_s %g s", P->s_vth, P->s_vhold,
            P->s_ron, P->s_roff, P->s_c, P->s_taus);
        if (dendrites)
            say("; dendrites G_on %g, G_off %g S, V_th %g, dV %g V, tau_on %g, tau_off %g s; R_branch %g ohm; C_par %g F%s",
                P->d_gon, P->d_goff, P->d_vth, P->d_dv, P->d_tauon, P->d_tauoff, P->r_branch, P->c_par,
                P->c_par > 0 ? "" : " (branch nodes algebraic)");
        say("\n");
    }
    say("memsnn energies (J):");
    for (int k = 0; k < N_E; k++) say(" %s %.6e", e_name[k], M->E[k]);
    say("\n");
    if (c->memsnn_only) {
        for (int j = 0; j < c->n; j++) {
            say("  neuron %2d:", j);
            for (size_t k = M->sp.off[j]; k < M->sp.off[j + 1]; k++) say(" %.4f", M->sp.t[k] * 1e6);
            say(" us\n");
        }
        spikes_free(&M->sp);
        spikes_free(&MT.sp);
        return 0;
    }

    /* ngspice: the comparison run, a tight run (its own convergence), optional timing runs */
    char cir[1024], rawp[1024], logp[1024];
    sp_tol tol = { c->sp_reltol, c->sp_abstol, c->sp_vntol, c->sp_chgtol, c->sp_tmax, c->sp_trtol, c->sp_method };
    sp_tol tight = tol;
    tight.reltol = c->sp_reltol_tight;
    tight.tmax = c->sp_tmax_tight;
    tight.vntol = c->sp_vntol * 1e-2;
    tight.abstol = c->sp_abstol * 1e-2;
    srun S, ST;
    raw R;

    snprintf(cir, sizeof cir, "%s/%s.cir", c->out, vn);
    snprintf(rawp, sizeof rawp, "%s/%s.raw", c->out, vn);
    snprintf(logp, sizeof logp, "%s/%s.log", c->out, vn);
    write_netlist(cir, c, L, dendrites, &M->P, &tol, 1);
    run_ngspice(c, cir, rawp, logp, &S);
    raw_read(rawp, &R);
    analyse(c, L, dendrites, &M->P, &R, 1, &S);
    if (c->trace >= 0 && c->trace < c->n) write_trace(c, L, reg, dendrites, &R, vn);
    raw_free(&R);
    remove(rawp);

    snprintf(cir, sizeof cir, "%s/%s_tight.cir", c->out, vn);
    snprintf(rawp, sizeof rawp, "%s/%s_tight.raw", c->out, vn);
    snprintf(logp, sizeof logp, "%s/%s_tight.log", c->out, vn);
    write_netlist(cir, c, L, dendrites, &M->P, &tight, 1);
    run_ngspice(c, cir, rawp, logp, &ST);
    raw_read(rawp, &R);
    analyse(c, L, dendrites, &M->P, &R, 1, &ST);
    raw_free(&R);
    remove(rawp);

    /* Timing: the comparison run's own analysis time, or (sp_reps > 0) the median of runs
     * that save only the phases. */
    int nr = c->sp_reps > 0 ? c->sp_reps : 1;
    double an[nr], wall[nr], cpu[nr];
    an[0] = S.analysis_s;
    wall[0] = S.wall_s;
    cpu[0] = S.cpu_s;
    cmp tm = { 0 };
    if (c->sp_reps > 0) {
        snprintf(cir, sizeof cir, "%s/%s_timing.cir", c->out, vn);
        snprintf(rawp, sizeof rawp, "%s/%s_timing.raw", c->out, vn);
        snprintf(logp, sizeof logp, "%s/%s_timing.log", c->out, vn);
        write_netlist(cir, c, L, dendrites, &M->P, &tol, 0);
        for (int r = 0; r < nr; r++) {
            srun SM;
            run_ngspice(c, cir, rawp, logp, &SM);
            raw_read(rawp, &R);
            analyse(c, L, dendrites, &M->P, &R, 0, &SM);
            raw_free(&R);
            an[r] = SM.analysis_s;
            wall[r] = SM.wall_s;
            cpu[r] = SM.cpu_s;
            if (r == 0) tm = compare_spikes(&S.sp, &SM.sp);
            spikes_free(&SM.sp);
        }
        remove(rawp);
    }
    double sp_an = median(an, nr), sp_wall = median(wall, nr), sp_cpu = median(cpu, nr);

    cmp ms = compare_spikes(&M->sp, &S.sp), st = compare_spikes(&S.sp, &ST.sp), mt = compare_spikes(&M->sp, &ST.sp);
    cmp mtt = compare_spikes(&MT.sp, &ST.sp);
    double lim = fmax(1e-3 * c->T, 20e-9);
    say("ngspice (reltol %g, tmax %g s, %s): %zu points, analysis %.3f s, process %.3f s wall, %.3f s CPU\n",
        tol.reltol, tol.tmax, tol.method, S.points, S.analysis_s, S.wall_s, S.cpu_s);
    say("ngspice tight (reltol %g, tmax %g s): %zu points, analysis %.3f s\n", tight.reltol, tight.tmax, ST.points,
        ST.analysis_s);
    if (c->sp_reps > 0)
        say("ngspice timing runs (only the phases saved): analysis %.3f s, wall %.3f s (median of %d); "
            "same spike counts as the full run in %d/%d neurons, max |dt| %.2g ns (flip time point, not interpolated)\n",
            sp_an, sp_wall, nr, tm.count_equal, c->n, tm.max_dt * 1e9);
    say("\n| quantity | memsnn | ngspice | ngspice tight | memsnn vs ngspice | memsnn vs tight | ngspice vs tight |\n");
    say("|---|---|---|---|---|---|---|\n");
    say("| spikes (total) | %zu | %zu | %zu | counts equal in %d/%d neurons | %d/%d | %d/%d |\n", ms.n_a, ms.n_b, st.n_b,
        ms.count_equal, c->n, mt.count_equal, c->n, st.count_equal, c->n);
    say("| max spike-time difference | | | | %.3g ns | %.3g ns | %.3g ns |\n", ms.max_dt * 1e9, mt.max_dt * 1e9,
        st.max_dt * 1e9);
    say("| mean spike-time difference | | | | %.3g ns | %.3g ns | %.3g ns |\n", ms.mean_dt * 1e9, mt.mean_dt * 1e9,
        st.mean_dt * 1e9);
    int e_ok = 1;
    for (int k = 0; k < N_E; k++) {
        if (!dendrites && (k == E_DEND || k == E_LOAD)) continue;
        double rel = M->E[k] != 0 ? (S.E[k] - M->E[k]) / fabs(M->E[k]) : 0;
        double relt = M->E[k] != 0 ? (ST.E[k] - M->E[k]) / fabs(M->E[k]) : 0;
        double rst = S.E[k] != 0 ? (ST.E[k] - S.E[k]) / fabs(S.E[k]) : 0;
        if (fabs(rel) > 0.01) e_ok = 0;
        say("| energy %s (J) | %.6e | %.6e | %.6e | %+.2e | %+.2e | %+.2e |\n", e_name[k], M->E[k], S.E[k], ST.E[k], rel,
            relt, rst);
    }
    say("| time (s) | %.4f (loop) | %.3f (analysis) | %.3f | ngspice / memsnn = %.0f | | |\n", m_loop, sp_an,
        ST.analysis_s, sp_an / m_loop);
    say("| CPU time (s) | %.4f (loop) | %.3f (process) | %.3f | ngspice / memsnn = %.0f | | |\n", m_loop_cpu, sp_cpu,
        ST.cpu_s, sp_cpu / m_loop_cpu);
    say("\nmemsnn at rtol=atol=%g vs ngspice tight: max |dt| %.3g ns, mean %.3g ns. memsnn rtol=atol=%g vs %g: max "
        "|dt| %.3g ns. Expected ngspice - memsnn from the %g s pulse edges: the terms quadratic in the drive (the fixed "
        "part of synapse_read, and the dendrite and load while a pulse rises or falls) lose between 0 and edge/3 per "
        "edge, i.e. up to %.2e of synapse_read.\n",
        c->rtol_tight, mtt.max_dt * 1e9, mtt.mean_dt * 1e9, c->rtol, c->rtol_tight, mm.max_dt * 1e9, c->edge,
        -c->edge / (3 * c->t_read));
    say("largest spike-time differences memsnn vs ngspice:\n");
    worst_spikes(&M->sp, &S.sp, &ST.sp, 5, say);
    int ok = ms.count_equal == c->n && ms.max_dt <= lim && e_ok;
    say("verdict: %s (counts identical: %s; max |dt| %.3g ns <= %.3g ns: %s; energies within 1 %%: %s); "
        "speed ratio ngspice/memsnn %.0fx (CPU; %.0fx analysis over loop wall time)\n",
        ok ? "AGREE" : "DISAGREE", ms.count_equal == c->n ? "yes" : "no", ms.max_dt * 1e9, lim * 1e9,
        ms.max_dt <= lim ? "yes" : "no", e_ok ? "yes" : "no", sp_cpu / m_loop_cpu, sp_an / m_loop);
    spikes_free(&M->sp);
    spikes_free(&MT.sp);
    spikes_free(&S.sp);
    spikes_free(&ST.sp);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    cfg c;
    cfg_default(&c);
    cfg_parse(&c, argc, argv);
    if (mkdir(c.out, 0777) != 0 && errno != EEXIST) die("cannot create %s: %s", c.out, strerror(errno));
    char rp[1024];
    snprintf(rp, sizeof rp, "%s/results.md", c.out);
    if (!c.memsnn_only) report = fopen(rp, "w");

    ms_registry *reg;
    ms_error err;
    if (ms_registry_create(&reg, &err) != MS_OK || ms_neurons_register(reg, &err) != MS_OK) die("registry: %s", err.msg);
    layer L;
    layer_build(&c, &L);
    size_t n_pulses = L.off[c.n_in];
    say("## memsnn vs ngspice: %d inputs -> %d neurons x %d branches, %s synapses\n\n", c.n_in, c.n, c.branches,
        c.vg ? "virtual-ground" : "node-mode");
    say("T = %g s, %zu input spikes (%.1f per input), read pulses %g V x %g s after a %g s delay, "
        "G+/G- in [%g, %g] S (w in [%g, %g]), seed %llu\n",
        c.T, n_pulses, (double)n_pulses / c.n_in, c.v_read, c.t_read, c.delay, c.g_min, c.g_max, c.w_lo, c.w_hi,
        (unsigned long long)c.seed);
    say("memsnn: cvode (%s), rtol = atol = %g (tight: %g, bdf), 1 thread; ngspice: reltol %g abstol %g vntol %g chgtol %g "
        "trtol %g method %s tmax %g s (tight: reltol %g tmax %g s, abstol and vntol / 100); PWL edges %g s; "
        "comparator gain %g\n",
        c.integrator == MS_ODE_ROSENBROCK ? "rosenbrock" : "bdf", c.rtol, c.rtol_tight, c.sp_reltol, c.sp_abstol, c.sp_vntol, c.sp_chgtol, c.sp_trtol, c.sp_method, c.sp_tmax,
        c.sp_reltol_tight, c.sp_tmax_tight, c.edge, c.gain);
    if (c.n_ovr) {
        say("parameter overrides:");
        for (int k = 0; k < c.n_ovr; k++) say(" %s=%g", c.ovr_name[k], c.ovr_val[k]);
        say("\n");
    }
    int bad = 0;
    if (c.variants & 1) bad |= run_variant(&c, &L, reg, 1);
    if (c.variants & 2) bad |= run_variant(&c, &L, reg, 0);
    ms_registry_destroy(reg);
    if (report) {
        fclose(report);
        printf("\nreport: %s\n", rp);
    }
    return bad;
}
