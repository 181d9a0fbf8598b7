/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xotctl: the XoT administration tool (README: "xotctl"). Declarations
 * shared by its files; each file has one job:
 *
 *   main.c     command line, dispatch, usage texts, exit codes
 *   util.c     XOTCTL_ROOT path prefix, whole-file read/write, messages
 *   json.c     a small JSON writer
 *   tree.c     parser of the elevator's debugfs tree (pure, unit-tested)
 *   shares.c   per-entity shares from two tree snapshots (pure, unit-tested)
 *   vbds.c     parser of xot-blkback's debugfs vbds file (pure, unit-tested)
 *   vmw.c      the vm_weights list and the modprobe.d file (pure, unit-tested)
 *   host.c     what is on this machine: devices on xot, modules, dom0
 *   cgx.c      cgroup files io.xot.weight / io.xot.stat (libcgroup or files)
 *   status*.c  `xotctl status` (status.h lists its files)
 *   vm.c       `xotctl vm ...`
 *   vm_find.c  NAME|DOMID -> VM name (vbds file, xenstore-read)
 *   vm_store.c the running vm_weights, the modprobe.d file, the lock
 *   group.c    `xotctl group ...`
 */
#ifndef XOTCTL_H
#define XOTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit status (README and --help list them). */
enum {
	XC_EXIT_OK = 0,
	XC_EXIT_ERR = 1,	/* runtime error: bad weight refused, no permission, unknown VM, ... */
	XC_EXIT_USAGE = 2,	/* bad command line */
	XC_EXIT_NA = 3,		/* not available here: not dom0, module not loaded */
};

/* ---------------------------------------------------------------- util.c */
extern const char *xc_prog;
const char *xc_root(void);
/* "$XOTCTL_ROOT" + printf(fmt, ...) into buf; false if it does not fit */
bool xc_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whole file, NUL-terminated, in *out (free it); 0 or -errno. */
int xc_read_file(const char *path, char **out);
/* Write data in one write(2); 0 or -errno. */
int xc_write_file(const char *path, const char *data);
bool xc_exists(const char *path);
void xc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Message for a failed access to path; returns the exit status to use. */
int xc_err_errno(const char *what, const char *path, int err);
/* Strip trailing blanks and newlines in place. */
char *xc_chomp(char *s);
/* Decimal unsigned number, the whole string; false otherwise. */
bool xc_parse_ull(const char *s, unsigned long long *v);

/* ---------------------------------------------------------------- json.c */
struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool first[32];
};
void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_obj(struct jw *w, const char *key);	/* "key": { (key NULL in arrays) */
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);	/* NULL: null */
void jw_int(struct jw *w, const char *key, long long v);
void jw_num(struct jw *w, const char *key, double v);
void jw_null(struct jw *w, const char *key);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_end(struct jw *w);	/* final newline */
/* JSON string literal of s into f (exposed for tests) */
void jw_quote(FILE *f, const char *s);

/* ---------------------------------------------------------------- tree.c */
enum xc_kind { XC_GROUP, XC_VM, XC_GCG, XC_SHARED, XC_PROC };

struct xc_ent {
	enum xc_kind kind;
	char *path;			/* dom0 cgroup path (XC_GROUP), else NULL */
	unsigned long long id;		/* domid, guest cgroup id, tgid */
	int parent;			/* entity index; -1: dom0 group (see tparent) */
	int depth;			/* indentation / 2 */
	unsigned int weight;
	unsigned int queued;
	bool active;
	bool has_rqs;			/* rqs known (vm and guest-cgroup lines; */
	long long rqs;			/*  dom0 groups: from io.xot.stat) */
};

struct xc_tree {
	struct xc_ent *e;
	int nr, cap;
	int bad_lines;			/* lines not understood (skipped) */
};

/* Parse the text of /sys/kernel/debug/block/DEV/sched/tree; -1: no memory. */
int xc_tree_parse(const char *text, struct xc_tree *t);
void xc_tree_free(struct xc_tree *t);
/* Stable key of entity i ("/path", "/path|vm5|cg7|p42", ...) */
void xc_ent_key(const struct xc_tree *t, int i, char *buf, size_t len);
/* The entity index of dom0 group path, or -1. */
int xc_tree_find_group(const struct xc_tree *t, const char *path);
const char *xc_kind_name(enum xc_kind k);
/* dom0 group i's parent: the group of the nearest ancestor path, or -1 */
int xc_tree_group_parent(const struct xc_tree *t, int i);

/* -------------------------------------------------------------- shares.c */
struct xc_share {
	int tparent;		/* parent in the whole tree, dom0 cgroups included */
	bool known;		/* this entity's request count is known */
	long long delta;	/* requests dispatched from its own queues in the interval */
	long long subtree;	/* delta + its descendants' */
	bool has_share;
	double of_parent;	/* subtree / parent's subtree */
	double of_device;	/* subtree / all requests counted on the device */
};

/*
 * Shares over the interval between snapshots a (may be NULL: everything
 * counted from 0) and b, one xc_share per entity of b. Returns the total
 * requests counted; *complete is false when a dom0 group's count is unknown.
 */
