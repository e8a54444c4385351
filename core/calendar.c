/* core/calendar.c: per-population event calendars: a ring of per-window slots, each a
 * growable array of events (docs/architecture.md, "Networks and the engine"). Memory grows with the
 * events in flight, not with units x delays; a slot keeps its capacity for the next
 * window that reuses it, so a steady run allocates nothing. */
#include "core/net_impl.h"

#include <stdlib.h>

ms_status msi_evbuf_push(ms_evbuf *b, const ms_event *e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        ms_event *ev = realloc(b->ev, cap * sizeof *ev);
        if (!ev) return MS_ENOMEM;
        b->ev = ev;
        b->cap = cap;
    }
    b->ev[b->n++] = *e;
    return MS_OK;
}

void msi_evbuf_free(ms_evbuf *b)
{
    free(b->ev);
    b->ev = NULL;
    b->n = b->cap = 0;
}

ms_status msi_calendar_init(ms_net *net, ms_calendar *cal, size_t n_slots)
{
    cal->slots = calloc(n_slots, sizeof *cal->slots);
    if (!cal->slots) return msi_net_fail(net, MS_ENOMEM, "calendar: out of memory for %zu slots", n_slots);
    cal->n_slots = n_slots;
    return MS_OK;
}

void msi_calendar_free(ms_calendar *cal)
{
    for (size_t s = 0; s < cal->n_slots; s++) msi_evbuf_free(&cal->slots[s]);
    free(cal->slots);
    cal->slots = NULL;
    cal->n_slots = 0;
}

ms_evbuf *msi_calendar_slot(ms_calendar *cal, int64_t window_index)
{
    return &cal->slots[(size_t)(window_index % (int64_t)cal->n_slots)];
}
