/* vmm/vm/gpa.c: guest-physical RAM as 2 MiB host chunks in any order.
 * - Copies cross chunks through each chunk's own host address.
 * - A copy that reaches past the end of RAM fails and copies nothing: a
 *   write used to fill the part below the end first, so a kvmclock record
 *   registered 16 bytes below the end of RAM was half written though the
 *   WRMSR was refused with #GP (found while writing tests/fuzz/gpa.c).
 * - gpa_to_hva never hands out a range that crosses a chunk. */
#include "vmm/vm/gpa.h"
#include "tests/unit/check.h"
#include <stdlib.h>

#define CHUNK (2u << 20)

static uint8_t *mem[2];
static uint64_t chunks[2];
static struct vm vm;

static void setup(void)
{
	for (int i = 0; i < 2; i++) {
		mem[i] = calloc(1, CHUNK);
		CHECK(mem[i] != NULL);
	}
	/* Guest chunk 0 is the second buffer: order matters. */
	chunks[0] = (uint64_t)(uintptr_t)mem[1];
	chunks[1] = (uint64_t)(uintptr_t)mem[0];
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = 2ull * CHUNK;
	vm.ram_chunks = chunks;
}

static void test_cross_chunk(void)
{
	uint8_t in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8] = { 0 };
	CHECK(vm_write_gpa(&vm, CHUNK - 4, in, 8));
	CHECK(mem[1][CHUNK - 4] == 1 && mem[1][CHUNK - 1] == 4);
	CHECK(mem[0][0] == 5 && mem[0][3] == 8);
	CHECK(vm_read_gpa(&vm, CHUNK - 4, out, 8));
	CHECK(!memcmp(in, out, 8));
	CHECK(gpa_to_hva(&vm, CHUNK - 4, 8) == NULL);
	CHECK(gpa_to_hva(&vm, CHUNK - 4, 4) == mem[1] + CHUNK - 4);
	CHECK(gpa_to_hva(&vm, CHUNK, 4) == mem[0]);
}

static void test_refused_writes_nothing(void)
{
	uint8_t rec[32];
	memset(rec, 0xab, sizeof(rec));
	uint64_t end = vm.ram_size;
	CHECK(!vm_write_gpa(&vm, end - 16, rec, sizeof(rec)));
	for (int i = 1; i <= 16; i++)
		CHECK(mem[0][CHUNK - i] == 0);
	CHECK(!vm_write_gpa(&vm, ~0ull - 8, rec, sizeof(rec))); /* wraps */
	CHECK(!vm_write_gpa(&vm, end, rec, 1));
	CHECK(vm_write_gpa(&vm, end - 32, rec, sizeof(rec)));
	CHECK(mem[0][CHUNK - 1] == 0xab);
	CHECK(vm_write_gpa(&vm, end, rec, 0));                  /* nothing to do */
	uint8_t out[32];
	memset(out, 0x11, sizeof(out));
	CHECK(!vm_read_gpa(&vm, end - 16, out, sizeof(out)));
	CHECK(out[0] == 0x11);
}

int main(void)
{
	setup();
	test_cross_chunk();
	test_refused_writes_nothing();
	return check_done("test_gpa");
}
