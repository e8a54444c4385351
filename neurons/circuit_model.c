/* neurons/circuit_model.c: the model callbacks of a compiled circuit. State: voltages of
 * the nodes with capacitance, then each device's state, then each port's drive current.
 * Kirchhoff's current law at every free node,
 *     C_n dV_n/dt = sum of currents into n (devices, resistors, sources, synapses)
 * for nodes with capacitance, and 0 = sum of currents into n for the others (solved by
 * Newton at every evaluation), plus each device's own state equation at the voltage across
 * it; the devices' switching thresholds are the model's roots. Energies: docs/energy.md.
 * Equations: docs/circuits.md. */
#include "neurons/circuit_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ms_rng.h"

static double dev_v(const ckt_dev *d, const double *v, const double *p)
{
    return ckt_v(d->a, v, p) - ckt_v(d->b, v, p);
}

/* Capacitance of dynamic node n (F): its capacitors, the devices' parallel capacitances, or
 * C_par when it has none. */
static double node_c(const ckt *k, size_t n, const double *p)
{
    double c = 0;
    for (size_t i = 0; i < k->n_res; i++)
        if (k->res[i].is_cap && k->res[i].a == (int)n) c += p[k->res[i].p];
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if (d->a == (int)n || d->b == (int)n) c += ms_device_capacitance(d->cls, p + d->p0);
    }
    return c > 0 || k->p_cpar == SIZE_MAX ? c : p[k->p_cpar];
}

static void add_current(double *i_node, int a, int b, double i)
{
    if (a >= 0) i_node[a] -= i;
    if (b >= 0) i_node[b] += i;
}

/* Current the synapses of a port drive into its node (A): the drive current in virtual-
 * ground mode (only its positive part when the column rectifies), minus the column's load
 * g_column V in node mode. */
static double port_current(const ckt_port *pt, const double *y, const double *p, const double *v)
{
    double drive = y[pt->y];
    if (p[pt->p_vg] != 0) return p[pt->p_rect] != 0 ? fmax(drive, 0.0) : drive;
    return drive - p[pt->p_g] * v[pt->node];
}

/* Currents into every free node (A) at node voltages v. g: the devices' conductances when
 * they are ohmic (current g v, evaluated once per state by the caller), else NULL (each
 * device's own current function). */
static void node_currents(const ckt *k, double t, const double *y, const double *p, const double *v, const double *g,
                          double *i_node)
{
    memset(i_node, 0, k->n_free * sizeof *i_node);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        double vd = dev_v(d, v, p);
        add_current(i_node, d->a, d->b, g ? g[i] * vd : d->cls->current(t, y + d->y0, p + d->p0, vd));
    }
    for (size_t i = 0; i < k->n_res; i++) {
        const ckt_res *r = &k->res[i];
        if (!r->is_cap) add_current(i_node, r->a, r->b, (ckt_v(r->a, v, p) - ckt_v(r->b, v, p)) / p[r->p]);
    }
    for (size_t i = 0; i < k->n_isrc; i++) i_node[k->isrc[i].node] += p[k->isrc[i].p];
    for (size_t i = 0; i < k->n_port; i++) {
        i_node[k->port[i].node] += port_current(&k->port[i], y, p, v);
    }
}

/* A conductance g from node a to node b in the node matrix G (row-major nf x nf, G[r nf + c]
 * = d(current into r) / d(voltage of c)): into a falls by g dV_a and rises by g dV_b, and
 * the same the other way; a fixed node (< 0) has no row or column. */
static void stamp(double *G, size_t nf, int a, int b, double g)
{
    if (a >= 0) G[a * nf + a] -= g;
    if (b >= 0) G[b * nf + b] -= g;
    if (a >= 0 && b >= 0) {
        G[a * nf + b] += g;
        G[b * nf + a] += g;
    }
}

/* The node matrix G (row-major n_free^2, d(current into node r) / d(voltage of node c)) with
 * g[i] device i's dI/dv, then the resistors and the node-mode ports' column loads. The
 * Jacobian uses all of it, the node solves its algebraic block (node_alg_block). */
