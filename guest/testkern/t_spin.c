/* spin: a CPU-bound guest for scheduling experiments: busy-loops, printing
 * `INFO spin <k>` every spin_every iterations (default 10000000); iters=<n>
 * ends it after n lines with PASS, without iters= it never ends. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define DEFAULT_EVERY 10000000u

enum verdict t_spin(void)
{
	uint32_t every = DEFAULT_EVERY, lines = 0;
	param_u32("spin_every", &every);
	bool finite = param_u32("iters", &lines);
	for (uint32_t k = 1; !finite || k <= lines; k++) {
		/* an empty asm keeps the loop from being optimized away */
		for (uint32_t i = 0; i < every; i++)
			__asm__ volatile("" ::: "memory");
		tk_printf("INFO spin %u\n", k);
	}
	return V_PASS;
}
