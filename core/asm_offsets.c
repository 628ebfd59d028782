/* Structure offsets for assembly. Compiled to assembly only; the Makefile
 * turns each "@@OFFSET NAME value" marker into #define NAME value in
 * build/gen/asm_offsets.h. Add here whatever a .S file needs. */
#include "core/traps.h"
#include "core/percpu.h"
#include "vmm/vm/vm.h"

#define OFFSET(name, type, member) \
	__asm__ volatile("\n.ascii \"@@OFFSET " #name " %c0\"" :: "i"(offsetof(type, member)))
#define VALUE(name, v) \
	__asm__ volatile("\n.ascii \"@@OFFSET " #name " %c0\"" :: "i"(v))

void asm_offsets(void);
void asm_offsets(void)
{
	VALUE(TF_SIZE, sizeof(struct trap_frame));
	OFFSET(TF_VECTOR, struct trap_frame, vector);
	OFFSET(TF_RIP, struct trap_frame, rip);
	OFFSET(PCPU_STACK_TOP, struct pcpu, stack_top);
#define GPR(name, idx) VALUE(VCPU_##name, offsetof(struct vcpu, gpr) + 8 * (idx))
	GPR(RAX, GPR_RAX); GPR(RCX, GPR_RCX); GPR(RDX, GPR_RDX); GPR(RBX, GPR_RBX);
	GPR(RBP, GPR_RBP); GPR(RSI, GPR_RSI); GPR(RDI, GPR_RDI);
	GPR(R8, GPR_R8); GPR(R9, GPR_R9); GPR(R10, GPR_R10); GPR(R11, GPR_R11);
	GPR(R12, GPR_R12); GPR(R13, GPR_R13); GPR(R14, GPR_R14); GPR(R15, GPR_R15);
	OFFSET(VCPU_CR2, struct vcpu, cr2);
}