static void node_matrix(const ckt *k, const double *p, const double *g, double *G)
{
    const size_t nf = k->n_free;
    memset(G, 0, nf * nf * sizeof *G);
    for (size_t i = 0; i < k->n_dev; i++) stamp(G, nf, k->dev[i].a, k->dev[i].b, g[i]);
    for (size_t i = 0; i < k->n_res; i++) {
        const ckt_res *r = &k->res[i];
        if (!r->is_cap) stamp(G, nf, r->a, r->b, 1.0 / p[r->p]);
    }
    for (size_t i = 0; i < k->n_port; i++) {
        const ckt_port *pt = &k->port[i];
        if (p[pt->p_vg] == 0) G[pt->node * nf + pt->node] -= p[pt->p_g];
    }
}

/* The algebraic nodes' block of the node matrix, row-major n_alg^2. */
static void node_alg_block(const ckt *k, const double *G, double *A)
{
    const size_t nf = k->n_free, nd = k->n_dyn, na = k->n_alg;
    for (size_t r = 0; r < na; r++)
        for (size_t c = 0; c < na; c++) A[r * na + c] = G[(nd + r) * nf + nd + c];
}

/* Solves the n x n system A x = b in place (partial pivoting); 0 on success. A diagonal
 * A (diag: the circuit's algebraic nodes are not joined to each other) is one division per
 * row. */
static int solve_dense(double *A, double *b, size_t n, int diag)
{
    if (diag) {
        for (size_t c = 0; c < n; c++) {
            if (!(fabs(A[c * n + c]) > 0)) return -1;
            b[c] /= A[c * n + c];
        }
        return 0;
    }
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c])) piv = r;
        if (!(fabs(A[piv * n + c]) > 0)) return -1;
        if (piv != c) {
            for (size_t j = 0; j < n; j++) {
                double tmp = A[c * n + j];
                A[c * n + j] = A[piv * n + j];
                A[piv * n + j] = tmp;
            }
            double tmp = b[c];
            b[c] = b[piv];
            b[piv] = tmp;
        }
        for (size_t r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (size_t j = c; j < n; j++) A[r * n + j] -= f * A[c * n + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = n; c-- > 0;) {
        double s = b[c];
        for (size_t j = c + 1; j < n; j++) s -= A[c * n + j] * b[j];
        b[c] = s / A[c * n + c];
    }
    return 0;
}

/* Node voltages v and node currents i_out (when not NULL) of state y for a circuit of ohmic
 * devices: each device's conductance once, then Kirchhoff's law at the algebraic nodes is
 * linear in their voltages, A v_alg = b, and one solve gives them (Newton's method would take
 * the same first step and then only confirm it). Returns 0, or 1 (a singular or non-finite
 * system: recoverable, CVODE retries with a smaller step). */
static int node_voltages_linear(const ckt *k, const double *y, const double *p, double *v, double *i_out)
{
    const size_t nd = k->n_dyn, na = k->n_alg, nf = k->n_free;
    double g[k->n_dev ? k->n_dev : 1], i_own[nf];
    double *i_node = i_out ? i_out : i_own;
    for (size_t i = 0; i < k->n_dev; i++) g[i] = k->dev[i].cls->conductance(y + k->dev[i].y0, p + k->dev[i].p0);
    memcpy(v, y, nd * sizeof *v);
    for (size_t j = 0; j < na; j++) v[nd + j] = 0.0;
    /* the currents at v_alg = 0, then A v_alg = -i_alg */
    node_currents(k, 0.0, y, p, v, g, i_node);
    if (!na) return 0;
    double G[nf * nf], A[na * na], b[na];
    node_matrix(k, p, g, G);
    node_alg_block(k, G, A);
    for (size_t j = 0; j < na; j++) b[j] = -i_node[nd + j];
    if (solve_dense(A, b, na, k->alg_diag)) return 1;
    for (size_t j = 0; j < na; j++) {
        if (!isfinite(b[j])) return 1;
        v[nd + j] = b[j];
        i_node[nd + j] = 0.0; /* Kirchhoff's law, which the solve made hold */
    }
    /* The currents are affine in v_alg: the dynamic nodes' grow by G[dyn, alg] v_alg (the
     * rest is unchanged), so a second pass over every part is not needed. */
    for (size_t r = 0; r < nd; r++)
        for (size_t c = 0; c < na; c++) i_node[r] += G[r * nf + nd + c] * v[nd + c];
    return 0;
}

