/* core/engine_event.c: event-driven units (methods exact and cvode) through one window.
 *
 * Each unit takes its inputs from the window's calendar slot, sorted by (unit, time, key),
 * and advances from event to event: in closed form (the model's propagate) or with its own
 * CVODE integrator, stopping exactly at threshold roots and at recording times. Inputs at
 * the same time are applied together, then the integrator restarts once. */
#include "core/net_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CVODE callbacks: model functions with the unit's parameters ------------------------ */

/* A derivative that is not a number (a device evaluated far outside its range) is reported
 * as a recoverable failure, so CVODE retries with a smaller step; if that does not help the
 * run stops with the state named (ms_unit_data.nonfinite) instead of integrating NaN. r is
 * the model's own return; checked also after a recoverable failure of the model, which may
 * have found the same thing. */
static int finite_derivative(ms_unit_data *u, const double *ydot, int r)
{
    if (r < 0) return r;
    for (size_t k = 0; k < u->model->n_state; k++)
        if (!isfinite(ydot[k])) {
            u->nonfinite = (int)k;
            return 1;
        }
    return r;
}

static int ode_rhs(double t, const double *y, double *ydot, void *ud)
{
    ms_unit_data *u = ud;
    return finite_derivative(u, ydot, u->model->rhs(u->model, t, y, u->p, ydot));
}

static int ode_jac(double t, const double *y, double *J, void *ud)
{
    const ms_unit_data *u = ud;
    return u->model->jac(u->model, t, y, u->p, J);
}

static int ode_roots(double t, const double *y, double *g, void *ud)
{
    const ms_unit_data *u = ud;
    return u->model->roots(u->model, t, y, u->p, g);
}

static int ode_quad(double t, const double *y, double *qdot, void *ud)
{
    const ms_unit_data *u = ud;
    return u->model->power(u->model, t, y, u->p, qdot);
}

static int ode_point(double t, const double *y, double *ydot, double *g, double *qdot, double *J, void *ud)
{
    ms_unit_data *u = ud;
    int r = u->model->point(u->model, t, y, u->p, ydot, g, qdot, J);
    return ydot ? finite_derivative(u, ydot, r) : r;
}

ms_status msi_event_prepare(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    size_t np = m->n_params, ns = m->n_state;
    p->p_rows = malloc((np ? np : 1) * p->n * sizeof(double));
    p->dirty = malloc(p->n);
    p->ev_start = malloc((p->n + 1) * sizeof *p->ev_start);
    p->ev_cursor = malloc((p->n ? p->n : 1) * sizeof *p->ev_cursor);
    if (!p->p_rows || !p->dirty || !p->ev_start || !p->ev_cursor) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s'", p->label);
    memset(p->dirty, 1, p->n); /* every unit starts: check where it stands first */
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < np; k++) p->p_rows[i * np + k] = p->param[k * p->n + i];
    if (p->method == MS_METHOD_EXACT && m->derive && m->n_derived) {
        /* Constants for whole-window steps, one row per unit. */
        size_t nd = m->n_derived, n = p->n;
        double *cols = malloc(nd * n * sizeof *cols);
        p->d_rows = malloc(nd * n * sizeof *p->d_rows);
        if (!cols || !p->d_rows) {
            free(cols);
            return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s'", p->label);
        }
        const double *pc[np ? np : 1];
        double *dc[nd];
        for (size_t k = 0; k < np; k++) pc[k] = p->param + k * n;
        for (size_t k = 0; k < nd; k++) dc[k] = cols + k * n;
        m->derive(n, net->window, pc, dc);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < nd; k++) p->d_rows[i * nd + k] = cols[k * n + i];
        free(cols);
    }
    if (p->method != MS_METHOD_CVODE) return MS_OK;

    p->ud = malloc(p->n * sizeof *p->ud);
    p->atol = malloc(ns * sizeof *p->atol);
    p->ode = calloc(p->n, sizeof *p->ode);
    if (!p->ud || !p->atol || !p->ode) return msi_net_fail(net, MS_ENOMEM, "run: out of memory for '%s'", p->label);
    for (size_t k = 0; k < ns; k++) p->atol[k] = net->opt.atol * m->state[k].scale;
    ms_ode_spec spec = { .n = ns, .rhs = ode_rhs, .jac = m->jac ? ode_jac : NULL,
                         .n_roots = m->n_roots, .roots = m->n_roots ? ode_roots : NULL,
                         .root_dir = m->root_dir, .rtol = net->opt.rtol, .atol = p->atol,
                         .max_steps = net->opt.max_steps, .method = net->opt.integrator,
                         /* inputs reach a unit as jumps of its state, between which
                            no model's right-hand side depends on time itself */
                         .autonomous = 1, .point = m->point && m->jac ? ode_point : NULL,
                         .n_quad = m->n_energy, .quad = m->n_energy ? ode_quad : NULL,
                         .quad_atol = m->n_energy ? p->quad_atol : NULL };
    double y[ns];
    unsigned char held[ns];
    for (size_t i = 0; i < p->n; i++) {
        p->ud[i] = (ms_unit_data){ m, p->p_rows + i * np, -1 };
        spec.ud = &p->ud[i];
        if (m->held) {
            memset(held, 0, sizeof held);
            m->held(m, p->p_rows + i * np, held);
            spec.held = held;
        }
        for (size_t k = 0; k < ns; k++) y[k] = p->state[k * p->n + i];
        /* The integrator belongs to the thread that will advance the unit. */
        int owner = 0;
        for (int k = 0; k < net->n_threads; k++) {
            size_t a, b;
            msi_range(p->n, k, net->n_threads, &a, &b);
            if (i >= a && i < b) owner = k;
        }
        ms_status st = ms_ode_create(net->workers[owner].ode_ctx, &spec, net->t, y, &p->ode[i], &net->err);
        if (st) return msi_net_prefix(net, st, "'%s' unit %zu", p->label, i + 1);
    }
    return MS_OK;
}

