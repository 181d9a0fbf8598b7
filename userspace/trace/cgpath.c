// SPDX-License-Identifier: GPL-2.0
/*
 * xot-trace: cgroup ids to paths. On cgroup v2 a cgroup's id (what
 * cgroup_id() returns and blktrace records) is the inode number of its
 * directory, so walking the mount point and stat()ing every directory
 * gives the map; the root cgroup is id 1, path "/".
 */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

struct cgent {
	uint64_t id;
	char *path;
};

struct xt_cgmap {
	struct cgent *v;
	size_t n, cap;
	size_t rootlen;
	int oom;
};

static struct xt_cgmap *walking;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct xt_cgmap *m = walking;
	const char *rel = path + m->rootlen;

	(void)f;
	if (flag != FTW_D)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct cgent *v = realloc(m->v, cap * sizeof(*v));

		if (!v) {
			m->oom = 1;
			return 1;
		}
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].id = (uint64_t)st->st_ino;
	m->v[m->n].path = strdup(*rel ? rel : "/");
	if (!m->v[m->n].path) {
		m->oom = 1;
		return 1;
	}
	m->n++;
	return 0;
}

struct xt_cgmap *xt_cgmap_load(const char *root, struct xt_err *err)
{
	struct xt_cgmap *m = calloc(1, sizeof(*m));
	struct stat st;
	char *r;

	if (!m) {
		xt_fail(err, "out of memory");
		return NULL;
	}
	if (stat(root, &st) || !S_ISDIR(st.st_mode)) {
		xt_fail(err, "--cgroup-root %s: not a directory", root);
		free(m);
		return NULL;
	}
	r = strdup(root);
	if (!r) {
		free(m);
		xt_fail(err, "out of memory");
		return NULL;
	}
	while (strlen(r) > 1 && r[strlen(r) - 1] == '/')
		r[strlen(r) - 1] = 0;
	m->rootlen = strlen(r);
	walking = m;
	if (nftw(r, visit, 16, FTW_PHYS | FTW_MOUNT) || m->oom) {
		xt_fail(err, "--cgroup-root %s: %s", root, m->oom ? "out of memory" : "cannot walk it");
		free(r);
		xt_cgmap_free(m);
		return NULL;
	}
	free(r);
	return m;
}

const char *xt_cgmap_path(const struct xt_cgmap *m, uint64_t id)
{
	size_t i;

	for (i = 0; m && i < m->n; i++)
		if (m->v[i].id == id)
			return m->v[i].path;
	return NULL;
}

void xt_cgmap_free(struct xt_cgmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	free(m);
}
