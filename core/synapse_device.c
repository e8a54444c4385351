/* core/synapse_device.c: device synapses (synapse = "rram"): each synapse of a projection
 * is a memristor pair (or one device) of a crossbar column whose conductances hold the
 * weight. A presynaptic spike becomes a read pulse on its row: the target unit receives
 * the drive current (G+ - G-) V_read at the pulse's start and loses it at its end, and the
 * ledger books the pulse's fixed part of the read energy at once. The column's standing
 * load on the node (node mode) is told to the model once, at the first run (attach).
 * The equations and the energy split: docs/circuits.md ("Synapses"), docs/energy.md. */
#include "core/net_impl.h"

#include "core/ms_rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void msi_devices_free(ms_proj *q)
{
    free(q->g_pos);
    free(q->g_neg);
    free(q->x_pos);
    free(q->x_neg);
    free(q->row_gain);
    free(q->n_reads);
    q->g_pos = q->g_neg = q->x_pos = q->x_neg = q->row_gain = NULL;
    q->n_reads = NULL;
}

ms_status ms_net_proj_set_devices(ms_net *net, int proj, const ms_device_syn_opts *o,
                                  const double *g_pos, const double *g_neg, const double *x_pos,
                                  const double *x_neg, const double *w_real)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "connect: no projection with id %d", proj);
    if (net->frozen)
        return msi_net_fail(net, MS_ESTATE, "connect: device synapses are set before the first run");
    ms_proj *q = &net->projs[proj];
    const ms_model *m = net->pops[q->post].model;
    if (!m->attach)
        return msi_net_fail(net, MS_EINVAL, "connect: model %s takes no device synapses (synapse = \"rram\" needs a circuit model)",
                            m->name);
    if (!(o->v_read > 0 && isfinite(o->v_read)))
        return msi_net_fail(net, MS_EINVAL, "connect: v_read = %g V must be a finite voltage > 0", o->v_read);
    if (!(o->t_read > 0 && isfinite(o->t_read)))
        return msi_net_fail(net, MS_EINVAL, "connect: t_read = %g s must be a finite time > 0", o->t_read);
    if (!(o->e_driver >= 0 && isfinite(o->e_driver)))
        return msi_net_fail(net, MS_EINVAL, "connect: driver energy = %g J must be >= 0", o->e_driver);
    if (o->rectify && !o->virtual_ground)
        return msi_net_fail(net, MS_EINVAL, "connect: rectify needs virtual_ground = true (a node-mode column is the devices themselves)");
    if (!(o->read_noise >= 0 && o->read_noise < 1))
        return msi_net_fail(net, MS_EINVAL, "connect: read_noise = %g must be in [0, 1)", o->read_noise);
    if (!(o->clock >= 0 && isfinite(o->clock)))
        return msi_net_fail(net, MS_EINVAL, "connect: clock = %g s must be >= 0 (0: none)", o->clock);
    if (!(o->p_static >= 0 && isfinite(o->p_static)))
        return msi_net_fail(net, MS_EINVAL, "connect: static power = %g W must be >= 0", o->p_static);
    size_t n = q->n, sz = (n ? n : 1) * sizeof(double);
    for (size_t k = 0; k < n; k++) {
        double gp = g_pos[k], gn = g_neg ? g_neg[k] : 0.0;
        if (!(gp >= 0 && isfinite(gp)) || !(gn >= 0 && isfinite(gn)))
            return msi_net_fail(net, MS_EINVAL, "connect: conductance of synapse %zu is not a finite value >= 0 S", k + 1);
    }
    msi_devices_free(q);
    q->g_pos = malloc(sz);
    q->g_neg = g_neg ? malloc(sz) : NULL;
    q->x_pos = x_pos ? malloc(sz) : NULL;
    q->x_neg = x_neg ? malloc(sz) : NULL;
    if (!q->g_pos || (g_neg && !q->g_neg) || (x_pos && !q->x_pos) || (x_neg && !q->x_neg)) {
        msi_devices_free(q);
        return msi_net_fail(net, MS_ENOMEM, "connect: out of memory for %zu device synapses", n);
    }
    if (n) {
        memcpy(q->g_pos, g_pos, n * sizeof(double));
        if (g_neg) memcpy(q->g_neg, g_neg, n * sizeof(double));
        if (x_pos) memcpy(q->x_pos, x_pos, n * sizeof(double));
        if (x_neg) memcpy(q->x_neg, x_neg, n * sizeof(double));
        if (w_real) memcpy(q->weight, w_real, n * sizeof(double));
    }
    if (o->read_noise > 0 && !(q->n_reads = calloc(n ? n : 1, sizeof *q->n_reads))) {
        msi_devices_free(q);
        return msi_net_fail(net, MS_ENOMEM, "connect: out of memory for %zu device synapses", n);
    }
    if (q->device) net->pops[q->post].p_static -= q->dev.p_static;
    q->dev = *o;
    q->device = 1;
    net->pops[q->post].p_static += o->p_static;
    return MS_OK;
}

