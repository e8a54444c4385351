/* core/record_stream.c: streamed recorders (core/ms_net.h). At the end of every window the
 * rows a streamed recorder completed in it go to its sink and leave memory, so a recorder
 * holds one window of rows however long the run. The sink (a file writer) lives in the
 * layer that knows about files; core only hands rows over. */
#include "core/net_impl.h"

#include <stdio.h>
#include <string.h>

static ms_status take_sink(ms_sink *slot, const ms_sink *sink)
{
    if (!sink || !sink->write) return MS_EINVAL;
    if (slot->write) return MS_ESTATE;
    *slot = *sink;
    return MS_OK;
}

/* The network owns the sink from the call on: a refused sink is closed at once. */
static ms_status refuse(ms_net *net, const ms_sink *sink, ms_status st, const char *what)
{
    if (sink && sink->close) sink->close(sink->ud);
    if (st == MS_ESTATE) return msi_net_fail(net, st, "record: %s %s already streamed to a file", what,
                                             strncmp(what, "the spikes", 10) == 0 ? "are" : "is");
    return msi_net_fail(net, st, "record: %s: no writer given for the stream", what);
}

ms_status ms_net_stream_trace(ms_net *net, int rec, const ms_sink *sink)
{
    if (rec < 0 || (size_t)rec >= net->n_traces) {
        if (sink && sink->close) sink->close(sink->ud);
        return msi_net_fail(net, MS_EINVAL, "record: no recorder with id %d", rec);
    }
    ms_trace_rec *r = &net->traces[rec];
    ms_status st = take_sink(&r->sink, sink);
    if (st) {
        char what[128];
        snprintf(what, sizeof what, "'%s' of '%s'", r->var_name, net->pops[r->pop].label);
        return refuse(net, sink, st, what);
    }
    return MS_OK;
}

ms_status ms_net_stream_spikes(ms_net *net, int pop, const ms_sink *sink)
{
    if (pop < 0 || (size_t)pop >= net->n_pops) {
        if (sink && sink->close) sink->close(sink->ud);
        return msi_net_fail(net, MS_EINVAL, "record: no population with id %d", pop);
    }
    ms_spike_rec *r = &net->pops[pop].spikes;
    char what[128];
    snprintf(what, sizeof what, "the spikes of '%s'", net->pops[pop].label);
    if (!r->on) {
        if (sink && sink->close) sink->close(sink->ud);
        return msi_net_fail(net, MS_ESTATE, "record: %s are not recorded", what);
    }
    ms_status st = take_sink(&r->sink, sink);
    return st ? refuse(net, sink, st, what) : MS_OK;
}

static ms_status sink_failed(ms_net *net, const char *what, const char *msg)
{
    return msi_net_fail(net, MS_EIO, "run: streaming %s failed at t = %g s: %s", what, net->t, msg);
}

ms_status msi_record_flush(ms_net *net)
{
    char msg[MS_ERRMSG_LEN - 128];
    for (size_t ri = 0; ri < net->n_traces; ri++) {
        ms_trace_rec *r = &net->traces[ri];
        if (!r->sink.write) continue;
        /* Samples at or after the window's end belong to the next window (none are made
         * before it begins, but the rule is the one ms_net_trace applies). */
        size_t n = r->n_samples;
        while (n > 0 && r->times[n - 1] >= net->t) n--;
        if (n == 0) continue;
        ms_rows rows = { .n = n, .t = r->times, .values = r->values, .n_values = r->n_ids };
        msg[0] = '\0';
        int bad = r->sink.write(r->sink.ud, &rows, msg, sizeof msg);
        size_t rest = r->n_samples - n;
        memmove(r->times, r->times + n, rest * sizeof *r->times);
        memmove(r->values, r->values + n * r->n_ids, rest * r->n_ids * sizeof *r->values);
        r->n_samples = rest;
        r->n_dropped += n;
        if (bad) {
            char what[128];
            snprintf(what, sizeof what, "'%s' of '%s'", r->var_name, net->pops[r->pop].label);
            return sink_failed(net, what, msg);
        }
    }
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_spike_rec *r = &net->pops[i].spikes;
        if (!r->sink.write || r->n == 0) continue;
        ms_rows rows = { .n = r->n, .t = r->times, .units = r->ids };
        msg[0] = '\0';
        int bad = r->sink.write(r->sink.ud, &rows, msg, sizeof msg);
        r->n = 0;
        if (bad) {
            char what[128];
            snprintf(what, sizeof what, "the spikes of '%s'", net->pops[i].label);
            return sink_failed(net, what, msg);
        }
    }
    return MS_OK;
}

void msi_record_close_sinks(ms_net *net)
{
    for (size_t ri = 0; ri < net->n_traces; ri++) {
        ms_sink *s = &net->traces[ri].sink;
        if (s->close) s->close(s->ud);
        memset(s, 0, sizeof *s);
    }
    for (size_t i = 0; i < net->n_pops; i++) {
        ms_sink *s = &net->pops[i].spikes.sink;
        if (s->close) s->close(s->ud);
        memset(s, 0, sizeof *s);
    }
}
