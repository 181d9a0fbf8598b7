/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-tagger's kernel compatibility: what differs between Debian 12's
 * Linux 6.1 and Debian 13's Linux 6.12 in what this module uses
 * (docs/platforms.md, with file:line in both trees). One comment per
 * trick: why, and what breaks it.
 *
 * Still outside this file (docs/platforms.md, "Left"): the block
 * tracepoints found by name (include/xot/ktracepoint.h, tagger.c) and
 * the never-matching xenbus driver registered to learn the frontend bus
 * (vbd.c).
 */
#ifndef _XOT_TAGGER_COMPAT_H
#define _XOT_TAGGER_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>

#define XOT_KERNEL_6_12	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/*
 * The xenbus frontend bus, learnt from a registered driver's
 * driver.bus (xenbus_frontend's bus_type is not exported). 6.1 declares
 * struct device_driver's bus "struct bus_type *", 6.12 "const struct
 * bus_type *" (and bus_find_device() takes a const one). Breaks: the
 * frontend bus exported (then use it), or driver.bus no longer set by
 * xenbus_register_frontend().
 */
#if XOT_KERNEL_6_12
typedef const struct bus_type xot_bus_type_t;
#else
typedef struct bus_type xot_bus_type_t;
#endif

#endif /* _XOT_TAGGER_COMPAT_H */
