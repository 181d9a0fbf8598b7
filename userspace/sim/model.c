// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduling tree of the simulated device, built as the xot blkcg
 * policy builds it (iosched-xot/blkcg.c): one core group per cgroup under
 * its parent's group, the root cgroup's group at the top; in every group a
 * shared queue for asynchronous I/O (weight 100) and one queue per process
 * issuing synchronous I/O (weight from its I/O priority).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void sim_model_init(struct sim_model *m)
{
	struct sim_cgroup *root;

	memset(m, 0, sizeof(*m));
	m->set.dev.depth = 1;
	m->set.dev.service_ns = 100 * SIM_NS_PER_US;
	m->set.dev.dist = SIM_DIST_FIXED;
	m->set.duration_ns = 10 * SIM_NS_PER_S;
	m->set.seed = 1;

	root = sim_xcalloc(1, sizeof(*root));
	xot_group_init_root(&root->group);
	root->path = sim_xstrdup("/");
	root->weight = XOT_WEIGHT_DEFAULT;
	sim_grow(&m->cg, &m->cg_cap, 1, sizeof(*m->cg));
	m->cg[m->ncg++] = root;
}

void sim_model_free(struct sim_model *m)
{
	size_t i;

	for (i = 0; i < m->ncg; i++) {
		free(m->cg[i]->path);
		free(m->cg[i]->wfile);
		free(m->cg[i]);
	}
	for (i = 0; i < m->nq; i++) {
		free(m->q[i]->name);
		free(m->q[i]->st.lat);
		free(m->q[i]);
	}
	for (i = 0; i < m->nproc; i++) {
		free(m->proc[i]->name);
		free(m->proc[i]);
	}
	free(m->cg);
	free(m->q);
	free(m->proc);
	free(m->arr);
	free(m->name);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------- names */

/* characters that would break a CSV field, a spec token or a report column */
static bool bad_char(char c)
{
	return c <= ' ' || c == 0x7f || c == ':' || c == ',' || c == '#' || c == '"' ||
		c == '\\' || c == '$';
}

int sim_check_path(const char *path, struct sim_err *e)
{
	const char *p, *comp;

	if (path[0] != '/')
		return sim_fail(e, "cgroup path '%s' does not start with '/'", path);
	if (strlen(path) > 255)
		return sim_fail(e, "cgroup path '%.40s...' is longer than 255 characters", path);
	if (!path[1])
		return 0;
	for (comp = p = path + 1;; p++) {
		if (*p == '/' || !*p) {
			size_t len = (size_t)(p - comp);

			if (!len)
				return sim_fail(e, "cgroup path '%s' has an empty component", path);
			if ((len == 1 && comp[0] == '.') ||
			    (len == 2 && comp[0] == '.' && comp[1] == '.'))
				return sim_fail(e, "cgroup path '%s' has a '.' or '..' component",
						path);
			if (!*p)
				return 0;
			comp = p + 1;
		} else if (bad_char(*p)) {
			return sim_fail(e, "cgroup path '%s' contains '%c' (no blanks, ':', ',', '#', '$', quotes)",
					path, *p > ' ' ? *p : '?');
		}
	}
}

int sim_check_name(const char *name, struct sim_err *e)
{
	const char *p;

	if (!*name)
		return sim_fail(e, "empty process name");
	if (strlen(name) > 63)
		return sim_fail(e, "process name '%.20s...' is longer than 63 characters", name);
	if (!strcmp(name, "shared"))
		return sim_fail(e, "'shared' names a cgroup's async queue; choose another process name");
	for (p = name; *p; p++)
		if (bad_char(*p) || *p == '/')
			return sim_fail(e, "process name '%s' contains '%c' (no blanks, '/', ':', ',', '#', '$', quotes)",
					name, *p > ' ' ? *p : '?');
	return 0;
}

void sim_path_parent(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0)
		n = 1;		/* "/A" -> "/" */
	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = 0;
}

/* ----------------------------------------------------------------- cgroups */