ms_status ms_net_proj_set_row_gain(ms_net *net, int proj, const double *gains, size_t n)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "set_row_gain: no projection with id %d", proj);
    ms_proj *q = &net->projs[proj];
    if (!q->device) return msi_net_fail(net, MS_EINVAL, "set_row_gain: the projection has static synapses (use synapse = \"rram\")");
    if (n != 1 && n != q->n_pre)
        return msi_net_fail(net, MS_EINVAL, "set_row_gain: %zu gains, expected 1 or %zu (one per presynaptic unit)", n, q->n_pre);
    for (size_t i = 0; i < n; i++)
        if (!(fabs(gains[i]) <= 1.0))
            return msi_net_fail(net, MS_EINVAL, "set_row_gain: gain %g of row %zu must be in [-1, 1] (v_read is the full scale)",
                                gains[i], i + 1);
    if (!q->row_gain && !(q->row_gain = malloc((q->n_pre ? q->n_pre : 1) * sizeof *q->row_gain)))
        return msi_net_fail(net, MS_ENOMEM, "set_row_gain: out of memory");
    for (size_t i = 0; i < q->n_pre; i++) q->row_gain[i] = gains[n == 1 ? 0 : i];
    return MS_OK;
}

ms_status ms_net_proj_update_devices(ms_net *net, int proj, const double *g_pos, const double *g_neg,
                                     const double *x_pos, const double *x_neg, const double *w_real)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "projection: no projection with id %d", proj);
    ms_proj *q = &net->projs[proj];
    if (!q->device) return msi_net_fail(net, MS_EINVAL, "projection: the projection has static synapses (use synapse = \"rram\")");
    if ((g_neg != NULL) != (q->g_neg != NULL))
        return msi_net_fail(net, MS_EINVAL, "projection: the synapses are %s; the update %s negative devices",
                            q->g_neg ? "differential pairs" : "single devices", g_neg ? "has" : "has no");
    for (size_t k = 0; k < q->n; k++) {
        double gp = g_pos[k], gn = g_neg ? g_neg[k] : 0.0;
        if (!(gp >= 0 && isfinite(gp)) || !(gn >= 0 && isfinite(gn)))
            return msi_net_fail(net, MS_EINVAL, "projection: conductance of synapse %zu is not a finite value >= 0 S", k + 1);
    }
    ms_pop *p = &net->pops[q->post];
    const ms_model *m = p->model;
    double *dg = NULL;
    if (net->frozen && !q->dev.virtual_ground) {
        /* Node mode: the column's standing load on each target node changes with it; the
         * units were attached at the first run, so they learn the difference. */
        if (!(dg = calloc(p->n ? p->n : 1, sizeof *dg))) return msi_net_fail(net, MS_ENOMEM, "projection: out of memory");
        for (size_t k = 0; k < q->n; k++)
            dg[q->target[k]] += g_pos[k] - q->g_pos[k] + (g_neg ? g_neg[k] - q->g_neg[k] : 0.0);
        size_t np = m->n_params;
        double prow[np ? np : 1];
        for (size_t i = 0; i < p->n; i++) {
            if (dg[i] == 0.0) continue;
            for (size_t k = 0; k < np; k++) prow[k] = p->param[k * p->n + i];
            ms_attach a = { .g_column = dg[i], .v_read = q->dev.v_read, .virtual_ground = 0, .rectify = 0 };
            char msg[256];
            if (m->attach(m, q->port, prow, &a, msg, sizeof msg) != 0) {
                free(dg);
                return msi_net_fail(net, MS_EINVAL, "projection: synapses into '%s' unit %zu: %s", p->label, i + 1, msg);
            }
            for (size_t k = 0; k < np; k++) {
                p->param[k * p->n + i] = prow[k];
                if (p->p_rows) p->p_rows[i * np + k] = prow[k];
            }
            if (p->dirty) p->dirty[i] = 1; /* the unit's equations changed: restart its integrator */
        }
        free(dg);
    }
    size_t n = q->n;
    if (n) {
        memcpy(q->g_pos, g_pos, n * sizeof(double));
        if (g_neg) memcpy(q->g_neg, g_neg, n * sizeof(double));
        if (x_pos && q->x_pos) memcpy(q->x_pos, x_pos, n * sizeof(double));
        if (x_neg && q->x_neg) memcpy(q->x_neg, x_neg, n * sizeof(double));
        if (w_real) memcpy(q->weight, w_real, n * sizeof(double));
    }
    return MS_OK;
}

