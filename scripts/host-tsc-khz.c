// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW
 * over 300 ms.  Under TCG a guest's TSC is the host's, so the two-guest
 * runs (scripts/pair-run.sh) give it to the guest kernels as
 * tsc_early_khz: a guest whose vCPU is starved while it calibrates would
 * otherwise take a wrong rate and its clock would run several times fast.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static long long ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

int main(void)
{
	struct timespec a, b;
	unsigned long long t0, t1;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while (ns_between(&a, &b) < 300000000LL);
	t1 = __rdtsc();
	printf("%llu\n", (t1 - t0) * 1000000ULL / ns_between(&a, &b));
	return 0;
}
