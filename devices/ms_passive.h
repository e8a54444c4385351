/* devices/ms_passive.h: parameter layout of the passive reference device "resistor"
 * (devices/resistor.c, docs/devices/resistor.md). */
#ifndef MEMSNN_DEVICES_MS_PASSIVE_H
#define MEMSNN_DEVICES_MS_PASSIVE_H

enum ms_resistor_param {
    MS_RESISTOR_R,          /* resistance (ohm) */
    MS_RESISTOR_N_PARAMS
};

#endif
