/* Port I/O of guests: the UART, the exit ports, and an empty bus elsewhere. */
#include "vmm/vmm_exits.h"
#include "vmm/vm.h"
#include "vmm/vdev.h"
#include "core/log.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4      /* QEMU isa-debug-exit convention */
#define BOCHS_SHUTDOWN 0x8900

void vmm_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vm *vm = v->vm;
	if (port >= COM1 && port < COM1 + 8) {
		spin_lock(&vm->lock);
		if (in)
			*val = vuart_read(&vm->uart, port - COM1);
		else
			vuart_write(&vm->uart, port - COM1, (uint8_t)*val);
		spin_unlock(&vm->lock);
		return;
	}
	if (port == DEBUG_EXIT && !in) {
		vm_stop(vm, STOP_EXIT, *val & (size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff), NULL);
		return;
	}
	if (port == BOCHS_SHUTDOWN && !in) {
		static const char word[] = "Shutdown";
		spin_lock(&vm->lock);
		char c = (char)*val;
		vm->shutdown_match = c == word[vm->shutdown_match] ? vm->shutdown_match + 1 :
				     c == word[0] ? 1 : 0;
		bool done = vm->shutdown_match == sizeof(word) - 1;
		spin_unlock(&vm->lock);
		if (done)
			vm_stop(vm, STOP_POWEROFF, 0, NULL);
		return;
	}
	if (vdev_pio(v, port, size, in, val))
		return;
	/* Nothing here: reads float high, writes vanish. */
	if (in)
		*val = size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
	pr_debug("vm %s: unclaimed port %#x %s", vm->name, port, in ? "read" : "write");
}
