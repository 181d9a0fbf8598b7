// SPDX-License-Identifier: GPL-2.0
/*
 * xot-sim utilities: error messages, allocation, numbers with units and a
 * seeded random generator (the only source of randomness).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ------------------------------------------------------------------ errors */

int sim_fail(struct sim_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int sim_fail_at(struct sim_err *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line > 0)
		n = snprintf(e->msg, sizeof(e->msg), "%s:%d: ", file, line);
	else
		n = snprintf(e->msg, sizeof(e->msg), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ memory */

static void *oom(void)
{
	fprintf(stderr, "xot-sim: out of memory\n");
	exit(1);
}

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom();
}

void *sim_xrealloc(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > SIZE_MAX / size)
		return oom();
	bytes = n * size;
	p = realloc(p, bytes ? bytes : 1);
	return p ? p : oom();
}

char *sim_xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *sim_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	return n < 0 ? oom() : p;
}

void sim_grow(void *pp, size_t *cap, size_t n, size_t size)
{
	void **p = pp;
	size_t c = *cap;

	if (n <= c)
		return;
	if (!c)
		c = 16;
	while (c < n)
		c *= 2;
	*p = sim_xrealloc(*p, c, size);
	*cap = c;
}

/* ----------------------------------------------------------------- numbers */

/*
 * A decimal number "123", "1.5", "0.25" as an exact fraction: integer part
 * and up to 9 fractional digits (ns from s). Returns a pointer past it, or
 * NULL if there is no number or it is too large.
 */
static const char *parse_decimal(const char *s, u64 *ip, u64 *frac9)
{
	u64 i = 0, f = 0, scale = 100000000;
	const char *p = s;
	bool digits = false;

	while (*p >= '0' && *p <= '9') {
		if (i > (UINT64_MAX - 9) / 10)
			return NULL;
		i = i * 10 + (u64)(*p++ - '0');
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (*p != '0' && !scale)
				return NULL;	/* finer than 1e-9 */
			f += (u64)(*p++ - '0') * scale;
			scale /= 10;
			digits = true;
		}
	}
	if (!digits)
		return NULL;
	*ip = i;
	*frac9 = f;
	return p;
}

/* @i + @f9 / 1e9, times @mul, where @mul divides 1e9; -1 on overflow */
static int scale_decimal(u64 i, u64 f9, u64 mul, u64 *out)
{
	u64 whole, part;

	if (i && mul > UINT64_MAX / i)
		return -1;
	whole = i * mul;
	part = f9 / (SIM_NS_PER_S / mul);
	if (f9 % (SIM_NS_PER_S / mul))
		return -2;	/* not a whole number of units */
	if (whole > UINT64_MAX - part)
		return -1;
	*out = whole + part;
	return 0;
}

int sim_parse_time(const char *s, u64 *ns, struct sim_err *e)
{
	static const struct {
		const char *unit;
		u64 mul;
	} units[] = {
		{ "ns", 1 }, { "us", SIM_NS_PER_US }, { "ms", SIM_NS_PER_MS },
		{ "s", SIM_NS_PER_S },
	};
	u64 i, f9;
	const char *p = parse_decimal(s, &i, &f9);
	size_t k;
	int ret;

	if (!p)
		return sim_fail(e, "'%s' is not a time (a number and a unit: ns, us, ms, s)", s);
	if (!*p) {
		if (i == 0 && f9 == 0) {
			*ns = 0;
			return 0;
		}
		return sim_fail(e, "time '%s' needs a unit (ns, us, ms, s)", s);
	}
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (strcmp(p, units[k].unit))
			continue;
		ret = scale_decimal(i, f9, units[k].mul, ns);
		if (ret == -2)
			return sim_fail(e, "time '%s' is finer than a nanosecond", s);
		if (ret || *ns > SIM_MAX_TIME_NS)
			return sim_fail(e, "time '%s' is too large (at most 100000s)", s);
		return 0;
	}
	return sim_fail(e, "'%s': unknown time unit '%s' (ns, us, ms, s)", s, p);
}

int sim_parse_size(const char *s, u64 *bytes, struct sim_err *e)
{
	static const struct {
		const char *unit;
		u64 mul;
	} units[] = {
		{ "", 1 }, { "b", 1 }, { "B", 1 },
		{ "k", 1ULL << 10 }, { "K", 1ULL << 10 }, { "KiB", 1ULL << 10 },
		{ "m", 1ULL << 20 }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
		{ "g", 1ULL << 30 }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
	};
	u64 i, f9, v;
	const char *p = parse_decimal(s, &i, &f9);
	size_t k;

	if (!p)
		return sim_fail(e, "'%s' is not a size (bytes, or with k, M, G)", s);
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (strcmp(p, units[k].unit))
			continue;
		if (i > (1ULL << 40) / units[k].mul)
			return sim_fail(e, "size '%s' is too large", s);
		/* fractions: 1.5k is fine, 0.3 bytes is not */
		v = i * units[k].mul;
		if (f9) {
			double fr = (double)f9 / 1e9 * (double)units[k].mul;

			if (fr != floor(fr))
				return sim_fail(e, "size '%s' is not a whole number of bytes", s);
			v += (u64)fr;
		}
		*bytes = v;
		return 0;
	}
	return sim_fail(e, "'%s': unknown size unit '%s' (k, M, G; KiB, MiB, GiB)", s, p);
}

int sim_parse_u64(const char *s, u64 min, u64 max, u64 *v, struct sim_err *e)
{
	unsigned long long x;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return sim_fail(e, "'%s' is not a whole number", s);
	errno = 0;
	x = strtoull(s, &end, 10);
	if (*end)
		return sim_fail(e, "'%s' is not a whole number", s);
	if (errno || x < min || x > max)
		return sim_fail(e, "%s is out of range (%llu..%llu)", s,
				(unsigned long long)min, (unsigned long long)max);
	*v = x;
	return 0;
}

int sim_parse_real(const char *s, double *v, struct sim_err *e)
{
	u64 i, f9;
	const char *p = parse_decimal(s, &i, &f9);

	if (!p || *p)
		return sim_fail(e, "'%s' is not a number", s);
	if (i > (1ULL << 50))
		return sim_fail(e, "%s is too large", s);
	*v = (double)i + (double)f9 / 1e9;
	return 0;
}

const char *sim_fmt_time(char *buf, size_t len, u64 ns)
{
	if (ns == 0)
		snprintf(buf, len, "0");
	else if (ns % SIM_NS_PER_S == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ns / SIM_NS_PER_S));
	else if (ns % SIM_NS_PER_MS == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / SIM_NS_PER_MS));
	else if (ns % SIM_NS_PER_US == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / SIM_NS_PER_US));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

/* ------------------------------------------------------------------ random */

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, u64 seed, u64 stream)
{
	u64 x = seed ^ (stream * 0xd1342543de82ef95ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

u64 sim_rng_next(struct sim_rng *r)
{
	u64 *s = r->s;
	u64 result = rotl(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double sim_rng_unit(struct sim_rng *r)
{
	/* 53 random bits, shifted into (0, 1] */
	return ((double)(sim_rng_next(r) >> 11) + 1.0) / 9007199254740992.0;
}

u64 sim_rng_exp(struct sim_rng *r, double mean_ns)
{
	double v = -log(sim_rng_unit(r)) * mean_ns;

	if (v > (double)SIM_MAX_TIME_NS)
		return SIM_MAX_TIME_NS;
	return v < 1.0 ? 1 : (u64)llround(v);
}
