#ifndef VIGIL_CAUDIT_SHIM_H
#define VIGIL_CAUDIT_SHIM_H
#include <libaudit.h>

/* libaudit keeps per-rule parse state in globals that auditctl sets itself; they are exported but not declared in
 * libaudit.h. A key is only accepted once a syscall was added (EAU_KEYDEP), and syscall names resolve through
 * the arch last set. These helpers reset and mark that state the way auditctl does for each rule. */
extern int _audit_syscalladded;
extern int _audit_archadded;
extern int _audit_elf;

static inline void vigil_audit_rule_begin(void) {
    _audit_syscalladded = 0;
    _audit_archadded = 0;
    _audit_elf = 0;
}

static inline void vigil_audit_rule_syscalls_added(void) { _audit_syscalladded = 1; }
#endif