ms_status ms_net_proj_book_write(ms_net *net, int proj, double joules)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "projection: no projection with id %d", proj);
    if (!(joules >= 0 && isfinite(joules)))
        return msi_net_fail(net, MS_EINVAL, "projection: write energy %g J must be a finite value >= 0", joules);
    ms_pop *p = &net->pops[net->projs[proj].post];
    /* dissipated in the devices, supplied by the write drivers */
    p->e_event[MS_E_SYNAPSE_WRITE] += joules;
    p->e_event[MS_E_SOURCE] += joules;
    return MS_OK;
}

ms_status ms_net_proj_devices(ms_net *net, int proj, const double **g_pos, const double **g_neg,
                              const ms_device_syn_opts **o)
{
    if (proj < 0 || (size_t)proj >= net->n_projs)
        return msi_net_fail(net, MS_EINVAL, "projection: no projection with id %d", proj);
    const ms_proj *q = &net->projs[proj];
    *g_pos = q->device ? q->g_pos : NULL;
    *g_neg = q->device ? q->g_neg : NULL;
    if (o) *o = q->device ? &q->dev : NULL;
    return MS_OK;
}

/* At the first run: every target unit learns the total conductance its column of this
 * projection presents (node mode), the read voltage and the mode. */
ms_status msi_devices_attach(ms_net *net)
{
    for (size_t qi = 0; qi < net->n_projs; qi++) {
        const ms_proj *q = &net->projs[qi];
        if (!q->device) continue;
        ms_pop *p = &net->pops[q->post];
        const ms_model *m = p->model;
        if (p->method == MS_METHOD_FIXED)
            return msi_net_fail(net, MS_EINVAL, "run: device synapses into '%s' need an event-driven method (cvode), not fixed",
                                p->label);
        double *g = calloc(p->n, sizeof *g);
        if (!g) return msi_net_fail(net, MS_ENOMEM, "run: out of memory");
        for (size_t k = 0; k < q->n; k++) g[q->target[k]] += q->g_pos[k] + (q->g_neg ? q->g_neg[k] : 0.0);
        size_t np = m->n_params;
        double prow[np ? np : 1];
        for (size_t i = 0; i < p->n; i++) {
            for (size_t k = 0; k < np; k++) prow[k] = p->param[k * p->n + i];
            ms_attach a = { .g_column = g[i], .v_read = q->dev.v_read, .virtual_ground = q->dev.virtual_ground,
                            .rectify = q->dev.rectify };
            char msg[256];
            if (m->attach(m, q->port, prow, &a, msg, sizeof msg) != 0) {
                free(g);
                return msi_net_fail(net, MS_EINVAL, "run: synapses into '%s' unit %zu: %s", p->label, i + 1, msg);
            }
            for (size_t k = 0; k < np; k++) p->param[k * p->n + i] = prow[k];
        }
        free(g);
    }
    return MS_OK;
}

