#ifndef TRADINGD_CPOSTGRES_SHIM_H
#define TRADINGD_CPOSTGRES_SHIM_H
#include <libpq-fe.h>
#endif
