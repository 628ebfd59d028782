/* Hypercall numbers (RAX of VMCALL). KVM's own numbers are honoured where
 * lhv implements them; lhv's start at 0x4C480000 ("LH"). Unknown numbers
 * return -1000 (KVM's -KVM_ENOSYS). Documented in docs/hypercalls.md. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#define HC_ENOSYS        ((uint64_t)-1000)
#define HC_EINVAL        ((uint64_t)-22)
#define HC_LHV_ECHO      0x4C480001u   /* returns arg0 + 1: a liveness probe */

#endif
