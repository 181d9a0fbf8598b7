// SPDX-License-Identifier: GPL-2.0
/*
 * The device: it accepts up to `depth` requests (its tags, the hardware
 * queue depth blk-mq sees); up to `servers` of them are in service at once
 * (default: all of them), the others wait inside the device in arrival
 * order. A request's service time is `service + bytes / bandwidth`, exactly
 * (dist=fixed) or exponentially distributed with that mean (dist=exp).
 *
 *   depth=1                 a shallow device: one request at a time
 *   depth=64                64 independent requests in parallel (null_blk
 *                           with hw_queue_depth=64 and a timer completion)
 *   depth=64 servers=1      a device that takes 64 requests but works on
 *                           one at a time, FIFO: a deep queue in front of a
 *                           serial device, which the elevator cannot reorder
 */
#include "sim.h"

void sim_dev_init(struct sim_device *dev, const struct sim_device_cfg *cfg, u64 seed,
		  u64 win_start, u64 win_end)
{
	memset(dev, 0, sizeof(*dev));
	dev->cfg = *cfg;
	dev->servers = cfg->servers ? cfg->servers : cfg->depth;
	/* stream 0: the processes use streams 1..n */
	sim_rng_seed(&dev->rng, seed, 0);
	dev->win_start = win_start;
	dev->win_end = win_end;
}

bool sim_dev_can_accept(const struct sim_device *dev)
{
	return dev->accepted < dev->cfg.depth;
}

u64 sim_dev_service_ns(const struct sim_device_cfg *cfg, u32 bytes)
{
	u64 t = cfg->service_ns;

	if (cfg->bw)	/* bytes <= 64 MiB: no overflow of bytes * 1e9 */
		t += ((u64)bytes * SIM_NS_PER_S + cfg->bw / 2) / cfg->bw;
	return t ? t : 1;
}

/* account the time since the last change of the number of busy servers */
static void account(struct sim_device *dev, u64 now)
{
	u64 from = dev->last_change, to = now;

	if (from < dev->win_start)
		from = dev->win_start;
	if (to > dev->win_end)
		to = dev->win_end;
	if (to > from && dev->serving) {
		dev->busy_ns += to - from;
		dev->server_ns += (to - from) * dev->serving;
	}
	dev->last_change = now;
}

static void start(struct sim_device *dev, struct sim_req *rq, u64 now)
{
	u64 mean = sim_dev_service_ns(&dev->cfg, rq->bytes);

	account(dev, now);
	dev->serving++;
	if (dev->cfg.dist == SIM_DIST_EXP)
		rq->t_done = now + sim_rng_exp(&dev->rng, (double)mean);
	else
		rq->t_done = now + mean;
}

struct sim_req *sim_dev_submit(struct sim_device *dev, struct sim_req *rq, u64 now)
{
	dev->accepted++;
	rq->next = NULL;
	if (dev->serving < dev->servers) {
		start(dev, rq, now);
		return rq;
	}
	if (dev->wait_tail)
		dev->wait_tail->next = rq;
	else
		dev->wait_head = rq;
	dev->wait_tail = rq;
	return NULL;
}

struct sim_req *sim_dev_complete(struct sim_device *dev, struct sim_req *rq, u64 now)
{
	struct sim_req *next = dev->wait_head;

	(void)rq;
	account(dev, now);
	dev->serving--;
	dev->accepted--;
	if (!next)
		return NULL;
	dev->wait_head = next->next;
	if (!dev->wait_head)
		dev->wait_tail = NULL;
	next->next = NULL;
	start(dev, next, now);
	return next;
}

void sim_dev_finish(struct sim_device *dev, u64 now)
{
	account(dev, now);
}