struct sim_cgroup *sim_cgroup_find(struct sim_model *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->ncg; i++)
		if (!strcmp(m->cg[i]->path, path))
			return m->cg[i];
	return NULL;
}

struct sim_cgroup *sim_cgroup_add(struct sim_model *m, struct sim_cgroup *parent,
				  const char *path, u32 weight)
{
	struct sim_cgroup *cg = sim_xcalloc(1, sizeof(*cg));

	xot_group_init(&cg->group, &parent->group, weight);
	cg->path = sim_xstrdup(path);
	cg->parent = parent;
	cg->depth = parent->depth + 1;
	cg->weight = xot_weight_clamp(weight);
	sim_grow(&m->cg, &m->cg_cap, m->ncg + 1, sizeof(*m->cg));
	m->cg[m->ncg++] = cg;
	return cg;
}

struct sim_cgroup *sim_cgroup_get(struct sim_model *m, const char *path)
{
	struct sim_cgroup *cg = sim_cgroup_find(m, path), *parent;
	char ppath[256];

	if (cg)
		return cg;
	sim_path_parent(path, ppath, sizeof(ppath));
	parent = sim_cgroup_get(m, ppath);
	return sim_cgroup_add(m, parent, path, XOT_WEIGHT_DEFAULT);
}

/* ------------------------------------------------------------------ queues */

static struct sim_queue *queue_new(struct sim_model *m, struct sim_cgroup *cg,
				   const char *pname, u32 weight, bool shared)
{
	struct sim_queue *q = sim_xcalloc(1, sizeof(*q));

	xot_entity_init(&q->entity, &cg->group, weight);
	q->name = sim_xasprintf("%s:%s", cg->path, pname);
	q->pname = strchr(q->name + strlen(cg->path), ':') + 1;
	q->cg = cg;
	q->shared = shared;
	sim_grow(&m->q, &m->q_cap, m->nq + 1, sizeof(*m->q));
	m->q[m->nq++] = q;
	return q;
}

struct sim_queue *sim_queue_find(struct sim_model *m, struct sim_cgroup *cg,
				 const char *pname)
{
	size_t i;

	for (i = 0; i < m->nq; i++)
		if (m->q[i]->cg == cg && !strcmp(m->q[i]->pname, pname))
			return m->q[i];
	return NULL;
}

struct sim_queue *sim_queue_get(struct sim_model *m, struct sim_cgroup *cg,
				const char *pname, u32 weight)
{
	struct sim_queue *q = sim_queue_find(m, cg, pname);

	return q ? q : queue_new(m, cg, pname, weight, false);
}

struct sim_queue *sim_queue_shared(struct sim_model *m, struct sim_cgroup *cg)
{
	/* the elevator's shared queue: xot_queue_init(..., XOT_WEIGHT_DEFAULT) */
	if (!cg->shared)
		cg->shared = queue_new(m, cg, "shared", XOT_WEIGHT_DEFAULT, true);
	return cg->shared;
}

struct sim_queue *sim_queue_for(struct sim_model *m, struct sim_cgroup *cg,
				const char *pname, enum sim_op op)
{
	/* xot_queue_for(): async I/O shares the group's queue */
	if (op == SIM_OP_WRITE)
		return sim_queue_shared(m, cg);
	return sim_queue_get(m, cg, pname ? pname : "sync", XOT_WEIGHT_DEFAULT);
}

/*
 * The elevator's xot_ioprio_weight(): best effort 25 * (8 - level) (level 4,
 * the default, is 100), real time four times that, idle 10.
 * @cls: 1 real-time, 2 best-effort, 3 idle, anything else none.
 */
u32 sim_ioprio_weight(int cls, int level)
{
	if (level > 7)
		level = 7;
	if (level < 0)
		level = 0;
	switch (cls) {
	case 1:
		return 100 * (8 - level);
	case 2:
		return 25 * (8 - level);
	case 3:
		return 10;
	default:
		return XOT_WEIGHT_DEFAULT;
	}
}
