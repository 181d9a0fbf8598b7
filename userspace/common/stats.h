/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small statistics shared by the userspace tools that report shares
 * (userspace/bench/fairness-report.c, userspace/sim/report.c).
 */
#ifndef _XOT_USER_STATS_H
#define _XOT_USER_STATS_H

#include <stddef.h>

/* Jain's fairness index of @n values: (sum x)^2 / (n * sum x^2), 1 = equal. */
static inline double xot_jain(const double *x, size_t n)
{
	double s = 0, s2 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	if (!n || s2 <= 0)
		return 0;
	return s * s / ((double)n * s2);
}

#endif /* _XOT_USER_STATS_H */
