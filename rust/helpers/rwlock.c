// SPDX-License-Identifier: GPL-2.0

#include <linux/spinlock.h>

void rust_helper_read_lock_bh(rwlock_t *lock)
{
	read_lock_bh(lock);
}

void rust_helper_read_unlock_bh(rwlock_t *lock)
{
	read_unlock_bh(lock);
}

void rust_helper_write_lock_bh(rwlock_t *lock)
{
	write_lock_bh(lock);
}

void rust_helper_write_unlock_bh(rwlock_t *lock)
{
	write_unlock_bh(lock);
}
