/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/userspace compatibility for XoT's shared code.
 *
 * The scheduling core (core/sched.c) and the wire-format code (core/wire.c)
 * are compiled unchanged into the kernel modules and into userspace tests,
 * the simulator and the fuzzers. This header is the only place that knows
 * which side it is on: everything else uses the names below.
 */
#ifndef _XOT_COMPAT_H
#define _XOT_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <linux/compiler.h>
#include <linux/bitops.h>
#include <linux/prefetch.h>
#include <linux/atomic.h>
#include <asm/byteorder.h>

#define XOT_WARN_ON(cond)	WARN_ON_ONCE(cond)
/* order stores to shared memory: the record before its sequence number */
#define xot_wmb()		smp_wmb()
/* order loads from shared memory: a newer record's seq before an older one */
#define xot_rmb()		smp_rmb()

static inline u64 xot_div_u64(u64 a, u32 b)
{
	return div_u64(a, b);
}

static inline u64 xot_div64_u64(u64 a, u64 b)
{
	return div64_u64(a, b);
}

/* index of the lowest set bit; @x != 0 */
static inline unsigned int xot_ffs64(u64 x)
{
	return __ffs64(x);
}

static inline u64 xot_ror64(u64 x, unsigned int s)
{
	return ror64(x, s);
}

#define xot_prefetch(p)		prefetch(p)

/* counters written without the caller's lock (completion context) */
typedef atomic_t xot_atomic_t;
#define xot_atomic_read(a)	atomic_read(a)
#define xot_atomic_inc(a)	atomic_inc(a)
#define xot_atomic_dec(a)	atomic_dec(a)

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;

#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Userspace builds count violated invariants; tests assert the count is 0. */
extern unsigned long xot_warnings;
#define XOT_WARN_ON(cond)	({ bool __w = !!(cond); if (__w) xot_warnings++; __w; })

static inline u64 xot_div_u64(u64 a, u32 b)
{
	return a / b;
}

#define xot_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define xot_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)

static inline u64 xot_div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline unsigned int xot_ffs64(u64 x)
{
	return (unsigned int)__builtin_ctzll(x);
}

static inline u64 xot_ror64(u64 x, unsigned int s)
{
	s &= 63;
	return s ? (x >> s) | (x << (64 - s)) : x;
}

#define xot_prefetch(p)		__builtin_prefetch(p)

typedef struct {
	int counter;
} xot_atomic_t;
#define xot_atomic_read(a)	__atomic_load_n(&(a)->counter, __ATOMIC_RELAXED)
#define xot_atomic_inc(a)	((void)__atomic_add_fetch(&(a)->counter, 1, __ATOMIC_RELAXED))
#define xot_atomic_dec(a)	((void)__atomic_sub_fetch(&(a)->counter, 1, __ATOMIC_RELAXED))

#endif /* __KERNEL__ */

#endif /* _XOT_COMPAT_H */
