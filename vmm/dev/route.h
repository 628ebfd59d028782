/* Which device answers a guest's port or MMIO access: one routing table
 * (route.c) for every device model of a VM. */
#ifndef VMM_DEV_ROUTE_H
#define VMM_DEV_ROUTE_H
#include "vmm/vm/vm.h"

/* Port I/O of size 1, 2 or 4. in: *val receives the value. Unclaimed ports
 * read as all ones and ignore writes, like an empty ISA bus. */
void dev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);

/* Is there a device at guest-physical gpa (outside RAM)? */
bool dev_mmio_claims(uint64_t gpa);
/* An MMIO access of size 1, 2, 4 or 8 at gpa (a device's, see above). */
void dev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);

#endif
