/* Host stand-in for hw/x86.h, for the fuzz targets that build device models
 * which are not pure (vmm/dev/vlapic.c, vmm/dev/vpit.c): tests/fuzz/module.mk
 * puts tests/fuzz/env first on the include path, so "hw/x86.h" finds this
 * file. Interrupt masking and pause do nothing (one thread), rdtsc reads the
 * stub clock (env.c), and any other instruction wrapper would be a model
 * touching real hardware: it aborts. Same include guard as the real one. */
#ifndef HW_X86_H
#define HW_X86_H
#include "core/lib.h"
#include "hw/x86_defs.h"

uint64_t env_rdtsc(void);
_Noreturn void env_no_hw(const char *what);

static inline void outb(uint16_t port, uint8_t v) { (void)port; (void)v; env_no_hw("outb"); }
static inline void outw(uint16_t port, uint16_t v) { (void)port; (void)v; env_no_hw("outw"); }
static inline void outl(uint16_t port, uint32_t v) { (void)port; (void)v; env_no_hw("outl"); }
static inline uint8_t inb(uint16_t port) { (void)port; env_no_hw("inb"); }
static inline uint16_t inw(uint16_t port) { (void)port; env_no_hw("inw"); }
static inline uint32_t inl(uint16_t port) { (void)port; env_no_hw("inl"); }
static inline uint64_t rdmsr(uint32_t msr) { (void)msr; env_no_hw("rdmsr"); }
static inline void wrmsr(uint32_t msr, uint64_t v) { (void)msr; (void)v; env_no_hw("wrmsr"); }
static inline uint64_t rdtsc(void) { return env_rdtsc(); }
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t f) { (void)f; }
static inline void irq_enable(void) { }
static inline void irq_disable(void) { }
static inline bool irq_enabled(void) { return false; }
static inline void cpu_relax(void) { }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

#endif
