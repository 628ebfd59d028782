/* hvsim: runs the scheduler library (sched/) on a simulated machine.
 * Exit status: 0 ok, 2 bad arguments or configuration, 3 broken invariant
 * (--check). */
#include "sched/sim/sim.h"
#include <stdio.h>

static struct sim_config cfg;
static struct sim machine;

int main(int argc, char **argv)
{
	int rc = sim_parse_args(argc, argv, &cfg);
	int code = 0;

	if (rc)
		return rc > 0 ? 0 : 2;
	if (sim_run(&machine, &cfg, &code))
		return code;
	sim_report(&machine);
	return 0;
}
