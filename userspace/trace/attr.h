/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xot-trace: attribution of every completed request to the entity the xot
 * elevator served (attr.c).
 *
 * xot_dispatch_request() writes "xot dispatch ..." (a BLK_TN_MESSAGE note)
 * when it takes a request out of its queue; blk-mq's
 * __blk_mq_do_dispatch_sched() collects up to nr_requests such requests in
 * a list, one dispatch_request() call each, and only then hands the list to
 * the driver, whose queue_rq() -> blk_mq_start_request() writes the issue
 * (D) record of each, in list order, on the same CPU (Linux 6.1
 * block/blk-mq-sched.c). So on one device and CPU the messages and the D
 * records come in the same order, possibly several messages ahead: each D
 * takes the oldest message pending on its device and CPU (or, if there is
 * none, the oldest on the device from another CPU: a request that found no
 * driver tag is issued later from hctx->dispatch, possibly elsewhere).
 * Exceptions, never given a message: a re-issue after a requeue (R), which
 * keeps its first attribution, and requests that bypassed the elevator:
 * flushes, passthrough, and the data of flush sequences (REQ_PREFLUSH or
 * REQ_FUA writes: blk_insert_flush()). The elevator writes an insert (I)
 * record for each request it takes (xot_insert_request()), bypassing ones
 * get none: when the trace has I records, a D without one (after a front
 * merge (F) moved the request's start, looked up at the new start) takes
 * no message, except in the first XT_PRE_TRACE_NS of the trace, when it
 * may have been inserted before the capture began. Messages pending
 * longer than XT_MSG_MAX_AGE_NS are dropped and counted as orphans.
 * The C record then finds its request by device and sector.
 */
#ifndef _XOT_TRACE_ATTR_H
#define _XOT_TRACE_ATTR_H

#include <stdint.h>

#include "blkio.h"
#include "map.h"

#define XT_MSG_MAX_AGE_NS	(1000ull * 1000 * 1000)	/* 1 s */
#define XT_PRE_TRACE_NS		(1000ull * 1000 * 1000)	/* 1 s */

enum xt_src {
	XT_SRC_MSG = 0,	/* an "xot dispatch" message */
	XT_SRC_PID,	/* no message: the submitting pid (scheduler not xot) */
};

/* Who a request belongs to. */
struct xt_who {
	uint8_t src;		/* enum xt_src */
	uint8_t guest;		/* the message names a VM */
	uint8_t has_cgid;	/* cgid is set (note or Q record) */
	uint32_t tgid;		/* 0: the group's shared queue (async, kthreads) */
	uint32_t w, gw, vw;	/* process, group and VM weights */
	uint64_t domid, gcg;	/* VM and guest cgroup (0: the VM's own queue) */
	uint64_t cgid;		/* dom0 cgroup id */
	uint32_t pid;		/* XT_SRC_PID: the pid of the Q record (or D's) */
};

/* One completed request. */
struct xt_req {
	uint64_t tq, td, tc;	/* queue, issue, completion (ns); tq valid if has_q */
	uint32_t bytes, dev;
	uint8_t has_q, write, error;
	struct xt_who who;
};

struct xt_pend {
	uint64_t time;
	struct xt_who who;
};

struct xt_fifo {
	uint32_t dev, cpu;
	struct xt_pend *v;
	size_t head, n, cap;	/* ring buffer */
};

struct xt_stats {
	uint64_t records, notes, xot_msgs, local_msgs, other_msgs, orphan_msgs;
	uint64_t queued, inserted, issued, reissued, completed, by_msg, by_pid;
	uint64_t bypassed;		/* issued without an insert: no message */
	uint64_t pid_from_issue;	/* by_pid without a Q record */
	uint64_t cross_cpu;		/* messages taken from another CPU */
	uint64_t reordered;		/* messages taken after others by queueing pid */
	uint64_t pid_checked;		/* local, per-process messages with a Q record */
	uint64_t pid_differs;		/* ... whose Q pid is not the message's tgid */
	uint64_t unmatched_completions, in_flight_at_end, errors;
	uint64_t cg_records;		/* non-note records with a cgroup id */
	uint64_t skipped_dev;		/* records of devices not selected */
	uint64_t t0, tend;		/* first and last record (ns) */
};

struct xt_attr {
	uint32_t dev_filter;		/* 0: every device */
	struct xt_req *reqs;		/* completed, in completion order */
	size_t nreq, capreq;
	uint32_t devs[16];
	size_t ndevs;
	struct xt_stats st;
	/* state */
	struct xt_map qmap;		/* (dev, sector) -> Q time, pid, cgid */
	struct xt_map imap;		/* (dev, sector) -> I (inserted) time */
	struct xt_map inflight;		/* (dev, sector) -> issued request */
	struct xt_map comms;		/* (0, pid) -> comm */
	struct xt_fifo *fifos;
	size_t nfifos;
	size_t q_purge_at;
};

/* Parse an "xot dispatch" message: 1 if it is one, else 0. */
int xt_parse_msg(const char *text, struct xt_who *who);

void xt_attr_init(struct xt_attr *a);
int xt_attr_feed(struct xt_attr *a, const struct xt_event *ev, struct xt_err *err);
void xt_attr_finish(struct xt_attr *a);
void xt_attr_free(struct xt_attr *a);
/* The command name of @pid from BLK_TN_PROCESS notes, or NULL. */
const char *xt_attr_comm(const struct xt_attr *a, uint32_t pid);

#endif /* _XOT_TRACE_ATTR_H */
