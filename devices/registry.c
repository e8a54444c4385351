/* devices/registry.c: the device classes by name. A new class is one line here plus its file;
 * nothing else in memsnn switches on device type. */
#include <stdio.h>
#include <string.h>

#include "devices/device_impl.h"

static const ms_device_class *const classes[] = {
    &msi_dev_rram,          &msi_dev_rram_pku,     &msi_dev_nmda_dendrite,
    &msi_dev_dendrite_static, &msi_dev_dynamic_tiox, &msi_dev_dynamic_wox,
    &msi_dev_mott_soma,     &msi_dev_mott_soma_thermal, &msi_dev_resistor,
};
#define N_CLASSES (sizeof classes / sizeof classes[0])

size_t ms_device_count(void) { return N_CLASSES; }

const ms_device_class *ms_device_at(size_t i) { return i < N_CLASSES ? classes[i] : NULL; }

const ms_device_class *ms_device_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < N_CLASSES; i++)
        if (strcmp(classes[i]->name, name) == 0) return classes[i];
    return NULL;
}

int ms_device_lookup(const char *name, const ms_device_class **out, char *msg, size_t len)
{
    *out = ms_device_find(name);
    if (*out) return MS_DEV_OK;
    msi_dev_err(msg, len, 0, "unknown device '%s'; known:", name ? name : "(null)");
    for (size_t k = 0; msg && k < N_CLASSES; k++) {
        size_t used = strlen(msg);
        if (used + 2 >= len) break;
        snprintf(msg + used, len - used, "%s %s", k ? "," : "", classes[k]->name);
    }
    return MS_DEV_ENOTFOUND;
}
