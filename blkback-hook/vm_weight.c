// SPDX-License-Identifier: GPL-2.0
/*
 * VM weights, by VM name: the module parameter vm_weights.
 *
 *   /sys/module/xot_blkback/parameters/vm_weights   "web=200,db=400"
 *   options xot-blkback vm_weights=web=200,db=400   (modprobe.d: persists)
 *
 * A VM's weight divides the device between VMs (and dom0's own cgroups);
 * its guest's cgroup weights only divide the VM's share. A VM not named
 * weighs XOT_WEIGHT_DEFAULT (100): equal shares. Names, not domids, so a
 * restarted VM (new domid) keeps its weight; `xotctl vm set-weight` edits
 * this list. A write replaces the whole list; a bad list (empty name, name
 * too long, weight outside 1..10000, more than XOT_VM_WEIGHTS_MAX entries,
 * a name twice) is refused with -EINVAL and changes nothing.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <xot/sched.h>
#include "hook.h"

#define XOT_VM_WEIGHTS_MAX	256

struct vm_weight {
	char name[XOT_HOOK_NAME_LEN];
	u32 weight;
};

static struct vm_weight *weights;	/* hook_mutex */
static unsigned int nr_weights;

u32 hook_vm_weight(const char *name)
{
	unsigned int i;

	for (i = 0; name[0] && i < nr_weights; i++)
		if (!strcmp(weights[i].name, name))
			return weights[i].weight;
	return XOT_WEIGHT_DEFAULT;
}

void hook_vm_weights_apply(void)
{
	struct hook_vbd *v;

	list_for_each_entry_rcu(v, &hook_vbds, node, lockdep_is_held(&hook_mutex))
		WRITE_ONCE(v->vm_weight, hook_vm_weight(v->name));
}

void hook_vm_weights_free(void)
{
	kfree(weights);
	weights = NULL;
	nr_weights = 0;
}

/* Parse "name=W,name=W" (newlines count as commas) into @out. */
static int parse_weights(char *s, struct vm_weight *out, unsigned int *nr)
{
	char *item;
	unsigned int n = 0, i;

	while ((item = strsep(&s, ",\n"))) {
		char *eq;
		u32 w;

		item = strim(item);
		if (!*item)
			continue;
		eq = strchr(item, '=');
		if (!eq || eq == item || n == XOT_VM_WEIGHTS_MAX)
			return -EINVAL;
		*eq = '\0';
		if (strlen(item) >= XOT_HOOK_NAME_LEN || kstrtou32(eq + 1, 10, &w) ||
		    w < XOT_WEIGHT_MIN || w > XOT_WEIGHT_MAX)
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (!strcmp(out[i].name, item))
				return -EINVAL;
		strscpy(out[n].name, item, sizeof(out[n].name));
		out[n].weight = w;
		n++;
	}
	*nr = n;
	return 0;
}

static int vm_weights_set(const char *val, const struct kernel_param *kp)
{
	struct vm_weight *new;
	unsigned int n;
	char *buf;
	int ret;

	buf = kstrdup(val, GFP_KERNEL);
	new = kcalloc(XOT_VM_WEIGHTS_MAX, sizeof(*new), GFP_KERNEL);
	ret = buf && new ? parse_weights(buf, new, &n) : -ENOMEM;
	kfree(buf);
	if (ret) {
		kfree(new);
		return ret;
	}
	mutex_lock(&hook_mutex);
	kfree(weights);
	weights = new;
	nr_weights = n;
	hook_vm_weights_apply();
	mutex_unlock(&hook_mutex);
	return 0;
}

static int vm_weights_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	mutex_lock(&hook_mutex);
	for (i = 0; i < nr_weights; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s=%u",
				 i ? "," : "", weights[i].name, weights[i].weight);
	mutex_unlock(&hook_mutex);
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops vm_weights_ops = {
	.set = vm_weights_set,
	.get = vm_weights_get,
};
module_param_cb(vm_weights, &vm_weights_ops, NULL, 0644);
MODULE_PARM_DESC(vm_weights, "VM weights by name: name=W[,name=W...], W in 1..10000 (default 100)");
