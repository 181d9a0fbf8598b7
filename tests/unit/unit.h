/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit-test harness for XoT's shared code. Each TEST() is a function
 * registered in a table; CHECK() records a failure with file:line and keeps
 * going, so one run reports every broken expectation. main() prints one line
 * per test and a closing "N passed, N failed" line, and exits 1 on failure.
 */
#ifndef _XOT_UNIT_H
#define _XOT_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static int unit_failed_checks;

/* XOT_WARN_ON() in the shared code counts here (include/xot/compat.h) */
unsigned long xot_warnings;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		unit_failed_checks++;					\
		fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECKF(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		unit_failed_checks++;					\
		fprintf(stderr, "  %s:%d: CHECK(%s) failed: " fmt "\n",	\
			__FILE__, __LINE__, #cond, __VA_ARGS__);	\
	}								\
} while (0)

static inline int unit_main(const char *suite, const struct unit_test *t,
			    size_t n, int argc, char **argv)
{
	size_t i;
	int passed = 0, failed = 0;

	for (i = 0; i < n; i++) {
		int before = unit_failed_checks;

		if (argc > 1 && !strstr(t[i].name, argv[1]))
			continue;
		t[i].fn();
		if (unit_failed_checks == before) {
			passed++;
			printf("PASS %s/%s\n", suite, t[i].name);
		} else {
			failed++;
			printf("FAIL %s/%s\n", suite, t[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define UNIT_MAIN(suite, table)						\
	int main(int argc, char **argv)					\
	{								\
		return unit_main(suite, table,				\
				 sizeof(table) / sizeof(table[0]),	\
				 argc, argv);				\
	}

#endif /* _XOT_UNIT_H */