static ms_status push(ms_net *net, ms_pop *tgt, const ms_event *ev)
{
    int64_t slot = (int64_t)floor(ev->t / net->window);
    if (slot <= net->win.w) slot = net->win.w + 1;
    if (msi_evbuf_push(msi_calendar_slot(&tgt->cal, slot), ev))
        return msi_net_fail(net, MS_ENOMEM, "run: out of memory for events in flight");
    return MS_OK;
}

/* One presynaptic spike: a read pulse through each of its synapses. The pulse's fixed part
 * of the read energy, (G+ + G-) V_read^2 t_read, is exact and booked (when the pulse begins)
 * to the class synapse_read and as energy the read drivers supply; the part that depends on
 * the node voltage is integrated by the target unit (docs/energy.md). */
ms_status msi_send_device_pulses(ms_net *net, const ms_spike *s, int qi, const ms_proj *q, ms_pop *tgt,
                                 size_t s0, size_t s1)
{
    const double vr = q->dev.v_read * (q->row_gain ? q->row_gain[s->unit] : 1.0), tr = q->dev.t_read;
    if (vr == 0) return MS_OK; /* a row read at 0 V draws nothing: no events */
    double g_sum = 0;
    for (size_t syn = s0; syn < s1; syn++) {
        double gp = q->g_pos[syn], gn = q->g_neg ? q->g_neg[syn] : 0.0;
        if (q->n_reads) {
            /* Read noise: each device's conductance varies per read, N(1, read_noise), from
             * the synapse's own stream at its read count: reproducible from the seed, the
             * same whatever the threads. */
            ms_rng r;
            ms_rng_init(&r, net->opt.seed, (((uint64_t)qi + 1) << 36) | syn, MS_RNG_READ);
            ms_rng_seek(&r, 4 * (uint64_t)q->n_reads[syn]++);
            gp *= fmax(0.0, 1.0 + q->dev.read_noise * ms_rng_normal(&r));
            gn *= fmax(0.0, 1.0 + q->dev.read_noise * ms_rng_normal(&r));
        }
        g_sum += gp + gn;
        double t_on = s->t + (q->delay ? q->delay[syn] : q->delay0);
        /* Synchronous rows: the pulse starts at the next clock edge, so the pulses of many
         * spikes share their edges and a target restarts its integrator once per edge. */
        if (q->dev.clock > 0) t_on = ceil(t_on / q->dev.clock - 1e-9) * q->dev.clock;
        uint64_t key = ((uint64_t)qi << MS_KEY_PROJ_SHIFT) | syn;
        ms_event on = { .t = t_on, .amount = (gp - gn) * vr, .key = key, .unit = q->target[syn], .port = (uint32_t)q->port };
        ms_event off = on;
        off.t = t_on + tr;
        off.amount = -on.amount;
        ms_status st = push(net, tgt, &on);
        if (!st) st = push(net, tgt, &off);
        if (st) return st;
    }
    /* booked at the start of the spike's first pulse (the projection's shortest delay) */
    double t_book = s->t + q->delay_min;
    if (q->dev.clock > 0) t_book = ceil(t_book / q->dev.clock - 1e-9) * q->dev.clock;
    return msi_energy_pending(net, tgt, t_book, g_sum * vr * vr * tr, q->dev.e_driver);
}