long long xc_shares(const struct xc_tree *a, const struct xc_tree *b,
		    struct xc_share *out, bool *complete);

/* ---------------------------------------------------------------- vbds.c */
#define XC_NAME_LEN 64		/* XOT_HOOK_NAME_LEN of xot-blkback */
#define XC_MAX_REASONS 16

struct xc_vbd {
	unsigned int domid;
	char vm[XC_NAME_LEN + 1];	/* "-" if unknown */
	unsigned int devid;
	unsigned int vm_weight;
	bool up;
	unsigned int rings, order;
	unsigned long long ups, errors;
	unsigned long long matched, continued, unmatched, dropped, rejected, bios;
	int nr_reasons;
	struct { char name[24]; unsigned long long n; } reason[XC_MAX_REASONS];
};

struct xc_vbds {
	struct xc_vbd *v;
	int nr, cap;
	int bad_lines;
};

int xc_vbds_parse(const char *text, struct xc_vbds *out);
void xc_vbds_free(struct xc_vbds *v);

/* ----------------------------------------------------------------- vmw.c */
#define XC_VMW_MAX 256		/* XOT_VM_WEIGHTS_MAX of xot-blkback */

struct xc_vmw {
	int nr;
	struct { char name[XC_NAME_LEN]; unsigned int weight; } e[XC_VMW_MAX];
};

/* A name the kernel list and modprobe.d can hold. */
bool xc_vm_name_ok(const char *name);
/* A name the kernel list can hold (1..63 bytes, no ',' '=' or newline). */
bool xc_vm_name_kernel_ok(const char *name);
/* W alone, through the shared io.xot.weight parser; 0 or -1. */
int xc_weight_parse(const char *s, unsigned int *w);
/* "name=W,name=W" with names xc_vm_name_ok() takes; 0 or -1 with a reason. */
int xc_vmw_parse(const char *s, struct xc_vmw *l, char *why, size_t whylen);
/* The same with any name the kernel takes (someone may have written it). */
int xc_vmw_parse_running(const char *s, struct xc_vmw *l, char *why, size_t whylen);
int xc_vmw_find(const struct xc_vmw *l, const char *name);
int xc_vmw_set(struct xc_vmw *l, const char *name, unsigned int w);
int xc_vmw_unset(struct xc_vmw *l, const char *name);
/* "name=W,..." (no newline); false if it does not fit */
bool xc_vmw_format(const struct xc_vmw *l, char *buf, size_t len);
/*
 * modprobe.d text: find the vm_weights value of an "options xot-blkback"
 * (or xot_blkback) line. Returns a malloc'ed copy or NULL if none.
 */
char *xc_conf_get(const char *text);
/* The text with the vm_weights option set to list (removed if empty). */
char *xc_conf_put(const char *text, const char *list);

/* ---------------------------------------------------------------- host.c */
struct xc_dev {
	char name[64];
	char majmin[32];
};
/* Block devices whose scheduler is xot; returns the count, -1 on error. */
int xc_xot_devices(struct xc_dev **out);
bool xc_module_loaded(const char *name);	/* "xot_blkback" */
bool xc_is_dom0(void);
/* 3 with a message if not dom0 or xot-blkback is not loaded, else 0 */
int xc_need_blkback(void);

/* ----------------------------------------------------------------- cgx.c */
/*
 * Read CGROUP's xot.WHAT ("weight" or "stat"); 0 or an exit status (with a
 * message unless quiet).
 */
int xc_cg_read(const char *cgroup, const char *what, char **out, bool quiet);
/* Write one line to CGROUP's xot.weight; 0 or an exit status. */
int xc_cg_write(const char *cgroup, const char *line);
const char *xc_cg_backend(void);

/* ------------------------------------------------------------- vm_find.c */
/* The vbds xot-blkback knows now; false (and none) if they cannot be read. */
bool xc_vm_vbds(struct xc_vbds *v);
/*
 * NAME|DOMID -> name (XC_NAME_LEN bytes). 0, or an exit status with a
 * message. *running: a VM of that name has a vbd now (true if that cannot
 * be told: no vbds file). any_kernel_name: take
 * names xc_vm_name_kernel_ok() takes (to remove one), not only xc_vm_name_ok().
 */
int xc_vm_resolve(const char *arg, char *name, bool *running, bool any_kernel_name);

/* ------------------------------------------------------------ vm_store.c */
void xc_vm_lock(void);
int xc_vm_read_running(struct xc_vmw *l);		/* 0 or an exit status */
int xc_vm_write_running(const struct xc_vmw *l);	/* 0 or an exit status */
/* The list into config_path, other lines kept; 0 or an exit status. */
int xc_vm_persist(const char *config_path, const struct xc_vmw *l);
/* The config file's list (empty if none or unparsable, with a warning). */
int xc_vm_read_config(const char *config_path, struct xc_vmw *conf, bool *exists);

/* ------------------------------------------------------------- commands */
int cmd_status(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_group(int argc, char **argv);
/* If argv[1] is -h/--help, print text and return true. */
bool xc_want_help(int argc, char **argv, const char *text);
extern const char xc_exit_help[];

#endif /* XOTCTL_H */
