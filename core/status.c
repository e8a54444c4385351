/* core/status.c: status names and the error-message buffer (core/ms_status.h). */
#include "core/ms_status.h"

#include <stdarg.h>
#include <stdio.h>

#include <stdio.h>

const char *ms_status_name(ms_status st)
{
    switch (st) {
    case MS_OK: return "ok";
    case MS_ENOMEM: return "out of memory";
    case MS_EINVAL: return "invalid argument";
    case MS_ESTATE: return "invalid state";
    case MS_ESOLVER: return "solver failure";
    case MS_EIO: return "input/output error";
    case MS_EINTR: return "interrupted";
    case MS_ERANGE: return "state out of range";
    }
    return "unknown status";
}

ms_status ms_error_vset(ms_error *err, ms_status code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

ms_status ms_error_set(ms_error *err, ms_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void ms_error_clear(ms_error *err)
{
    if (err) {
        err->code = MS_OK;
        err->msg[0] = '\0';
    }
}

int ms_msgf(char *msg, size_t len, int ret, const char *fmt, ...)
{
    if (msg && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return ret;
}
