/* core/model.c: the model registry and descriptor lookups (core/ms_model.h). */
#include "core/ms_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ms_registry {
    size_t n, cap;
    const ms_model **models;
};

ms_status ms_registry_create(ms_registry **out, ms_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return ms_error_set(err, MS_ENOMEM, "registry: out of memory");
    return MS_OK;
}

void ms_registry_destroy(ms_registry *reg)
{
    if (!reg) return;
    free(reg->models);
    free(reg);
}

/* A model must provide what each method it claims needs, so a missing function is found
 * when it is registered, not in the middle of a run. */
ms_status ms_model_validate(const ms_model *m, ms_error *err)
{
    if (m->version != MS_MODEL_VERSION)
        return ms_error_set(err, MS_EINVAL, "model %s: interface version %d, expected %d",
                            m->name, m->version, MS_MODEL_VERSION);
    if (m->kind == MS_MODEL_SOURCE) {
        if (!m->generate) return ms_error_set(err, MS_EINVAL, "model %s: a source needs generate", m->name);
        return MS_OK;
    }
    if (!m->init || !m->on_input)
        return ms_error_set(err, MS_EINVAL, "model %s: init and on_input are required", m->name);
    if (m->n_roots > 0 && (!m->roots || !m->on_root || !m->root_dir))
        return ms_error_set(err, MS_EINVAL, "model %s: roots need roots, root_dir and on_root", m->name);
    if ((m->methods & MS_METHOD_BIT(MS_METHOD_EXACT)) && !m->propagate)
        return ms_error_set(err, MS_EINVAL, "model %s: method exact needs propagate", m->name);
    if ((m->methods & MS_METHOD_BIT(MS_METHOD_CVODE)) && !m->rhs)
        return ms_error_set(err, MS_EINVAL, "model %s: method cvode needs rhs", m->name);
    if ((m->methods & MS_METHOD_BIT(MS_METHOD_FIXED)) && !m->step && !m->rhs)
        return ms_error_set(err, MS_EINVAL, "model %s: method fixed needs step or rhs", m->name);
    if (m->methods & MS_METHOD_BIT(MS_METHOD_FIXED)) {
        for (size_t k = 0; k < m->n_ports; k++)
            if (!m->port_state || m->port_state[k] < 0 || (size_t)m->port_state[k] >= m->n_state)
                return ms_error_set(err, MS_EINVAL, "model %s: method fixed needs port '%s' to add to a state variable",
                                    m->name, m->ports[k]);
    }
    if (!(m->methods & MS_METHOD_BIT(m->preferred)))
        return ms_error_set(err, MS_EINVAL, "model %s: its preferred method is not supported", m->name);
    if (m->n_energy && (!m->power || !m->energy_class))
        return ms_error_set(err, MS_EINVAL, "model %s: energies need power and energy_class", m->name);
    for (size_t k = 0; k < m->n_energy; k++)
        if (m->energy_class[k] < 0 || m->energy_class[k] >= MS_E_N_CLASSES)
            return ms_error_set(err, MS_EINVAL, "model %s: energy %zu has an unknown class", m->name, k);
    if (m->n_obs && (!m->obs || !m->observe))
        return ms_error_set(err, MS_EINVAL, "model %s: observables need obs and observe", m->name);
    for (size_t k = 0; k < m->n_state; k++)
        if (!(m->state[k].min <= m->state[k].max))
            return ms_error_set(err, MS_EINVAL, "model %s: state %s has the range [%g, %g]", m->name,
                                m->state[k].name, m->state[k].min, m->state[k].max);
    for (size_t k = 0; m->port_sign && k < m->n_ports; k++)
        if (m->port_sign[k] != 0 && m->port_sign[k] != 1)
            return ms_error_set(err, MS_EINVAL, "model %s: port %s has sign rule %d (expected 0 or +1)",
                                m->name, m->ports[k], m->port_sign[k]);
    return MS_OK;
}

