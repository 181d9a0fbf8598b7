/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The io.xot.weight grammar, shared by the elevator's cgroup file, the guest
 * tagger's, xotctl and the tests. One line is one of:
 *
 *   W                  the cgroup's default weight
 *   default W          the same
 *   MAJ:MIN W          the weight on one device
 *   MAJ:MIN default    drop the device's own weight (use the default again)
 *
 * W is a decimal integer in 1..10000; blanks around fields and one trailing
 * newline are accepted, nothing else is.
 */
#ifndef _XOT_WEIGHT_H
#define _XOT_WEIGHT_H

#include <xot/compat.h>

struct xot_weight_line {
	bool has_dev;		/* MAJ:MIN given */
	bool reset;		/* "MAJ:MIN default" */
	u32 major;
	u32 minor;
	u32 weight;		/* valid unless reset */
};

/* Parse one line; 0 on success, -1 (nothing stored) on any error. */
int xot_weight_line_parse(const char *line, struct xot_weight_line *out);

#endif /* _XOT_WEIGHT_H */
