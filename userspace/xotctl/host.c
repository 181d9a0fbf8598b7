// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: what this machine has. Block devices whose scheduler is xot
 * (/sys/block/DEV/queue/scheduler shows "[xot]"), loaded modules
 * (/sys/module/NAME), and whether this is dom0 (/proc/xen/capabilities
 * says "control_d").
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "xotctl.h"

static int cmp_dev(const void *a, const void *b)
{
	return strcmp(((const struct xc_dev *)a)->name, ((const struct xc_dev *)b)->name);
}

int xc_xot_devices(struct xc_dev **out)
{
	char path[4096];
	struct xc_dev *devs = NULL;
	struct dirent *de;
	int nr = 0, cap = 0;
	DIR *d;

	*out = NULL;
	if (!xc_path(path, sizeof(path), "/sys/block"))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *sched = NULL, *dev = NULL;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(devs->name))
			continue;
		if (!xc_path(path, sizeof(path), "/sys/block/%s/queue/scheduler", de->d_name) ||
		    xc_read_file(path, &sched))
			continue;
		if (!strstr(sched, "[xot]")) {
			free(sched);
			continue;
		}
		free(sched);
		if (nr == cap) {
			struct xc_dev *n = realloc(devs, (size_t)(cap ? cap * 2 : 8) * sizeof(*n));

			if (!n)
				break;
			devs = n;
			cap = cap ? cap * 2 : 8;
		}
		strcpy(devs[nr].name, de->d_name);
		strcpy(devs[nr].majmin, "?");
		if (xc_path(path, sizeof(path), "/sys/block/%s/dev", de->d_name) &&
		    !xc_read_file(path, &dev)) {
			snprintf(devs[nr].majmin, sizeof(devs[nr].majmin), "%s", xc_chomp(dev));
			free(dev);
		}
		nr++;
	}
	closedir(d);
	if (nr)
		qsort(devs, (size_t)nr, sizeof(*devs), cmp_dev);
	*out = devs;
	return nr;
}

bool xc_module_loaded(const char *name)
{
	char path[4096];

	return xc_path(path, sizeof(path), "/sys/module/%s", name) && xc_exists(path);
}

bool xc_is_dom0(void)
{
	char path[4096], *caps = NULL;
	bool yes;

	if (!xc_path(path, sizeof(path), "/proc/xen/capabilities") ||
	    xc_read_file(path, &caps))
		return false;
	yes = strstr(caps, "control_d") != NULL;
	free(caps);
	return yes;
}

int xc_need_blkback(void)
{
	char path[4096];

	if (!xc_is_dom0()) {
		if (xc_path(path, sizeof(path), "/proc/xen/capabilities") && !xc_exists(path))
			xc_err("not dom0: no /proc/xen/capabilities (not a Xen domain, or "
			       "xenfs not mounted: mount -t xenfs xenfs /proc/xen)");
		else
			xc_err("not dom0: VM weights are set in Xen's dom0 "
			       "(/proc/xen/capabilities has no \"control_d\")");
		return XC_EXIT_NA;
	}
	if (!xc_module_loaded("xot_blkback")) {
		xc_err("xot-blkback is not loaded (modprobe xot-blkback, or insmod xot-blkback.ko)");
		return XC_EXIT_NA;
	}
	return 0;
}