ms_status ms_registry_add(ms_registry *reg, const ms_model *m, ms_error *err)
{
    if (!m || !m->name) return ms_error_set(err, MS_EINVAL, "registry: model without a name");
    if (ms_registry_find(reg, m->name))
        return ms_error_set(err, MS_EINVAL, "registry: model %s is already registered", m->name);
    ms_status st = ms_model_validate(m, err);
    if (st) return st;
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? 2 * reg->cap : 16;
        const ms_model **mm = realloc(reg->models, cap * sizeof *mm);
        if (!mm) return ms_error_set(err, MS_ENOMEM, "registry: out of memory");
        reg->models = mm;
        reg->cap = cap;
    }
    reg->models[reg->n++] = m;
    return MS_OK;
}

const ms_model *ms_registry_find(const ms_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->models[i]->name, name) == 0) return reg->models[i];
    return NULL;
}

size_t ms_registry_count(const ms_registry *reg) { return reg->n; }
const ms_model *ms_registry_at(const ms_registry *reg, size_t i) { return i < reg->n ? reg->models[i] : NULL; }

int ms_model_param_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_params; k++)
        if (strcmp(m->params[k].name, name) == 0) return (int)k;
    return -1;
}

int ms_model_state_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_state; k++)
        if (strcmp(m->state[k].name, name) == 0) return (int)k;
    return -1;
}

int ms_model_port_index(const ms_model *m, const char *name)
{
    for (size_t k = 0; k < m->n_ports; k++)
        if (strcmp(m->ports[k], name) == 0) return (int)k;
    return -1;
}

ms_status ms_model_check_param(const ms_model *m, int k, double value, ms_error *err)
{
    const ms_param_spec *ps = &m->params[k];
    /* Infinity is a value only where the range includes it (a source's stop time). */
    int allowed_inf = isinf(value) && (value > 0 ? isinf(ps->max) : isinf(ps->min));
    if (isnan(value) || (isinf(value) && !allowed_inf))
        return ms_error_set(err, MS_EINVAL, "%s: parameter %s must be a finite number, got %g",
                            m->name, ps->name, value);
    if (value < ps->min || value > ps->max)
        return ms_error_set(err, MS_EINVAL, "%s: parameter %s = %g %s is outside [%g, %g] %s",
                            m->name, ps->name, value, ps->unit, ps->min, ps->max, ps->unit);
    return MS_OK;
}

ms_status ms_model_check_state(const ms_model *m, int k, double value, ms_error *err)
{
    const ms_state_spec *ss = &m->state[k];
    if (!isfinite(value))
        return ms_error_set(err, MS_EINVAL, "%s: state %s must be a finite number, got %g",
                            m->name, ss->name, value);
    if (value < ss->min || value > ss->max)
        return ms_error_set(err, MS_EINVAL, "%s: state %s = %g %s is outside [%g, %g] %s",
                            m->name, ss->name, value, ss->unit, ss->min, ss->max, ss->unit);
    return MS_OK;
}

int ms_model_port_nonnegative(const ms_model *m, int port)
{
    return m->port_sign && port >= 0 && (size_t)port < m->n_ports && m->port_sign[port] > 0;
}

const char *ms_method_name(ms_method m)
{
    switch (m) {
    case MS_METHOD_EXACT: return "exact";
    case MS_METHOD_CVODE: return "cvode";
    case MS_METHOD_FIXED: return "fixed";
    default: return "?";
    }
}

int ms_method_parse(const char *s)
{
    for (int m = 0; m < MS_METHOD_COUNT; m++)
        if (strcmp(s, ms_method_name((ms_method)m)) == 0) return m;
    return -1;
}

const char *ms_energy_class_name(int k)
{
    static const char *const names[MS_E_N_CLASSES] = {
        "synapse_read", "synapse_write", "dendrite", "soma", "load", "peripheral", "source", "li_metric"
    };
    return k >= 0 && k < MS_E_N_CLASSES ? names[k] : "?";
}
