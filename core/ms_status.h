/* core/ms_status.h: status codes returned by every fallible memsnn function, and the
 * message buffer that carries the details (which object, which value, which unit).
 * Library code never prints, aborts or exits: it returns one of these and stores a message
 * on the object the caller owns (network, recorder, plot), read back with *_errmsg(). */
#ifndef MEMSNN_CORE_MS_STATUS_H
#define MEMSNN_CORE_MS_STATUS_H

#include <stdarg.h>
#include <stddef.h>

typedef enum ms_status {
    MS_OK = 0,
    MS_ENOMEM,   /* an allocation failed                                  */
    MS_EINVAL,   /* bad argument: unknown name, out-of-range value, NaN   */
    MS_ESTATE,   /* call not allowed now (e.g. add a population after run) */
    MS_ESOLVER,  /* the ODE solver failed (CVODE flag in the message)      */
    MS_EIO,      /* a file could not be read or written                   */
    MS_EINTR,    /* the run was interrupted by its progress callback       */
    MS_ERANGE    /* a unit's state left its range during a run (core/check.c) */
} ms_status;

#define MS_ERRMSG_LEN 1024

/* The last error of an object: its code and a human-readable message. */
typedef struct ms_error {
    ms_status code;
    char msg[MS_ERRMSG_LEN];
} ms_error;

const char *ms_status_name(ms_status st);

/* Stores a formatted message and returns code, so a caller writes
 * `return ms_error_set(&net->err, MS_EINVAL, "delay %g s must be > 0", d);`. */
ms_status ms_error_set(ms_error *err, ms_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;
ms_status ms_error_vset(ms_error *err, ms_status code, const char *fmt, va_list ap);
void ms_error_clear(ms_error *err);

/* Formats a message into the caller's buffer msg (len bytes; nothing when msg is
 * NULL or len is 0) and returns ret: the error path of functions that report through a
 * message buffer rather than an ms_error. */
int ms_msgf(char *msg, size_t len, int ret, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 4, 5)))
#endif
    ;

#endif
