/* Seeded random numbers for the simulator: splitmix64 expands the seed,
 * xoshiro256** draws. Every random choice in a run comes from one of these
 * generators, so a run is a pure function of its arguments. */
#ifndef SCHED_SIM_RNG_H
#define SCHED_SIM_RNG_H
#include <math.h>
#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

static inline uint64_t sim_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix64(&x);
}

static inline uint64_t sim_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s, out = sim_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static inline double sim_rng_unit(struct sim_rng *r) { return (double)(sim_rng_next(r) >> 11) * 0x1p-53; }

/* Uniform integer in [0, n). */
static inline uint64_t sim_rng_below(struct sim_rng *r, uint64_t n) { return n ? sim_rng_next(r) % n : 0; }

/* Exponential with the given mean, in ns, at least 1. */
static inline uint64_t sim_rng_exp_ns(struct sim_rng *r, double mean_ns)
{
	double x = -log(1.0 - sim_rng_unit(r)) * mean_ns;
	return x < 1.0 ? 1 : (uint64_t)x;
}
#endif