/* Node voltages v of state y: the dynamic ones copied, the algebraic ones solved from
 * Kirchhoff's law by Newton's method with the devices' dI/dv, halving a step that makes
 * the residual grow (so exponential devices cannot run away). Ohmic devices make the
 * system linear: one step solves it. Converged when every node's residual is below 1 fA or
 * the step below 1 pV. Returns 0, or 1 (recoverable: CVODE retries with a smaller step).
 * When i_node is not NULL it receives the node currents at the returned v. */
static int node_voltages_at(const ckt *k, double t, const double *y, const double *p, double *v, double *i_out)
{
    if (k->ohmic) return node_voltages_linear(k, y, p, v, i_out);
    size_t nd = k->n_dyn, na = k->n_alg;
    memcpy(v, y, nd * sizeof *v);
    if (!na) {
        if (i_out) node_currents(k, t, y, p, v, NULL, i_out);
        return 0;
    }
    for (size_t j = 0; j < na; j++) v[nd + j] = 0.0;
    double i_own[k->n_free], G[k->n_free * k->n_free], J[na * na], dx[na], g[k->n_dev ? k->n_dev : 1];
    double *i_node = i_out ? i_out : i_own;
    double f_prev = INFINITY;
    for (int it = 0; it < 100; it++) {
        node_currents(k, t, y, p, v, NULL, i_node);
        double f = 0;
        for (size_t j = 0; j < na; j++) f = fmax(f, fabs(i_node[nd + j]));
        if (!isfinite(f)) return 1;
        if (f <= 1e-15) return 0;
        if (f > f_prev && it > 0) {
            /* the last step overshot: take half of it back and look again */
            int small = 1;
            for (size_t j = 0; j < na; j++) {
                dx[j] *= 0.5;
                v[nd + j] -= dx[j];
                small = small && fabs(dx[j]) < 1e-12;
            }
            if (small) {
                if (i_out) node_currents(k, t, y, p, v, NULL, i_out);
                return 0;
            }
            continue;
        }
        f_prev = f;
        for (size_t i = 0; i < k->n_dev; i++) {
            const ckt_dev *d = &k->dev[i];
            g[i] = d->a < (int)nd && d->b < (int)nd ? 0.0 : d->cls->dcurrent_dv(t, y + d->y0, p + d->p0, dev_v(d, v, p));
        }
        node_matrix(k, p, g, G);
        node_alg_block(k, G, J);
        for (size_t j = 0; j < na; j++) dx[j] = -i_node[nd + j]; /* J dx = -F */
        if (solve_dense(J, dx, na, k->alg_diag)) return 1;
        int small = 1;
        for (size_t j = 0; j < na; j++) {
            v[nd + j] += dx[j];
            small = small && fabs(dx[j]) < 1e-12;
        }
        if (small) {
            if (i_out) node_currents(k, t, y, p, v, NULL, i_out);
            return 0;
        }
    }
    return 1;
}

static int node_voltages(const ckt *k, double t, const double *y, const double *p, double *v)
{
    return node_voltages_at(k, t, y, p, v, NULL);
}

/* The right-hand side at node voltages v with node currents i_node (node_voltages_at). */
static int rhs_v(const ms_model *m, double t, const double *y, const double *p, const double *v, const double *i_node,
                 double *ydot)
{
    const ckt *k = ckt_of(m);
    memset(ydot, 0, m->n_state * sizeof *ydot);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if (!d->cls->n_state) continue;
        int r = d->cls->rhs(t, y + d->y0, p + d->p0, dev_v(d, v, p), ydot + d->y0);
        if (r) return r;
    }
    for (size_t n = 0; n < k->n_dyn; n++) {
        ydot[n] = i_node[n] / node_c(k, n, p);
        if (!isfinite(ydot[n])) return 1; /* recoverable: CVODE retries with a smaller step */
    }
    return 0;
}

