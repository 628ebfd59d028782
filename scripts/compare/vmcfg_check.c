/* lhv-vmcfg: parse module lines with the hypervisor's own parser
 * (vmm/vm/config.c), so the comparison harness knows which options this
 * lhv accepts (pv= for the paravirtual lock flavour, for one) without
 * booting it.
 *
 *   lhv-vmcfg 'vm=a vcpus=1 mem=64M pv=all' ...
 *
 * Prints "ok" or the parser's message per line; exit status 0 when every
 * line was accepted, 1 otherwise. */
#include <stdio.h>
#include "vmm/vm/config.h"

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		static struct vm_config cfg;
		char err[600];
		if (vm_config_parse(argv[i], MiB(4096), &cfg, err, sizeof(err)) == 0) {
			printf("ok\n");
		} else {
			printf("%s\n", err);
			bad = 1;
		}
	}
	return bad;
}
