// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl status: the facts read once per refresh. A device's tunables
 * (nr_requests and the files of /sys/block/DEV/queue/iosched/) and the elevator's
 * counters (debugfs sched/stats); xot-blkback's running VM weights and vbds
 * file; xot-tagger's debugfs files, kept as they are (their format is the
 * tagger's business).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#define STATS "/sys/kernel/debug/block/%s/sched/stats"

int status_tunables(const char *dev, struct tunable *t, int max)
{
	char path[4096], *v;
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (!xc_path(path, sizeof(path), "/sys/block/%s/queue/nr_requests", dev))
		return 0;
	if (!xc_read_file(path, &v)) {
		snprintf(t[n].name, sizeof(t[n].name), "nr_requests");
		snprintf(t[n].value, sizeof(t[n].value), "%s", xc_chomp(v));
		n++;
		free(v);
	}
	if (!xc_path(path, sizeof(path), "/sys/block/%s/queue/iosched", dev))
		return n;
	d = opendir(path);
	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		char f[4400];

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(t[n].name))
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		if (xc_read_file(f, &v))
			continue;
		snprintf(t[n].name, sizeof(t[n].name), "%s", de->d_name);
		snprintf(t[n].value, sizeof(t[n].value), "%s", xc_chomp(v));
		free(v);
		n++;
	}
	closedir(d);
	/* sorted, nr_requests first */
	for (int i = 2; i < n; i++)
		for (int j = i; j > 1 && strcmp(t[j - 1].name, t[j].name) > 0; j--) {
			struct tunable tmp = t[j];

			t[j] = t[j - 1];
			t[j - 1] = tmp;
		}
	return n;
}

/* "key value" lines of the debugfs stats file */
char *status_dev_stats(const char *dev)
{
	char path[4096], *v = NULL;

	if (!xc_path(path, sizeof(path), STATS, dev) || xc_read_file(path, &v))
		return NULL;
	return v;
}

static int cmp_tagger(const void *x, const void *y)
{
	return strcmp(((const struct tagger_file *)x)->name, ((const struct tagger_file *)y)->name);
}

/* Every file of /sys/kernel/debug/xot-tagger/, sorted by name. */
static void tagger_read(struct blkback *b)
{
	char path[4096];
	struct dirent *de;
	int cap = 0;
	DIR *d;

	if (!xc_path(path, sizeof(path), "/sys/kernel/debug/xot-tagger"))
		return;
	d = opendir(path);
	if (!d)
		return;
	b->tagger_readable = true;
	while ((de = readdir(d))) {
		char f[4400], *v = NULL;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(b->tagger_files->name))
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		if (xc_read_file(f, &v))
			continue;
		if (b->nr_tagger == cap) {
			int ncap = cap ? cap * 2 : 4;
			struct tagger_file *n = realloc(b->tagger_files, (size_t)ncap * sizeof(*n));

			if (!n) {
				free(v);
				break;
			}
			b->tagger_files = n;
			cap = ncap;
		}
		strcpy(b->tagger_files[b->nr_tagger].name, de->d_name);
		b->tagger_files[b->nr_tagger++].text = v;
	}
	closedir(d);
	if (b->nr_tagger)
		qsort(b->tagger_files, (size_t)b->nr_tagger, sizeof(*b->tagger_files), cmp_tagger);
}

void status_blkback_free(struct blkback *b)
{
	int i;

	free(b->weights);
	xc_vbds_free(&b->vbds);
	for (i = 0; i < b->nr_tagger; i++)
		free(b->tagger_files[i].text);
	free(b->tagger_files);
	memset(b, 0, sizeof(*b));
}

void status_blkback_read(struct blkback *b)
{
	char path[4096], *text = NULL;
	int r;

	memset(b, 0, sizeof(*b));
	b->dom0 = xc_is_dom0();
	b->loaded = xc_module_loaded("xot_blkback");
	b->tagger = xc_module_loaded("xot_tagger");
	if (b->tagger)
		tagger_read(b);
	if (!b->loaded)
		return;
	if (xc_path(path, sizeof(path), "/sys/module/xot_blkback/parameters/vm_weights") &&
	    !xc_read_file(path, &b->weights))
		xc_chomp(b->weights);
	if (!xc_path(path, sizeof(path), "/sys/kernel/debug/xot-blkback/vbds"))
		return;
	r = xc_read_file(path, &text);
	if (r) {
		b->vbds_err = -r;
		return;
	}
	xc_vbds_parse(text, &b->vbds);
	free(text);
}

const char *status_vm_name(const struct blkback *b, unsigned long long domid)
{
	int i;

	for (i = 0; i < b->vbds.nr; i++)
		if (b->vbds.v[i].domid == domid && strcmp(b->vbds.v[i].vm, "-"))
			return b->vbds.v[i].vm;
	return NULL;
}

