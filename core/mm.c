/* The hypervisor's memory: one global page allocator and a size-class heap. */
#include "core/mm.h"
#include "core/palloc.h"
#include "core/spinlock.h"
#include "core/log.h"
#include "boot/boot_defs.h"

extern char __image_start[], __image_end[];
extern uint64_t boot_pml4[];

static struct palloc pa;
static spinlock_t pa_lock = SPINLOCK_INIT;
static uint64_t total_bytes;

static const char *mmap_type_name(uint32_t t)
{
	switch (t) {
	case MMAP_USABLE: return "usable";
	case MMAP_RESERVED: return "reserved";
	case MMAP_ACPI_RECLAIM: return "acpi";
	case MMAP_ACPI_NVS: return "acpi-nvs";
	case MMAP_BAD: return "bad";
	default: return "other";
	}
}

/* A usable region above 1 MiB big enough for the bitmap and clear of
 * everything the loader gave us. */
static uint64_t find_bitmap_home(const struct boot_info *bi, uint64_t bytes)
{
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	for (unsigned i = 0; i < bi->nmmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		if (e->type != MMAP_USABLE)
			continue;
		uint64_t cand = ALIGN_UP(MAX(e->base, MiB(1)), PAGE_SIZE);
		uint64_t end = e->base + e->len;
		while (cand + bytes <= end) {
			uint64_t cend = cand + bytes, bump = 0;
			if (cand < (uint64_t)__image_end && cend > (uint64_t)__image_start)
				bump = (uint64_t)__image_end;
			if (cand < bi->info_end && cend > bi->info_start)
				bump = MAX(bump, bi->info_end);
			for (unsigned m = 0; m < bi->nmods; m++)
				if (cand < bi->mods[m].end && cend > bi->mods[m].start)
					bump = MAX(bump, bi->mods[m].end);
			if (!bump)
				return cand;
			cand = ALIGN_UP(bump, PAGE_SIZE);
		}
	}
	return 0;
}

/* The boot page tables map 0-4 GiB; map RAM above that (2 MiB pages). */
static void map_high_ram(uint64_t top)
{
	uint64_t *pdpt = (uint64_t *)(boot_pml4[0] & ~0xfffull);
	for (uint64_t gb = 4; gb < DIV_ROUND_UP(top, GiB(1)) && gb < 512; gb++) {
		uint64_t pd = palloc_alloc(&pa, 1, 1);
		if (!pd)
			panic("no memory for the identity map above 4 GiB");
		uint64_t *pde = (uint64_t *)pd;
		for (unsigned i = 0; i < 512; i++)
			pde[i] = (gb << 30) + ((uint64_t)i << 21) + (PTE_P | PTE_W | PTE_PS);
		pdpt[gb] = pd | PTE_P | PTE_W;
	}
	write_cr3(read_cr3());
}

void mm_init(const struct boot_info *bi)
{
	uint64_t top = 0;
	for (unsigned i = 0; i < bi->nmmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		pr_info("mmap: 0x%012llx-0x%012llx %s", (unsigned long long)e->base,
			(unsigned long long)(e->base + e->len), mmap_type_name(e->type));
		if (e->type == MMAP_USABLE && e->len) {
			top = MAX(top, e->base + e->len);
			total_bytes += e->len;
		}
	}
	if (bi->dropped_mmap)
		pr_warn("mmap: %u entries beyond the first %u ignored", bi->dropped_mmap, BOOT_MAX_MMAP);
	if (top > GiB(512))
		top = GiB(512);  /* one PDPT of identity map; more is not worth it here */

	size_t bytes = palloc_bitmap_bytes(0, top);
	uint64_t home = find_bitmap_home(bi, bytes);
	if (!home)
		panic("no room for the page bitmap (%zu bytes)", bytes);
	palloc_init(&pa, 0, top, (uint64_t *)home);
	for (unsigned i = 0; i < bi->nmmap; i++)
		if (bi->mmap[i].type == MMAP_USABLE)
			palloc_release_range(&pa, bi->mmap[i].base, bi->mmap[i].len);
	/* Real-mode area (BIOS data, EBDA, our AP trampoline) stays untouched. */
	palloc_reserve_range(&pa, 0, MiB(1));
	palloc_reserve_range(&pa, (uint64_t)__image_start,
			     (uint64_t)__image_end - (uint64_t)__image_start);
	palloc_reserve_range(&pa, bi->info_start, bi->info_end - bi->info_start);
	for (unsigned m = 0; m < bi->nmods; m++)
		palloc_reserve_range(&pa, bi->mods[m].start, bi->mods[m].end - bi->mods[m].start);
	palloc_reserve_range(&pa, home, bytes);
	if (top > GiB(4))
		map_high_ram(top);
	pr_info("mm: %llu MiB usable, %llu MiB free, image %#llx-%#llx",
		(unsigned long long)(total_bytes >> 20),
		(unsigned long long)((pa.free_frames * PAGE_SIZE) >> 20),
		(unsigned long long)(uint64_t)__image_start,
		(unsigned long long)(uint64_t)__image_end);
}