static int rhs(const ms_model *m, double t, const double *y, const double *p, double *ydot)
{
    const ckt *k = ckt_of(m);
    double v[k->n_free], i_node[k->n_free];
    if (node_voltages_at(k, t, y, p, v, i_node)) return 1;
    return rhs_v(m, t, y, p, v, i_node, ydot);
}

/* Analytic Jacobian J[j n + i] = d f_i / d y_j (column-major). Node voltages of nodes
 * without capacitance depend on the state through Kirchhoff's law at those nodes:
 * dV_alg/dy_j = -A^-1 dF_alg/dy_j, A = dF_alg/dV_alg (implicit function theorem). With
 * Gm = dI_node/dV (devices' dI/dv, resistors, node-mode columns), each state column j:
 *   direct current change dI (a node voltage: column j of Gm; a device state: -dI/dx at
 *   its first terminal, +dI/dx at its second; a port drive: +1 at its node, 0 where a
 *   rectified column is off), then the algebraic voltages' response, then
 *   node rows:   (dI_dyn + Gm[dyn, alg] dV_alg) / C_n,
 *   device rows: its own jac (its states) + d rhs/dv x d(V_a - V_b)/dy_j.
 * Set only when every device with states provides jac, dcurrent_dy and drhs_dv. */
static void held(const ms_model *m, const double *p, unsigned char *h);

static int jac_v(const ms_model *m, double t, const double *y, const double *p, const double *v, double *J)
{
    const ckt *k = ckt_of(m);
    const size_t n = m->n_state, nf = k->n_free, nd = k->n_dyn, na = k->n_alg;
    /* the columns of held states are never used (held states do not move while the
     * integrator runs): they stay zero, which halves the work of a dendritic neuron */
    unsigned char is_held[n];
    memset(is_held, 0, sizeof is_held);
    held(m, p, is_held);
    double Gm[nf * nf], C[nd ? nd : 1], g[k->n_dev ? k->n_dev : 1];
    memset(J, 0, n * n * sizeof *J);
    /* Gm[r * nf + c] = d(current into r) / d V_c */
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        g[i] = d->cls->dcurrent_dv(t, y + d->y0, p + d->p0, dev_v(d, v, p));
    }
    node_matrix(k, p, g, Gm);
    for (size_t c = 0; c < nd; c++) C[c] = node_c(k, c, p);
    /* the devices' partials at this state */
    double dIdy[n], dfdv[n], Jd[MS_DEVICE_MAX_STATE * MS_DEVICE_MAX_STATE];
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if (!d->cls->n_state) continue;
        double vd = dev_v(d, v, p);
        if (d->cls->dcurrent_dy(t, y + d->y0, p + d->p0, vd, dIdy + d->y0) ||
            d->cls->drhs_dv(t, y + d->y0, p + d->p0, vd, dfdv + d->y0))
            return 1;
    }
    for (size_t j = 0; j < n; j++) {
        if (is_held[j]) continue;
        double dI[nf], dV[nf];
        memset(dI, 0, sizeof dI);
        memset(dV, 0, sizeof dV);
        if (j < nd) {
            for (size_t r = 0; r < nf; r++) dI[r] = Gm[r * nf + j];
            dV[j] = 1.0;
        }
        for (size_t i = 0; i < k->n_dev; i++) {
            const ckt_dev *d = &k->dev[i];
            if (j < d->y0 || j >= d->y0 + d->cls->n_state) continue;
            if (d->a >= 0) dI[d->a] -= dIdy[j];
            if (d->b >= 0) dI[d->b] += dIdy[j];
        }
        for (size_t i = 0; i < k->n_port; i++) {
            const ckt_port *pt = &k->port[i];
            if (j != pt->y) continue;
            int on = !(p[pt->p_vg] != 0 && p[pt->p_rect] != 0 && y[pt->y] < 0);
            dI[pt->node] += on ? 1.0 : 0.0;
        }
        if (na) {
            double A[na * na], rhs_a[na];
            for (size_t r = 0; r < na; r++) {
                for (size_t c = 0; c < na; c++) A[r * na + c] = Gm[(nd + r) * nf + nd + c];
                rhs_a[r] = -dI[nd + r];
            }
            if (solve_dense(A, rhs_a, na, k->alg_diag)) return 1;
            for (size_t r = 0; r < na; r++) dV[nd + r] = rhs_a[r];
            /* the dynamic nodes feel the algebraic ones through Gm */
            for (size_t r = 0; r < nd; r++)
                for (size_t c = 0; c < na; c++) dI[r] += Gm[r * nf + nd + c] * dV[nd + c];
        }
        for (size_t r = 0; r < nd; r++) J[j * n + r] = dI[r] / C[r];
        for (size_t i = 0; i < k->n_dev; i++) {
            const ckt_dev *d = &k->dev[i];
            size_t ns = d->cls->n_state;
            if (!ns) continue;
            double dvd = (d->a >= 0 ? dV[d->a] : 0.0) - (d->b >= 0 ? dV[d->b] : 0.0);
            for (size_t s = 0; s < ns; s++) J[j * n + d->y0 + s] = dfdv[d->y0 + s] * dvd;
            if (j >= d->y0 && j < d->y0 + ns) {
                if (d->cls->jac(t, y + d->y0, p + d->p0, dev_v(d, v, p), Jd)) return 1;
                size_t jl = j - d->y0;
                for (size_t s = 0; s < ns; s++) J[j * n + d->y0 + s] += Jd[jl * ns + s];
            }
        }
    }
    return 0;
}

