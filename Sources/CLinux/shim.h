#ifndef VIGIL_CLINUX_SHIM_H
#define VIGIL_CLINUX_SHIM_H
/* Linux interfaces that Glibc's Swift module map leaves out. */
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <malloc.h>
#include <sys/mman.h>

/* capset(2) has no glibc wrapper and Swift cannot call the variadic syscall(2). Sets the permitted and
   effective sets to `mask` (64 capability bits, version 3 layout) and clears the inheritable set. */
static inline int vigil_capset(unsigned long long mask) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = {
        { (unsigned)(mask & 0xffffffffu), (unsigned)(mask & 0xffffffffu), 0 },
        { (unsigned)(mask >> 32), (unsigned)(mask >> 32), 0 },
    };
    return (int)syscall(SYS_capset, &header, data);
}
/* prctl(2) is variadic, which Swift cannot call. */
static inline int vigil_capbset_drop(int cap) { return prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0); }
#endif
