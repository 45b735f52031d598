#ifndef VIGIL_CAUDIT_SHIM_H
#define VIGIL_CAUDIT_SHIM_H
#include <libaudit.h>
#endif