static int jac(const ms_model *m, double t, const double *y, const double *p, double *J)
{
    const ckt *k = ckt_of(m);
    double v[k->n_free];
    if (node_voltages(k, t, y, p, v)) return 1;
    return jac_v(m, t, y, p, v, J);
}

static int roots_v(const ms_model *m, double t, const double *y, const double *p, const double *v, double *g)
{
    const ckt *k = ckt_of(m);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if (!d->cls->n_roots) continue;
        int r = d->cls->roots(t, y + d->y0, p + d->p0, dev_v(d, v, p), g + d->r0);
        if (r) return r;
    }
    return 0;
}

static int roots(const ms_model *m, double t, const double *y, const double *p, double *g)
{
    const ckt *k = ckt_of(m);
    double v[k->n_free];
    if (node_voltages(k, t, y, p, v)) return 1;
    return roots_v(m, t, y, p, v, g);
}

static int on_root(const ms_model *m, double t, int which, double *y, const double *p)
{
    const ckt *k = ckt_of(m);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if ((size_t)which < d->r0 || (size_t)which >= d->r0 + d->cls->n_roots) continue;
        int local = which - (int)d->r0;
        if (d->cls->on_root(t, local, y + d->y0, p + d->p0) < 0) return -1;
        return ((int)i == k->spike_dev && local == d->cls->spike_root) ? MS_ROOT_FIRED : 0;
    }
    return 0;
}

static void on_input(const ms_model *m, double t, int port, double amount, double *y, const double *p)
{
    (void)t, (void)p;
    const ckt *k = ckt_of(m);
    if (port >= 0 && (size_t)port < k->n_port) y[k->port[port].y] += amount;
}

static void init(const ms_model *m, const double *p, double *y)
{
    const ckt *k = ckt_of(m);
    memset(y, 0, m->n_state * sizeof *y);
    for (size_t i = 0; i < k->n_dev; i++)
        if (k->dev[i].cls->n_state) k->dev[i].cls->init(p + k->dev[i].p0, y + k->dev[i].y0);
}

static int check(const ms_model *m, const double *p, char *msg, size_t len)
{
    const ckt *k = ckt_of(m);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        char inner[256];
        if (ms_device_check(d->cls, p + d->p0, inner, sizeof inner) != 0) {
            /* name the device by its parameter prefix */
            const char *pn = m->params[d->p0].name;
            int plen = (int)(strchr(pn, '.') ? (size_t)(strchr(pn, '.') - pn) : strlen(pn));
            snprintf(msg, len, "device '%.*s': %s", plen, pn, inner);
            return -1;
        }
    }
    return 0;
}