uint64_t page_alloc_aligned(uint64_t npages, uint64_t align_pages)
{
	uint64_t f = spin_lock_irqsave(&pa_lock);
	uint64_t p = palloc_alloc(&pa, npages, align_pages);
	spin_unlock_irqrestore(&pa_lock, f);
	if (p)
		memset((void *)p, 0, npages * PAGE_SIZE);
	return p;
}

uint64_t page_alloc_contig(uint64_t npages) { return page_alloc_aligned(npages, 1); }

void page_free(uint64_t phys, uint64_t npages)
{
	uint64_t f = spin_lock_irqsave(&pa_lock);
	bool ok = palloc_free(&pa, phys, npages);
	spin_unlock_irqrestore(&pa_lock, f);
	if (!ok)
		panic("page_free(%#llx, %llu): not allocated", (unsigned long long)phys,
		      (unsigned long long)npages);
}

uint64_t mm_free_bytes(void) { return pa.free_frames * PAGE_SIZE; }
uint64_t mm_total_bytes(void) { return total_bytes; }

/* Heap: power-of-two size classes from 32 to 2048 bytes carved from pages;
 * larger requests take whole pages. A 16-byte header records which. */
#define HEAP_MIN_SHIFT 5
#define HEAP_MAX_SHIFT 11
struct heap_hdr { uint32_t magic; uint32_t cls; uint64_t pages; };
#define HEAP_MAGIC 0x48454150u
static void *heap_free_list[HEAP_MAX_SHIFT + 1];
static spinlock_t heap_lock = SPINLOCK_INIT;

void *kmalloc(size_t size)
{
	size_t need = size + sizeof(struct heap_hdr);
	if (need > (1u << HEAP_MAX_SHIFT)) {
		uint64_t pages = DIV_ROUND_UP(need, PAGE_SIZE);
		struct heap_hdr *h = (struct heap_hdr *)page_alloc_contig(pages);
		if (!h)
			return NULL;
		*h = (struct heap_hdr){ HEAP_MAGIC, 0, pages };
		return h + 1;
	}
	unsigned cls = HEAP_MIN_SHIFT;
	while ((1u << cls) < need)
		cls++;
	uint64_t f = spin_lock_irqsave(&heap_lock);
	if (!heap_free_list[cls]) {
		uint64_t pg = page_alloc_contig(1);
		if (!pg) {
			spin_unlock_irqrestore(&heap_lock, f);
			return NULL;
		}
		for (uint64_t off = 0; off + (1u << cls) <= PAGE_SIZE; off += 1u << cls) {
			void **obj = (void **)(pg + off);
			*obj = heap_free_list[cls];
			heap_free_list[cls] = obj;
		}
	}
	struct heap_hdr *h = heap_free_list[cls];
	heap_free_list[cls] = *(void **)h;
	spin_unlock_irqrestore(&heap_lock, f);
	*h = (struct heap_hdr){ HEAP_MAGIC, cls, 0 };
	return h + 1;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct heap_hdr *h = (struct heap_hdr *)p - 1;
	if (h->magic != HEAP_MAGIC)
		panic("kfree(%p): not a heap object", p);
	h->magic = 0;
	if (h->pages) {
		page_free((uint64_t)h, h->pages);
		return;
	}
	uint64_t f = spin_lock_irqsave(&heap_lock);
	*(void **)h = heap_free_list[h->cls];
	heap_free_list[h->cls] = h;
	spin_unlock_irqrestore(&heap_lock, f);
}
