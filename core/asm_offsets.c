/* Structure offsets for assembly. Compiled to assembly only; the Makefile
 * turns each "@@OFFSET NAME value" marker into #define NAME value in
 * build/gen/asm_offsets.h. Add here whatever a .S file needs. */
#include "core/traps.h"
#include "core/percpu.h"

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
}