/* Energy integrands (W), in the order CE_*. Each fixed node supplies the current that
 * leaves it into the circuit times its voltage; current sources supply I V_node. Ports:
 * the variable part of the read energy (the fixed part (G+ + G-) V_read^2 is booked per
 * pulse by the engine), docs/energy.md. */
static int power_v(const ms_model *m, double t, const double *y, const double *p, const double *nv, double *w)
{
    const ckt *k = ckt_of(m);
    memset(w, 0, CE_N * sizeof *w);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        double v = dev_v(d, nv, p);
        double cur = d->cls->current(t, y + d->y0, p + d->p0, v);
        w[d->e_class] += v * cur;
        if (d->a < 0) w[CE_SOURCE] += ckt_v(d->a, nv, p) * cur;
        if (d->b < 0) w[CE_SOURCE] -= ckt_v(d->b, nv, p) * cur;
        if ((int)i == k->spike_dev) w[CE_LI] = p[k->p_vapp] * cur;
    }
    for (size_t i = 0; i < k->n_res; i++) {
        const ckt_res *r = &k->res[i];
        if (r->is_cap) continue;
        double va = ckt_v(r->a, nv, p), vb = ckt_v(r->b, nv, p), cur = (va - vb) / p[r->p];
        w[CE_LOAD] += (va - vb) * cur;
        if (r->a < 0) w[CE_SOURCE] += va * cur;
        if (r->b < 0) w[CE_SOURCE] -= vb * cur;
    }
    for (size_t i = 0; i < k->n_isrc; i++) w[CE_SOURCE] += p[k->isrc[i].p] * nv[k->isrc[i].node];
    for (size_t i = 0; i < k->n_port; i++) {
        const ckt_port *pt = &k->port[i];
        double v = nv[pt->node], drive = y[pt->y];
        if (p[pt->p_vg] != 0) {
            w[CE_SOURCE] += v * port_current(pt, y, p, nv); /* the column amplifier pushes it in */
        } else {
            double g = p[pt->p_g];
            w[CE_SYNAPSE] += g * v * v - 2.0 * v * drive;
            w[CE_SOURCE] -= v * drive;
        }
    }
    return 0;
}

static int power(const ms_model *m, double t, const double *y, const double *p, double *w)
{
    const ckt *k = ckt_of(m);
    double nv[k->n_free];
    if (node_voltages(k, t, y, p, nv)) return 1;
    return power_v(m, t, y, p, nv, w);
}

/* Right-hand side, roots, energy integrands and Jacobian at one state (each output may be
 * NULL), solving the nodes once: what an integrator needs at the end of a step. */
static int point(const ms_model *m, double t, const double *y, const double *p, double *ydot, double *g, double *w,
                 double *J)
{
    const ckt *k = ckt_of(m);
    double v[k->n_free], i_node[k->n_free];
    int r;
    if (node_voltages_at(k, t, y, p, v, i_node)) return 1;
    if (ydot && (r = rhs_v(m, t, y, p, v, i_node, ydot))) return r;
    if (g && m->n_roots && (r = roots_v(m, t, y, p, v, g))) return r;
    if (w && (r = power_v(m, t, y, p, v, w))) return r;
    if (J && (r = jac_v(m, t, y, p, v, J))) return r;
    return 0;
}

static double stored(const ms_model *m, const double *y, const double *p)
{
    const ckt *k = ckt_of(m);
    double e = 0;
    for (size_t n = 0; n < k->n_dyn; n++) e += 0.5 * node_c(k, n, p) * y[n] * y[n];
    return e;
}

static int observe(const ms_model *m, double t, const double *y, const double *p, double *out)
{
    const ckt *k = ckt_of(m);
    double nv[k->n_free];
    if (node_voltages(k, t, y, p, nv)) return 1;
    size_t o = 0;
    for (size_t j = 0; j < k->n_alg; j++) out[o++] = nv[k->n_dyn + j];
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        double v = dev_v(d, nv, p), cur = d->cls->current(t, y + d->y0, p + d->p0, v);
        out[o++] = cur;
        out[o++] = d->cls->power(t, y + d->y0, p + d->p0, v);
        out[o++] = v;
    }
    for (size_t i = 0; i < k->n_port; i++) {
        const ckt_port *pt = &k->port[i];
        out[o++] = port_current(pt, y, p, nv);
    }
    return 0;
}

