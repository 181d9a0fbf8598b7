/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-sim: a deterministic discrete-event simulator of the xot elevator.
 *
 * The scheduling decisions come from the portable core (core/sched.c),
 * compiled unchanged; around it the simulator models what the kernel and
 * the hardware do:
 *
 *   util.c      errors, memory, numbers with units, the random generator
 *   workload.c  the workload spec (cgroup tree, processes, device, elevator)
 *   trace.c     recorded traces: CSV replay, blkparse import, pid maps
 *   model.c     the cgroup tree and its queues, as iosched-xot/blkcg.c
 *   elv.c       the elevator, as iosched-xot/elevator.c
 *   device.c    the device: queue depth, servers, service time
 *   engine.c    the event loop, the generators, the statistics
 *   report.c    shares, errors, latencies: tables and JSON
 *   cli.c       the command line (sim_main)
 *
 * Time is in integer nanoseconds throughout. Nothing reads the clock or
 * the environment: the same input and seed give the same output.
 */
#ifndef _XOT_SIM_H
#define _XOT_SIM_H

#include <stdio.h>

#include <xot/sched.h>
#include <xot/cost.h>
#include <xot/slots.h>

#define SIM_NS_PER_US		1000ULL
#define SIM_NS_PER_MS		1000000ULL
#define SIM_NS_PER_S		1000000000ULL
#define SIM_SECTOR_SIZE		512U
/* largest request: 64 MiB; largest queue depth and tunable values */
#define SIM_MAX_BYTES		(64U << 20)
#define SIM_MAX_DEPTH		65536U
/* a simulation stops after this much simulated time at the latest */
#define SIM_MAX_TIME_NS		(100000ULL * SIM_NS_PER_S)

/* ------------------------------------------------------------------ util.c */

/* An error message, "FILE:LINE: what is wrong" where a line is known. */
struct sim_err {
	char msg[1024];
};

