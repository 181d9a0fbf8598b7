// SPDX-License-Identifier: GPL-2.0
/*
 * Strict parser of the io.xot.weight grammar (see include/xot/weight.h).
 * Shared by the kernel modules and userspace; it reads only the string it is
 * given and never writes past @out.
 */
#include <xot/weight.h>
#include <xot/sched.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Decimal number of at most 10 digits; returns the end or NULL. */
static const char *parse_u32(const char *s, u32 *v)
{
	u64 n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (++digits > 10)
			return NULL;
		n = n * 10 + (u64)(*s - '0');
		s++;
	}
	if (!digits || n > 0xffffffffULL)
		return NULL;
	*v = (u32)n;
	return s;
}

/* Only blanks and at most one newline may follow the last field. */
static bool at_end(const char *s)
{
	s = skip_blanks(s);
	if (*s == '\n')
		s++;
	return *s == '\0';
}

static bool parse_weight(const char *s, u32 *w)
{
	s = parse_u32(s, w);
	return s && at_end(s) && *w >= XOT_WEIGHT_MIN && *w <= XOT_WEIGHT_MAX;
}

int xot_weight_line_parse(const char *line, struct xot_weight_line *out)
{
	struct xot_weight_line r = { 0 };
	const char *s = skip_blanks(line);
	const char *p;

	if (!strncmp(s, "default", 7) && is_blank(s[7])) {
		if (!parse_weight(skip_blanks(s + 7), &r.weight))
			return -1;
		*out = r;
		return 0;
	}
	p = parse_u32(s, &r.major);
	if (p && *p == ':') {
		p = parse_u32(p + 1, &r.minor);
		if (!p || !is_blank(*p))
			return -1;
		r.has_dev = true;
		p = skip_blanks(p);
		if (!strncmp(p, "default", 7) && at_end(p + 7))
			r.reset = true;
		else if (!parse_weight(p, &r.weight))
			return -1;
		*out = r;
		return 0;
	}
	if (!parse_weight(s, &r.weight))
		return -1;
	*out = r;
	return 0;
}
