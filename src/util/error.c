#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Long enough for a path and a cause; longer details are cut. */
#define ERROR_DETAIL_MAX 512

static _Thread_local char error_text[ERROR_DETAIL_MAX];

const char *error_message(int code)
{
    switch (code) {
#define ERROR_CASE(name, value, text)                                          \
    case name:                                                                 \
        return text;
        ERROR_TABLE(ERROR_CASE)
#undef ERROR_CASE
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

int error_set(int code, const char *fmt, ...)
{
    char text[ERROR_DETAIL_MAX];
    va_list ap;

    /* Formatted apart first: callers may pass error_detail() itself, to
     * put a new object in front of the cause. */
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    memcpy(error_text, text, sizeof(error_text));
    return code;
}

const char *error_detail(void)
{
    return error_text[0] != '\0' ? error_text : "unknown error";
}

void error_clear(void)
{
    error_text[0] = '\0';
}