int sim_fail(struct sim_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* as sim_fail, prefixed with "FILE:LINE: " (LINE 0: "FILE: ") */
int sim_fail_at(struct sim_err *e, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Allocation that cannot fail: out of memory ends the program. */
void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t n, size_t size);
void *sim_xrealloc(void *p, size_t n, size_t size);
char *sim_xstrdup(const char *s);
char *sim_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow @*p (of @*cap elements of @size) to hold at least @n elements. */
void sim_grow(void *pp, size_t *cap, size_t n, size_t size);

/*
 * Numbers. Each returns 0, or -1 with a message in @e naming the value
 * (the caller adds where it was).
 *   time:  "0", or a number with a unit ns, us, ms, s ("1.5ms")
 *   size:  bytes, or with k/K/KiB, m/M/MiB, g/G/GiB (powers of 1024)
 *   u64:   a decimal integer in [min, max]
 *   real:  a finite decimal number >= 0
 */
int sim_parse_time(const char *s, u64 *ns, struct sim_err *e);
int sim_parse_size(const char *s, u64 *bytes, struct sim_err *e);
int sim_parse_u64(const char *s, u64 min, u64 max, u64 *v, struct sim_err *e);
int sim_parse_real(const char *s, double *v, struct sim_err *e);

/* "1.5ms", "250us", "3s": a duration for people */
const char *sim_fmt_time(char *buf, size_t len, u64 ns);

/* xoshiro256**, seeded by splitmix64 from (seed, stream). */
struct sim_rng {
	u64 s[4];
};

void sim_rng_seed(struct sim_rng *r, u64 seed, u64 stream);
u64 sim_rng_next(struct sim_rng *r);
/* uniform in (0, 1] */
double sim_rng_unit(struct sim_rng *r);
/* exponentially distributed with mean @mean_ns, rounded, at least 1 */
u64 sim_rng_exp(struct sim_rng *r, double mean_ns);

/* --------------------------------------------------------------- settings */

enum sim_dist {
	SIM_DIST_FIXED,		/* every request exactly its service time */
	SIM_DIST_EXP,		/* exponential with that mean */
};

struct sim_device_cfg {
	u32 depth;		/* requests the device accepts at once (tags) */
	u32 servers;		/* of those, in service at once; 0: depth */
	u64 service_ns;		/* fixed part of a service time */
	u64 bw;			/* bytes per second per server; 0: no per-byte part */
	enum sim_dist dist;
};

struct sim_settings {
	struct sim_device_cfg dev;
	u32 max_inflight;	/* the elevator tunable; 0: no limit */
	u32 idle_credit;	/* the elevator tunable; 0 here by default */
	u32 nr_requests;	/* scheduler tags (queued + in flight); 0: no limit */
	u64 slot_hold_ns;	/* the elevator tunable slot_hold_us; 0: off */
	u64 duration_ns;	/* 0: until every request is complete */
	u64 warmup_ns;		/* not measured */
	u64 seed;
};

/* ------------------------------------------------------------------ model */

struct sim_req;
struct sim_cgroup;

/* Statistics of one queue (leaf of the scheduling tree). */
struct sim_qstats {
	/* in the measurement window */
	u64 completed, bytes, cost;
	u64 lat_sum;
	u64 *lat;		/* submit -> completion, ns, one per completion */
	size_t nlat, lat_cap;
	u64 busy_ns;		/* time with requests queued in the elevator */
	bool present;		/* had a request in the system in the window */
	/* over the whole run */
	u64 submitted, finished;
	u64 wait_max_ns;	/* longest insert -> dispatch */
	u64 gap_max;		/* most dispatches of others while backlogged */
	/* bookkeeping */
	u64 busy_since;
	u64 gap_since;
};

/* A leaf: one process's sync queue, or a cgroup's shared (async) queue. */
struct sim_queue {
	struct xot_entity entity;
	char *name;		/* "/A/A1:reader", "/A/A1:shared" */
	const char *pname;	/* the part after ':' */
	struct sim_cgroup *cg;
	bool shared;
	struct sim_req *head, *tail;	/* FIFO, arrival order */
	u32 nr_queued;
	struct sim_qstats st;
};

/* A cgroup: an inner node of the scheduling tree. */
struct sim_cgroup {
	struct xot_group group;
	char *path;		/* "/", "/A", "/A/A1" */
	struct sim_cgroup *parent;
	int depth;		/* 0: the root */
	u32 weight;
	char *wfile;		/* where the weight was given; NULL: default */
	int wline;
	struct sim_queue *shared;	/* created on first async request */
	/* statistics: time with requests queued below, in the window */
	bool was_busy;
	u64 busy_since, busy_ns;
};

enum sim_gen {
	SIM_GEN_CLOSED,		/* iodepth requests outstanding, think time */
	SIM_GEN_OPEN,		/* Poisson arrivals */
};

enum sim_op {
	SIM_OP_READ,		/* sync: the process's queue */
	SIM_OP_WRITE,		/* async (writeback): the cgroup's shared queue */
	SIM_OP_SYNCWRITE,	/* direct or O_SYNC: the process's queue */
};

/* A process of the synthetic workload and its request generator. */
struct sim_proc {
	char *name;
	struct sim_cgroup *cg;
	struct sim_queue *q;	/* where its requests go */
	enum sim_gen gen;
	enum sim_op op;
	u32 iodepth;
	u64 think_ns;
	double rate;		/* open loop: requests per second */
	u32 bytes;
	u32 weight;		/* of its sync queue */
	u64 start_ns, stop_ns;	/* stop 0: never */
	struct sim_rng rng;
	u32 outstanding;
	int line;
};

/* One recorded arrival. */
struct sim_arrival {
	u64 t_ns;
	struct sim_queue *q;
	u32 bytes;
	enum sim_op op;
};

struct sim_model {
	struct sim_settings set;
	char *name;		/* scenario name */
	struct sim_cgroup **cg;	/* cg[0] is the root; parents before children */
	size_t ncg, cg_cap;
	struct sim_queue **q;	/* creation order */
	size_t nq, q_cap;
	struct sim_proc **proc;
	size_t nproc, proc_cap;
	struct sim_arrival *arr;	/* recorded arrivals, sorted by time */
	size_t narr, arr_cap;
	bool has_trace;
	bool duration_set;
};

/* model.c */
void sim_model_init(struct sim_model *m);
void sim_model_free(struct sim_model *m);
struct sim_cgroup *sim_cgroup_find(struct sim_model *m, const char *path);
/* a cgroup under an existing parent; the caller checks the path first */
struct sim_cgroup *sim_cgroup_add(struct sim_model *m, struct sim_cgroup *parent,
				  const char *path, u32 weight);
/* the cgroup at @path, created with its missing ancestors (weight 100) */
struct sim_cgroup *sim_cgroup_get(struct sim_model *m, const char *path);
/* the parent path of @path ("/" for a top-level cgroup), in @buf */
void sim_path_parent(const char *path, char *buf, size_t len);
/* 0 if @path is a valid cgroup path, else -1 with the reason in @e */
int sim_check_path(const char *path, struct sim_err *e);
/* 0 if @name is a valid process name, else -1 */
int sim_check_name(const char *name, struct sim_err *e);
struct sim_queue *sim_queue_find(struct sim_model *m, struct sim_cgroup *cg,
				 const char *pname);
/* the process queue @pname of @cg (created with @weight) */
struct sim_queue *sim_queue_get(struct sim_model *m, struct sim_cgroup *cg,
				const char *pname, u32 weight);
/* the shared (async) queue of @cg */
struct sim_queue *sim_queue_shared(struct sim_model *m, struct sim_cgroup *cg);
/* the queue a request of @op from process @pname in @cg goes to */
struct sim_queue *sim_queue_for(struct sim_model *m, struct sim_cgroup *cg,
				const char *pname, enum sim_op op);
/* process weight of an I/O priority, as xot_ioprio_weight() in the elevator */
u32 sim_ioprio_weight(int cls, int level);

/* ---------------------------------------------------------------- workload */

/* A NAME=VALUE given on the command line (--set / --sweep). */
struct sim_override {
	const char *key;
	const char *value;
	bool used;
};

/*
 * Parse a workload spec from @f (@fname in messages; relative file names in
 * it are taken from @dir) into @m, which sim_model_init() prepared. @ov
 * sets variables the spec declares with "var"; the caller applies the
 * rest (sim_apply_override). 0, or -1 with "FILE:LINE: ..." in @e.
 */
int sim_spec_parse(struct sim_model *m, FILE *f, const char *fname, const char *dir,
		   struct sim_override *ov, size_t nov, struct sim_err *e);
/* Set a built-in setting (depth, service, max_inflight, ...) by name. */
int sim_apply_override(struct sim_model *m, const char *key, const char *value,
		       struct sim_err *e);
/* The names sim_apply_override() knows, for --help. */
extern const char *const sim_setting_names;
/* Check the settings once everything is applied; seed the processes. */
int sim_model_finish(struct sim_model *m, struct sim_err *e);

/* ------------------------------------------------------------------- trace */

/* One record of a trace, before it is placed in a model. */
struct sim_trace_rec {
	u64 t_ns;
	char *entity;		/* "/cgroup/path" or "/cgroup/path:process" */
	u32 weight;		/* 0: not given ("-") */
	u32 bytes;
	enum sim_op op;
	int line;
};

struct sim_pidmap_ent {
	long pid;		/* -1: the "*" line */
	char *path;
	u32 weight;		/* 0: not given */
	int line;
};

struct sim_pidmap {
	struct sim_pidmap_ent *ent;
	size_t n, cap;
	char *fname;
};

/* Replay a CSV trace (time_us,entity_path,weight,bytes,op) into @m. */
int sim_trace_load_csv(struct sim_model *m, const char *path, struct sim_err *e);
int sim_trace_parse_csv(FILE *f, const char *fname, struct sim_trace_rec **recs,
			size_t *n, struct sim_err *e);
/* A pid -> cgroup map: lines "PID PATH [WEIGHT]", "* PATH [WEIGHT]". */
int sim_pidmap_load(struct sim_pidmap *map, const char *path, struct sim_err *e);
int sim_pidmap_parse(struct sim_pidmap *map, FILE *f, const char *fname,
		     struct sim_err *e);
void sim_pidmap_free(struct sim_pidmap *map);

struct sim_blkparse_stats {
	size_t events;		/* event lines read */
	size_t queued;		/* Q events kept */
	size_t skipped;		/* Q events without data (flush, discard) */
	size_t other_dev;	/* Q events of other devices */
};

/*
 * Read blkparse's default text output; keep the Q events of device @dev
 * ("MAJ,MIN"; NULL: the only device there is) as records, entity
 * "PATH:PID" from @map. Times are relative to the first Q event kept.
 */
int sim_blkparse_parse(FILE *f, const char *fname, const struct sim_pidmap *map,
		       const char *dev, struct sim_trace_rec **recs, size_t *n,
		       struct sim_blkparse_stats *st, struct sim_err *e);
int sim_trace_load_blkparse(struct sim_model *m, const char *path, const char *mapfile,
			    const char *dev, struct sim_err *e);
/* Write records as a CSV trace. */
void sim_trace_write_csv(FILE *out, const struct sim_trace_rec *recs, size_t n);
/* Place records into @m (cgroups and queues as needed), @fname in messages. */
int sim_trace_add(struct sim_model *m, const char *fname, const struct sim_trace_rec *recs,
		  size_t n, struct sim_err *e);
void sim_trace_free(struct sim_trace_rec *recs, size_t n);

/* -------------------------------------------------------------- elevator */

struct sim_req {
	struct sim_req *next;	/* in a queue FIFO, the tag wait list, the device */
	struct sim_queue *q;
	struct sim_proc *proc;	/* NULL: a recorded arrival */
	u64 t_submit, t_insert, t_dispatch, t_done;
	u32 bytes;
	u32 sectors;
	u64 cost;
};

struct sim_elv {
	struct sim_cgroup *root;
	u32 max_inflight;
	u64 credit_vt;		/* idle credit in virtual time */
	u32 slots;		/* the device's depth (slot shares) */
	u64 slot_hold_ns;	/* slot shares: longest wait for a sibling; 0: off */
	u64 slot_held;		/* dispatches refused by slot shares */
	u32 inflight;		/* dispatched, not completed */
	u32 nr_queued;
	u64 inserted, dispatched, throttled;
	u64 win_start, win_end;	/* the measurement window, for busy times */
};

void sim_elv_init(struct sim_elv *elv, struct sim_cgroup *root, u32 max_inflight,
		  u64 win_start, u64 win_end);
void sim_elv_insert(struct sim_elv *elv, struct sim_req *rq, u64 now);
/* The next request for the driver, or NULL (nothing queued, or throttled). */
struct sim_req *sim_elv_dispatch(struct sim_elv *elv, u64 now);
void sim_elv_complete(struct sim_elv *elv, struct sim_req *rq);
/* Close the busy intervals still open at @now. */
void sim_elv_finish(struct sim_elv *elv, struct sim_model *m, u64 now);

/* ------------------------------------------------------------------ device */

struct sim_device {
	struct sim_device_cfg cfg;
	u32 servers;		/* effective */
	u32 accepted;		/* in the device: in service or waiting */
	u32 serving;
	struct sim_req *wait_head, *wait_tail;
	struct sim_rng rng;
	u64 win_start, win_end;
	u64 busy_since;
	u64 busy_ns;		/* time with at least one request in service, in window */
	u64 server_ns;		/* sum over servers of their busy time, in window */
	u64 last_change;
};

void sim_dev_init(struct sim_device *dev, const struct sim_device_cfg *cfg, u64 seed,
		  u64 win_start, u64 win_end);
bool sim_dev_can_accept(const struct sim_device *dev);
/* Accept @rq at @now; returns it if its service started (t_done set), else NULL. */
struct sim_req *sim_dev_submit(struct sim_device *dev, struct sim_req *rq, u64 now);
/* @rq's service ended at @now; returns the request that starts next, if any. */
struct sim_req *sim_dev_complete(struct sim_device *dev, struct sim_req *rq, u64 now);
void sim_dev_finish(struct sim_device *dev, u64 now);
/* the mean service time of a request of @bytes, ns */
u64 sim_dev_service_ns(const struct sim_device_cfg *cfg, u32 bytes);

/* ------------------------------------------------------------------ engine */

struct sim_result {
	u64 end_ns;		/* simulated time at the end */
	u64 win_start, win_end;
	u64 inserted, dispatched, throttled, completed;
	u64 slot_held;		/* dispatches left to an entity in its turnaround */
	u64 dev_busy_ns, dev_server_ns;
	u32 servers;
	u32 max_queued;		/* most requests in the elevator at once */
	u32 max_tag_wait;	/* most requests waiting for a scheduler tag */
	u64 tag_waits;		/* requests that waited for a tag */
	u64 unfinished;		/* requests still in the system at the end */
};

/* Run the model; statistics land in the queues and @res. */
int sim_run(struct sim_model *m, struct sim_result *res, struct sim_err *e);

/* ------------------------------------------------------------------ report */

enum sim_node_kind {
	SIM_NODE_CGROUP,
	SIM_NODE_PROCESS,
	SIM_NODE_SHARED,
};

/* One entity of the report: a cgroup (with its subtree) or a queue. */
struct sim_node {
	const char *name;
	enum sim_node_kind kind;
	int depth;		/* 1: child of the root */
	int parent;		/* index, -1: child of the root */
	u32 weight;
	bool present;		/* took part in the window */
	bool leaf;
	double local_target, target;
	double local_achieved, achieved;
	double error_pp;	/* |achieved - target| * 100 */
	u64 completed, bytes, cost;
	double iops, mbps;
	double lat_mean_us, lat_p50_us, lat_p99_us, lat_max_us;
	double busy;		/* fraction of the window with requests queued */
	double wait_max_us;	/* whole run */
	u64 gap_max;
	const struct sim_queue *q;	/* leaves */
	const struct sim_cgroup *cg;	/* cgroups */
};

#define SIM_MAX_LEVELS	32

struct sim_report {
	struct sim_node *node;	/* depth-first, a cgroup's queues before its children */
	size_t n;
	int max_depth;
	double level_err[SIM_MAX_LEVELS + 1];
	double max_err;
	double jain;
	double total_iops, total_mbps;
	double window_s;
	double utilisation;	/* mean fraction of servers busy */
	struct sim_result res;
};

void sim_report_build(struct sim_report *r, const struct sim_model *m,
		      const struct sim_result *res);
void sim_report_free(struct sim_report *r);
const struct sim_node *sim_report_find(const struct sim_report *r, const char *name);
/* the device and elevator in one line */
void sim_describe_setup(char *buf, size_t len, const struct sim_model *m);
void sim_report_print(FILE *out, const struct sim_report *r, const struct sim_model *m);
/* one scenario object of the JSON document (no trailing comma/newline) */
void sim_report_json(FILE *out, const struct sim_report *r, const struct sim_model *m,
		     const char *sweep_key, const char *sweep_value);

/* --------------------------------------------------------------------- cli */

int sim_main(int argc, char **argv);

#endif /* _XOT_SIM_H */
