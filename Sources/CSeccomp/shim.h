#ifndef VIGIL_CSECCOMP_SHIM_H
#define VIGIL_CSECCOMP_SHIM_H
#include <seccomp.h>
#endif