static int event_cmp(const void *a, const void *b)
{
    const ms_event *x = a, *y = b;
    if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* The recorders that sample one unit, with their next sample in this window. */
typedef struct sampler {
    ms_trace_rec *rec;
    size_t col;
    size_t next;       /* next sample index                                              */
} sampler;

/* Everything one unit's advance needs. */
typedef struct unit_run {
    ms_net *net;
    ms_worker *wk;
    int pop;
    size_t i;
    const ms_model *m;
    const double *p;
    const double *d;   /* derived constants of the unit (exact), or NULL                  */
    double *y;         /* live state: a local copy (exact) or the integrator's (cvode)   */
    ms_ode *ode;       /* NULL for exact                                                 */
    double t;          /* time reached                                                   */
    sampler *smp;
    int n_smp;
} unit_run;

static double next_sample_time(const unit_run *u)
{
    double ts = INFINITY;
    for (int k = 0; k < u->n_smp; k++) {
        const sampler *s = &u->smp[k];
        if (s->next < s->rec->n_samples) ts = fmin(ts, s->rec->times[s->next]);
    }
    return ts;
}

static void take_samples(unit_run *u, double ts)
{
    for (int k = 0; k < u->n_smp; k++) {
        sampler *s = &u->smp[k];
        if (s->next < s->rec->n_samples && s->rec->times[s->next] == ts) {
            size_t ns = u->m->n_state;
            double v;
            if ((size_t)s->rec->var < ns) {
                v = u->y[s->rec->var];
            } else {
                /* An observable (device current, power): computed from the state. */
                double obs[u->m->n_obs];
                v = u->m->observe(u->m, ts, u->y, u->p, obs) == 0 ? obs[(size_t)s->rec->var - ns] : NAN;
            }
            s->rec->values[s->next * s->rec->n_ids + s->col] = v;
            s->next++;
        }
    }
}

static ms_status handle_root(unit_run *u, int which)
{
    int r = u->m->on_root(u->m, u->t, which, u->y, u->p);
    if (r < 0)
        return msi_worker_fail(u->wk, MS_ESOLVER, "%s '%s' unit %zu: reset failed at t = %.9g s",
                            u->m->name, u->net->pops[u->pop].label, u->i + 1, u->t);
    if (r & MS_ROOT_FIRED) return msi_emit(u->wk, u->pop, u->i, u->t);
    return MS_OK;
}

/* A unit that starts (or is set) at or beyond a rising threshold fires at once, as it
 * would in the exact and fixed methods: CVODE reports sign changes only, never a root
 * that is already passed at the initial time. */
static ms_status start_on_threshold(unit_run *u)
{
    size_t nr = u->m->n_roots;
    if (!nr) return MS_OK;
    double g[nr];
    if (u->m->roots(u->m, u->t, u->y, u->p, g) != 0) return MS_OK;
    for (size_t k = 0; k < nr; k++) {
        if (u->m->root_dir[k] <= 0 || g[k] < 0) continue;
        int r = u->m->on_root(u->m, u->t, (int)k, u->y, u->p);
        if (r & MS_ROOT_FIRED) {
            ms_status st = msi_emit(u->wk, u->pop, u->i, u->t);
            if (st) return st;
        }
    }
    return MS_OK;
}

/* A CVODE failure as a user needs it: population, unit, the state (and device) to blame,
 * the time, the state at failure and the tolerances. */
static ms_status ode_failed(unit_run *u, ms_status st, const char *why)
{
    const ms_net *net = u->net;
    const ms_pop *p = &net->pops[u->pop];
    const ms_model *m = u->m;
    const ms_unit_data *ud = &p->ud[u->i];
    char blame[256] = "", state[320] = "";
    int k = ud->nonfinite >= 0 ? ud->nonfinite : ms_ode_failed_component(u->ode);
    if (k >= 0 && (size_t)k < m->n_state) {
        char w[96];
        msi_state_words(&m->state[k], w, sizeof w);
        snprintf(blame, sizeof blame, "; %s %s", ud->nonfinite >= 0 ? "the derivative that was not a number:" : "largest local error in", w);
    }
    const double *y = ms_ode_state(u->ode);
    if (m->n_obs && m->observe) {
        /* a device current or power that is not a number names the device at fault */
        double obs[m->n_obs];
        if (m->observe(m, ms_ode_time(u->ode), y, u->p, obs) == 0)
            for (size_t j = 0; j < m->n_obs; j++)
                if (!isfinite(obs[j])) {
                    size_t at = strlen(blame);
                    snprintf(blame + at, sizeof blame - at, "; %s = %g %s at this state", m->obs[j].name, obs[j], m->obs[j].unit);
                    break;
                }
    }
    size_t used = 0;
    for (size_t j = 0; j < m->n_state && used < sizeof state - 40; j++) {
        int w = snprintf(state + used, sizeof state - used, "%s%s = %.6g %s", j ? ", " : "", m->state[j].name, y[j],
                         m->state[j].unit);
        if (w < 0 || (size_t)w >= sizeof state - used) {
            snprintf(state + used, sizeof state - used, ", ...");
            break;
        }
        used += (size_t)w;
    }
    return msi_worker_fail(u->wk, st, "run: '%s' (%s) unit %zu: %s%s; state at t = %.9g s: %s; atol = %g x each state's "
                           "scale (network option atol)", p->label, m->name, u->i + 1, why, blame, ms_ode_time(u->ode), state,
                           net->opt.atol);
}

/* Moves the unit from u->t towards `stop`; returns early at a root, after handling it. */
static ms_status step_to(unit_run *u, double stop)
{
    ms_net *net = u->net;
    if (!u->ode) {
        double dt_done = 0;
        int which = -1;
        int r = u->m->propagate(u->t, stop - u->t, u->y, u->p, u->d, &dt_done, &which);
        if (r != 0)
            return msi_worker_fail(u->wk, MS_ESOLVER, "%s '%s' unit %zu: propagation failed at t = %.9g s",
                                u->m->name, net->pops[u->pop].label, u->i + 1, u->t);
        if (which < 0) {
            u->t = stop;
            return MS_OK;
        }
        u->t = dt_done >= stop - u->t ? stop : u->t + dt_done;
        return handle_root(u, which);
    }
    int n_found = 0;
    double t_reached;
    ms_error e;
    ms_status st = ms_ode_advance(u->ode, stop, &t_reached, &n_found, &e);
    if (st) return ode_failed(u, st, e.msg);
    u->t = n_found ? t_reached : stop;
    if (!n_found) return MS_OK;
    const int *found = ms_ode_roots_found(u->ode);
    for (size_t k = 0; k < u->m->n_roots; k++)
        if (found[k] && (st = handle_root(u, (int)k))) return st;
    if ((st = ms_ode_reinit(u->ode, u->t, &e))) return msi_worker_fail(u->wk, st, "%s", e.msg);
    return MS_OK;
}

/* Advances the unit to t_target, taking the samples on the way. */
static ms_status advance(unit_run *u, double t_target)
{
    for (;;) {
        double ts = next_sample_time(u);
        if (ts <= u->t) {
            take_samples(u, ts);
            continue;
        }
        if (u->t >= t_target) return MS_OK;
        ms_status st = step_to(u, fmin(ts, t_target));
        if (st) return st;
    }
}

/* Phase "begin": the window's inputs sorted by (unit, time, key), and where each unit's
 * start, so threads can take their ranges. A stable counting sort by unit (linear: a layer
 * of 500 units reading 784 rows gets 784,000 events per image, and a comparison sort of
 * them was a serial tenth of the run), then each unit's events by (time, key), which they
 * mostly are already, as the routes push them in spike order. */
ms_status msi_event_begin(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    ms_evbuf *slot = msi_calendar_slot(&p->cal, net->win.w);
    const size_t n = p->n, ne = slot->n;
    __atomic_store_n(&p->next_unit, 0, __ATOMIC_RELAXED);
    if (ne > 1) {
        if (p->ev_spare.cap < ne) {
            ms_event *b = realloc(p->ev_spare.ev, slot->cap * sizeof *b);
            if (!b) return msi_net_fail(net, MS_ENOMEM, "run: out of memory sorting the inputs of '%s'", p->label);
            p->ev_spare.ev = b, p->ev_spare.cap = slot->cap;
        }
        memset(p->ev_start, 0, (n + 1) * sizeof *p->ev_start);
        for (size_t k = 0; k < ne; k++) p->ev_start[slot->ev[k].unit + 1]++;
        for (size_t i = 0; i < n; i++) p->ev_start[i + 1] += p->ev_start[i];
        memcpy(p->ev_cursor, p->ev_start, n * sizeof *p->ev_cursor);
        ms_event *out = p->ev_spare.ev;
        for (size_t k = 0; k < ne; k++) out[p->ev_cursor[slot->ev[k].unit]++] = slot->ev[k];
        /* the sorted buffer becomes the slot's; the old one is the spare for next time */
        ms_evbuf old = *slot;
        slot->ev = out, slot->cap = p->ev_spare.cap;
        p->ev_spare.ev = old.ev, p->ev_spare.cap = old.cap;
        for (size_t i = 0; i < n; i++) {
            size_t a = p->ev_start[i], b = p->ev_start[i + 1];
            for (size_t k = a + 1; k < b; k++)
                if (event_cmp(&out[k - 1], &out[k]) > 0) {
                    qsort(out + a, b - a, sizeof *out, event_cmp);
                    break;
                }
        }
        return MS_OK;
    }
    for (size_t i = 0; i <= n; i++) p->ev_start[i] = i > (ne ? slot->ev[0].unit : n) ? ne : 0;
    return MS_OK;
}

/* Advances unit i of population pop through the window: its inputs in time order (equal
 * times together), samples on the way, the checks at the window's end. smp and ylocal are
 * the caller's scratch (one sampler per trace recorder, one state). */
static ms_status event_unit(ms_net *net, ms_worker *wk, int pop, size_t i, sampler *smp, double *ylocal)
{
    ms_pop *p = &net->pops[pop];
    const ms_model *m = p->model;
    const size_t ns = m->n_state, np = m->n_params;
    const double t0 = net->win.t0, t1 = net->win.t1;
    ms_evbuf *slot = msi_calendar_slot(&p->cal, net->win.w);
    ms_status st;
    ms_error e_ode;
    unit_run u = { .net = net, .wk = wk, .pop = pop, .i = i, .m = m, .p = p->p_rows + i * np, .t = t0,
                   .smp = smp, .d = p->d_rows ? p->d_rows + i * m->n_derived : NULL };
    if (p->ode) {
        u.ode = p->ode[i];
        u.y = ms_ode_state(u.ode);
        if (p->dirty[i]) {
            if ((st = start_on_threshold(&u))) return st;
            if ((st = ms_ode_reinit(u.ode, t0, &e_ode))) return msi_worker_fail(wk, st, "%s", e_ode.msg);
            p->dirty[i] = 0;
        }
    } else {
        u.y = ylocal;
        for (size_t k = 0; k < ns; k++) ylocal[k] = p->state[k * p->n + i];
        p->dirty[i] = 0;
    }
    if (p->has_traces) {
        for (size_t r = 0; r < net->n_traces; r++) {
            ms_trace_rec *rec = &net->traces[r];
            if (rec->pop != pop || rec->col_of[i] < 0 || rec->win_k0 >= rec->n_samples) continue;
            smp[u.n_smp++] = (sampler){ rec, (size_t)rec->col_of[i], rec->win_k0 };
        }
    }
    /* Inputs of this unit in this window, in time order; equal times together. Those at or
     * after t1 (a run that ends inside the window) wait. */
    size_t e = p->ev_start[i], e_end = p->ev_start[i + 1];
    while (e < e_end && slot->ev[e].t < t1) {
        double te = fmax(slot->ev[e].t, u.t);
        if ((st = advance(&u, te))) return st;
        while (e < e_end && slot->ev[e].t <= te) {
            m->on_input(m, te, (int)slot->ev[e].port, slot->ev[e].amount, u.y, u.p);
            slot->ev[e].unit = UINT32_MAX; /* consumed */
            e++;
        }
        if (u.ode && (st = ms_ode_reinit(u.ode, te, &e_ode))) return msi_worker_fail(wk, st, "%s", e_ode.msg);
    }
    if ((st = advance(&u, t1))) return st;
    if ((st = msi_check_unit(wk, p, i, u.y, t1))) return st;
    for (size_t k = 0; k < ns; k++) p->state[k * p->n + i] = u.y[k];
    return MS_OK;
}

/* The next units [*i0, *i1) for this thread; 0 when it has none left. CVODE units stay with
 * the thread whose SUNDIALS context made them: its fixed range, once. Units whose integrator
 * belongs to no thread (Rosenbrock, closed forms) are handed out in chunks of n / (16
 * threads), at least 4, as threads become free, so a thread whose units spiked less does not
 * wait for the other at the window's end. Results do not depend on it: units are independent
 * within a window, and their spikes are sorted before they are routed. */
static int take_units(const ms_net *net, ms_pop *p, const ms_worker *wk, int first, size_t *i0, size_t *i1)
{
    if (wk->nt == 1 || (p->ode && net->opt.integrator == MS_ODE_BDF)) {
        msi_range(p->n, wk->tid, wk->nt, i0, i1);
        return first;
    }
    size_t chunk = p->n / (size_t)(16 * wk->nt);
    if (chunk < 4) chunk = 4;
    *i0 = __atomic_fetch_add(&p->next_unit, chunk, __ATOMIC_RELAXED);
    *i1 = *i0 + chunk < p->n ? *i0 + chunk : p->n;
    return *i0 < p->n;
}

ms_status msi_event_units(ms_net *net, ms_worker *wk, int pop)
{
    ms_pop *p = &net->pops[pop];
    sampler smp[net->n_traces ? net->n_traces : 1];
    double ylocal[p->model->n_state ? p->model->n_state : 1];
    size_t i0, i1;
    for (int first = 1; take_units(net, p, wk, first, &i0, &i1); first = 0)
        for (size_t i = i0; i < i1; i++) {
            ms_status st = event_unit(net, wk, pop, i, smp, ylocal);
            if (st) return st;
        }
    return MS_OK;
}

/* Phase "end": keep what was not consumed; after a complete window it belongs to the next. */
ms_status msi_event_end(ms_net *net, int pop)
{
    ms_pop *p = &net->pops[pop];
    int64_t w = net->win.w;
    ms_evbuf *slot = msi_calendar_slot(&p->cal, w);
    ms_evbuf *keep = net->win.full ? msi_calendar_slot(&p->cal, w + 1) : slot;
    size_t kept = 0;
    for (size_t k = 0; k < slot->n; k++) {
        if (slot->ev[k].unit == UINT32_MAX) continue;
        if (keep == slot) slot->ev[kept++] = slot->ev[k];
        else if (msi_evbuf_push(keep, &slot->ev[k])) return msi_net_fail(net, MS_ENOMEM, "run: out of memory");
    }
    slot->n = keep == slot ? kept : 0;
    return MS_OK;
}
