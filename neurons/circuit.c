/* neurons/circuit.c: circuit descriptions and their compilation into a model: the state,
 * parameter, observable and port tables of the circuit (names like "v_soma", "d1.G",
 * "soma.V_th", "d1.i"), after the checks that SPICE would make (every node has a DC path to
 * ground) and the ones this formulation needs (ms_circuit.h). docs/circuits.md. */
#include "neurons/circuit_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Range of a node voltage (V): the supplies of a circuit are limited to +-1 kV (the range
 * of a fixed node's parameter), so a node beyond it is a runaway, not a result. */
#define CKT_V_RANGE MS_NODE_V_RANGE_V

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? 2 * *cap : 8;
    while (c < need) c *= 2;
    void *p = realloc(*arr, c * elem);
    if (!p) return -1;
    *arr = p;
    *cap = c;
    return 0;
}

ms_circuit *ms_circuit_new(const char *name)
{
    ms_circuit *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    snprintf(c->name, sizeof c->name, "%s", name && *name ? name : "circuit");
    c->spike_part = -1;
    c->c_par = MS_CIRCUIT_C_PAR_DEFAULT;
    if (grow((void **)&c->nodes, &c->cap_nodes, 1, sizeof *c->nodes)) {
        free(c);
        return NULL;
    }
    c->nodes[0] = (ckt_node_desc){ .name = "gnd", .fixed = 1, .v = 0.0 };
    c->n_nodes = 1;
    return c;
}

void ms_circuit_free(ms_circuit *c)
{
    if (!c) return;
    free(c->nodes);
    free(c->parts);
    free(c->ports);
    free(c);
}

const char *ms_circuit_name(const ms_circuit *c) { return c->name; }

static int find_node(const ms_circuit *c, const char *name)
{
    for (size_t k = 0; k < c->n_nodes; k++)
        if (strcmp(c->nodes[k].name, name) == 0) return (int)k;
    return -1;
}

static int find_part(const ms_circuit *c, const char *name)
{
    for (size_t k = 0; k < c->n_parts; k++)
        if (strcmp(c->parts[k].name, name) == 0) return (int)k;
    return -1;
}