static double rng_uniform(void *ud) { return ms_rng_uniform(ud); }
static double rng_normal(void *ud) { return ms_rng_normal(ud); }

/* Each device of the unit draws its own parameters from the unit's stream, in circuit
 * order, so a population of n circuits holds n different sets of devices. */
static int vary(const ms_model *m, double *p, ms_rng *rng, char *msg, size_t len)
{
    const ckt *k = ckt_of(m);
    ms_device_rng dr = { rng_uniform, rng_normal, rng };
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        double nominal[MS_DEVICE_MAX_PARAMS];
        memcpy(nominal, p + d->p0, d->cls->n_params * sizeof *nominal);
        if (ms_device_sample(d->cls, nominal, p + d->p0, &dr, msg, len) != 0) return -1;
    }
    return 0;
}

static int attach(const ms_model *m, int port, double *p, const ms_attach *a, char *msg, size_t len)
{
    const ckt *k = ckt_of(m);
    const ckt_port *pt = &k->port[port];
    if (p[pt->p_g] > 0 && (p[pt->p_vg] != 0) != (a->virtual_ground != 0)) {
        snprintf(msg, len, "port '%s' takes both node-mode and virtual-ground synapses; use one mode per port",
                 m->ports[port]);
        return -1;
    }
    if (p[pt->p_g] > 0 && (p[pt->p_rect] != 0) != (a->rectify != 0)) {
        snprintf(msg, len, "port '%s' takes both rectified and plain columns; use one kind per port", m->ports[port]);
        return -1;
    }
    p[pt->p_g] += a->g_column;
    p[pt->p_vg] = a->virtual_ground ? 1.0 : 0.0;
    p[pt->p_rect] = a->rectify ? 1.0 : 0.0;
    if (p[k->p_vapp] == 0) p[k->p_vapp] = a->v_read;
    return 0;
}

/* Held states: every port's drive current (constant between input events) and what the
 * devices declare (a switch's phase). */
static void held(const ms_model *m, const double *p, unsigned char *h)
{
    const ckt *k = ckt_of(m);
    for (size_t i = 0; i < k->n_port; i++) h[k->port[i].y] = 1;
    for (size_t i = 0; i < k->n_dev; i++) {
        const ckt_dev *d = &k->dev[i];
        if (d->cls->n_state && d->cls->held) d->cls->held(p + d->p0, h + d->y0);
    }
}

void msi_circuit_set_callbacks(ms_model *m)
{
    m->held = held;
    ckt *kw = (ckt *)m->ctx;
    kw->alg_diag = 1;
    for (size_t i = 0; i < kw->n_dev; i++)
        if (kw->dev[i].a >= (int)kw->n_dyn && kw->dev[i].b >= (int)kw->n_dyn) kw->alg_diag = 0;
    for (size_t i = 0; i < kw->n_res; i++)
        if (!kw->res[i].is_cap && kw->res[i].a >= (int)kw->n_dyn && kw->res[i].b >= (int)kw->n_dyn) kw->alg_diag = 0;
    kw->ohmic = 1;
    for (size_t i = 0; i < kw->n_dev; i++)
        if (!kw->dev[i].cls->ohmic || !kw->dev[i].cls->conductance) kw->ohmic = 0;
    m->check = check;
    m->init = init;
    m->on_input = on_input;
    m->roots = m->n_roots ? roots : NULL;
    m->on_root = m->n_roots ? on_root : NULL;
    m->rhs = rhs;
    int analytic = 1;
    const ckt *k = ckt_of(m);
    for (size_t i = 0; i < k->n_dev; i++) {
        const ms_device_class *c = k->dev[i].cls;
        if (c->n_state && (!c->jac || !c->dcurrent_dy || !c->drhs_dv)) analytic = 0;
    }
    m->jac = analytic ? jac : NULL;
    m->point = analytic ? point : NULL;
    m->observe = observe;
    m->power = power;
    m->stored = stored;
    m->vary = vary;
    m->attach = attach;
}