/* Names become parts of parameter names ("d1.G_on"): letters, digits and _ only. */
static int check_name(const ms_circuit *c, const char *what, const char *name, char *msg, size_t len)
{
    if (!name || !*name) return ms_msgf(msg, len, -1, "circuit %s: a %s needs a name", c->name, what);
    if (strlen(name) >= MS_CIRCUIT_NAME_LEN)
        return ms_msgf(msg, len, -1, "circuit %s: %s name '%s' is longer than %d characters", c->name, what, name,
                    MS_CIRCUIT_NAME_LEN - 1);
    for (const char *s = name; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return ms_msgf(msg, len, -1, "circuit %s: %s name '%s' may only hold letters, digits and _", c->name, what, name);
    return 0;
}

static int node_of(const ms_circuit *c, const char *part, const char *node, char *msg, size_t len)
{
    int k = node ? find_node(c, node) : -1;
    if (k >= 0) return k;
    char list[256] = "";
    for (size_t i = 0; i < c->n_nodes; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", c->nodes[i].name);
    ms_msgf(msg, len, -1, "circuit %s: %s is connected to unknown node '%s' (nodes: %s)", c->name, part,
         node ? node : "(none)", list);
    return -1;
}

static int add_node(ms_circuit *c, const char *name, int fixed, double v, char *msg, size_t len)
{
    if (check_name(c, "node", name, msg, len)) return -1;
    if (find_node(c, name) >= 0) return ms_msgf(msg, len, -1, "circuit %s: node '%s' is declared twice", c->name, name);
    if (fixed && !isfinite(v)) return ms_msgf(msg, len, -1, "circuit %s: node '%s' voltage must be a finite number", c->name, name);
    if (grow((void **)&c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof *c->nodes))
        return ms_msgf(msg, len, -1, "circuit %s: out of memory", c->name);
    ckt_node_desc *n = &c->nodes[c->n_nodes++];
    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->fixed = fixed;
    n->v = v;
    return 0;
}

int ms_circuit_add_node(ms_circuit *c, const char *name, char *msg, size_t len)
{
    return add_node(c, name, 0, 0.0, msg, len);
}

int ms_circuit_add_fixed(ms_circuit *c, const char *name, double v, char *msg, size_t len)
{
    return add_node(c, name, 1, v, msg, len);
}

static ckt_part_desc *new_part(ms_circuit *c, part_kind kind, const char *what, const char *name, char *msg,
                               size_t len)
{
    if (check_name(c, what, name, msg, len)) return NULL;
    if (find_part(c, name) >= 0) {
        ms_msgf(msg, len, -1, "circuit %s: the name '%s' is used twice", c->name, name);
        return NULL;
    }
    if (c->n_parts >= CKT_MAX_PARTS) {
        ms_msgf(msg, len, -1, "circuit %s: more than %d parts", c->name, CKT_MAX_PARTS);
        return NULL;
    }
    if (grow((void **)&c->parts, &c->cap_parts, c->n_parts + 1, sizeof *c->parts)) {
        ms_msgf(msg, len, -1, "circuit %s: out of memory", c->name);
        return NULL;
    }
    ckt_part_desc *p = &c->parts[c->n_parts];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    snprintf(p->name, sizeof p->name, "%s", name);
    return p;
}

int ms_circuit_add_device(ms_circuit *c, const char *name, const char *cls, const char *a,
                          const char *b, const char *const *names, const double *values,
                          size_t n_values, char *msg, size_t len)
{
    const ms_device_class *dc;
    char inner[256];
    if (ms_device_lookup(cls ? cls : "", &dc, inner, sizeof inner))
        return ms_msgf(msg, len, -1, "circuit %s: device '%s': %s", c->name, name ? name : "", inner);
    ckt_part_desc *p = new_part(c, PART_DEVICE, "device", name, msg, len);
    if (!p) return -1;
    char what[96];
    snprintf(what, sizeof what, "device '%s'", name);
    if ((p->a = node_of(c, what, a, msg, len)) < 0 || (p->b = node_of(c, what, b, msg, len)) < 0) return -1;
    if (p->a == p->b) return ms_msgf(msg, len, -1, "circuit %s: device '%s' has both terminals on node '%s'", c->name, name, a);
    p->cls = dc;
    ms_device_defaults(dc, p->p);
    for (size_t k = 0; k < n_values; k++)
        if (ms_device_param_set(dc, p->p, names[k], values[k], inner, sizeof inner))
            return ms_msgf(msg, len, -1, "circuit %s: device '%s': %s", c->name, name, inner);
    if (ms_device_check(dc, p->p, inner, sizeof inner))
        return ms_msgf(msg, len, -1, "circuit %s: device '%s': %s", c->name, name, inner);
    c->n_parts++;
    return 0;
}

static int add_two_terminal(ms_circuit *c, part_kind kind, const char *what, const char *name, const char *a,
                            const char *b, double value, char *msg, size_t len)
{
    ckt_part_desc *p = new_part(c, kind, what, name, msg, len);
    if (!p) return -1;
    char w[96];
    snprintf(w, sizeof w, "%s '%s'", what, name);
    if ((p->a = node_of(c, w, a, msg, len)) < 0 || (p->b = node_of(c, w, b, msg, len)) < 0) return -1;
    if (kind != PART_CURRENT && p->a == p->b)
        return ms_msgf(msg, len, -1, "circuit %s: %s has both terminals on node '%s'", c->name, w, a);
    p->value = value;
    c->n_parts++;
    return 0;
}

int ms_circuit_add_resistor(ms_circuit *c, const char *name, const char *a, const char *b,
                            double r_ohm, char *msg, size_t len)
{
    if (!(r_ohm > 0 && isfinite(r_ohm)))
        return ms_msgf(msg, len, -1, "circuit %s: resistor '%s': R = %g ohm must be finite and > 0", c->name, name ? name : "", r_ohm);
    return add_two_terminal(c, PART_RESISTOR, "resistor", name, a, b, r_ohm, msg, len);
}

int ms_circuit_add_capacitor(ms_circuit *c, const char *name, const char *node, const char *other,
                             double c_F, char *msg, size_t len)
{
    if (!(c_F > 0 && isfinite(c_F)))
        return ms_msgf(msg, len, -1, "circuit %s: capacitor '%s': C = %g F must be finite and > 0", c->name, name ? name : "", c_F);
    return add_two_terminal(c, PART_CAPACITOR, "capacitor", name, node, other ? other : "gnd", c_F, msg, len);
}

int ms_circuit_add_current(ms_circuit *c, const char *name, const char *node, double i_A, char *msg,
                           size_t len)
{
    if (!isfinite(i_A))
        return ms_msgf(msg, len, -1, "circuit %s: current source '%s': I must be a finite number of amperes", c->name, name ? name : "");
    return add_two_terminal(c, PART_CURRENT, "current source", name, node, "gnd", i_A, msg, len);
}

int ms_circuit_add_port(ms_circuit *c, const char *name, const char *node, char *msg, size_t len)
{
    if (check_name(c, "port", name, msg, len)) return -1;
    for (size_t k = 0; k < c->n_ports; k++)
        if (strcmp(c->ports[k].name, name) == 0) return ms_msgf(msg, len, -1, "circuit %s: port '%s' is declared twice", c->name, name);
    char w[96];
    snprintf(w, sizeof w, "port '%s'", name);
    int n = node_of(c, w, node, msg, len);
    if (n < 0) return -1;
    if (c->nodes[n].fixed)
        return ms_msgf(msg, len, -1, "circuit %s: port '%s' is on fixed node '%s': inputs need a free node", c->name, name, node);
    if (grow((void **)&c->ports, &c->cap_ports, c->n_ports + 1, sizeof *c->ports))
        return ms_msgf(msg, len, -1, "circuit %s: out of memory", c->name);
    ckt_port_desc *p = &c->ports[c->n_ports++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->node = n;
    return 0;
}

int ms_circuit_set_spike(ms_circuit *c, const char *device, char *msg, size_t len)
{
    int k = device ? find_part(c, device) : -1;
    if (k < 0 || c->parts[k].kind != PART_DEVICE)
        return ms_msgf(msg, len, -1, "circuit %s: spike: '%s' is not a device of the circuit", c->name, device ? device : "");
    if (c->parts[k].cls->spike_root < 0)
        return ms_msgf(msg, len, -1, "circuit %s: spike: device '%s' (%s) has no spike root; a soma class has one", c->name,
                    device, c->parts[k].cls->name);
    c->spike_part = k;
    return 0;
}

int ms_circuit_set_c_par(ms_circuit *c, double c_F, char *msg, size_t len)
{
    if (!(c_F >= 0 && c_F <= 1e-6))
        return ms_msgf(msg, len, -1, "circuit %s: C_par = %g F must be in [0, 1e-6] (0: nodes without capacitance are algebraic)",
                    c->name, c_F);
    c->c_par = c_F;
    return 0;
}

/* ---- checks -------------------------------------------------------------------------- */

/* Every free node must reach a fixed node through resistive parts (devices, resistors):
 * without a DC path its voltage is set by capacitance alone, and SPICE refuses such a
 * circuit for the same reason. Union-find over the nodes. */
static int find_root(int *up, int k)
{
    while (up[k] != k) k = up[k] = up[up[k]];
    return k;
}

static int check_dc_paths(const ms_circuit *c, char *msg, size_t len)
{
    int up[c->n_nodes];
    for (size_t k = 0; k < c->n_nodes; k++) up[k] = c->nodes[k].fixed ? 0 : (int)k;
    for (size_t k = 0; k < c->n_parts; k++) {
        const ckt_part_desc *p = &c->parts[k];
        if (p->kind != PART_DEVICE && p->kind != PART_RESISTOR) continue;
        int ra = find_root(up, p->a), rb = find_root(up, p->b);
        if (ra != rb) up[ra > rb ? ra : rb] = ra < rb ? ra : rb;
    }
    for (size_t k = 0; k < c->n_nodes; k++)
        if (find_root(up, (int)k) != 0)
            return ms_msgf(msg, len, -1, "circuit %s: node '%s' has no path to ground through a device or resistor", c->name,
                        c->nodes[k].name);
    return 0;
}

/* ---- compilation ---------------------------------------------------------------------- */

/* Names and units live in one buffer that the model owns. */
typedef struct strbuf {
    char *s;
    size_t n, cap;
} strbuf;

static size_t sb_add(strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 2, 3)))
#endif
    ;
static size_t sb_add(strbuf *b, const char *fmt, ...)
{
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t need = (size_t)(k < 0 ? 0 : k) + 1;
    if (b->n + need > b->cap) return SIZE_MAX; /* sized in advance: never happens */
    size_t at = b->n;
    memcpy(b->s + at, tmp, need);
    b->n += need;
    return at;
}

void ms_circuit_model_free(ms_model *m)
{
    if (!m) return;
    ckt *k = (ckt *)m->ctx;
    free(k->node_pc);
    free(k->node_devcap);
    free(k->dev);
    free(k->res);
    free(k->isrc);
    free(k->port);
    free(k->state);
    free(k->param);
    free(k->obs);
    free(k->port_names);
    free(k->port_state);
    free(k->root_dir);
    free(k->strings);
    free(k);
}

int ms_circuit_compile(const ms_circuit *c, ms_model **out, char *msg, size_t len)
{
    *out = NULL;
    if (check_dc_paths(c, msg, len)) return -1;
    /* Count what the tables need. */
    size_t n_free = 0, n_dyn = 0, n_alg = 0, n_fixed_p = 0, n_dev = 0, n_res = 0, n_isrc = 0, ns_dev = 0, np_dev = 0,
           nr = 0;
    int term[c->n_nodes], dyn[c->n_nodes];
    /* A free node is dynamic when it has capacitance (or a parasitic one is asked for). */
    for (size_t k = 0; k < c->n_nodes; k++) dyn[k] = !c->nodes[k].fixed && c->c_par > 0;
    for (size_t k = 0; k < c->n_parts; k++) {
        const ckt_part_desc *p = &c->parts[k];
        int cap = p->kind == PART_CAPACITOR || (p->kind == PART_DEVICE && ms_device_capacitance(p->cls, p->p) > 0);
        if (!cap) continue;
        if (!c->nodes[p->a].fixed) dyn[p->a] = 1;
        if (!c->nodes[p->b].fixed) dyn[p->b] = 1;
    }
    for (size_t k = 1; k < c->n_nodes; k++) {
        if (c->nodes[k].fixed) n_fixed_p++;
        else if (dyn[k]) n_dyn++;
        else n_alg++;
    }
    n_free = n_dyn + n_alg;
    if (n_dyn == 0) return ms_msgf(msg, len, -1, "circuit %s: no node has capacitance, so nothing evolves in time; "
                                          "give a node a capacitor (or the circuit C_par > 0)", c->name);
    if (n_alg > CKT_MAX_ALG)
        return ms_msgf(msg, len, -1, "circuit %s: %zu nodes without capacitance (at most %d)", c->name, n_alg, CKT_MAX_ALG);
    {
        size_t nd = 0, na = 0;
        for (size_t k = 0; k < c->n_nodes; k++) {
            if (k == 0) term[k] = CKT_GND;
            else if (c->nodes[k].fixed) term[k] = -1; /* parameter index fixed below */
            else term[k] = dyn[k] ? (int)nd++ : (int)(n_dyn + na++);
        }
    }
    for (size_t k = 0; k < c->n_parts; k++) {
        const ckt_part_desc *p = &c->parts[k];
        if (p->kind == PART_DEVICE) {
            n_dev++;
            ns_dev += p->cls->n_state;
            np_dev += p->cls->n_params;
            nr += p->cls->n_roots;
            int cap = ms_device_capacitance(p->cls, p->p) > 0;
            if (cap && !c->nodes[p->a].fixed && !c->nodes[p->b].fixed)
                return ms_msgf(msg, len, -1, "circuit %s: device '%s' has a parallel capacitance and joins two free nodes; "
                                      "one of its terminals must be ground or a fixed node", c->name, p->name);
        } else if (p->kind == PART_CURRENT) {
            n_isrc++;
            if (c->nodes[p->a].fixed) return ms_msgf(msg, len, -1, "circuit %s: current source '%s' feeds a fixed node", c->name, p->name);
        } else {
            n_res++;
            if (p->kind == PART_CAPACITOR && c->nodes[p->b].fixed == c->nodes[p->a].fixed)
                return ms_msgf(msg, len, -1, "circuit %s: capacitor '%s' must join a free node to ground or a fixed node", c->name,
                            p->name);
        }
    }
    size_t n_port = c->n_ports;
    size_t ns = n_dyn + ns_dev + n_port;
    size_t np = n_fixed_p + np_dev + n_res + n_isrc + 3 * n_port + 1 + (c->c_par > 0);
    size_t n_obs = n_alg + 3 * n_dev + n_port;

    ckt *k = calloc(1, sizeof *k);
    if (!k) return ms_msgf(msg, len, -1, "circuit %s: out of memory", c->name);
    k->n_free = n_free;
    k->n_dyn = n_dyn;
    k->n_alg = n_alg;
    k->dev = calloc(n_dev ? n_dev : 1, sizeof *k->dev);
    k->res = calloc(n_res ? n_res : 1, sizeof *k->res);
    k->isrc = calloc(n_isrc ? n_isrc : 1, sizeof *k->isrc);
    k->port = calloc(n_port ? n_port : 1, sizeof *k->port);
    k->state = calloc(ns, sizeof *k->state);
    k->param = calloc(np, sizeof *k->param);
    k->obs = calloc(n_obs ? n_obs : 1, sizeof *k->obs);
    k->port_names = calloc(n_port ? n_port : 1, sizeof *k->port_names);
    k->port_state = calloc(n_port ? n_port : 1, sizeof *k->port_state);
    k->root_dir = calloc(nr ? nr : 1, sizeof *k->root_dir);
    strbuf sb = { .cap = (ns + np + n_obs + n_port) * 2 * 96 + 256 };
    sb.s = malloc(sb.cap);
    k->strings = sb.s;
    ms_model *m = &k->model;
    m->ctx = k;
    if (!k->dev || !k->res || !k->isrc || !k->port || !k->state || !k->param || !k->obs || !k->port_names || !k->port_state ||
        !k->root_dir || !sb.s) {
        ms_circuit_model_free(m);
        return ms_msgf(msg, len, -1, "circuit %s: out of memory", c->name);
    }
    /* Offsets into one string buffer; turned into pointers at the end (no realloc). */
    size_t ip = 0, is = 0, io = 0;
#define NAME(...) (sb.s + sb_add(&sb, __VA_ARGS__))
    /* states: voltages of the nodes with capacitance; observables: those of the others */
    for (size_t n = 1; n < c->n_nodes; n++)
        if (!c->nodes[n].fixed && dyn[n])
            k->state[is++] = (ms_state_spec){ NAME("v_%s", c->nodes[n].name), "V", MS_NODE_V_SCALE_V, -CKT_V_RANGE, CKT_V_RANGE, "node voltage" };
    for (size_t n = 1; n < c->n_nodes; n++)
        if (!c->nodes[n].fixed && !dyn[n])
            k->obs[io++] = (ms_state_spec){ NAME("v_%s", c->nodes[n].name), "V", 1.0, -CKT_V_RANGE, CKT_V_RANGE,
                                            "node voltage (a node without capacitance: solved, not integrated)" };
    /* parameters: fixed node voltages */
    for (size_t n = 1; n < c->n_nodes; n++)
        if (c->nodes[n].fixed) {
            term[n] = -(int)(ip + 1);
            k->param[ip++] = (ms_param_spec){ NAME("%s.V", c->nodes[n].name), "V", c->nodes[n].v, -CKT_V_RANGE, CKT_V_RANGE,
                                              "voltage of a fixed node (a supply)" };
        }
    size_t d = 0, r = 0, q = 0, r0 = 0;
    k->spike_dev = -1;
    for (size_t i = 0; i < c->n_parts; i++) {
        const ckt_part_desc *p = &c->parts[i];
        if (p->kind == PART_DEVICE) {
            const ms_device_class *dc = p->cls;
            ckt_dev *dv = &k->dev[d];
            *dv = (ckt_dev){ .cls = dc, .a = term[p->a], .b = term[p->b], .y0 = is, .p0 = ip, .r0 = r0 };
            dv->e_class = strcmp(dc->role, "dendrite") == 0 ? CE_DENDRITE
                        : strcmp(dc->role, "soma") == 0     ? CE_SOMA
                        : strcmp(dc->role, "synapse") == 0  ? CE_SYNAPSE
                                                            : CE_LOAD;
            for (size_t s = 0; s < dc->n_state; s++)
                k->state[is++] = (ms_state_spec){ NAME("%s.%s", p->name, dc->state_names[s]), NAME("%s", dc->state_units[s]),
                                                  dc->state_scale[s], dc->state_min ? dc->state_min[s] : -INFINITY,
                                                  dc->state_max ? dc->state_max[s] : INFINITY, "device state" };
            for (size_t s = 0; s < dc->n_params; s++) {
                const ms_param_desc *pd = &dc->params[s];
                k->param[ip++] = (ms_param_spec){ NAME("%s.%s", p->name, pd->name), pd->unit, p->p[s], pd->min, pd->max, pd->doc };
            }
            for (size_t s = 0; s < dc->n_roots; s++) k->root_dir[r0 + s] = dc->root_dir[s];
            r0 += dc->n_roots;
            k->obs[io++] = (ms_state_spec){ NAME("%s.i", p->name), "A", 1e-6, -INFINITY, INFINITY, "device current, first terminal to second" };
            k->obs[io++] = (ms_state_spec){ NAME("%s.p", p->name), "W", 1e-6, -INFINITY, INFINITY, "power dissipated in the device" };
            k->obs[io++] = (ms_state_spec){ NAME("%s.v", p->name), "V", 1.0, -INFINITY, INFINITY, "voltage across the device" };
            if ((int)i == c->spike_part) k->spike_dev = (int)d;
            d++;
        } else if (p->kind == PART_CURRENT) {
            k->isrc[q++] = (ckt_isrc){ .node = term[p->a], .p = ip };
            k->param[ip++] = (ms_param_spec){ NAME("%s.I", p->name), "A", p->value, -MS_SOURCE_I_RANGE_A,
                                              MS_SOURCE_I_RANGE_A, "current into the node" };
        } else {
            int cap = p->kind == PART_CAPACITOR;
            /* a capacitor's free terminal comes first */
            int a = term[p->a], b = term[p->b];
            if (cap && c->nodes[p->a].fixed) { int t = a; a = b; b = t; }
            k->res[r++] = (ckt_res){ .a = a, .b = b, .p = ip, .is_cap = cap };
            if (cap) k->param[ip++] = (ms_param_spec){ NAME("%s.C", p->name), "F", p->value, 1e-18, 1e-3, "capacitance" };
            else k->param[ip++] = (ms_param_spec){ NAME("%s.R", p->name), "ohm", p->value, 1e-6, 1e15, "resistance" };
        }
    }
    k->n_dev = n_dev;
    k->n_res = n_res;
    k->n_isrc = n_isrc;
    for (size_t i = 0; i < n_port; i++) {
        const ckt_port_desc *pd = &c->ports[i];
        ckt_port *pt = &k->port[i];
        pt->node = term[pd->node];
        pt->y = is;
        k->state[is++] = (ms_state_spec){ NAME("%s.i_drive", pd->name), "A", 1e-6, -INFINITY, INFINITY,
                                          "drive current of the read pulses in progress (sum of G V_read)" };
        pt->p_g = ip;
        k->param[ip++] = (ms_param_spec){ NAME("%s.g_column", pd->name), "S", 0.0, 0.0, 1e3,
                                          "conductance of the device synapses on the port (set by connect)" };
        pt->p_vg = ip;
        k->param[ip++] = (ms_param_spec){ NAME("%s.virtual_ground", pd->name), "1", 0.0, 0.0, 1.0,
                                          "1: the port's column is a virtual ground (set by connect)" };
        pt->p_rect = ip;
        k->param[ip++] = (ms_param_spec){ NAME("%s.rectify", pd->name), "1", 0.0, 0.0, 1.0,
                                          "1: the column only sources current into the node (set by connect)" };
        k->obs[io++] = (ms_state_spec){ NAME("%s.i", pd->name), "A", 1e-6, -INFINITY, INFINITY, "current the synapses drive into the node" };
        k->port_names[i] = NAME("%s", pd->name);
        k->port_state[i] = (int)pt->y;
    }
    k->n_port = n_port;
    k->p_cpar = SIZE_MAX;
    if (c->c_par > 0) {
        k->p_cpar = ip;
        k->param[ip++] = (ms_param_spec){ "C_par", "F", c->c_par, 1e-18, 1e-6,
                                          "parasitic capacitance of free nodes without any" };
    }
    k->p_vapp = ip;
    k->param[ip++] = (ms_param_spec){ "V_applied", "V", 0.0, 0.0, 1e3,
                                      "applied voltage of the Li 2020 power metric (0: the read voltage of its synapses)" };
#undef NAME
    static const int classes[CE_N] = { MS_E_SYNAPSE_READ, MS_E_DENDRITE, MS_E_SOMA, MS_E_LOAD, MS_E_SOURCE, MS_E_METRIC_LI };
    memcpy(k->energy_class, classes, sizeof classes);

    m->version = MS_MODEL_VERSION;
    m->name = k->strings + sb_add(&sb, "%s", c->name);
    m->doc = "circuit of devices (docs/circuits.md)";
    m->kind = MS_MODEL_NEURON;
    m->methods = MS_METHOD_BIT(MS_METHOD_CVODE);
    m->preferred = MS_METHOD_CVODE;
    m->n_state = ns;
    m->state = k->state;
    m->n_params = np;
    m->params = k->param;
    m->n_ports = n_port;
    m->ports = k->port_names;
    m->port_state = k->port_state;
    m->n_roots = nr;
    m->root_dir = k->root_dir;
    m->no_spikes = k->spike_dev < 0;
    m->n_obs = n_obs;
    m->obs = k->obs;
    m->n_energy = CE_N;
    m->energy_class = k->energy_class;
    msi_circuit_set_callbacks(m);
    *out = m;
    return 0;
}
